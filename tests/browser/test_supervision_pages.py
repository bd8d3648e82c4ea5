"""监督 in a real browser: the bureau issues a supervision item, the agency admin acknowledges and answers it, the
bureau verifies and closes it; a complaint filed on the portal gets a receipt number, the bureau accepts it and the
public tracks it by that number; bulletins; the yearly assessment's ranking and chart; the yearly statistics report,
its .xlsx and who has filed it (and who is late), then the public report once filed."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import requests
from enforcement_testing import RUN_DATE, db_connection, valid_id_number, wait_until
from enforcement_testing.browser import change_first_password
from sqlalchemy import text

AGENCY = "140928-scjgj"  # 县市场监管局
AGENCY_ADMIN = "scjgj-admin"
AGENCY_PASSWORD = "Market-office-2026"


def _agency_name(full_stack) -> str:
    agencies = full_stack.bureau().get(f"{full_stack.api}/agencies", params={"per_page": 500}, timeout=10).json()
    return next(a["name"] for a in agencies["items"] if a["code"] == AGENCY)


def _login(tab, username: str, password: str) -> None:
    """Logged in; the page the login lands on (总览) is shot too."""
    tab.login(username, password)
    tab.shot("home")


def _agency_tab(visitor, full_stack, name="agency"):
    full_stack.create_account(AGENCY_ADMIN, "agency_admin", AGENCY)
    tab = visitor.open.new(name=name)
    tab.login(AGENCY_ADMIN, full_stack.password_of(AGENCY_ADMIN))
    change_first_password(tab, full_stack.password_of(AGENCY_ADMIN), AGENCY_PASSWORD)
    tab.shot("home")
    return tab


def test_an_item_is_issued_acknowledged_answered_verified_and_closed(full_stack, visitor):
    name = _agency_name(full_stack)
    bureau = visitor
    _login(bureau, "admin", full_stack.password_of("admin"))
    bureau.go("/supervision/")
    bureau.shot("bureau-items-empty")
    assert "暂无监督事项" in bureau.text()

    # issue: a bad form first (no title), the Chinese error beside the field
    bureau.link("下发监督事项")
    bureau.shot("issue-form")
    bureau.select("执法部门", AGENCY)
    bureau.select("事项类型", "rectification")
    bureau.click("下发")
    bureau.shot("issue-form-errors")
    assert bureau.page.locator("#e-title").inner_text() == "必填"
    bureau.fill("事项标题", "关于行政执法公示信息不全的整改通知")
    bureau.fill("具体要求", "请于期限内补全 2026 年行政处罚决定的公示信息。")
    bureau.fill("办理期限（工作日）", "300")
    bureau.click("下发")
    bureau.shot("issue-form-api-error")
    assert bureau.page.locator("#e-deadline_workdays").inner_text() == "应在 1 至 250 之间"
    bureau.fill("办理期限（工作日）", "15")
    bureau.click("下发")
    bureau.shot("issued-item")
    text_now = bureau.text()
    assert "下发监督事项，办理期限至" in text_now and "已下发" in text_now and name in text_now
    assert re.search(r"还剩 1[45] 个工作日", text_now), text_now  # 15 working days (14 if today is not one)
    item_url = bureau.page.url
    item_id = int(item_url.rstrip("/").rsplit("/", 1)[1])

    # the agency's inbox: acknowledge, a bad answer, the answer
    agency = _agency_tab(visitor, full_stack)
    agency.go("/supervision/")
    agency.shot("agency-inbox")
    inbox = agency.text()
    assert "本部门监督事项" in inbox and "关于行政执法公示信息不全的整改通知" in inbox and "整改通知书" in inbox
    assert "执法部门" not in agency.page.locator("table thead").inner_text()  # its own agency only: no column
    agency.link("关于行政执法公示信息不全的整改通知")
    agency.shot("agency-item")
    assert agency.page.get_by_role("button", name="核查通过").count() == 0  # the bureau's actions are not offered
    agency.click("签收")
    agency.shot("agency-acknowledged")
    assert "已签收。" in agency.text() and "已签收" in agency.page.locator("main p").first.inner_text()
    agency.click("提交反馈")
    agency.shot("agency-answer-missing")
    assert "必填" in agency.page.locator("#e-answer").inner_text()
    agency.fill("办理情况", "已补全 2026 年全部行政处罚决定的公示信息，并建立公示台账。")
    agency.click("提交反馈")
    agency.shot("agency-answered")
    assert "已提交反馈" in agency.text() and "已补全 2026 年全部行政处罚决定的公示信息" in agency.text()

    # what the agency admin may not see: the assessment (403), another item number (404)
    agency.go("/supervision/assessment")
    agency.shot("agency-assessment-forbidden")
    assert "您没有查看此页面的权限。" in agency.text()
    agency.go("/supervision/items/99999")
    agency.shot("agency-item-not-found")
    assert "没有编号为 99999 的监督事项" in agency.text()

    # the bureau verifies and closes it; the history tells the story
    bureau.go(f"/supervision/items/{item_id}")
    bureau.shot("bureau-answered-item")
    assert "已反馈" in bureau.text() and "（首次反馈按时）" in bureau.text()
    bureau.click("核查通过")
    bureau.shot("bureau-verified")
    assert "已核查。" in bureau.text()
    bureau.click("办结")
    bureau.shot("bureau-closed")
    history = bureau.page.locator("ol.timeline").inner_text()
    for step in ("下发", "签收", "反馈", "核查", "办结"):
        assert step in history
    assert "已办结" in bureau.text()

    # an item past its deadline is marked 已超期 in the list (time passing: its dates moved into the past)
    late = full_stack.bureau().post(
        f"{full_stack.api}/supervision/items",
        json={"agency_code": AGENCY, "kind": "report_request", "title": "报送第三季度执法数据"},
        timeout=10,
    )
    assert late.status_code == 201, late.text
    with db_connection(full_stack.services["supervision"].database_url) as conn:
        conn.execute(
            text("UPDATE supervision_items SET issued_on = :i, due_on = :d WHERE id = :id"),
            {
                "i": RUN_DATE - timedelta(days=30),
                "d": RUN_DATE - timedelta(days=3),
                "id": late.json()["item_id"],
            },
        )
        conn.commit()
    wait_until(
        lambda: (
            full_stack.bureau()
            .get(f"{full_stack.api}/supervision/items/{late.json()['item_id']}", timeout=10)
            .json()["overdue"]
        ),
        message="the overdue timer marked the item",
    )
    bureau.go("/supervision/?overdue=true")
    bureau.shot("bureau-overdue-items")
    rows = bureau.page.locator("tbody tr")
    assert (
        rows.count() == 1 and "已超期" in rows.first.inner_text() and "报送第三季度执法数据" in rows.first.inner_text()
    )

    # the agency's inbox on a phone: the table scrolls inside its frame, the page does not
    phone = visitor.open.phone()
    _login(phone, AGENCY_ADMIN, AGENCY_PASSWORD)
    phone.go("/supervision/")
    phone.shot("agency-inbox-phone")
    assert "已超期" in phone.text()
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375-px phone"


def test_a_complaint_filed_on_the_portal_is_accepted_and_tracked_by_its_receipt(full_stack, visitor):
    name = _agency_name(full_stack)
    public = visitor.open.new(name="public")
    public.go("/public/complaint")
    public.shot("complaint-form")
    public.click("提交投诉举报")
    public.shot("complaint-form-empty")
    assert public.page.locator("#e-summary").inner_text() == "必填"
    public.select("被投诉的执法部门", AGENCY)
    public.select("投诉人类型", "citizen")
    public.fill("姓名或单位名称", "张三丰")
    public.fill("联系电话或电子邮箱", "电话")
    public.fill("投诉举报内容", "2026年11月20日，执法人员在检查我店时未出示执法证。")
    public.click("提交投诉举报")
    public.shot("complaint-form-bad-contact")
    assert public.page.locator("#e-contact").inner_text() == "应为电话号码或电子邮箱"
    public.fill("联系电话或电子邮箱", "13812345678")
    public.click("提交投诉举报")
    public.shot("complaint-receipt")
    assert "投诉举报已收到" in public.text() and name in public.text()
    code = public.page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code

    # the public tracks it: waiting to be accepted
    public.link("查询办理进度")
    public.shot("track-registered")
    assert "待受理" in public.text() and code in public.text()

    # the bureau accepts it (a missing reason first)
    bureau = visitor
    _login(bureau, "admin", full_stack.password_of("admin"))
    bureau.go("/supervision/complaints")
    bureau.shot("bureau-complaints")
    assert "张*" in bureau.text() and "张三丰" not in bureau.text() and "待受理" in bureau.text()
    bureau.link("2026年11月20日，执法人员在检查我店时未出示执法证。")
    bureau.shot("bureau-complaint")
    assert "138****5678" in bureau.text()
    bureau.click("受理")
    bureau.shot("bureau-complaint-no-reason")
    assert "必填" in bureau.page.locator("#e-reasons").inner_text()
    bureau.fill("理由", "属于行政执法监督受理范围。")
    bureau.click("受理")
    bureau.shot("bureau-complaint-accepted")
    assert "已受理，请在办结期限内办结。" in bureau.text()
    assert bureau.page.get_by_role("button", name="批准延期").count() == 1

    # the public, by receipt: 已受理, its deadline, and nothing personal
    public.go("/public/track")
    public.shot("track-form")
    public.fill("查询码", code.lower().replace("-", " "))
    public.click("查询")
    public.shot("track-accepted")
    tracked = public.text()
    assert "已受理" in tracked and "办结期限" in tracked and "属于行政执法监督受理范围。" in tracked
    assert "张" not in tracked and "1381" not in tracked and "未出示执法证" not in tracked
    public.fill("查询码", "0000-0000-0000")
    public.click("查询")
    public.shot("track-unknown")
    assert "没有找到这个查询码" in public.page.locator("#e-code").inner_text()

    # the bureau publishes last month's bulletin
    bureau.link("通报")
    bureau.shot("bulletins")
    assert "尚未发布通报" in bureau.text()
    bureau.page.once("dialog", lambda dialog: dialog.accept())  # the button asks to confirm first
    bureau.click("发布通报")
    bureau.shot("bulletin-published")
    assert "已发布通报" in bureau.text()

    # too many complaints from one address: the gateway's limit, as a Chinese sentence (on a phone)
    phone = visitor.open.phone()
    phone.go("/public/complaint")
    phone.shot("complaint-form-phone")
    complaint = {
        "agency_code": AGENCY,
        "complainant_kind": "enterprise",
        "complainant_name": "某某公司",
        "contact": "0350-1234567",
        "summary": "重复检查",
    }
    wait_until(
        lambda: requests.post(f"{full_stack.api}/public/complaints", json=complaint, timeout=10).status_code == 429,
        message="the public complaint limit was reached",
    )
    phone.select("被投诉的执法部门", AGENCY)
    phone.select("投诉人类型", "enterprise")
    phone.fill("姓名或单位名称", "某某公司")
    phone.fill("联系电话或电子邮箱", "0350-1234567")
    phone.fill("投诉举报内容", "一周内重复检查三次。")
    phone.click("提交投诉举报")
    phone.shot("complaint-rate-limited-phone")
    assert "操作过于频繁，请稍后再试。" in phone.text()


RECORDED = (AGENCY, "140928-jtysj")  # 县市场监管局, 县交通运输局: the same record, so they tie


def _a_record(full_stack, code: str, seq: int) -> None:
    """An officer (uncertified, untrained) and a supervision item answered in time: data for the certification,
    training, overdue-items and promptness indicators (55 of 100 points, above the county's half)."""
    bureau = full_stack.bureau()
    officer = {"agency_code": code, "name": f"执法员{seq}", "id_number": valid_id_number(seq), "domains": []}
    assert bureau.post(f"{full_stack.api}/officers", json=officer, timeout=10).status_code == 201
    username = f"admin-{seq}"
    full_stack.create_account(username, "agency_admin", code)
    agency = full_stack.session(username)
    item = {"agency_code": code, "kind": "rectification", "title": "整改通知：执法公示不及时", "deadline_workdays": 5}
    item = bureau.post(f"{full_stack.api}/supervision/items", json=item, timeout=10).json()
    path = f"{full_stack.api}/supervision/items/{item['item_id']}"
    assert agency.post(f"{path}/acknowledge", json={}, timeout=10).status_code == 200
    assert agency.post(f"{path}/answer", json={"answer": "已整改"}, timeout=10).status_code == 200
    assert bureau.post(f"{path}/verify", json={}, timeout=10).status_code == 200
    year = RUN_DATE.year
    wait_until(
        lambda: any(
            a["agency_code"] == code and a["officers"] == 1
            for a in bureau.get(
                f"{full_stack.api}/training/compliance/summary", params={"year": year}, timeout=10
            ).json()["agencies"]
        ),
        message="training knows the officer",
    )


def test_the_assessment_ranks_agencies_and_the_report_is_downloaded_filed_and_published(full_stack, visitor):
    from openpyxl import load_workbook

    name = _agency_name(full_stack)
    last_year = RUN_DATE.year - 1
    bureau = visitor
    _login(bureau, "admin", full_stack.password_of("admin"))
    bureau.go("/supervision/assessment")
    bureau.shot("assessment-none")
    assert f"{RUN_DATE.year} 年度尚未进行评议考核" in bureau.text()
    for seq, code in enumerate(RECORDED, start=931):
        _a_record(full_stack, code, seq)
    bureau.click("进行考核")
    bureau.shot("assessment-ranking")
    shown = bureau.text()
    # the two agencies with a record are ranked (tied); the others, with nothing to measure, are 无数据 and unranked;
    # the agencies without enforcement duties are not assessed
    assert "评议考核已完成：共 2 个执法部门参加排名" in shown and "（并列）" in shown and name in shown
    ranking = bureau.page.get_by_role("table", name=re.compile("评议考核排名")).inner_text()
    rows = [row for row in ranking.splitlines() if row.strip()][2:]  # after the caption and the header
    assert rows[0].startswith("1（并列）") and rows[1].startswith("1（并列）"), ranking
    assert all("无数据" in row for row in rows[2:]) and len(rows) > 2, ranking
    assert "县财政局：无行政执法职责，不参加评议考核" in shown
    assert bureau.page.locator("canvas[data-chart='assessment-chart']").count() == 1
    assert bureau.page.evaluate(
        "() => !!window.Chart && Chart.getChart(document.querySelector('canvas')) !== undefined"
    )
    breakdown = bureau.page.get_by_role("table", name=re.compile("各考核指标得分"))
    assert "持证率（15）" in breakdown.inner_text() and "按时办结率（15）" in breakdown.inner_text()

    # the yearly report: last year's, the filings (nobody filed: every agency late), the .xlsx
    bureau.link("统计年报")
    bureau.shot("report-county")
    report = bureau.text()
    assert f"{last_year} 年度统计年报报送情况" in report and "逾期未报送" in report and "执法案件" in report
    with bureau.page.expect_download() as download_info:
        bureau.page.get_by_role("link", name="下载 Excel 表格（.xlsx）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{last_year}年度行政执法统计年报.xlsx"), download.suggested_filename
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert len(book.sheetnames) == 8 and book.worksheets[0]["B1"].value == last_year  # the summary + 7 sections

    # the agency files its own report (late: the due date was 31 January)
    agency = _agency_tab(visitor, full_stack)
    agency.go("/supervision/reports")
    agency.shot("agency-report")
    assert name in agency.text() and "逾期未报送" in agency.text()
    agency.page.once("dialog", lambda dialog: dialog.accept())
    agency.click(f"报送本部门 {last_year} 年度统计年报")
    agency.shot("agency-report-filed")
    assert "逾期报送" in agency.text()

    bureau.go(f"/supervision/reports?year={last_year}")
    bureau.shot("report-filings-after")
    filings = bureau.page.get_by_role("table", name=re.compile("报送情况")).inner_text()
    assert re.search(rf"{name}\s+逾期报送", filings), filings

    # the public reads it once filed
    public = visitor.open.new(name="public")
    public.go(f"/public/reports?year={last_year}")
    public.shot("public-reports")
    public.link(f"查看{name} {last_year} 年度统计年报")
    public.shot("public-report")
    assert f"{name} {last_year} 年度行政执法统计年报" in public.text() and "执法证件" in public.text()
    public.go(f"/public/reports?year={last_year - 1}")
    public.shot("public-reports-none")
    assert "尚未报送" in public.text()

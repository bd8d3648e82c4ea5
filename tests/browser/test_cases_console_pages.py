"""案件 in a real browser. An agency admin registers an enforcement item (an empty form refused beside its fields),
files its discretion benchmark and puts it on the 首违不罚 list, reports a case (one officer refused beside
办案执法人员),
is refused the decision until the legal review passes, decides, records the service and publishes late: the case's
page shows the late publication as a failed check in Chinese with its article and the deadline 超期完成; the list
finds the case by its failed check; another agency's page and a missing case are Chinese sentences. The public
finds the decision on the portal (the citizen's name masked), reads the catalogue, the benchmarks and the lenient
lists (on a phone too). The bureau plans a case-file review batch (the seed's hash shown), draws it (the seed
revealed), assigns a reviewer of another agency and scores the file (a deduction over the item's points refused
first); the agency uploads its directory, plans a double-random draw (the public reads its hash), executes it (the
seed revealed), replays and publishes it, and the public reads hash and seed on a phone.
(Named test_cases_console_pages.py: test_cases_pages.py is the cases service's paging test.)
"""

from __future__ import annotations

import hashlib
import re

import pytest
import requests
from enforcement_testing import RUN_DATE, valid_id_number, wait_until
from enforcement_testing.browser import change_first_password

pytestmark = pytest.mark.timeout(480)  # a loaded machine: the stack alone took 80-95 s to start

SCJ = "140928-scjgj"  # 县市场监管局
NRJ = "140928-nyncj"  # 县农业农村局
DOMAIN = "market_supervision"
YEAR = 2026
TRAINED_ON = f"{YEAR}-01-05"
TRAINED_UNTIL = f"{YEAR}-01-09"  # five days: no more than 12 hours a day
CERTIFIED_ON = f"{YEAR}-01-06"
AGENCY_ADMIN = "scj-cases"
AGENCY_PASSWORD = "Cases-desk-2026!"


def _ok(answer, status=201) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def certified_officers(stack, http, agency: str, seqs: list[int]) -> list[str]:
    """Officers registered, trained (30 + 30 hours with the required course) and examined in the training service,
    then certified for market supervision early in the year: what other areas' pages record, through the API."""
    api = stack.api
    ids = [
        _ok(
            http.post(
                f"{api}/officers",
                json={
                    "agency_code": agency,
                    "name": f"执法员{seq}",
                    "id_number": valid_id_number(seq),
                    "domains": [DOMAIN],
                },
            )
        )["officer_id"]
        for seq in seqs
    ]
    for officer_id in ids:
        wait_until(
            lambda officer_id=officer_id: (
                http.get(f"{api}/training/officers/{officer_id}/compliance").status_code == 200
            ),
            message="training knows the officer",
        )
    law = _ok(http.post(f"{api}/training/courses", json={"title": "行政处罚法专题", "category_code": "public_law"}))
    skills = _ok(http.post(f"{api}/training/courses", json={"title": "执法技能", "category_code": "professional"}))
    sessions = [
        (
            _ok(
                http.post(
                    f"{api}/training/sessions",
                    json={
                        "course_id": course_id,
                        "held_on": TRAINED_ON,
                        "ends_on": TRAINED_UNTIL,
                        "hours": hours,
                        "delivery": "offline",
                        "organiser": {"kind": "bureau"},
                    },
                )
            )["session_id"],
            hours,
        )
        for course_id, hours in (("gbf-2023-27", 4), (law["course_id"], 26), (skills["course_id"], 30))
    ]
    sitting = _ok(
        http.post(
            f"{api}/training/exams",
            json={"exam_kind": "qualification", "title": f"{YEAR}年行政执法资格考试", "sat_on": TRAINED_ON},
        )
    )
    for officer_id in ids:
        for session_id, hours in sessions:
            _ok(
                http.post(
                    f"{api}/training/attendance",
                    json={"officer_id": officer_id, "session_id": session_id, "hours": hours},
                )
            )
        _ok(
            http.post(
                f"{api}/training/exams/{sitting['sitting_id']}/results", json={"officer_id": officer_id, "score": 88}
            )
        )
    for officer_id in ids:
        wait_until(
            lambda officer_id=officer_id: http.get(
                f"{api}/officers/{officer_id}/eligibility", params={"year": YEAR}
            ).json()["eligible"],
            message="personnel has the hours and the exam",
        )
        _ok(
            http.post(
                f"{api}/certificates", json={"officer_id": officer_id, "domains": [DOMAIN], "issued_on": CERTIFIED_ON}
            )
        )
    return ids


def legal_reviewer(stack, http) -> str:
    return _ok(
        http.post(
            f"{stack.api}/legal-reviewers",
            json={
                "agency_code": SCJ,
                "name": "王律师",
                "kind": "public_lawyer",
                "has_legal_qualification": True,
                "qualification_number": "A2019140928",
            },
        )
    )["reviewer_id"]


def login(tab, username: str, password: str) -> None:
    tab.go("/login")
    tab.shot("login")
    tab.fill("用户名", username)
    tab.fill("密码", password)
    tab.click("登录")


def agency_tab(visitor, stack):
    stack.create_account(AGENCY_ADMIN, "agency_admin", SCJ)
    login(visitor, AGENCY_ADMIN, stack.password_of(AGENCY_ADMIN))
    change_first_password(visitor, stack.password_of(AGENCY_ADMIN), AGENCY_PASSWORD)
    visitor.shot("overview-after-first-login")
    return visitor


def field_error(tab, name: str) -> str:
    return tab.page.locator(f'[id="e-{name}"]').inner_text()


def check_row(tab, rule: str):
    return tab.page.locator("table.checks tr", has_text=rule)


# One case from the catalogue to the portal, in order (each step needs the one before), so longer than 50 lines.
def test_a_case_is_reported_reviewed_decided_published_late_and_found_by_the_public(visitor, full_stack):
    bureau = full_stack.bureau()
    certified_officers(full_stack, bureau, SCJ, [801, 802])
    legal_reviewer(full_stack, bureau)
    tab = agency_tab(visitor, full_stack)
    page = tab.page

    # 执法事项目录: empty, then an empty form refused beside its fields, then the item
    tab.go("/cases/catalogue")
    tab.shot("catalogue-empty")
    assert "目录中还没有执法事项" in tab.text()
    tab.link("登记执法事项")
    tab.click("登记")
    tab.shot("item-form-missing")
    assert field_error(tab, "code") == "必填" and field_error(tab, "legal_basis") == "必填"
    tab.fill("事项编号", "SCJ-CF-009")
    tab.select("执法类型", "penalty")
    tab.fill("事项名称", "未按规定公示营业执照")
    tab.select("执法类别", DOMAIN)
    tab.fill("法律依据", "《市场主体登记管理条例》第四十八条")
    tab.fill("生效日期", "2022-03-01")
    tab.click("登记")
    tab.shot("item")
    assert "已列入目录" in tab.text() and "《市场主体登记管理条例》第四十八条" in tab.text()
    item_id = page.url.rstrip("/").rsplit("/", 1)[1]

    # its benchmark (一般: warning or a fine of 1,000 to 5,000 yuan) and the 首违不罚 list
    page.locator('input[name="general.kinds"][value="warning"]').check()
    page.locator('input[name="general.kinds"][value="fine"]').check()
    tab.fill("一般：罚款下限（元）", "1000")
    tab.fill("一般：罚款上限（元）", "5000")
    tab.fill("施行日期", "2022-03-01")
    tab.click("备案裁量基准")
    tab.shot("item-benchmark-filed")
    assert "裁量基准已备案" in tab.text() and "1,000.00 元" in tab.text() and "5,000.00 元" in tab.text()
    tab.select("清单", "first_violation_exempt")
    tab.fill("适用条件", "初次违法且危害后果轻微并及时改正")
    tab.fill("生效日期", "2022-03-01")
    tab.click("列入清单并备案")
    tab.shot("item-on-list")
    assert "首违不罚清单（2022年3月1日起）" in tab.text()
    _ok(bureau.post(f"{full_stack.api}/major-decision-list", json={"agency_code": SCJ, "item_id": item_id}))

    # 立案登记: one officer is refused beside 办案执法人员 (art. 42), two are accepted
    tab.go("/cases/")
    tab.shot("cases-empty")
    assert "还没有登记案件" in tab.text()
    tab.link("立案登记")
    tab.shot("report-form")
    tab.fill("案号（文号）", f"五市监罚〔{YEAR}〕88号")
    tab.select("执法事项", item_id)
    tab.fill("立案日期", f"{YEAR}-07-03")
    tab.fill("违法行为发生日期", f"{YEAR}-06-28")
    tab.fill("当事人名称或姓名", "李四")
    tab.fill("身份证号码（公民）", valid_id_number(777))
    tab.fill("告知日期", f"{YEAR}-08-03")
    page.get_by_label("执法员801").check()
    tab.click("立案登记")
    tab.shot("report-one-officer")
    assert "至少 2 名持证执法人员" in field_error(tab, "officers")
    assert "案件未能保存" in page.locator("#error-summary").inner_text()
    tab.fill("身份证号码（公民）", valid_id_number(777))
    page.get_by_label("执法员801").check()
    page.get_by_label("执法员802").check()
    tab.click("立案登记")
    tab.shot("case-filed")
    text = tab.text()
    assert f"五市监罚〔{YEAR}〕88号" in text and "已立案" in text and "重大执法决定" in text
    assert valid_id_number(777) not in text and "140928" in text  # the ID number masked
    assert "90 日（自然日）" in text and f"{YEAR}年10月1日" in text  # the decision deadline: 90 calendar days
    case_url = page.url

    # the decision before the legal review: refused with the article, in Chinese
    tab.fill("决定日期", f"{YEAR}-09-25")
    page.locator('input[name="penalty.kinds"][value="fine"]').check()
    tab.fill("罚款金额（元）", "3000")
    tab.select("裁量档次", "general")
    tab.fill("决定内容摘要", "罚款人民币叁仟元")
    tab.click("登记决定")
    tab.shot("decision-before-review")
    assert "须经法制审核通过后才能作出（《行政处罚法》第五十八条" in tab.text()

    # 法制审核 passes, then the decision, the service and the late publication
    tab.select("审核结论", "true")
    page.get_by_label("法制审核人员", exact=True).select_option(label="王律师")
    tab.fill("审核日期", f"{YEAR}-09-24")
    tab.click("登记审核结果")
    tab.shot("case-reviewed")
    assert "法制审核结果已登记" in tab.text() and "法制审核通过" in tab.text()
    tab.fill("决定日期", f"{YEAR}-09-25")
    page.locator('input[name="penalty.kinds"][value="fine"]').check()
    tab.fill("罚款金额（元）", "3000")
    tab.select("裁量档次", "general")
    tab.click("登记决定")
    tab.shot("case-decided")
    assert "决定已登记" in tab.text() and "罚款，罚款 3,000.00 元" in tab.text()
    tab.fill("送达决定书日期", f"{YEAR}-09-28")
    tab.click("登记环节")
    tab.shot("case-served")
    assert "办案环节已登记" in tab.text()
    tab.fill("公示日期", f"{YEAR}-10-16")
    tab.click("登记公示")
    tab.shot("case-published-late")
    late = check_row(tab, "行政处罚、行政许可决定在作出之日起七个工作日内公示")
    assert "不符合" in late.inner_text() and "《行政处罚法》第四十八条" in late.inner_text()
    assert "作出决定后第 11 个工作日才公示；应在 7 个工作日内公示" in late.inner_text()
    on_time = check_row(tab, "自立案之日起九十日内作出行政处罚决定")
    assert "符合" in on_time.inner_text() and "《行政处罚法》第六十条" in on_time.inner_text()
    deadlines = page.locator("table", has_text="截止日").inner_text()
    assert "超期完成" in deadlines and "按期完成" in deadlines and "7 个工作日" in deadlines

    # the list finds it by its failed check; a missing case and the bureau's own page are Chinese sentences
    tab.go("/cases/?flagged=true")
    tab.shot("cases-flagged")
    assert f"五市监罚〔{YEAR}〕88号" in tab.text() and "1 项不符合" in tab.text()
    tab.go("/cases/no-such-case")
    tab.shot("case-404")
    assert "案件不存在" in tab.text()
    tab.go("/cases/reviews/no-such-batch")
    tab.shot("review-batch-403")
    assert "您没有查看此页面的权限" in tab.text()
    assert "/cases/" in case_url

    # the public: the decision on the portal, the citizen's name masked, found by agency and date
    public = visitor.open.new(name="public")
    public.go("/public/decisions")
    public.shot("portal-decisions")
    assert f"五市监罚〔{YEAR}〕88号" in public.text() and "李*" in public.text() and "李四" not in public.text()
    public.select("执法部门", SCJ)
    public.fill("公示日期自", f"{YEAR}-10-16")
    public.click("查找")
    public.shot("portal-decisions-found")
    public.link(f"五市监罚〔{YEAR}〕88号")
    public.shot("portal-decision")
    assert "《市场主体登记管理条例》第四十八条" in public.text() and "3,000.00 元" in public.text()
    public.go("/public/decisions?from=2026-13-01")
    public.shot("portal-decisions-bad-date")
    assert "日期格式应为" in public.text()
    public.go("/public/catalogue")
    public.shot("portal-catalogue")
    assert "未按规定公示营业执照" in public.text() and "有裁量基准" in public.text()
    public.link("未按规定公示营业执照")
    public.shot("portal-catalogue-item")
    assert "一般" in public.text() and "5,000.00 元" in public.text()

    phone = visitor.open.phone()
    phone.go("/public/lenient-lists")
    phone.shot("portal-lenient-phone")
    assert "首违不罚清单" in phone.text() and "未按规定公示营业执照" in phone.text()
    phone.go("/public/benchmarks")
    phone.shot("portal-benchmarks-phone")
    assert "罚款下限" in phone.text()
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the benchmarks page is {width} px wide on a phone"


# The bureau's review and an agency's draw, each in order, so longer than 50 lines on purpose.
def test_a_review_batch_is_scored_and_a_draw_is_published(visitor, full_stack):
    bureau = full_stack.bureau()
    api = full_stack.api
    officers = certified_officers(full_stack, bureau, SCJ, [811, 812])
    _ok(
        bureau.post(
            f"{api}/officers",
            json={"agency_code": NRJ, "name": "赵评查", "id_number": valid_id_number(813), "domains": ["agriculture"]},
        )
    )
    item = _ok(
        bureau.post(
            f"{api}/catalogue/items",
            json={
                "agency_code": SCJ,
                "code": "SCJ-CF-010",
                "type_code": "penalty",
                "name": "销售过期食品",
                "domain": DOMAIN,
                "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
                "effective_from": "2022-01-01",
            },
        )
    )
    _ok(
        bureau.post(
            f"{api}/cases",
            json={
                "agency_code": SCJ,
                "case_number": f"五市监罚〔{YEAR}〕5号",
                "item_id": item["item_id"],
                "filed_on": f"{YEAR}-03-02",
                "party": {"kind": "organisation", "name": "五寨县某超市", "credit_code": "91140928MA0XXXXX1"},
                "officers": [{"officer_id": o} for o in officers],
                "notice_on": f"{YEAR}-03-20",
                "decision": {"decided_on": f"{YEAR}-04-01", "penalty": {"kinds": ["warning"]}, "summary": "警告"},
                "served_on": f"{YEAR}-04-02",
                "closed_on": f"{YEAR}-04-10",
            },
        )
    )

    open_case = _ok(
        bureau.post(
            f"{api}/cases",
            json={
                "agency_code": SCJ,
                "case_number": f"五市监罚〔{YEAR}〕6号",
                "item_id": item["item_id"],
                "filed_on": f"{YEAR}-10-20",
                "party": {"kind": "organisation", "name": "五寨县某农资店", "credit_code": "91140928MA0XXXXX2"},
                "officers": [{"officer_id": o} for o in officers],
            },
        )
    )

    tab = visitor
    login(tab, "admin", full_stack.password_of("admin"))
    tab.shot("overview")

    # 案件移送: proposed on the case's page, decided, handed over and acknowledged (the bureau may do each step)
    tab.go(f"/cases/{open_case['case_id']}")
    tab.shot("open-case")
    tab.select("移送给", NRJ)
    tab.fill("提出移送日期", f"{YEAR}-11-02")
    tab.click("提出移送")
    tab.shot("transfer-missing-reason")
    assert field_error(tab, "transfer_reason") == "必填"
    tab.fill("移送理由", "涉及农资质量，属农业农村部门管辖")
    tab.click("提出移送")
    tab.shot("transfer-proposed")
    assert "移送建议已登记，待负责人决定" in tab.text()
    tab.go("/cases/transfers")
    tab.shot("transfers")
    assert "待负责人决定" in tab.text() and "县农业农村局" in tab.text()
    tab.link("查看和办理")
    tab.shot("transfer")
    tab.fill("决定时间", f"{YEAR}-11-03T09:30")
    tab.select("决定", "true")
    tab.click("登记决定")
    tab.fill("移交时间", f"{YEAR}-11-03T15:00")
    tab.click("登记移交")
    tab.fill("签收日期", f"{YEAR}-11-04")
    tab.click("签收")
    tab.shot("transfer-acknowledged")
    assert "已签收" in tab.text() and "2026年11月3日 15:00" in tab.text()

    # 案卷评查
    tab.go("/cases/reviews")
    tab.shot("reviews-empty")
    assert "还没有评查批次" in tab.text()
    tab.fill("结案日期自", f"{YEAR}-04-01")
    tab.fill("结案日期至", f"{YEAR}-03-01")
    tab.fill("抽取份数", "1")
    tab.click("计划评查批次")
    tab.shot("reviews-backwards")
    assert field_error(tab, "closed_to") == "不能早于开始日期"
    tab.fill("结案日期自", f"{YEAR}-04-01")
    tab.fill("结案日期至", f"{YEAR}-04-30")
    tab.fill("抽取份数", "1")
    tab.click("计划评查批次")
    tab.shot("batch-planned")  # two steps: the seed's hash first, nothing drawn yet, no seed field anywhere
    planned = tab.text()
    assert "已计划评查批次" in planned and "随机种子摘要" in planned and "执行抽取后公开" in planned
    assert f"五市监罚〔{YEAR}〕5号" not in planned and tab.page.get_by_label("随机种子").count() == 0
    batch_hash = tab.page.locator("code.hash").first.inner_text()
    tab.page.once("dialog", lambda dialog: dialog.accept())
    tab.click("执行抽取")
    tab.shot("batch")
    assert "已抽取 1 份案卷，随机种子已公开" in tab.text() and f"五市监罚〔{YEAR}〕5号" in tab.text()
    batch_seed = tab.page.locator("code.hash").nth(1).inner_text()
    assert hashlib.sha256(batch_seed.encode()).hexdigest() == batch_hash
    tab.page.get_by_label(f"案卷 五市监罚〔{YEAR}〕5号 的评查人员").select_option(label="赵评查（县农业农村局）")
    tab.click("保存评查人员")
    tab.shot("batch-assigned")
    tab.link("评分")
    tab.shot("score-form")
    # the services' date (pinned to the run's date): the console's default is the county's today, maybe a day on
    tab.fill("评分日期", RUN_DATE.isoformat())
    tab.fill("文书制作规范、齐全：扣分（最多 10 分）", "50")
    tab.click("提交评分")
    tab.shot("score-too-much")
    assert field_error(tab, "deduct.documents") == "该项最多扣 10 分"
    tab.fill("文书制作规范、齐全：扣分（最多 10 分）", "3")
    tab.fill("调查取证全面、客观：扣分（最多 20 分）", "4")
    tab.click("提交评分")
    tab.shot("batch-scored")
    assert "评分 93 分，优秀" in tab.text()
    tab.go("/cases/reviews?grade=excellent")
    tab.shot("reviews-excellent")
    assert "优秀" in tab.text() and "93" in tab.text()

    # the agency: its directory, a draw, its replay and publication
    agency = agency_tab(visitor.open.new(name="agency"), full_stack)
    agency.go("/cases/draws")
    agency.shot("draws-empty")
    agency.fill(
        "检查对象（每行一户：统一社会信用代码，企业名称，类别）",
        "\n".join(f"91140928MA0{i:07d}，五寨县商户{i}，食品销售" for i in range(5)),
    )
    agency.click("上传名录")
    agency.shot("directory-uploaded")
    assert "新增 5 户" in agency.text()
    agency.click("计划抽取")
    agency.shot("draw-missing")
    assert field_error(agency, "domain") == "必填" and field_error(agency, "target_count") == "必填"
    agency.select("执法类别", DOMAIN)
    agency.fill("抽取户数", "2")
    agency.fill("抽取日期", f"{YEAR}-11-02")
    agency.click("计划抽取")
    agency.shot("draw-planned")
    assert "已计划抽取" in agency.text() and "5 户，持证检查人员 2 名" in agency.text()
    draw_hash = agency.page.locator("code.hash").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", draw_hash) and "执行抽取后公开" in agency.text()
    # the public sees the plan's hash before anything is drawn
    early = visitor.open.phone(name="public-planned")
    early.go("/public/draws?state=planned")
    early.shot("portal-draw-planned")
    assert draw_hash in early.text() and "尚未抽取，抽取后公开" in early.text()
    agency.page.once("dialog", lambda dialog: dialog.accept())
    agency.click("执行抽取")
    agency.shot("draw")
    assert "抽取完成，抽中 2 户，随机种子已公开" in agency.text()
    draw_seed = agency.page.locator("code.hash").nth(1).inner_text()
    assert hashlib.sha256(draw_seed.encode()).hexdigest() == draw_hash
    agency.link("复核抽取结果")
    agency.shot("draw-replayed")
    assert "复核一致" in agency.text()
    agency.fill("公示日期", f"{YEAR}-11-03")
    agency.click("公示")
    agency.shot("draw-published")
    assert "抽查结果已公示" in agency.text()

    # 涉企行政检查: a joint inspection of an enterprise drawn
    agency.go("/cases/inspections")
    agency.shot("inspections")
    agency.fill("企业名称", "五寨县商户1")
    agency.fill("企业统一社会信用代码", "91140928MA00000001")
    agency.fill("检查日期", f"{YEAR}-11-05")
    agency.select("检查方式", "routine")
    agency.select("执法类别", DOMAIN)
    agency.page.get_by_label("执法员811").check()
    agency.page.get_by_label("执法员812").check()
    agency.page.get_by_label("县农业农村局").check()
    agency.fill("检查结果", "未发现问题")
    agency.click("登记检查")
    agency.shot("inspection-recorded")
    assert "检查已登记" in agency.text() and "县农业农村局" in agency.page.locator("table").inner_text()

    phone = visitor.open.phone()
    phone.go("/public/draws")
    phone.shot("portal-draws-phone")
    text = phone.text()
    assert "县市场监管局" in text and "从 5 户中抽取 2 户" in text and "2 名" in text
    assert draw_hash in text and draw_seed in text and "如何复核一次抽取" in text  # the hash, then the seed
    assert not any(o in phone.page.content() for o in officers)  # inspectors counted, never named
    assert requests.get(f"{api}/public/draws", timeout=10).json()["total"] == 1

"""The personnel pages rendered from canned gateway answers (no services): what each role is offered, the QR link,
field errors beside their fields, the portal's certificate check; and the pure helpers behind them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from console_support import unit_settings
from enforcement_console.app import create_app
from enforcement_console.gateway import ApiError, Gateway
from enforcement_console.views import personnel as views
from enforcement_console.views.portal import personnel as portal

MARKET = "140928-scjgj"
OID = "a" * 32
NUMBER = "140928202600001"
TODAY = views.today()

AGENCY = {
    "code": MARKET,
    "name": "县市场监管局",
    "kind": "department",
    "is_supervisor": False,
    "is_police": False,
    "officer_count": 3,
    "certified_count": 2,
}
OFFICER = {
    "officer_id": OID,
    "agency_code": MARKET,
    "name": "张三",
    "id_number_masked": "140928********0019",
    "position": "科员",
    "domains": ["market_supervision", "food_safety"],
    "is_police": False,
    "status": "active",
    "departed_on": None,
    "certificate_number": NUMBER,
    "certificate_status": "valid",
}
CHECK_CODE = "K7M3P9QX"
CERT = {
    "number": NUMBER,
    "check_code": CHECK_CODE,
    "officer_id": OID,
    "agency_code": MARKET,
    "domains": ["market_supervision"],
    "issued_on": f"{TODAY.year}-01-05",
    "expires_on": f"{TODAY.year + 5}-01-05",
    "status": "valid",
    "status_reason": None,
    "cancelled_on": None,
    "renewal_window_opens": f"{TODAY.year + 4}-07-05",
    "history": [
        {
            "old_status": None,
            "new_status": "valid",
            "reason": "issued",
            "changed_on": f"{TODAY.year}-01-05",
            "actor": "admin",
        }
    ],
}


def page(*items) -> dict:
    return {"items": list(items), "total": len(items), "page": 1, "per_page": 20}


ANSWERS = {
    "/agencies": page(AGENCY),
    f"/agencies/{MARKET}": AGENCY,
    "/officers": page(OFFICER),
    f"/officers/{OID}": OFFICER,
    f"/officers/{OID}/certificates": page(CERT),
    f"/officers/{OID}/eligibility": {
        "officer_id": OID,
        "year": TODAY.year,
        "eligible": False,
        "reasons": ["public legal knowledge training 12 h is below the required 30 h"],
    },
    f"/officers/{OID}/assessments": page(
        {
            "officer_id": OID,
            "agency_code": MARKET,
            "year": TODAY.year - 1,
            "grade": "competent",
            "note": "",
            "certificate_suspended": False,
        }
    ),
    "/training/categories": page(
        {"code": "public_law", "name": "公共法律知识", "yearly_minimum_hours": 30},
        {"code": "professional", "name": "业务知识和执法技能", "yearly_minimum_hours": 30},
    ),
    f"/training/officers/{OID}/compliance": {
        "officer_id": OID,
        "hours_by_category": {"public_law": 12.0, "professional": 30.0},
        "compliant": False,
        "required_courses_done": True,
    },
    f"/certificates/{NUMBER}": CERT,
    f"/public/certificates/{NUMBER}": {  # as answered with the right check code
        "number": NUMBER,
        "valid": True,
        "details": True,
        "status": "valid",
        "holder_name": "张三",
        "agency_name": "县市场监管局",
        "domains": ["market_supervision"],
        "expires_on": f"{TODAY.year + 5}-01-05",
    },
    "/legal-reviewers": page(),
    "/certificate-applications": page(),
}
APPLICATION = {
    "application_id": "b" * 32,
    "officer_id": OID,
    "officer_name": "张三",
    "agency_code": MARKET,
    "domains": ["market_supervision"],
    "state": "pending",
    "filed_on": TODAY.isoformat(),
    "filed_by": "scjgj-admin",
    "due_on": TODAY.isoformat(),
    "deadline_workdays": 10,
    "overdue": False,
    "decided_on": None,
    "decided_by": None,
    "refusal_reason": None,
    "certificate_number": None,
    "issuing_authority": "五寨县人民政府（县司法局）",
}
ID_REFUSAL = ApiError(
    400,
    "validation_failed",
    "invalid ID card number",
    {"id_number": ["ID number check character does not match the first 17 digits"]},
)


class Answer:
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


@pytest.fixture
def calls(monkeypatch):
    made = []

    def request(self, method, path, **kw):
        made.append((method, path, kw.get("json"), kw.get("params")))
        if method == "POST" and path == "/officers":
            if kw["json"].get("id_number") == "140928198506150011":
                raise ID_REFUSAL
            return Answer({**OFFICER, "name": kw["json"]["name"]})
        if path not in ANSWERS:
            raise ApiError(404, "not_found", f"no {path}")
        return Answer(ANSWERS[path])

    monkeypatch.setattr(Gateway, "request", request)
    return made


@pytest.fixture
def app(calls):
    return create_app(unit_settings())


def client_as(app, role: str, **extra):
    client = app.test_client()
    with client.session_transaction() as session:
        session["token"] = "t"
        session["user"] = {"username": f"{role}-user", "role": role, "agency_code": extra.get("agency_code"), **extra}
        session["csrf"] = "csrf-token"
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_bureau_sees_every_agency_and_an_agency_admin_its_own(app):
    bureau = text_of(client_as(app, "bureau").get("/personnel/"))
    assert "县市场监管局" in bureau and "66.7%" in bureau and "共 1 个" in bureau
    own = client_as(app, "agency_admin", agency_code=MARKET).get("/personnel/")
    assert own.status_code == 200 and "持有效执法证 2 人" in text_of(own)


def test_the_officer_list_masks_id_numbers_and_offers_the_agency_filter_to_the_bureau_only(app, calls):
    bureau = client_as(app, "bureau").get("/personnel/officers?name=张&certificate_status=valid&agency_code=" + MARKET)
    html = bureau.get_data(as_text=True)
    assert "140928********0019" in html and 'name="agency_code"' in html and "有效" in html
    [asked] = [params for method, path, _, params in calls if path == "/officers"]
    assert asked == {"name": "张", "certificate_status": "valid", "agency_code": MARKET, "page": 1, "per_page": 20}
    agency_admin = client_as(app, "agency_admin", agency_code=MARKET)
    html = agency_admin.get("/personnel/officers?agency_code=140928-other").get_data(as_text=True)
    assert 'name="agency_code"' not in html
    asked = [params for method, path, _, params in calls if path == "/officers"][-1]
    assert "agency_code" not in asked  # the gateway scopes an agency admin to their own agency anyway


def test_an_officers_page_shows_hours_eligibility_in_chinese_and_the_admins_actions(app):
    html = client_as(app, "agency_admin", agency_code=MARKET).get(f"/personnel/officers/{OID}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "公共法律知识培训 12 学时，未达到要求的 30 学时" in text
    assert "12 学时" in text and "未达标" in text and "合格" in text and "140928********0019" in text
    assert "登记离岗" in text and "登记年度考核" in text
    assert f'/officers/{OID}/certificate"' not in html  # a valid certificate is held: no second one offered


def test_an_officer_sees_only_their_own_record_with_no_actions(app):
    officer = client_as(app, "officer", agency_code=MARKET, officer_id=OID)
    html = officer.get("/personnel/me").get_data(as_text=True)
    assert "我的档案" in html and "张三" in html
    assert "登记离岗" not in html and "登记年度考核" not in html
    assert officer.get("/personnel/officers").status_code == 403
    assert officer.get(f"/personnel/officers/{OID}").status_code == 403
    unlinked = client_as(app, "officer", agency_code=MARKET).get("/personnel/me")
    assert unlinked.status_code == 404 and "还没有关联执法人员档案" in unlinked.get_data(as_text=True)


def test_the_certificate_page_carries_a_qr_code_of_the_portal_check(app):
    html = client_as(app, "bureau").get(f"/personnel/certificates/{NUMBER}").get_data(as_text=True)
    url = f"https://gongshi.example.cn/public/certificate-check?number={NUMBER}&amp;code={CHECK_CODE}"
    assert url in html and "<svg" in html and 'role="img"' in html
    assert f'<strong class="check-code">{CHECK_CODE}</strong>' in html  # printed beside the QR, as on the card
    assert "暂扣" in html and "注销" in html and "吊销" in html and "发证" in html
    agency = client_as(app, "agency_admin", agency_code=MARKET).get(f"/personnel/certificates/{NUMBER}")
    assert "to=suspended" in agency.get_data(as_text=True) and "to=revoked" not in agency.get_data(as_text=True)
    officer = client_as(app, "officer", agency_code=MARKET, officer_id=OID).get(f"/personnel/certificates/{NUMBER}")
    assert officer.status_code == 200 and "?to=suspended" not in officer.get_data(as_text=True)


def test_a_bad_id_number_is_told_in_chinese_beside_its_field(app, calls):
    client = client_as(app, "agency_admin", agency_code=MARKET)
    form = {"_csrf": "csrf-token", "name": "李四", "id_number": "140928198506150011", "domains": ["food_safety"]}
    refused = client.post("/personnel/officers/new", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    beside = re.search(r'<p class="field-error" id="e-id_number">([^<]+)</p>', html)
    assert beside and beside.group(1) == "身份证号码校验位不对，请逐位核对"  # never the right character
    assert 'value="李四"' in html and 'value="food_safety" checked' in html
    sent = [body for method, path, body, _ in calls if method == "POST"][-1]
    assert (
        sent["agency_code"] == MARKET and "position" not in sent
    )  # empty fields are left out ("必填", not "too short")

    accepted = client.post("/personnel/officers/new", data={**form, "id_number": "140928198506150019"})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith(f"/personnel/officers/{OID}")


def test_the_public_check_answers_in_chinese_and_says_when_there_is_no_such_certificate(app):
    public = app.test_client()
    found = public.get(f"/public/certificate-check?number={NUMBER}")
    text = text_of(found)
    assert found.status_code == 200 and "有效" in text and "张三" in text and "县市场监管局" in text
    assert f"{TODAY.year + 5}年1月5日" in text
    missing = public.get("/public/certificate-check?number=140928202699999")
    assert missing.status_code == 404 and "没有找到编号为 140928202699999 的执法证" in text_of(missing)
    empty = public.get("/public/certificate-check?number=")
    assert empty.status_code == 400 and "请填写执法证编号" in text_of(empty)
    assert public.get("/public/certificate-check").status_code == 200


def test_the_public_check_sends_the_check_code_and_without_it_shows_validity_only(app, calls, monkeypatch):
    public = app.test_client()
    found = public.get(f"/public/certificate-check?number={NUMBER}&code=k7m3-p9qx")  # as typed from the card
    assert found.status_code == 200 and "张三" in text_of(found)
    assert calls[-1] == ("GET", f"/public/certificates/{NUMBER}", None, {"code": CHECK_CODE})
    bare = {"number": NUMBER, "valid": True, "details": False}  # the gateway's answer without (or with a wrong) code
    monkeypatch.setitem(ANSWERS, f"/public/certificates/{NUMBER}", bare)
    text = text_of(public.get(f"/public/certificate-check?number={NUMBER}"))
    assert "有效" in text and "张三" not in text and "县市场监管局" not in text and "输入执法证上的查验码" in text
    assert calls[-1][3] is None  # no code sent when none was typed
    wrong = text_of(public.get(f"/public/certificate-check?number={NUMBER}&code=WRONG234"))
    assert "查验码不对" in wrong and "张三" not in wrong
    junk = public.get(f"/public/certificate-check?number={NUMBER}&code=%3Cscript%3E")
    assert junk.status_code == 400 and "查验码格式不对" in text_of(junk)


def test_the_actions_offered_follow_the_status_and_the_role():
    valid = dict(CERT, renewal_window_opens="2030-07-05", expires_on="2031-01-05")
    assert [s for s, _ in views.actions_for(valid, "bureau", date(2026, 1, 1))["moves"]] == [
        "suspended",
        "cancelled",
        "revoked",
    ]
    assert [s for s, _ in views.actions_for(valid, "agency_admin", date(2026, 1, 1))["moves"]] == [
        "suspended",
        "cancelled",
    ]
    assert (
        views.actions_for(dict(valid, status="suspended"), "agency_admin", date(2026, 1, 1))["moves"][0][0] == "valid"
    )
    assert views.actions_for(dict(valid, status="cancelled"), "bureau", date(2026, 1, 1))["moves"] == []
    assert views.actions_for(valid, "officer", date(2031, 1, 1)) == {"moves": [], "renewable": False}
    assert views.actions_for(valid, "agency_admin", date(2030, 7, 5))["renewable"] is True
    assert views.actions_for(valid, "agency_admin", date(2031, 1, 6))["renewable"] is False


def test_reasons_and_hours_read_in_chinese():
    assert views.reason_text("issued") == "发证"
    assert views.reason_text("departure: retirement") == "离岗（退休）"
    assert views.reason_text("yearly assessment 2025: incompetent") == "2025 年度考核不合格"
    assert views.reason_text("涉嫌违法，暂扣") == "涉嫌违法，暂扣"  # typed by a person: as typed
    assert views.reason_text(None) == "—"
    assert views.hours_text(30) == "30 学时" and views.hours_text(12.5) == "12.5 学时"
    assert portal.clean_number(" 1409 2820 2600 001 ") == "140928202600001"
    assert ("market_supervision", "市场监管") in views.domain_options()
    assert views.domain_options(["beekeeping"])[-1] == ("beekeeping", "beekeeping")


UNCERTIFIED = {**OFFICER, "certificate_number": None, "certificate_status": None}


def test_an_agency_admin_applies_for_a_certificate_and_the_bureau_may_also_issue_directly(app, monkeypatch):
    monkeypatch.setitem(ANSWERS, f"/officers/{OID}", UNCERTIFIED)
    monkeypatch.setitem(ANSWERS, f"/officers/{OID}/certificates", page())
    agency = client_as(app, "agency_admin", agency_code=MARKET)
    html = agency.get(f"/personnel/officers/{OID}").get_data(as_text=True)
    assert "申请发证" in html and "直接发证" not in html and f'/officers/{OID}/certificate"' not in html
    assert agency.get(f"/personnel/officers/{OID}/certificate").status_code == 403  # the bureau's direct issue
    form = agency.get(f"/personnel/officers/{OID}/application").get_data(as_text=True)
    assert "提交申请" in form and "发证日期" not in form
    bureau = client_as(app, "bureau").get(f"/personnel/officers/{OID}").get_data(as_text=True)
    assert "申请发证" in bureau and "直接发证" in bureau


def test_the_officers_page_shows_a_pending_or_refused_application(app, monkeypatch):
    monkeypatch.setitem(ANSWERS, f"/officers/{OID}", UNCERTIFIED)
    monkeypatch.setitem(ANSWERS, f"/officers/{OID}/certificates", page())
    monkeypatch.setitem(ANSWERS, "/certificate-applications", page(APPLICATION))
    text = text_of(client_as(app, "agency_admin", agency_code=MARKET).get(f"/personnel/officers/{OID}"))
    assert "待审核" in text and "今天到期" in text and "申请发证" not in text
    refused = {**APPLICATION, "state": "refused", "decided_on": TODAY.isoformat(), "refusal_reason": "考试成绩未录入"}
    monkeypatch.setitem(ANSWERS, "/certificate-applications", page(refused))
    text = text_of(client_as(app, "agency_admin", agency_code=MARKET).get(f"/personnel/officers/{OID}"))
    assert "不予批准" in text and "考试成绩未录入" in text and "申请发证" in text


def test_the_bureau_lists_applications_with_the_days_waited_and_decides_them(app, monkeypatch, calls):
    monkeypatch.setitem(ANSWERS, "/certificate-applications", page(APPLICATION))
    monkeypatch.setitem(ANSWERS, f"/certificate-applications/{'b' * 32}", APPLICATION)
    bureau = client_as(app, "bureau")
    text = text_of(bureau.get("/personnel/applications"))
    assert "张三" in text and "待审核" in text and "0 个工作日" in text and "今天到期" in text
    detail = bureau.get(f"/personnel/applications/{'b' * 32}").get_data(as_text=True)
    assert "批准并发证" in detail and "不予批准的理由" in detail
    agency_detail = client_as(app, "agency_admin", agency_code=MARKET).get(f"/personnel/applications/{'b' * 32}")
    assert "批准并发证" not in agency_detail.get_data(as_text=True)
    refusal = ApiError(400, "validation_failed", "invalid input", {"reason": ["Shorter than minimum length 2."]})

    def refuse(self, method, path, **kw):
        calls.append((method, path, kw.get("json"), kw.get("params")))
        if method == "POST" and path.endswith("/refusal"):
            raise refusal
        return Answer(ANSWERS[path])

    monkeypatch.setattr(Gateway, "request", refuse)
    refused = bureau.post(f"/personnel/applications/{'b' * 32}/refusal", data={"_csrf": "csrf-token", "reason": "x"})
    assert refused.status_code == 400 and 'id="e-reason"' in refused.get_data(as_text=True)
    assert ("POST", f"/certificate-applications/{'b' * 32}/refusal", {"reason": "x"}, None) in calls


def test_a_police_officer_is_registered_with_the_police_card_and_edited_with_only_the_changes(app, calls, monkeypatch):
    client = client_as(app, "agency_admin", agency_code=MARKET)
    form = {
        "_csrf": "csrf-token",
        "name": "王警官",
        "id_number": "140928198506150019",
        "is_police": "true",
        "police_card_number": "a123456",
        "appointed_on": "2019-03-01",
    }
    assert client.post("/personnel/officers/new", data=form).status_code == 302
    sent = [body for method, path, body, _ in calls if method == "POST" and path == "/officers"][-1]
    assert sent["police_card_number"] == "A123456" and sent["appointed_on"] == "2019-03-01" and sent["is_police"]
    police = {**OFFICER, "is_police": True, "police_card_number": "A123456", "appointed_on": "2019-03-01"}
    monkeypatch.setitem(ANSWERS, f"/officers/{OID}", police)
    text = text_of(client.get(f"/personnel/officers/{OID}"))
    assert "警官证号 A123456" in text and "持人民警察证执法" in text and "2019年3月1日" in text
    edit = client.get(f"/personnel/officers/{OID}/edit").get_data(as_text=True)
    assert 'name="police_card_number"' in edit and 'value="A123456"' in edit
    changed = {**form, "name": "张三", "position": "科员", "police_card_number": "A654321"}
    changed["domains"] = ["market_supervision", "food_safety"]
    monkeypatch.setattr(
        Gateway,
        "request",
        lambda self, method, path, **kw: calls.append((method, path, kw.get("json"), None)) or Answer(police),
    )
    assert client.post(f"/personnel/officers/{OID}/edit", data=changed).status_code == 302
    assert calls[-1] == ("PATCH", f"/officers/{OID}", {"police_card_number": "A654321"}, None)


def test_the_public_check_says_not_valid_with_the_reason_when_the_holder_left(app, monkeypatch):
    departed = {
        **ANSWERS[f"/public/certificates/{NUMBER}"],
        "valid": False,
        "reason_code": "holder_departed",
        "reason": "the holder left the enforcement post",
        "holder_departed_on": f"{TODAY.year}-03-02",
        "issuing_authority": "五寨县人民政府",
    }
    monkeypatch.setitem(ANSWERS, f"/public/certificates/{NUMBER}", departed)
    text = text_of(app.test_client().get(f"/public/certificate-check?number={NUMBER}"))
    assert "不在有效状态" in text and "持证人已离开执法岗位" in text and f"{TODAY.year}年3月2日离岗" in text
    assert "发证机关 五寨县人民政府" in text


GUIDANCE = {
    "guidance_id": "c" * 32,
    "agency_code": MARKET,
    "agency_name": "县市场监管局",
    "township_code": "140928-qsx",
    "township_name": "前所乡",
    "domain": "market_supervision",
    "since": f"{TODAY.year}-01-02",
    "ended_on": None,
    "active": True,
}


def test_the_bureau_lists_records_and_ends_sector_guidance_and_an_agency_reads_its_own(app, monkeypatch, calls):
    township = {**AGENCY, "code": "140928-qsx", "name": "前所乡", "kind": "township"}
    monkeypatch.setitem(ANSWERS, "/agencies", page(AGENCY, township))
    monkeypatch.setitem(ANSWERS, "/guidance", page(GUIDANCE))
    bureau = client_as(app, "bureau")
    text = text_of(bureau.get("/personnel/guidance"))
    assert "县市场监管局" in text and "前所乡" in text and "指导中" in text
    assert "结束指导" in text and "登记指导关系" in text
    refusal = ApiError(409, "conflict", "x", {"domain": ["already guided in this domain"]})

    def refuse(self, method, path, **kw):
        calls.append((method, path, kw.get("json"), kw.get("params")))
        if method == "POST":
            raise refusal
        return Answer(ANSWERS[path])

    monkeypatch.setattr(Gateway, "request", refuse)
    form = {"_csrf": "csrf-token", "agency_code": MARKET, "township_code": "140928-qsx", "domain": "market_supervision"}
    refused = bureau.post("/personnel/guidance", data=form)
    assert refused.status_code == 409 and "该乡镇在这一领域已有指导部门" in text_of(refused)
    agency = text_of(client_as(app, "agency_admin", agency_code=MARKET).get("/personnel/guidance"))
    assert "前所乡" in agency and "结束指导" not in agency and "登记指导关系" not in agency


def test_a_police_agencys_admin_starts_the_registration_form_with_the_police_box_ticked(app, monkeypatch):
    police_agency = {**AGENCY, "code": "140928-police", "name": "县公安局", "is_police": True}
    monkeypatch.setitem(ANSWERS, "/agencies", page(AGENCY, police_agency))

    def police_box(html: str) -> str:
        return re.search(r'<input[^>]*name="is_police"[^>]*>', html).group(0)

    police_form = client_as(app, "agency_admin", agency_code="140928-police").get("/personnel/officers/new")
    assert "checked" in police_box(police_form.get_data(as_text=True))
    market_form = client_as(app, "agency_admin", agency_code=MARKET).get("/personnel/officers/new")
    assert "checked" not in police_box(market_form.get_data(as_text=True))


def test_a_list_past_the_count_s_bound_says_more_than_10000_and_still_pages_by_number(app, monkeypatch):
    many = {**page(OFFICER), "total": 10000, "total_exact": False, "next": "cursor"}
    monkeypatch.setitem(ANSWERS, "/officers", many)
    first = text_of(client_as(app, "bureau").get("/personnel/officers"))
    assert "执法人员（超过 10,000 人）" in first and "超过 10,000 条，第 1 页" in first and "下一页" in first
    assert "/ 500 页" not in first and "共 10000" not in first
    # beyond the pages the bound fills, the next page is offered while the service says more follow
    monkeypatch.setitem(ANSWERS, "/officers", {**many, "page": 600})
    deep = client_as(app, "bureau").get("/personnel/officers?page=600").get_data(as_text=True)
    assert "page=601" in deep and "page=599" in deep
    monkeypatch.setitem(ANSWERS, "/officers", {**many, "page": 600, "next": None})
    last = client_as(app, "bureau").get("/personnel/officers?page=600").get_data(as_text=True)
    assert "page=601" not in last and "第 600 页" in text_of_html(last)
    # an exact count reads as before
    monkeypatch.setitem(ANSWERS, "/officers", {**page(OFFICER), "total_exact": True, "next": None})
    exact = text_of(client_as(app, "bureau").get("/personnel/officers"))
    assert "执法人员（共 1 人）" in exact and "共 1 条，第 1 / 1 页" in exact


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

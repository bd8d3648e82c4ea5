"""The console's pure parts: API messages into Chinese (messages), how values look on screen (formatting, with
deadlines in working days across the 2025 National Day holiday and its make-up working days), its settings and
CONSOLE_PARTS, and the gateway client's mapping of every answer to ``ApiError`` — against a small real HTTP
server, not a mock."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from enforcement_console import formatting, messages
from enforcement_console.app import create_app
from enforcement_console.gateway import Api, ApiError, Gateway
from enforcement_console.pages import FormErrors
from enforcement_console.settings import Settings


# --- messages --------------------------------------------------------------------------------------------------
def test_translate_knows_exact_messages_and_patterns_and_says_when_it_does_not():
    assert messages.translate("Missing data for required field.") == "必填"
    assert messages.translate("Length must be between 3 and 60.") == "长度应为 3 至 60 个字符"
    assert messages.translate("must be at least 10 characters") == "至少 10 个字符"
    assert messages.translate("Must be one of: bureau, agency_admin.") == "应为以下之一：bureau, agency_admin"
    assert messages.translate("retry in 7 s") == "请 7 秒后再试"
    assert messages.translate("a message nobody has translated") is None


def test_field_errors_flattens_nested_messages_and_never_shows_english():
    fields = {
        "penalty": {"fine_amount": ["Not a valid number."]},
        "items": [{"points": ["Missing data for required field."]}, {"points": ["Unknown field."]}],
        "name": "Shorter than minimum length 2.",
        "note": ["a message nobody has translated"],
    }
    assert messages.field_errors(fields) == {
        "penalty.fine_amount": ["应为数字"],
        "items.0.points": ["必填"],
        "items.1.points": ["不认识的字段"],
        "name": ["至少 2 个字符"],
        "note": [messages.FALLBACK_FIELD_MESSAGE],
    }
    assert messages.field_errors({}) == {}


def test_sentence_prefers_the_code_then_the_message_then_the_status():
    assert (
        messages.sentence(ApiError(403, "password_change_required", "change your password first"))
        == (messages.CODE_SENTENCES["password_change_required"])
    )
    assert messages.sentence(ApiError(409, "conflict", "username taken")) == "该用户名已被使用，请换一个。"
    assert messages.sentence(ApiError(404, "not_found", "something untranslated")) == messages.STATUS_SENTENCES[404]
    assert messages.sentence(ApiError(418, "teapot", "")) == messages.STATUS_SENTENCES[500]
    limited = messages.sentence(ApiError(429, "rate_limited", "too many", retry_after=30))
    assert limited == "操作过于频繁，请稍后再试。（约 30 秒后）"
    assert messages.sentence(ApiError(429, "rate_limited", "too many")) == "操作过于频繁，请稍后再试。"


def test_label_gives_the_glossary_word_or_the_code():
    assert messages.label("role", "agency_admin") == "部门管理员"
    assert messages.label("yes_no", True) == "是" and messages.label("yes_no", False) == "否"
    assert messages.label("role", None) == "—"
    assert messages.label("role", "astronaut") == "astronaut"  # logged, shown as it is rather than hidden


def test_form_errors_carry_the_sentence_and_each_fields_messages():
    error = ApiError(400, "validation_failed", "invalid user", {"agency_code": ["required for this role"]})
    form = FormErrors(error)
    assert form and form.sentence == "账号信息有误，请按标出的提示修改。"
    assert form.get("agency_code") == ["此角色须选择所属执法部门"] and form.get("username") == []
    assert not FormErrors()
    local = FormErrors(fields={"name": ["必填"]}, sentence="请填写名称。")
    assert local.get("name") == ["必填"] and local.sentence == "请填写名称。"


# --- formatting -----------------------------------------------------------------------------------------------
def test_dates_money_ratios_and_id_numbers():
    assert formatting.date_cn("2026-11-29") == "2026年11月29日"
    assert formatting.date_cn(date(2026, 1, 5)) == "2026年1月5日"
    assert formatting.date_cn(datetime(2026, 1, 5, 23, 59)) == "2026年1月5日"
    assert formatting.date_cn("2026-11-29T10:00:00Z") == "2026年11月29日"
    assert formatting.date_cn(None) == "—" and formatting.date_cn("") == "—"
    # the API's instants are UTC; the county reads Beijing time (16:30 UTC is half past midnight the next day)
    assert formatting.datetime_cn("2026-11-29T16:30:00Z") == "2026年11月30日 00:30"
    assert formatting.datetime_cn("2026-11-29T01:05:00") == "2026年11月29日 09:05"
    assert formatting.datetime_cn(None) == "—"
    assert formatting.yuan(60000) == "60,000.00 元"
    assert formatting.yuan("1234.5") == "1,234.50 元"
    assert formatting.yuan(0) == "0.00 元" and formatting.yuan(None) == "—"
    assert formatting.percent(0.765) == "76.5%"
    assert formatting.percent(1) == "100.0%" and formatting.percent(0) == "0.0%"
    assert formatting.percent(0.5, digits=0) == "50%" and formatting.percent(None) == "—"
    assert formatting.masked_id("14092819900101351X") == "140928********351X"
    assert formatting.masked_id("140928********351X") == "140928********351X"  # masked by the API already
    assert formatting.masked_id("12345") == "12345" and formatting.masked_id(None) == "—"


# 2025's National Day and Mid-Autumn holiday: 1-8 October off; Sunday 28 September and Saturday 11 October worked.
@pytest.mark.parametrize(
    ("today", "due", "shown"),
    [
        (date(2025, 9, 30), date(2025, 9, 30), "今天到期"),
        (date(2025, 9, 30), date(2025, 10, 9), "还剩 1 个工作日"),  # eight days off count for nothing
        (date(2025, 9, 30), date(2025, 10, 11), "还剩 3 个工作日"),  # the make-up Saturday counts
        (date(2025, 9, 30), date(2025, 10, 12), "还剩 3 个工作日"),  # ... the Sunday after it does not
        (date(2025, 9, 26), date(2025, 9, 28), "还剩 1 个工作日"),  # the make-up Sunday counts, the Saturday not
        (date(2025, 9, 30), date(2025, 10, 5), "节假日后到期"),  # due in the holiday: no working day left before it
        (date(2025, 10, 9), date(2025, 9, 30), "已超期 1 个工作日"),
        (date(2025, 10, 13), date(2025, 9, 29), "已超期 5 个工作日"),  # 30 Sep, 9, 10, 11 and 13 Oct
        (date(2025, 10, 5), date(2025, 10, 1), "已超期 1 个工作日"),  # overdue within the holiday: at least one
    ],
)
def test_deadlines_count_working_days_across_the_national_day_holiday(today, due, shown):
    assert formatting.deadline_cn(due, today) == shown
    assert formatting.deadline_cn(due.isoformat(), today) == shown


def test_working_days_between_is_antisymmetric():
    start, end = date(2025, 9, 26), date(2025, 10, 13)
    assert formatting.working_days_between(start, end) == 7  # 28, 29, 30 Sep; 9, 10, 11, 13 Oct
    assert formatting.working_days_between(end, start) == -7
    assert formatting.deadline_cn(None, start) == "—"


# --- settings ---------------------------------------------------------------------------------------------------
def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "console.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_read_the_file_with_the_environment(tmp_path, monkeypatch):
    path = _config(
        tmp_path,
        "GATEWAY_URL: ${TEST_GATEWAY:http://127.0.0.1:8000}/\n"
        "SECRET_KEY: ${TEST_SECRET:}\n"
        "CONSOLE_PARTS: ${TEST_PARTS:staff,public}\n"
        "COUNTY_NAME: 五寨县\nPER_PAGE: 25\nSECURE_COOKIES: 'true'\n",
    )
    monkeypatch.setenv("TEST_SECRET", "s" * 16)
    settings = Settings.load(path)
    assert settings.gateway_url == "http://127.0.0.1:8000"  # the trailing slash dropped
    assert settings.parts == {"staff", "public"} and settings.per_page == 25 and settings.secure_cookies
    assert settings.county == "五寨县" and settings.gateway_timeout == 30 and settings.threads == 16
    monkeypatch.setenv("TEST_GATEWAY", "http://gateway.internal:9000")
    monkeypatch.setenv("TEST_PARTS", " public ")
    monkeypatch.delenv("TEST_SECRET")
    public = Settings.load(path)
    assert public.gateway_url == "http://gateway.internal:9000/".rstrip("/") and public.parts == {"public"}


def test_the_staff_console_needs_a_secret_key_and_parts_are_checked(tmp_path, monkeypatch):
    path = _config(
        tmp_path, "GATEWAY_URL: http://127.0.0.1:8000\nSECRET_KEY: ${TEST_SECRET:}\nCONSOLE_PARTS: '${TEST_PARTS:}'\n"
    )
    monkeypatch.setenv("TEST_SECRET", "too-short")
    with pytest.raises(ValueError, match="CONSOLE_SECRET_KEY"):
        Settings.load(path)
    monkeypatch.setenv("TEST_PARTS", "staff,admin")
    with pytest.raises(ValueError, match="CONSOLE_PARTS"):
        Settings.load(path)
    monkeypatch.setenv("TEST_PARTS", ",")
    with pytest.raises(ValueError, match="CONSOLE_PARTS"):
        Settings.load(path)


def test_the_packaged_config_reads_the_documented_variables(monkeypatch):
    monkeypatch.delenv("CONFIG", raising=False)
    monkeypatch.setenv("GATEWAY_URL", "http://10.0.0.5:8000")
    monkeypatch.setenv("CONSOLE_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("CONSOLE_PARTS", "staff")
    monkeypatch.setenv("CONSOLE_ADDRESS", "127.0.0.1:8099")
    monkeypatch.setenv("CONSOLE_COUNTY_NAME", "岢岚县")
    settings = Settings.load()
    assert (settings.gateway_url, settings.address, settings.county) == (
        "http://10.0.0.5:8000",
        "127.0.0.1:8099",
        "岢岚县",
    )
    assert settings.parts == {"staff"}


def _endpoints(parts: str) -> set[str]:
    settings = Settings.load(
        Path(__import__("enforcement_console").__file__).with_name("config.yml"),
        parts=frozenset(parts.split(",")),
        secret_key="k" * 32,
    )
    return {rule.endpoint for rule in create_app(settings).url_map.iter_rules()}


def test_console_parts_decide_which_pages_are_served():
    public = _endpoints("public")
    assert "portal.home" in public and "account.login" not in public and "system.index" not in public
    staff = _endpoints("staff")
    assert "account.login" in staff and "system.index" in staff and "system.audit" in staff
    assert not any(endpoint.startswith("portal") for endpoint in staff)
    both = _endpoints("staff,public")
    assert {"portal.home", "system.index", "account.password"} <= both


# --- the gateway client against a real HTTP server --------------------------------------------------------------
class _Gateway(BaseHTTPRequestHandler):
    """A gateway stand-in: each path answers one way the real one can."""

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/api/v1/echo":
            heard = {name: self.headers.get(name) for name in ("Authorization", "X-Forwarded-For", "Accept-Language")}
            return self._send(200, {"headers": heard, "query": query})
        if path == "/api/v1/missing":
            return self._send(404, {"error": "not_found", "message": "no user nobody"})
        if path == "/api/v1/limited":
            return self._send(429, {"error": "rate_limited", "message": "too many"}, headers={"Retry-After": "30"})
        if path == "/api/v1/broken":
            return self._send(502, b"<html>Bad Gateway</html>", content_type="text/html")
        if path == "/api/v1/strange":
            return self._send(500, ["not", "an", "object"])
        if path == "/api/v1/slow":
            time.sleep(2)
            return self._send(200, {})
        return self._send(404, {"error": "not_found", "message": f"no route {path}"})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path == "/api/v1/users":
            return self._send(
                400,
                {
                    "error": "validation_failed",
                    "message": "invalid request body",
                    "fields": {"username": ["3-60 letters, digits, _ . -"], "password": "not a list"},
                    "rows": [{"row": 3, "column": "officer_id", "reason": "unknown officer"}],
                },
            )
        return self._send(201, {"received": body})


@pytest.fixture(scope="module")
def stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_good_answer_carries_the_token_the_visitor_and_the_language(stand_in):
    api = Api(Gateway(stand_in + "/", timeout=5), "the-token", "10.1.2.3")
    answer = api.get("/echo", {"page": 2, "username": "", "from": None, "to": "2026-11-30"})
    assert answer["headers"] == {
        "Authorization": "Bearer the-token",
        "X-Forwarded-For": "10.1.2.3",
        "Accept-Language": "zh-CN",
    }
    assert answer["query"] == "page=2&to=2026-11-30"  # empty filters are not sent
    assert api.post("/anything", {"name": "credit"}) == {"received": {"name": "credit"}}
    anonymous = Api(Gateway(stand_in, timeout=5), None, None).get("/echo")
    assert anonymous["headers"]["Authorization"] is None and anonymous["headers"]["X-Forwarded-For"] is None


def test_error_answers_become_api_errors_with_their_fields_and_rows(stand_in):
    api = Api(Gateway(stand_in, timeout=5), "t", None)
    with pytest.raises(ApiError) as refused:
        api.post("/users", {"username": "x"})
    error = refused.value
    assert (error.status, error.code, error.message) == (400, "validation_failed", "invalid request body")
    assert error.fields == {"username": ["3-60 letters, digits, _ . -"], "password": "not a list"}
    assert error.rows == [{"row": 3, "column": "officer_id", "reason": "unknown officer"}]
    assert FormErrors(error).get("username") == ["3 至 60 个字符，只能用英文字母、数字和 _ . -"]

    with pytest.raises(ApiError) as missing:
        api.get("/missing")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    assert messages.sentence(missing.value) == "没有用户名为 nobody 的账号"

    with pytest.raises(ApiError) as limited:
        api.get("/limited")
    assert limited.value.retry_after == 30
    assert messages.sentence(limited.value).endswith("（约 30 秒后）")


def test_answers_that_are_not_the_error_shape_still_become_api_errors(stand_in):
    api = Api(Gateway(stand_in, timeout=5), "t", None)
    with pytest.raises(ApiError) as html:
        api.get("/broken")
    assert (html.value.status, html.value.code, html.value.message, html.value.fields) == (502, "error", "", {})
    assert messages.sentence(html.value) == messages.STATUS_SENTENCES[502]
    with pytest.raises(ApiError) as strange:
        api.get("/strange")
    assert (strange.value.status, strange.value.code, strange.value.rows) == (500, "error", [])


def test_a_gateway_that_does_not_answer_is_a_503(stand_in):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(ApiError) as unreachable:
        Api(Gateway(f"http://127.0.0.1:{closed}", timeout=2), "t", None).get("/echo")
    assert (unreachable.value.status, unreachable.value.code) == (503, "gateway_unreachable")
    assert messages.sentence(unreachable.value) == messages.CODE_SENTENCES["gateway_unreachable"]
    with pytest.raises(ApiError) as slow:
        Api(Gateway(stand_in, timeout=0.5), "t", None).get("/slow")
    assert (slow.value.status, slow.value.code) == (503, "gateway_unreachable")

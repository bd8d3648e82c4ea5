"""Browser tests: the whole suite as processes (four services, the gateway, the console) and Debian's Chromium driven
by Playwright. Every page a test visits is saved as a screenshot and checked with axe-core (no serious or critical
violation) and for controls the keyboard cannot reach; the run prints the folder (``SCREENSHOT_DIR``, default
``var/screenshots/latest``).

A pytest plugin of its own (tests/browser/conftest.py loads it), for a process without eventlet's monkey-patching:
Playwright's sync API runs an asyncio loop in a greenlet of its own, and under eventlet its waits never return.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .common import BIN_DIR, REPO_ROOT, RUN_DATE, free_port, http_get
from .events import drop_event_queues

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO_ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
ADMIN = ("admin", "change-me-now")
ADMIN_NEW_PASSWORD = "Wuzhai-bureau-2026"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def screenshot_root() -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or REPO_ROOT / "var" / "screenshots" / "latest")


class ConsoleProcess:
    """``enforcement-console`` as operators run it, pointed at a gateway."""

    def __init__(self, gateway_url: str, log_path: Path, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "CONFIG"},
            "GATEWAY_URL": gateway_url,
            "CONSOLE_ADDRESS": f"127.0.0.1:{self.port}",
            "CONSOLE_SECRET_KEY": "browser-tests-secret-key-0123456789",
            "CONSOLE_PUBLIC_URL": self.url,
            "PYTHONUNBUFFERED": "1",
            "CLOCK_TODAY": RUN_DATE.isoformat(),  # the same day as the services the tests start
            **(extra_env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> ConsoleProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([str(BIN_DIR / "enforcement-console")], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the console exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                status, _ = http_get(self.url + "/login", timeout=1)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the console did not answer within {timeout} s:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Stack:
    """The running suite: the console's and the gateway's addresses and the processes behind them."""

    console_url: str
    gateway_url: str
    amqp_uri: str
    services: dict = field(default_factory=dict)
    console: ConsoleProcess | None = None

    passwords: dict = field(default_factory=dict)  # username → the password it has now (after a forced change)

    @property
    def api(self) -> str:
        return self.gateway_url + "/api/v1"

    def session(self, username: str, password: str | None = None):
        """A ``requests`` session logged in to the gateway as ``username`` (for setting up data outside the pages).

        A first login's forced change is made here (to ``<password>-changed``) and remembered, so the browser can
        log in with ``stack.password_of(username)`` afterwards.
        """
        import requests

        password = password or self.passwords.get(username) or (ADMIN[1] if username == ADMIN[0] else None)
        http = requests.Session()
        http.trust_env = False
        answer = http.post(f"{self.api}/auth/login", json={"username": username, "password": password}, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        http.headers["Authorization"] = f"Bearer {body['token']}"
        if body.get("must_change_password"):
            new = ADMIN_NEW_PASSWORD if username == ADMIN[0] else f"{password}-changed"
            changed = http.post(f"{self.api}/auth/password", json={"current_password": password, "new_password": new})
            assert changed.status_code == 200, changed.text
            password = new
        self.passwords[username] = password
        return http

    def bureau(self):
        return self.session(ADMIN[0])

    def password_of(self, username: str) -> str:
        return self.passwords.get(username) or (ADMIN[1] if username == ADMIN[0] else "")

    def create_account(
        self,
        username: str,
        role: str,
        agency_code: str | None = None,
        officer_id: str | None = None,
        password: str = "Initial-pass-2026",
    ) -> str:
        """An account made by the bureau through the API; returns its (initial) password."""
        body = {"username": username, "password": password, "role": role}
        if agency_code:
            body["agency_code"] = agency_code
        if officer_id:
            body["officer_id"] = officer_id
        answer = self.bureau().post(f"{self.api}/users", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        self.passwords[username] = password
        return password


@pytest.fixture
def full_stack(start_service, amqp_uri, tmp_path):
    """personnel, training, cases, supervision, the gateway and the console, all ready, on SQLite."""
    web = free_port()
    services = {}
    # the consumers first: their queues must exist before personnel announces agencies and officers
    for name, env in (
        ("training", {}),
        ("supervision", {"SUPERVISION_OVERDUE_CHECK_SECONDS": "1", "SUPERVISION_GAUGES_REFRESH_SECONDS": "1"}),
        ("cases", {}),
        ("personnel", {}),
    ):
        drop_event_queues(amqp_uri, name)
        services[name] = start_service(
            name, f"sqlite:///{tmp_path}/{name}.db", amqp_uri, extra_env={"RPC_TIMEOUT": "5", **env}
        )
    gateway_env = {
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{web}",
        "RPC_TIMEOUT": "5",
        "GATEWAY_TRUSTED_PROXIES": "127.0.0.1",
    }
    services["gateway"] = start_service("gateway", f"sqlite:///{tmp_path}/gateway.db", amqp_uri, extra_env=gateway_env)
    gateway_url = f"http://127.0.0.1:{web}"
    console = ConsoleProcess(gateway_url, tmp_path / "console.log").start()
    yield Stack(console.url, gateway_url, amqp_uri, services, console)
    console.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright, shared by the tests of this process."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no browser at {CHROMIUM}: run scripts/install-system-deps (installs Debian's chromium)")
    if not AXE_JS.exists():
        pytest.fail(f"no {AXE_JS}: run scripts/setup (installs the console's npm packages)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN"],
            # the browser's own controls as a clerk sees them (date fields 年/月/日, 选择文件): Linux chromium takes
            # its interface language from LANGUAGE, with its Chinese resources (Debian's chromium-l10n)
            env={**os.environ, "LANGUAGE": "zh_CN"},
        )
        yield browser
        browser.close()


class Visitor:
    """One person's browser tab on the console: ``go``, ``shot`` after every page, helpers for forms.

    ``shot(name)`` saves the page as ``<SCREENSHOT_DIR>/<test>/<NN>-<name>.png`` and runs axe-core on it: a serious
    or critical violation fails the test. At the end every page visited must have been shot.
    """

    def __init__(self, context, base_url: str, folder: Path):
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.folder = folder
        self.count = 0
        self.visited: set[str] = set()
        self.shot_paths: set[str] = set()
        self.page.on("framenavigated", self._navigated)
        self.page.set_default_timeout(15000)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.base_url):
            self.visited.add(frame.url.split("?")[0])

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def shot(self, name: str, accessibility: bool = True):
        """Saves the screenshot; checks the page for accessibility problems and for an error page it did not expect."""
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "-", name)
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{safe}.png"), full_page=True)
        self.shot_paths.add(self.page.url.split("?")[0])
        if accessibility:
            problems = axe_violations(self.page)
            assert not problems, f"accessibility problems on {self.page.url}:\n" + "\n".join(problems)
            missed = self.keyboard_unreachable()
            assert not missed, f"controls on {self.page.url} the keyboard (Tab) never reaches:\n" + "\n".join(missed)
            self.page.evaluate("() => window.scrollTo(0, 0)")
        return self.page

    def keyboard_unreachable(self, limit: int = 400) -> list[str]:
        """The visible controls (links, buttons, fields) that pressing Tab from the top of the page never reaches."""
        page = self.page
        total = page.evaluate(
            """() => {
              const selector = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
              const controls = [...document.querySelectorAll(selector)]
                // checkVisibility: also false inside a closed <details> (not rendered, so Tab skips it until opened)
                .filter(e => e.type !== 'hidden' && !e.disabled && e.getClientRects().length > 0
                             && (!e.checkVisibility || e.checkVisibility()));
              controls.forEach((e, i) => e.setAttribute('data-kb', String(i)));
              window.__kbSeen = new Set();
              document.addEventListener('focusin', ev => {
                const mark = ev.target.getAttribute && ev.target.getAttribute('data-kb');
                if (mark !== null) window.__kbSeen.add(mark);
              });
              document.activeElement && document.activeElement.blur();
              return controls.length;
            }"""
        )
        for _ in range(min(limit, 2 * total + 5)):  # twice round: Tab may start after the last focused control
            page.keyboard.press("Tab")
        missed = page.evaluate(
            """() => [...document.querySelectorAll('[data-kb]')]
                 .filter(e => !window.__kbSeen.has(e.getAttribute('data-kb')))
                 .map(e => e.outerHTML.slice(0, 120))"""
        )
        page.evaluate("() => document.querySelectorAll('[data-kb]').forEach(e => e.removeAttribute('data-kb'))")
        return missed

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def select(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).select_option(value)

    def click(self, text: str) -> None:
        self.page.get_by_role("button", name=text, exact=True).click()
        self.page.wait_for_load_state()

    def link(self, text: str) -> None:
        self.page.get_by_role("link", name=text, exact=True).first.click()
        self.page.wait_for_load_state()

    def text(self) -> str:
        return self.page.inner_text("main")

    def login(self, username: str, password: str) -> None:
        self.go("/login")
        self.shot("login")
        self.fill("用户名", username)
        self.fill("密码", password)
        self.click("登录")

    def unshot_pages(self) -> list[str]:
        return sorted(self.visited - self.shot_paths)


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations of the page (WCAG 2.1 A and AA rules)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: a script tag would be refused by the pages' CSP (rightly)
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa', 'best-practice']}})"
    )
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
            problems.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return problems


@pytest.fixture
def visitor(request, chromium, full_stack):
    """A desktop browser tab on the console of ``full_stack``; ``visitor.phone()`` opens a 375-pixel-wide one."""
    folder = screenshot_root() / re.sub(r"[^\w.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    opened: list[Visitor] = []

    class Factory:
        def new(self, viewport=DESKTOP, name: str = "") -> Visitor:
            context = chromium.new_context(
                viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
            )
            tab = Visitor(context, full_stack.console_url, folder / name if name else folder)
            opened.append(tab)
            return tab

        def phone(self, name: str = "phone") -> Visitor:
            return self.new(PHONE, name)

    factory = Factory()
    first = factory.new()
    first.open = factory  # a second person (another role) or a phone: ``visitor.open.new(name="agency")``
    yield first
    unshot = [page for tab in opened for page in tab.unshot_pages()]
    for tab in opened:
        tab.context.close()
    print(f"\nscreenshots: {folder}")
    assert not unshot, f"pages visited without a screenshot: {unshot}"


def change_first_password(tab: Visitor, current: str, new: str) -> None:
    """The forced first-login step: the console sends a new account to 修改密码 before anything else."""
    assert "/password" in tab.page.url, f"expected the password page, got {tab.page.url}"
    tab.shot("password-required")
    tab.fill("当前密码", current)
    tab.fill("新密码", new)
    tab.fill("再次输入新密码", new)
    tab.click("保存新密码")


def sign_in(tab: Visitor, username: str, password: str, first_password: str | None = None) -> None:
    """Logs in through the console's page (a first login changes the password, then lands on 总览), each page shot."""
    tab.go("/login")
    tab.shot("login")
    tab.fill("用户名", username)
    tab.fill("密码", password)
    tab.click("登录")
    if first_password:
        change_first_password(tab, password, first_password)
    tab.shot("home")

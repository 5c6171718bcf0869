"""Fixtures for the dashboard tests (AppTest and the real browser).

One demo database per test session (conftest.demo_db, copied) with test accounts; tests that write get their own copy. Import the fixtures into a test module
with `from dashboard_fixtures import *`.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring.accounts import auth, registry  # noqa: E402
from scoring.store import Store  # noqa: E402

ADMIN_NAME = "测试管理员"
ADMIN_PASSWORD = "dashboard-test-pass"
ARTIFACTS = ROOT / "test-artifacts"
UNIT_ACCOUNT_UNIT = 3  # the unit of the test account with role 单位


def page_files() -> list[str]:
    """Every page file the navigation lists."""
    return [p.file for p in registry.PAGES]


@pytest.fixture(scope="session")
def demo_template(demo_db, tmp_path_factory) -> Path:
    """The demo database with test accounts, made once per session. Do not write to it."""
    path = tmp_path_factory.mktemp("dashboard") / "demo.duckdb"
    shutil.copy(demo_db, path)
    store = Store(path)
    auth.add_user(store, "测试", ADMIN_NAME, ADMIN_PASSWORD, "管理")
    for role in ("查看", "录入"):
        auth.add_user(store, "测试", f"测试{role}", ADMIN_PASSWORD, role)
    auth.add_user(store, "测试", "测试单位", ADMIN_PASSWORD, "单位", unit_id=UNIT_ACCOUNT_UNIT)
    return path


@pytest.fixture
def demo_copy(demo_template, tmp_path) -> Path:
    """A private copy of the demo database for a test that writes."""
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, target)
    return target


@pytest.fixture
def dashboard(monkeypatch):
    """Factory: an AppTest of app.py on a database, signed in (as admin by default), on a page."""
    from streamlit.testing.v1 import AppTest

    def make(db: Path, page: str | None = None, role: str = "管理", signed_in: bool = True) -> AppTest:
        monkeypatch.setenv("SCORING_DB", str(db))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        if signed_in:
            at.session_state["user"] = auth.User(ADMIN_NAME if role == "管理" else f"测试{role}", role,
                                                 UNIT_ACCOUNT_UNIT if role == "单位" else None)
        at.run()
        if page:
            at.switch_page(page if page.startswith("pages/") else f"pages/{page}.py").run()
        return at

    return make


def open_tab(at, key: str, label: str):
    """Pick the tab whose label starts with `label` in the tabs keyed `key`, as a click does, and
    rerun: such tabs draw only the open one (pages/_widgets.in_tab)."""
    at.session_state[key] = next(t.label for t in at.tabs if t.label.startswith(label))
    return at.run()


def assert_clean(at) -> None:
    """No exception element, and no error message from the page guard."""
    from pages._session import ERROR_TEXT

    assert not at.exception, [e.value for e in at.exception]
    guarded = [e.value for e in at.error if ERROR_TEXT in e.value]
    assert not guarded, guarded


# --------------------------------------------------------------------------------------------
# The real server (browser tests and scripts/screenshots.py use the same steps)
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server(template: Path, folder: Path, log_path: Path):
    """The dashboard on a private copy of the demo database, until the block ends."""
    db = folder / "demo.duckdb"
    shutil.copy(template, db)
    srv = Server(db, log_path)
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()


def module_server(name: str):
    """A module's `server` fixture: the dashboard on its own copy of the demo database for the
    module's tests, the log (and the module's screenshots) in test-artifacts/<name>/."""
    @pytest.fixture(scope="module")
    def server(demo_template, tmp_path_factory):
        (ARTIFACTS / name).mkdir(parents=True, exist_ok=True)
        with demo_server(demo_template, tmp_path_factory.mktemp(name), ARTIFACTS / name / "server.log") as srv:
            yield srv
    return server


class Server:
    def __init__(self, db: Path, log_path: Path):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "w", encoding="utf-8")
        env = {**os.environ, "SCORING_DB": str(db), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit 进程已退出（{self.proc.returncode}），见 {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        raise TimeoutError(f"streamlit 未在 {timeout} 秒内就绪，见 {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY_JS = """() => { const app = document.querySelector("[data-testid='stApp']");
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning' && !!document.querySelector('h1'); }"""
CHARTS_JS = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
  .every(e => e.querySelector('.main-svg'))"""


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_ready(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its run and every Plotly chart is drawn."""
    page.wait_for_timeout(300)
    page.wait_for_function(READY_JS, timeout=timeout)
    page.wait_for_function(CHARTS_JS, timeout=timeout)
    page.wait_for_timeout(300)


def signed_in_page(browser, url: str, width: int = 1400, height: int = 900, **options):
    """A new tab on the dashboard, signed in as the test administrator, on 总览."""
    page = browser.new_page(viewport={"width": width, "height": height}, **options)
    page.goto(url)
    wait_ready(page)
    login(page)
    page.wait_for_selector("text=催报名单", timeout=60_000)
    wait_ready(page)
    return page


def login(page, name: str = ADMIN_NAME, password: str = ADMIN_PASSWORD) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def open_page(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    page.wait_for_function(f"() => document.querySelector('h1') && document.querySelector('h1').textContent.includes('{title}')",
                           timeout=60_000)
    wait_ready(page)


OPEN_PANEL_DRAWN_JS = """(name) => {
  const tab = [...document.querySelectorAll('[role=tab]')].find(t => t.textContent.includes(name));
  const panel = tab && document.getElementById(tab.getAttribute('aria-controls'));
  return !!tab && tab.getAttribute('aria-selected') === 'true' && !!panel
    && !!panel.querySelector("[data-testid='stElementContainer']"); }"""


def click_tab(page, name: str) -> None:
    """Pick a tab and wait until its content is drawn: most tabs are drawn by the server only once
    picked (pages/_widgets.in_tab), so a click is a page run."""
    page.get_by_role("tab", name=name).click()
    page.wait_for_function(OPEN_PANEL_DRAWN_JS, arg=name, timeout=60_000)
    wait_ready(page)


def visible_table(page, n: int = 0):
    """The n-th st.dataframe on screen (tables in other tabs are hidden)."""
    return page.locator("[data-testid='stDataFrame']:visible").nth(n)


def grid_rows(page, n: int = 0) -> list[list[str]]:
    """Rendered rows of the n-th visible st.dataframe (glide-data-grid keeps an accessible copy of
    its cells in the page)."""
    cells = visible_table(page, n).evaluate(
        """el => [...el.querySelectorAll('[data-testid^="glide-cell-"]')]
                 .map(c => [c.getAttribute('data-testid'), c.textContent])""")
    rows: dict[int, dict[int, str]] = {}
    for testid, text in cells:
        _, _, col, row = testid.split("-")
        rows.setdefault(int(row), {})[int(col)] = text
    return [[r[c] for c in sorted(r)] for _, r in sorted(rows.items())]

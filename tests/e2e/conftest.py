"""Browser journeys: Playwright driving Debian's chromium against a real server.

How it works
------------
* No pytest-django database and no `live_server` (its flush would break the append-only audit
  triggers and the shared test world). Instead, once per test run, a throw-away SQLite file is
  migrated and filled with `manage.py loaddemo --members 30`, and static files are collected into a
  temp dir (whitenoise serves them with DEBUG=false). Under xdist the first worker builds this
  template behind a file lock; every worker copies it and starts its own gunicorn
  (`deploy/gunicorn.conf.py`) on a free port, so workers never see each other's changes.
* The server runs with TASKS_BACKEND=immediate (tasks run inside the request), the locmem mail
  backend and django-axes on. Its log is `e2e_site.log_path` (shown when the server fails to start).
* Playwright is started per test module and stopped after it: while it runs, the test process has a
  running asyncio loop and Django's ORM would refuse to work, so never use the ORM (or `db`) in
  these tests. Read the server's database with `e2e_site.sql(...)` or run a management command
  with `e2e_site.manage(...)` instead.
* Chromium comes from Debian (`make browsers` installs /usr/bin/chromium); Playwright never
  downloads a browser.

Every test in tests/e2e is marked `e2e` automatically (`pytest -m e2e` runs only these,
`-m "not e2e"` skips them). A failing test leaves a screenshot in test-results/e2e/.

Fixtures
--------
e2e_site            the running server: .url, .db_path, .media_root, .log_path,
                    .sql(query, params=()) -> list of rows (read-only sqlite3),
                    .manage(*args) -> CompletedProcess (a manage.py command against this database)
browser             the chromium Browser (per module)
page                a fresh context (desktop 1280x800, zh-CN) and page for this test, base_url set,
                    so `page.goto("/proposals/")` works
phone_page          the same on a phone-sized viewport (375x812, touch)
login(page, username, password="Demo@2026")
                    logs in through the login form and waits for the workbench; returns the page
page_for(username, phone=False)
                    a new logged-in page in its own context, for journeys with several users
                    (member submits, staff reviews ...)

Example::

    def test_member_sees_workbench(page, login):
        login(page, "member1")
        expect(page.locator("h1")).to_contain_text("您好，张明华")
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = BASE_DIR / "manage.py"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "Demo@2026"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keeps each phase's report on the item, so that `page` can take a screenshot when a test failed.
    report = yield
    setattr(item, f"_e2e_rep_{report.when}", report)
    return report


def _env(db_path: Path, static_root: Path, media_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="zhengxie.settings",
        DATABASE_URL=f"sqlite:///{db_path}",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        CACHE_DIR=str(media_root.parent / "cache"),  # this site's own: never the developer's var/cache
        DEBUG="false",
        TASKS_BACKEND="immediate",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def _run(args: list[str], env: dict[str, str], log: Path) -> subprocess.CompletedProcess:
    with open(log, "a") as fh:
        fh.write(f"\n$ manage.py {' '.join(args)}\n")
        fh.flush()
        proc = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            cwd=BASE_DIR,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    if proc.returncode:
        tail = log.read_text(errors="replace")[-4000:]
        pytest.fail(f"manage.py {' '.join(args)} failed (exit {proc.returncode}):\n{tail}", pytrace=False)
    return proc


def _build_template(root: Path) -> Path:
    """The migrated demo database and collected static files, built once per run (all workers)."""
    template = root / "e2e-template"
    ready = template / "READY"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "e2e-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if ready.exists():
                return template
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            vendor = BASE_DIR / "zhengxie" / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"
            db_path, static_root = template / "db.sqlite3", template / "static"
            env = _env(db_path, static_root, template / "media")
            log = template / "build.log"
            if not vendor.exists():
                _run(["vendorassets"], env, log)  # needs node_modules: `make assets` does both
            _run(["migrate", "--noinput", "-v0"], env, log)
            _run(["loaddemo", "--members", "30"], env, log)
            _run(["collectstatic", "--noinput", "-v0"], env, log)
            con = sqlite3.connect(db_path)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            ready.touch()
            return template
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Site:
    url: str
    db_path: Path
    media_root: Path
    log_path: Path
    env: dict[str, str] = field(repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)

    def sql(self, query: str, params=()) -> list[tuple]:
        """Rows from the server's database (read-only; the ORM cannot be used in browser tests)."""
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=20)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Runs a manage.py command against the server's database, e.g. manage("scheduler", "--once")."""
        proc = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and proc.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc


def _wait_until_up(site: Site, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(site.url + "/accounts/login/", timeout=2) as r:
                if r.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def e2e_site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browsers` (apt-get install chromium)", pytrace=False)
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    template = _build_template(shared)
    mine = tmp_path_factory.mktemp("e2e-site")
    db_path = mine / "db.sqlite3"
    shutil.copyfile(template / "db.sqlite3", db_path)
    env = _env(db_path, template / "static", mine / "media")
    log_path = mine / "server.log"
    site = None
    for _ in range(3):  # a free port can be taken between the check and gunicorn's bind
        port = _free_port()
        env.update(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="1",
            GUNICORN_THREADS="4",
            GUNICORN_ACCESSLOG="-",
            GUNICORN_TIMEOUT="60",
        )
        log = open(log_path, "a")
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "deploy" / "gunicorn.conf.py")],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        site = Site(
            url=f"http://127.0.0.1:{port}",
            db_path=db_path,
            media_root=mine / "media",
            log_path=log_path,
            env=env,
            process=proc,
        )
        if _wait_until_up(site, time.monotonic() + 60):
            break
        _stop(proc)
        site = None
    if site is None:
        pytest.fail(
            "the e2e server did not start:\n" + log_path.read_text(errors="replace")[-4000:], pytrace=False
        )
    yield site
    _stop(site.process)


@pytest.fixture(scope="module")
def browser(e2e_site):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
    finally:
        pw.stop()  # no asyncio loop left running for the non-browser tests on this worker


def _new_context(browser, site: Site, phone: bool = False):
    opts = {"base_url": site.url, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
    if phone:
        opts.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    else:
        opts.update(viewport=DESKTOP)
    ctx = browser.new_context(**opts)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


def _screenshot_on_failure(request, pages) -> None:
    rep = getattr(request.node, "_e2e_rep_call", None)
    if rep is None or not rep.failed:
        return
    out = BASE_DIR / "test-results" / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid.split("::")[-1])
    for i, p in enumerate(pages):
        try:
            p.screenshot(path=str(out / f"{name}{'-' + str(i) if i else ''}.png"), full_page=True)
        except Exception:  # a closed page has nothing to show
            pass


@pytest.fixture
def context(browser, e2e_site):
    ctx = _new_context(browser, e2e_site)
    yield ctx
    ctx.close()


@pytest.fixture
def page(request, context):
    p = context.new_page()
    yield p
    _screenshot_on_failure(request, [p])


@pytest.fixture
def phone_page(request, browser, e2e_site):
    ctx = _new_context(browser, e2e_site, phone=True)
    p = ctx.new_page()
    yield p
    _screenshot_on_failure(request, [p])
    ctx.close()


def _login(page, username: str, password: str = DEMO_PASSWORD):
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


@pytest.fixture
def login():
    """login(page, "member1") -> the page, on the workbench (or the `next` page)."""
    return _login


@pytest.fixture
def page_for(request, browser, e2e_site):
    """page_for("staff") -> a logged-in page in a context of its own (closed after the test)."""
    made = []

    def make(username: str, phone: bool = False, password: str = DEMO_PASSWORD):
        ctx = _new_context(browser, e2e_site, phone=phone)
        p = ctx.new_page()
        made.append((ctx, p))
        return _login(p, username, password)

    yield make
    _screenshot_on_failure(request, [p for _, p in made])
    for ctx, _ in made:
        ctx.close()

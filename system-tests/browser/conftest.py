"""Fixtures for the browser tests: the app on a loopback port and headless Chromium.

Run (after `swift build`):  ADSAPP_BIN=.build/debug/adsapp .venv-peers/bin/python -m pytest system-tests/browser -q
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from helpers import ARTIFACTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.processes import free_port, log_tail, wait_for_health  # noqa: E402

_server_log: Path | None = None


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory) -> Path:
    """The DATA_DIR of the app under test: its SQLite database is `adsapp.sqlite` in it."""
    return tmp_path_factory.mktemp("adsapp-data")


@contextmanager
def running_app(arguments: list[str], data_dir: Path, log: Path, unset: tuple[str, ...] = (),
                extra: dict[str, str] | None = None, port: int | None = None):
    """Runs `$ADSAPP_BIN serve ARGUMENTS` on a free loopback port with SQLite in `data_dir` (whatever
    database the environment names, unless `extra` sets DATABASE_URL), waits for /health and yields
    its base URL; stops it afterwards. `port`: one chosen beforehand (a peer that calls back needs it)."""
    binary = os.environ.get("ADSAPP_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail(f"ADSAPP_BIN must point at the built adsapp binary (got {binary!r})")
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    env = dict(os.environ, DATA_DIR=str(data_dir), APP_URL=url, LOG_LEVEL="warning")
    for name in ("DATABASE_URL", "TEST_DATABASE_URL") + unset:
        env.pop(name, None)
    env.update(extra or {})
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "serve", *arguments, "--hostname", "127.0.0.1", "--port", str(port)],
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_health(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(app_data_dir):
    """Starts `$ADSAPP_BIN serve` with a fresh SQLite DATA_DIR; yields its base URL."""
    global _server_log
    _server_log = ARTIFACTS / "server.log"
    with running_app([], app_data_dir, _server_log) as url:
        yield url


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus != 0 and _server_log is not None:
        terminalreporter.section("adsapp server log (tail)")
        terminalreporter.write_line(log_tail(_server_log))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets the driver fixture see whether the test failed, to save a screenshot.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def new_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    drv.set_page_load_timeout(30)
    return drv


def _finish(request, drv, suffix: str = "") -> None:
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        drv.save_screenshot(str(ARTIFACTS / f"{request.node.name}{suffix}.png"))
        (ARTIFACTS / f"{request.node.name}{suffix}.html").write_text(drv.page_source)
    drv.quit()


@pytest.fixture
def driver(request):
    drv = new_driver()
    try:
        yield drv
    finally:
        _finish(request, drv)


@pytest.fixture
def second_driver(request):
    """Another browser, for a second person working at the same time."""
    drv = new_driver()
    try:
        yield drv
    finally:
        _finish(request, drv, "-second")

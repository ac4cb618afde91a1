"""One real-browser walk through the app: overview → indicator detail → upload of a GB18030 file.

Drives Debian's Chromium with Playwright (no browser download); skipped where
Chromium or Playwright is absent. With SCREENSHOTS=1 the screenshots are
written to docs/screenshots/ for the README, else to a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serving(root: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a data root, on a free port, until the block ends."""
    port = _free_port()
    env = {**os.environ, "MONITORING_DATA": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def server(tmp_path: Path):
    """The app on a data root holding a copy of the demo data (one county)."""
    root = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", root / "demo")
    with _serving(root) as url:
        yield url, root


@pytest.fixture
def counties_server(tmp_path: Path, counties_demo: Path):
    """The app on a data root holding the 13 counties' demo data (what a city office holds)."""
    root = tmp_path / "data"
    shutil.copytree(counties_demo, root / "demo")
    with _serving(root) as url:
        yield url


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("SCREENSHOTS") else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=30000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(800)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()


def test_overview_detail_and_upload(server, shots):
    url, root = server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")

        page.goto(f"{url}/")
        page.get_by_text("达标率").first.wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        assert page.get_by_text("示例数据（非真实统计）").count() > 0
        # The demo data's latest year is the plans' target year: the tiles give the final verdicts, no forecast statuses.
        assert page.get_by_text("终期评估结论").count() > 0 and page.get_by_text("未实现").count() > 0
        assert page.get_by_text("进度正常").count() == 0 and page.get_by_text("预计难以达标").count() == 0
        page.screenshot(path=str(shots / "overview.png"), full_page=True)

        page.goto(f"{url}/detail?id=C1-03b")
        page.get_by_text("婴儿死亡率").first.wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        page.screenshot(path=str(shots / "detail.png"), full_page=True)

        page.goto(f"{url}/submit")
        page.locator('input[type="file"]').first.wait_for(state="attached", timeout=60000)
        _settle(page)
        page.locator('input[type="file"]').first.set_input_files(str(FIXTURES / "measurements" / "gbk-excel-export.csv"))
        page.get_by_text("孕产妇死亡率").first.wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        assert page.get_by_text("整个文件不会导入").count() == 0
        page.screenshot(path=str(shots / "submit.png"), full_page=True)

        page.goto(f"{url}/warnings")
        page.get_by_text("涉及指标").first.wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        page.screenshot(path=str(shots / "warnings.png"), full_page=True)
        browser.close()
    assert not (root / "submissions").exists() or not any((root / "submissions").glob("S*")), "nothing is stored before the submit button"


def _login(page, name: str, password: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    _settle(page)


def test_login_roles_and_logout(users_file, server, shots):
    """With a users file: only the login form, a deep link kept through login, a refused page, logout, the office's review."""
    from tests.conftest import PASSWORDS

    url, _ = server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")

        page.goto(f"{url}/submit")
        page.get_by_label("用户名").wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("总览").count() == 0  # no navigation, no page before login
        page.screenshot(path=str(shots / "login.png"), full_page=True)

        _login(page, "张三", "not-the-password")
        assert page.get_by_text("用户名或密码不正确").count() == 1

        _login(page, "张三", PASSWORDS["张三"])
        page.get_by_text("第一步：下载本单位的填报模板").wait_for(timeout=60000)  # the deep link, after login
        _no_exception(page)
        assert page.get_by_role("link", name="审核").count() == 0

        page.goto(f"{url}/review")  # a new page load is a new session: log in again, then the refusal
        page.get_by_label("用户名").wait_for(timeout=60000)
        _settle(page)
        _login(page, "张三", PASSWORDS["张三"])
        page.get_by_text("没有权限").first.wait_for(timeout=60000)
        _settle(page)
        assert page.get_by_text("待审核").count() == 0

        page.get_by_role("button", name="退出登录").click()
        _settle(page)
        assert page.get_by_text("已退出登录").count() == 1

        _login(page, "王五", PASSWORDS["王五"])
        page.get_by_role("link", name="审核").click()
        page.get_by_text("待审核（0 份）").wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        browser.close()


def test_counties_compare_and_the_county_choice(counties_server, shots):
    """Data of 13 counties: the 区县对比 page, and a county page switched to another county by its address."""
    url = counties_server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")

        page.goto(f"{url}/compare?id=W1-01a")
        page.get_by_text("各区县总体情况").first.wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        assert page.get_by_text("妇女人均预期寿命").count() > 0
        page.screenshot(path=str(shots / "compare.png"), full_page=False)

        page.goto(f"{url}/?county=闻喜县")
        page.get_by_text("达标率").first.wait_for(timeout=60000)
        _settle(page)
        _no_exception(page)
        assert page.get_by_text("当前区县：闻喜县").count() > 0
        browser.close()

"""One real-browser walk through the app: overview → indicator detail → upload of a GB18030 file.

Drives Debian's Chromium with Playwright (no browser download); skipped where
Chromium or Playwright is absent. With SCREENSHOTS=1 the screenshots are
written to docs/screenshots/ for the README, else to a temporary folder.

Every step waits for a condition, never for a fixed time: the text or element it
expects, then the settled page (`tools/bench_pages.py`'s `settle`: connected, no
script run going on), and before a screenshot every chart and table drawn.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

# The server, the browser and what "settled" means are shared with the page benchmark.
_spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "tools" / "bench_pages.py")
assert _spec is not None and _spec.loader is not None
bench_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_pages)

CHROMIUM = bench_pages.CHROMIUM
CHROMIUM_ARGS = bench_pages.CHROMIUM_ARGS
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")]
TIMEOUT = 120  # seconds any one condition may take on a busy 2-core machine before the test fails


def _serving(root: Path):
    return bench_pages.serving(root, timeout=TIMEOUT)


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


def _settle(page, title: str | None = None) -> None:
    """Wait until Streamlit has finished running the script (and `title`, a heading, is visible)."""
    bench_pages.settle(page, title, timeout=TIMEOUT)


def _shot(page, path: Path) -> None:
    """A full-page screenshot once every chart and table is drawn."""
    bench_pages.drawn(page, timeout=TIMEOUT)
    page.screenshot(path=str(path), full_page=True)


def _wait_text(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(timeout=TIMEOUT * 1000)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()


def test_overview_detail_and_upload(server, shots):
    url, root = server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")

        page.goto(f"{url}/")
        _wait_text(page, "达标率")
        _settle(page, "总览")
        _no_exception(page)
        assert page.get_by_text("示例数据（非真实统计）").count() > 0
        # The demo data's latest year is the plans' target year: the tiles give the final verdicts, no forecast statuses.
        assert page.get_by_text("终期评估结论").count() > 0 and page.get_by_text("未实现").count() > 0
        assert page.get_by_text("进度正常").count() == 0 and page.get_by_text("预计难以达标").count() == 0
        _shot(page, shots / "overview.png")

        page.goto(f"{url}/detail?id=C1-03b")
        _wait_text(page, "婴儿死亡率")
        _settle(page, "C1-03b 婴儿死亡率")
        _no_exception(page)
        _shot(page, shots / "detail.png")

        page.goto(f"{url}/submit")
        page.locator('input[type="file"]').first.wait_for(state="attached", timeout=TIMEOUT * 1000)
        _settle(page, "数据填报")
        page.locator('input[type="file"]').first.set_input_files(str(FIXTURES / "measurements" / "gbk-excel-export.csv"))
        # The upload is judged once one of the two verdicts is shown (until then the page holds neither).
        page.get_by_text("校验通过").or_(page.get_by_text("校验未通过")).first.wait_for(timeout=TIMEOUT * 1000)
        _settle(page)
        _no_exception(page)
        assert page.get_by_text("整个文件不会导入").count() == 0
        assert page.get_by_text("孕产妇死亡率").count() > 0
        _shot(page, shots / "submit.png")

        page.goto(f"{url}/warnings")
        _wait_text(page, "涉及指标")
        _settle(page, "预警")
        _no_exception(page)
        _shot(page, shots / "warnings.png")
        browser.close()
    assert not (root / "submissions").exists() or not any((root / "submissions").glob("S*")), "nothing is stored before the submit button"


def _login(page, name: str, password: str) -> None:
    """Fill the login form and send it; the caller waits for what it expects next (a message, the page)."""
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_login_roles_and_logout(users_file, server, shots):
    """With a users file: only the login form, a deep link kept through login, a refused page, logout, the office's review."""
    from tests.conftest import PASSWORDS

    url, _ = server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")

        page.goto(f"{url}/submit")
        page.get_by_label("用户名").wait_for(timeout=TIMEOUT * 1000)
        _settle(page, "绛县妇儿规划监测平台")
        _no_exception(page)
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("总览").count() == 0  # no navigation, no page before login
        _shot(page, shots / "login.png")

        _login(page, "张三", "not-the-password")
        _wait_text(page, "用户名或密码不正确")
        _settle(page)
        assert page.get_by_text("用户名或密码不正确").count() == 1

        _login(page, "张三", PASSWORDS["张三"])
        _wait_text(page, "第一步：下载本单位的填报模板")  # the deep link, after login
        _settle(page, "数据填报")
        _no_exception(page)
        assert page.get_by_role("link", name="审核").count() == 0

        page.goto(f"{url}/review")  # a new page load is a new session: log in again, then the refusal
        page.get_by_label("用户名").wait_for(timeout=TIMEOUT * 1000)
        _settle(page)
        _login(page, "张三", PASSWORDS["张三"])
        _settle(page, "没有权限")
        assert page.get_by_text("待审核").count() == 0

        page.get_by_role("button", name="退出登录").click()
        _wait_text(page, "已退出登录")
        _settle(page)
        assert page.get_by_text("已退出登录").count() == 1

        _login(page, "王五", PASSWORDS["王五"])
        page.get_by_role("link", name="审核").click()
        _wait_text(page, "待审核（0 份）")
        _settle(page, "审核")
        _no_exception(page)
        browser.close()


def test_counties_compare_and_the_county_choice(counties_server, shots):
    """Data of 13 counties: the 区县对比 page, and a county page switched to another county by its address."""
    url = counties_server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="zh-CN")

        page.goto(f"{url}/compare?id=W1-01a")
        _wait_text(page, "各区县总体情况")
        _settle(page, "区县对比")
        _no_exception(page)
        assert page.get_by_text("妇女人均预期寿命").count() > 0
        bench_pages.drawn(page, timeout=TIMEOUT)
        page.screenshot(path=str(shots / "compare.png"), full_page=False)

        page.goto(f"{url}/?county=闻喜县")
        _wait_text(page, "达标率")
        _settle(page, "总览")
        _no_exception(page)
        assert page.get_by_text("当前区县：闻喜县").count() > 0
        browser.close()


def test_the_page_benchmark_times_every_page_of_the_navigation(tmp_path):
    """`tools/bench_pages.py --browser` lists every page the local user's navigation holds, and times one page
    cold and warm, split at the script run (a short run of the tool, not a timed test)."""
    from monitoring.permissions import PAGES, local_user, pages_for

    listed = bench_pages.browser_pages()
    navigation = [p for specs in pages_for(local_user()).values() for p in specs if not p.requires_counties]
    assert [p["page"] for p in listed] == [p.url_path for p in navigation]
    assert [p["page"] for p in bench_pages.browser_pages(several_counties=True)] == [p.url_path for p in PAGES if p.requires_counties]
    assert next(p for p in listed if p["page"] == "detail")["address"] == f"/detail?id={bench_pages.DETAIL_ID}"

    root = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", root / "demo")
    [row] = bench_pages.measure_browser(root, [p for p in listed if p["page"] == "audit"])
    assert "errors" not in row, row["errors"]
    assert row["warm_s"] > 0 and row["cold_s"] > 0
    for split in (row["cold_split"], row["warm_split"]):
        assert split["runs"] >= 1 and min(split["until_run_s"], split["runs_s"], split["after_run_s"]) >= 0

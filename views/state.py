"""Cached access to the engine for every page: loading and evaluation run once per file change.

Pages call these functions and draw what they return; nothing here computes
anything the engine does not already provide.
"""

from __future__ import annotations

import re

import streamlit as st

from monitoring import datasets
from monitoring.catalogue import TARGETS_DIR, Catalogue, check_catalogue, fingerprint
from monitoring.datasets import Dataset
from monitoring.evaluation import Evaluation, evaluate
from monitoring.permissions import ACTION_LABELS, PAGES, Action, can
from monitoring.store import Store, StoreError
from monitoring.users import User


@st.cache_resource(show_spinner="正在读取目标库…", max_entries=4)
def _catalogue(key: tuple) -> tuple[Catalogue | None, list]:
    return check_catalogue(TARGETS_DIR)


def catalogue() -> Catalogue:
    """The catalogue, or a page-stopping message listing every problem of the target files."""
    loaded, problems = _catalogue(fingerprint(TARGETS_DIR))
    if loaded is None:
        st.error("目标文件有问题，无法显示。请修正后刷新页面（也可运行 python -m monitoring check-targets 查看）：")
        st.dataframe([{"位置": p.location(), "问题": p.message, "代码": str(p.code)} for p in problems], hide_index=True)
        st.stop()
    return loaded


@st.cache_resource(show_spinner="正在读取数据…", max_entries=8)
def _dataset(targets_key: tuple, data_key: tuple) -> Dataset:
    loaded, _ = _catalogue(targets_key)
    assert loaded is not None, "pages call catalogue() first, which stops on a broken catalogue"
    return datasets.load(loaded)


def dataset() -> Dataset:
    """The measurements shown everywhere: live data, or the demo data while there is none.

    A damaged store (e.g. a manifest edited by hand) stops the page with a message, not a traceback.
    """
    try:
        return _dataset(fingerprint(TARGETS_DIR), datasets.fingerprint())
    except StoreError as exc:
        st.error(f"读取数据时出错：{exc}")
        st.info("数据文件夹可能被手工改动或损坏。请联系系统管理员检查 data/submissions/manifest.json，或从备份恢复数据文件夹。")
        st.stop()


@st.cache_resource(show_spinner="正在评估指标…", max_entries=32)
def _evaluation(targets_key: tuple, data_key: tuple, year: int | None) -> Evaluation:
    loaded, _ = _catalogue(targets_key)
    assert loaded is not None, "pages call catalogue() first, which stops on a broken catalogue"
    return evaluate(loaded, _dataset(targets_key, data_key).rows, year=year)


def evaluation(year: int | None = None) -> Evaluation:
    """Every target evaluated for `year` (default: the latest year with data); shared by all pages."""
    return _evaluation(fingerprint(TARGETS_DIR), datasets.fingerprint(), year)


def store() -> Store:
    return Store(datasets.data_root())


def data_banner(data: Dataset) -> None:
    """The banner every page shows when it displays demo data, and the files left out."""
    if data.is_demo and not data.rows.empty:
        st.warning(f"当前显示的是**{datasets.DEMO_LABEL}**，仅用于演示功能。各单位通过“数据填报”提交并经办公室审核后，平台将改为显示正式数据。", icon="⚠️")
    for item in data.skipped:
        st.warning(f"文件 {item['file']} 有错误，未计入：{item['reason']}")


def year_choice(data: Dataset, key: str = "year") -> int | None:
    """The evaluation year selector (default: the latest year with data); the choice follows the user across pages."""
    years = data.years()
    if not years:
        return None
    remembered = st.session_state.get("_evaluation_year")
    index = years.index(remembered) if remembered in years else len(years) - 1
    year = st.selectbox("评估年份", years, index=index, key=key, format_func=lambda y: f"{y}年")
    st.session_state["_evaluation_year"] = year
    return year


# ---------------------------------------------------------------- who is acting, and text people typed


def user() -> User:
    """The user at the screen, set by dashboard.py's login gate before the page runs."""
    current = st.session_state.get("_auth_user")
    if current is None:  # a page run outside dashboard.py (never in the app): act as nobody
        st.error("请先登录。")
        st.stop()
    return current


def require(action: Action) -> User:
    """Stop the page unless the user may take `action`: the navigation hides such pages, this is the second lock."""
    current = user()
    if not can(current, action):
        st.error(f"没有权限打开本页面（需要“{ACTION_LABELS[action]}”权限）。")
        st.stop()
    return current


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")


def plain(text: object) -> str:
    """Text from a person (a file name, a note, a reason) made literal inside st.markdown/st.success:
    every markdown, HTML and Streamlit directive character is escaped, so nothing in it is rendered or linked."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def page_link(path: str, label: str, icon: str | None = None) -> None:
    """st.page_link to a page the user's role has; nothing for a page it has not (a viewer is not offered 数据填报)."""
    spec = next((p for p in PAGES if p.path == path), None)
    if spec is None or can(user(), spec.action):
        st.page_link(path, label=label, icon=icon)

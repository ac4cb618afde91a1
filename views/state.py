"""Cached access to the engine for every page: loading and evaluation run once per file change.

Pages call these functions and draw what they return; nothing here computes
anything the engine does not already provide.
"""

from __future__ import annotations

import re

import streamlit as st

from monitoring import datasets
from monitoring.catalogue import TARGETS_DIR, Catalogue, check_catalogue, fingerprint
from monitoring.comparison import CountyComparison, compare
from monitoring.datasets import Dataset
from monitoring.evaluation import Evaluation, evaluate
from monitoring.permissions import ACTION_LABELS, PAGES, Action, can
from monitoring.regions import UnknownRegion
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


@st.cache_resource(show_spinner=False, max_entries=16)
def _county_dataset(targets_key: tuple, data_key: tuple, county: str | None) -> Dataset:
    data = _dataset(targets_key, data_key)
    return data.for_county(county) if county is not None and data.several_counties else data


@st.cache_resource(show_spinner="正在评估指标…", max_entries=32)
def _evaluation(targets_key: tuple, data_key: tuple, year: int | None, county: str | None) -> Evaluation:
    loaded, _ = _catalogue(targets_key)
    assert loaded is not None, "pages call catalogue() first, which stops on a broken catalogue"
    return evaluate(loaded, _county_dataset(targets_key, data_key, county).rows, year=year)


def evaluation(year: int | None = None) -> Evaluation:
    """The chosen county's targets evaluated for `year` (default: the latest year with data); shared by all pages."""
    return _evaluation(fingerprint(TARGETS_DIR), datasets.fingerprint(), year, county())


@st.cache_resource(show_spinner="正在比较各区县…", max_entries=16)
def _comparison(targets_key: tuple, data_key: tuple, year: int | None, plan: str | None, within: str | None) -> CountyComparison:
    loaded, _ = _catalogue(targets_key)
    assert loaded is not None, "pages call catalogue() first, which stops on a broken catalogue"
    return compare(loaded, _dataset(targets_key, data_key).rows, year, plan=plan, within=within)


def comparison(year: int | None = None, plan: str | None = None, within: str | None = None) -> CountyComparison:
    """Every county of the data set (or of one city, `within`) evaluated for `year` (and one plan's targets): the 区县对比 page."""
    return _comparison(fingerprint(TARGETS_DIR), datasets.fingerprint(), year, plan, within)


# ---------------------------------------------------------------- which county the county pages show

COUNTY = "_county"  # the remembered choice (a plain key: it outlives the pages that draw the selector)
COUNTY_WIDGET = "county"
COUNTY_URL = "_county_url"  # the ?county= value already applied, so a later choice is not undone by the address


def several_counties() -> bool:
    """Whether the data set holds several counties (the navigation then offers 区县对比).

    False when the target files or the data cannot be read: the pages themselves say why.
    """
    loaded, _ = _catalogue(fingerprint(TARGETS_DIR))
    if loaded is None:
        return False
    try:
        return _dataset(fingerprint(TARGETS_DIR), datasets.fingerprint()).several_counties
    except StoreError:
        return False


def county() -> str | None:
    """The county the county pages show: the user's choice, else the office's own county, else the one with most rows.

    None when the data set holds one county (or none): the pages show all of it.
    """
    data = dataset()
    if not data.several_counties:
        return None
    counties = data.counties()
    for candidate in (st.session_state.get(COUNTY_WIDGET), st.session_state.get(COUNTY)):
        if candidate in counties:
            return candidate
    return catalogue().regions.default_county(counties)


def county_dataset() -> Dataset:
    """The rows the county pages show: the whole data set, or, when it holds several counties, the chosen county's.

    With several counties this draws the 区县 selector in the sidebar (also set by ?county=代码 or 名称 in the
    address); the choice follows the user across pages. Call it before `evaluation()`.
    """
    data = dataset()
    if not data.several_counties:
        return data
    counties = data.counties()
    chosen = county()
    requested = st.query_params.get("county")
    if requested and requested != st.session_state.get(COUNTY_URL):
        try:
            chosen = catalogue().regions.resolve(requested, among=counties)
        except UnknownRegion as exc:
            st.warning(f"链接中的区县有误：{plain(str(exc))}下面显示{catalogue().regions.label(str(chosen))}。")
        st.session_state[COUNTY_URL] = requested
    st.session_state[COUNTY_WIDGET] = chosen
    label = catalogue().regions.label
    st.sidebar.selectbox("区县", counties, key=COUNTY_WIDGET, format_func=lambda code: f"{label(code)}（{code}）",
                         on_change=_county_changed,
                         help="数据中含多个区县：总览、指标监测、预警等页面显示所选区县的情况，各区县之间的比较见“区县对比”。")
    st.session_state[COUNTY] = chosen
    return _county_dataset(fingerprint(TARGETS_DIR), datasets.fingerprint(), chosen)


def _county_changed() -> None:
    """A county picked by hand replaces the one in the address, so the address still says what is shown."""
    st.session_state[COUNTY] = st.session_state[COUNTY_WIDGET]
    if "county" in st.query_params:
        st.query_params["county"] = st.session_state[COUNTY_WIDGET]
        st.session_state[COUNTY_URL] = st.session_state[COUNTY_WIDGET]


def county_note() -> None:
    """Under a county page's title, when the data set holds several counties: which county the page shows."""
    chosen = county()
    if chosen is None:
        return
    loaded = catalogue()
    name = loaded.regions.label(chosen)
    home = loaded.regions.home_county
    measured = "" if home is None or chosen == home else f"，按{loaded.regions.label(home)}规划的目标衡量"
    st.markdown(f":blue-badge[:material/location_on: 当前区县：{name}] "
                f":gray[数据含 {len(dataset().counties())} 个区县{measured}；在左侧栏“区县”中切换，各区县比较见“区县对比”。]")


def store() -> Store:
    return Store(datasets.data_root())


def county_page(title: str, caption: str, empty: str | None = None) -> Dataset:
    """The head the county pages share: title, caption, which county they show (several counties), the demo
    banner; the chosen county's rows. With `empty`, a page without any data says so, links to 数据填报 and stops."""
    data = county_dataset()
    st.title(title)
    st.caption(caption)
    county_note()
    data_banner(data)
    if empty is not None and data.rows.empty:
        st.info(empty)
        page_link("views/submit.py", "前往数据填报", icon=":material/upload_file:")
        st.stop()
    return data


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

"""Cached access to the engine for every page: loading happens once per file change."""

from __future__ import annotations

import streamlit as st

from monitoring.catalogue import TARGETS_DIR, Catalogue, check_catalogue, fingerprint


@st.cache_data(show_spinner="正在读取目标库…")
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

"""The 目标库 page through Streamlit's AppTest."""

from __future__ import annotations

import pytest


@pytest.fixture
def app(app_on):
    return app_on("views/catalogue.py")


def test_catalogue_page_shows_every_target(app, catalogue):
    assert not app.exception
    assert app.title[0].value == "目标库"
    assert app.metric[0].value == f"{len(catalogue)} 项"


def test_filters_change_what_the_table_shows(app, catalogue):
    app.selectbox(key="catalogue_plan").select("绛县儿童发展“十四五”规划").run()
    assert app.metric[0].value == f"{len(catalogue.for_plan('children'))} 项"
    app.text_input(key="catalogue_query").input("c1-03b").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["编号"]) == ["C1-03b"]


def test_empty_search_result_says_what_to_do(app):
    app.text_input(key="catalogue_query").input("没有这个指标").run()
    assert not app.exception
    assert any("放宽筛选条件" in info.value for info in app.info)


def test_the_page_counts_targets_by_source(app, catalogue):
    from monitoring.catalogue import Provenance, provenance_sentence

    counts = catalogue.provenance_counts()
    metrics = {m.label: m for m in app.metric}
    assert metrics["参照国家规划补充（待核对）"].value == f"{counts[Provenance.NATIONAL_PLAN]} 项"
    assert provenance_sentence(counts) in metrics["显示指标"].help
    app.selectbox(key="catalogue_plan").select("绛县妇女发展“十四五”规划").run()
    assert {m.label: m.value for m in app.metric}["参照国家规划补充（待核对）"] == \
        f"{catalogue.provenance_counts('women')[Provenance.NATIONAL_PLAN]} 项"

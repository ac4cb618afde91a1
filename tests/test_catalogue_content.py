"""The real catalogue: complete against the gazette, traceable, consistent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitoring.catalogue import GAP_SEXES, TOTAL_SEX, Kind, Measure, Provenance, Scope

GAZETTE = Path(__file__).resolve().parent.parent / "docs" / "sources" / "jiangxian-gazette-2023-02.txt"

# Targets the gazette states with a number: id -> (name contains, kind, target value, unit).
NUMBERED_TARGETS = [
    ("W1-01a", "预期寿命", Kind.MIN, 78.1, "岁"),
    ("W1-02", "孕产妇死亡率", Kind.MAX, 12.5, "1/10万"),
    ("W1-05a", "艾滋病母婴传播率", Kind.MAX, 2.5, "%"),
    ("W1-10b", "体育人口", Kind.MIN, 50, "%"),
    ("W2-04a", "小学", Kind.MIN, 99.95, "%"),
    ("W2-04b", "初中", Kind.MIN, 99.95, "%"),
    ("W2-05a", "女性高中阶段毛入学率", Kind.MIN, 96, "%"),
    ("W2-06", "职业技能培训", Kind.MIN, 80, "%"),
    ("W2-09b", "受教育年限", Kind.MIN, 11.6, "年"),
    ("W3-02", "就业人员中的女性比例", Kind.APPROX, 45, "%"),
    ("W3-03", "城镇单位就业人员中的女性比例", Kind.APPROX, 40, "%"),
    ("W4-07c", "村委会成员", Kind.MIN, 30, "%"),
    ("W5-03", "基本医疗保险参保率", Kind.MIN, 95, "%"),
    ("W5-04a", "基本养老保险参保率", Kind.MIN, 95, "%"),
    ("W7-07a", "农村自来水普及率", Kind.MIN, 92, "%"),
    ("W7-08", "农村卫生厕所普及率", Kind.MIN, 92, "%"),
    ("C1-03a", "新生儿死亡率", Kind.MAX, 3.2, "‰"),
    ("C1-03b", "婴儿死亡率", Kind.MAX, 5.3, "‰"),
    ("C1-03c", "5岁以下儿童死亡率", Kind.MAX, 6.5, "‰"),
    ("C1-06", "免疫规划疫苗接种率", Kind.MIN, 90, "%"),
    ("C1-S12", "心理健康教育教师", Kind.MIN, 90, "%"),
    ("C2-03", "儿童伤害死亡率", Kind.REDUCE_FROM_BASE, 20, "1/10万"),
    ("C3-02a", "学前教育毛入园率", Kind.MIN, 92, "%"),
    ("C3-04a", "高中阶段", Kind.MIN, 96, "%"),
    ("C3-05a", "残疾儿童义务教育入学率", Kind.MIN, 97, "%"),
    ("C4-07", "托位数", Kind.MIN, 4.5, "个"),
    ("D1-05c", "补贴", Kind.MIN, 200, "元/月"),
    ("D0-01", "养老保险参保率", Kind.MIN, 90, "%"),
    ("D0-02", "医疗保险参保率", Kind.MIN, 95, "%"),
    ("D0-03", "义务教育入学率", Kind.MIN, 97, "%"),
]


@pytest.mark.parametrize(("target_id", "name", "kind", "value", "unit"), NUMBERED_TARGETS, ids=[row[0] for row in NUMBERED_TARGETS])
def test_target_stated_with_a_number_is_encoded(catalogue, target_id, name, kind, value, unit):
    target = catalogue.get(target_id)
    assert target is not None, f"{target_id} missing"
    assert name in target.name
    assert (target.kind, target.target_value, target.unit) == (kind, value, unit)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_plan_source_text_is_verbatim_in_the_gazette(catalogue):
    gazette = _squash(GAZETTE.read_text(encoding="utf-8"))
    from_text = [t for t in catalogue if t.provenance in (Provenance.GOAL, Provenance.TASK)]
    assert len(from_text) == len(catalogue) - len([t for t in catalogue if t.provenance == Provenance.NATIONAL_PLAN])
    missing = [t.id for t in from_text if _squash(t.source_text or "") not in gazette]
    assert missing == []


def _gazette_parts() -> dict[Provenance, str]:
    """The gazette's 主要目标 text (women's and children's domains, the disability plan's 二（三）) and its
    策略措施 / 重点任务 text, each squashed into one string (sentences broken across lines join up)."""
    parts: dict[Provenance, list[str]] = {Provenance.GOAL: [], Provenance.TASK: []}
    state = None
    for line in GAZETTE.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.rstrip("：:") == "主要目标" or text == "（三）主要目标":
            state = Provenance.GOAL
        elif text.rstrip("：:") == "策略措施" or text == "三、重点任务":
            state = Provenance.TASK
        elif text.startswith(("三、组织实施", "四、实施机制")):
            state = None
        elif state is not None:
            parts[state].append(text)
    return {key: _squash("".join(lines)) for key, lines in parts.items()}


def test_provenance_says_which_part_of_the_plan_a_sentence_is_from(catalogue):
    parts = _gazette_parts()
    assert parts[Provenance.GOAL] and parts[Provenance.TASK]
    wrong = []
    for t in catalogue:
        text = _squash(t.source_text or "")
        if t.provenance == Provenance.GOAL and text not in parts[Provenance.GOAL]:
            wrong.append((t.id, "goal, but not in a 主要目标 part"))
        if t.provenance == Provenance.TASK and (text not in parts[Provenance.TASK] or text in parts[Provenance.GOAL]):
            wrong.append((t.id, "task, but not (only) in a 策略措施/重点任务 part"))
    assert wrong == []


def test_strategy_targets_are_tasks_and_numbered_so(catalogue):
    """Women's and children's targets from 策略措施 carry goal_no “策略措施N” and an S id (W1-S05); the others are goals."""
    for t in catalogue.for_plan("women") + catalogue.for_plan("children"):
        from_strategy = t.goal_no.startswith("策略措施")
        assert (t.provenance == Provenance.TASK) == from_strategy, t.id
        assert ("-S" in t.id) == from_strategy, t.id


def test_provenance_counts_per_plan(catalogue):
    assert catalogue.provenance_counts("disability") == {Provenance.GOAL: 1, Provenance.TASK: 26, Provenance.NATIONAL_PLAN: 9}
    assert catalogue.provenance_counts("women")[Provenance.NATIONAL_PLAN] == 0
    assert sum(catalogue.provenance_counts().values()) == len(catalogue)


def test_gap_targets_name_the_difference_their_note_defines(catalogue):
    assert catalogue.get("W2-08b").sex == "男-女"  # note: 男性…比例－女性…比例
    assert catalogue.get("W6-08").sex == "女-男"   # note: 女性…时间－男性…时间
    for t in catalogue:
        if t.sex in GAP_SEXES:
            assert "差距" in t.name and t.measure == Measure.LEVEL, t.id


def test_share_of_women_among_a_group_is_read_on_the_total(catalogue):
    """“…中的女性比例” is itself the statistic: it is read on the 合计 row, never restricted to women."""
    among = [t for t in catalogue if "女性比例" in t.name or t.name.startswith("担任正职的女干部")]
    assert len(among) >= 20
    assert all(t.sex == TOTAL_SEX for t in among)
    for t in among:
        if t.domain == "妇女参与决策和管理" and t.unit == "%":
            assert t.measure == Measure.COMPLETE_SHARE, t.id


def test_statistics_of_women_only_are_read_on_the_women_rows(catalogue):
    for target_id in ("W1-01a", "W2-08a", "W2-09a", "W2-09b", "W5-04b"):
        assert catalogue.get(target_id).sex == "女", target_id
    # defined for women alone (maternal, cervical screening): nothing to restrict
    for target_id in ("W1-02", "W1-03a", "W1-04", "W1-08"):
        assert catalogue.get(target_id).sex == TOTAL_SEX, target_id
    assert all(t.sex == TOTAL_SEX for t in catalogue.for_plan("children") + catalogue.for_plan("disability"))


def test_shared_statistics_agree_on_the_measure(catalogue):
    """One series, one kind of statistic (the sex a target reads it on may differ: a plan may judge the 女 row)."""
    for key, series in catalogue.series().items():
        targets = [catalogue.get(i) for i in series.target_ids]
        assert len({(t.unit, t.measure) for t in targets}) == 1, key


def test_measures_suit_their_units(catalogue):
    for t in catalogue:
        if t.measure in (Measure.SHARE, Measure.COMPLETE_SHARE):
            assert t.unit == "%", t.id
        if t.unit in ("‰", "1/10万"):
            assert t.measure == Measure.RATE, t.id


def test_national_plan_targets_say_they_await_the_county_table(catalogue):
    national = [t for t in catalogue if t.provenance == "national_plan"]
    assert len(national) >= 8
    assert all("待" in (t.note or "") for t in national)


def test_ids_are_unique_and_plans_are_complete(catalogue):
    ids = [t.id for t in catalogue]
    assert len(ids) == len(set(ids))
    assert set(catalogue.plans) == {"women", "children", "disability"}
    for plan in catalogue.plans.values():
        assert (plan.period_start, plan.period_end, plan.baseline_year) == (2021, 2025, 2020)
        assert plan.document.startswith("绛政办规备字〔2023〕")
        assert catalogue.for_plan(plan.plan), plan.plan


def test_child_mortality_is_per_thousand_and_says_why(catalogue):
    for target_id in ("C1-03a", "C1-03b", "C1-03c"):
        target = catalogue.get(target_id)
        assert target.unit == "‰"
        assert "‰" in target.note and "%" in target.source_text


def test_township_vaccination_target_is_per_township_and_maintained(catalogue):
    target = catalogue.get("C1-06")
    assert target.scope == Scope.EACH_TOWNSHIP
    assert target.maintain


def test_shared_statistics_serve_both_plans(catalogue):
    for key in ("rural_tap_water", "rural_sanitary_toilet", "high_school_gross_enrollment"):
        plans = {t.plan for t in catalogue if t.statistic == key}
        assert plans == {"women", "children"}, key


def test_regions_hold_the_ten_townships_and_the_zone(catalogue):
    townships = catalogue.regions.townships()
    assert len(townships) == 10
    assert {r.name for r in townships} >= {"古绛镇", "横水镇", "冷口乡", "郝庄乡"}
    assert catalogue.regions.region_name("磨里镇") == "么里镇"
    assert catalogue.regions.region_name("绛县经济开发区") == "绛县经济开发区"


def test_department_names_resolve_from_any_spelling(catalogue):
    assert catalogue.department_name("绛县卫生健康和体育局") == "县卫体局"
    assert catalogue.department_name("卫体局") == "县卫体局"
    assert catalogue.for_department("县卫体局")


def test_the_plan_period_is_read_from_the_plans(catalogue):
    """Pages and reports name the 中期评估 and 终期评估 years from the plan files, never as written-in 2023 / 2025."""
    for plan in catalogue.plans.values():
        assert (plan.midterm_year, plan.period_end, plan.period_text) == (2023, 2025, "2021—2025年")

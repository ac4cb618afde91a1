"""The target catalogue: plans, targets, regions and departments from `targets/*.yaml`.

The YAML files are the single source of truth. Loading checks them fully and
reports every problem with file, line and target id (in Chinese), so the
office staff who maintain the files can fix them without reading code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from monitoring.problems import Problem, TargetCode
from monitoring.regions import Region, Regions
from monitoring.units import UNITS, Unit, format_value
from monitoring.units import plain as _plain
from monitoring.units import written_places as _places

TARGETS_DIR = Path(__file__).resolve().parent.parent / "targets"
REGIONS_FILE = "regions.yaml"
DEPARTMENTS_FILE = "departments.yaml"
RESERVED_FILES = {REGIONS_FILE, DEPARTMENTS_FILE}


ID_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*-[A-Za-z0-9]+$")
PLAN_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
STATISTIC_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class Kind(StrEnum):
    MAX = "max"
    MIN = "min"
    APPROX = "approx"
    REDUCE_FROM_BASE = "reduce_from_base"
    INCREASE = "increase"
    DECREASE = "decrease"


KIND_LABELS: dict[str, str] = {
    Kind.MAX: "不高于",
    Kind.MIN: "不低于",
    Kind.APPROX: "左右",
    Kind.REDUCE_FROM_BASE: "较基期下降",
    Kind.INCREASE: "逐步提高",
    Kind.DECREASE: "逐步下降",
}

DIRECTION_ONLY = {Kind.INCREASE, Kind.DECREASE}
# Targets whose effective target is defined by the baseline: without a baseline they cannot be judged.
NEEDS_BASELINE = {Kind.INCREASE, Kind.DECREASE, Kind.REDUCE_FROM_BASE}


class Measure(StrEnum):
    """What kind of statistic a target measures; decides whether sampling intervals make sense."""

    RATE = "rate"                      # events in a population: mortality, incidence (‰, 1/10万)
    SHARE = "share"                    # share of a population with counts: screening, enrolment, coverage
    COMPLETE_SHARE = "complete_share"  # share of a small complete body: leadership posts, committee members
    LEVEL = "level"                    # a level or a count: life expectancy, people, money, differences


# Measures estimated from events in a population: intervals and the small-numbers rule apply.
SAMPLED_MEASURES = frozenset({Measure.RATE, Measure.SHARE})


class Provenance(StrEnum):
    """Where a target comes from, counted apart in summaries and reports."""

    GOAL = "goal"                    # the plan's own 主要目标 (the gazette text)
    TASK = "task"                    # a measurable commitment in the plan's 重点任务 prose
    NATIONAL_PLAN = "national_plan"  # the national plan's main indicators, supplied where the county table is not printed


TOTAL_SEX = "合计"
# The series a target is measured on: both sexes (合计), one sex, or the gap between the two (男-女: men minus women).
SEXES = ("合计", "女", "男", "男-女", "女-男")
GAP_SEXES = {"男-女": ("男", "女"), "女-男": ("女", "男")}


class Scope(StrEnum):
    COUNTY = "county"
    EACH_TOWNSHIP = "each_township"


CSV_COLUMNS = [
    "id", "plan", "domain", "goal_no", "name", "unit", "kind", "target_value", "tolerance",
    "target_year", "baseline_year", "baseline_value", "maintain", "scope", "measure", "sex", "department",
    "statistic", "provenance", "source_text", "note",
]


# ---------------------------------------------------------------- models


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DepartmentRef(_Strict):
    lead: str
    supporting: list[str] = []
    assigned: Literal["plan", "default"]

    @property
    def all(self) -> list[str]:
        return [self.lead, *self.supporting]


class Thresholds(_Strict):
    """Per-target warning thresholds (see docs/methodology.md); the defaults suit most indicators."""

    noise_floor: float = 0.01            # regression: worse than the previous value by more than 1% of it
    fluctuation_share: float = 0.10      # fluctuation: latest off the trend of up to 4 previous values by >10% of the expected value
    fluctuation_residuals: float = 3.0   # fluctuation: … or by > half that share and > 3 prediction standard errors
    small_numbers: int = 20          # small_numbers: fewer events than this in the numerator


class Target(_Strict):
    """One quantitative target; `plan`, `target_year` and `baseline_year` are filled from the plan file."""

    id: str
    plan: str = ""
    domain: str
    goal_no: str
    name: str
    unit: str
    kind: Kind
    target_value: float | None = None
    tolerance: float | None = None
    target_year: int | None = None
    baseline_year: int | None = None
    baseline_value: float | None = None
    maintain: bool = False
    scope: Scope = Scope.COUNTY
    measure: Measure
    sex: Literal["合计", "女", "男", "男-女", "女-男"] = TOTAL_SEX
    department: DepartmentRef
    statistic: str | None = None
    upper_bound: float | None = None
    numerator_label: str | None = None
    denominator_label: str | None = None
    thresholds: Thresholds = Thresholds()
    provenance: Provenance
    source_text: str | None
    note: str | None = None

    @field_validator("goal_no", mode="before")
    @classmethod
    def _goal_no_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def series_key(self) -> str:
        """The key measurements are reported under: the shared statistic, else the id."""
        return self.statistic or self.id

    @property
    def direction(self) -> int:
        """+1 where higher is better, -1 where lower is better; 0 for approx (depends on baseline)."""
        if self.kind in (Kind.MIN, Kind.INCREASE):
            return 1
        if self.kind in (Kind.MAX, Kind.DECREASE, Kind.REDUCE_FROM_BASE):
            return -1
        return 0

    def target_label(self) -> str:
        """The target as a person reads it: ≤12.5/10万, ≥90%, 45%左右(±2), 较2020年下降20%."""
        v = self.target_value
        if self.kind == Kind.MAX:
            return f"≤{format_value(v, self.unit, _places(v))}"
        if self.kind == Kind.MIN:
            return f"≥{format_value(v, self.unit, _places(v))}"
        if self.kind == Kind.APPROX:
            return f"{format_value(v, self.unit, _places(v))}左右（±{_plain(self.tolerance)}）"
        if self.kind == Kind.REDUCE_FROM_BASE:
            return f"较{self.baseline_year}年下降{_plain(v)}%"
        return KIND_LABELS[self.kind]


class PlanHeader(_Strict):
    plan: str
    order: int = 100  # position among the plans on pages and in reports
    title: str
    document: str
    issuer: str
    issued: str
    published_in: str
    period_start: int
    period_end: int
    baseline_year: int
    domains: list[str]
    targets: list[Any]

    @field_validator("issued", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value


@dataclass(frozen=True)
class Plan:
    plan: str
    order: int
    title: str
    document: str
    issuer: str
    issued: str
    published_in: str
    period_start: int
    period_end: int
    baseline_year: int
    domains: tuple[str, ...]
    file: str

    @property
    def midterm_year(self) -> int:
        """The 中期评估's year, when half the period has gone (2023 for 2021—2025 with the 2020 baseline)."""
        return self.baseline_year + (self.period_end - self.baseline_year + 1) // 2

    @property
    def period_text(self) -> str:
        return f"{self.period_start}—{self.period_end}年"


class Department(_Strict):
    name: str
    full_name: str
    aliases: list[str] = []
    all_indicators: bool = False  # the office and the statistics bureau collect every unit's figures


@dataclass(frozen=True)
class Series:
    """What measurements are reported under: one key per statistic, shared by the targets that use it."""

    key: str
    name: str
    unit: str
    target_ids: tuple[str, ...]
    departments: frozenset[str]
    year_min: int
    year_max: int
    upper_bound: float | None


@dataclass
class Catalogue:
    plans: dict[str, Plan]
    targets: list[Target]
    regions: Regions = field(default_factory=Regions)  # the gazetteer (given as a list of Region, kept as Regions)
    departments: list[Department] = field(default_factory=list)
    office: str | None = None  # regions.yaml `office`: the area whose plans these are

    def __post_init__(self) -> None:
        self._by_id = {t.id: t for t in self.targets}
        self.regions = Regions(self.regions, self.office)
        self._series: dict[str, Series] | None = None
        self._keys: dict[str, str] | None = None

    def __iter__(self) -> Iterator[Target]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    def series(self) -> dict[str, Series]:
        """Reporting keys (statistic or target id) with unit, plausible years and responsible units."""
        if self._series is None:
            grouped: dict[str, list[Target]] = {}
            for t in self.targets:
                grouped.setdefault(t.series_key, []).append(t)
            self._series = {
                key: Series(
                    key=key,
                    name=group[0].name,
                    unit=group[0].unit,
                    target_ids=tuple(t.id for t in group),
                    departments=frozenset(d for t in group for d in t.department.all),
                    year_min=min(t.baseline_year or 0 for t in group) - 5,
                    year_max=max(t.target_year or 0 for t in group) + 5,
                    upper_bound=max((t.upper_bound for t in group if t.upper_bound is not None), default=None),
                )
                for key, group in grouped.items()
            }
        return self._series

    def series_key(self, text: str) -> str | None:
        """The reporting key for a target id or statistic key as written in a file (case-insensitive)."""
        if self._keys is None:
            keys: dict[str, str] = {}
            for t in self.targets:
                keys[t.id.upper()] = t.series_key
                if t.statistic:
                    keys[t.statistic.upper()] = t.series_key
            self._keys = keys
        return self._keys.get(text.strip().upper())

    def get(self, target_id: str) -> Target | None:
        return self._by_id.get(target_id)

    def for_plan(self, plan: str | None) -> list[Target]:
        return [t for t in self.targets if plan in (None, t.plan)]

    def for_department(self, department: str) -> list[Target]:
        name = self.department_name(department)
        return [t for t in self.targets if name in t.department.all]

    def department_name(self, text: str) -> str | None:
        """The short name of a department written any known way (全称, 简称, 别名)."""
        text = text.strip()
        for dep in self.departments:
            if text in (dep.name, dep.full_name, *dep.aliases):
                return dep.name
        return None

    def reports_everything(self, department: str) -> bool:
        """Whether a unit may send any indicator (the 妇儿工委办公室 and the 统计局 compile the others' figures)."""
        name = self.department_name(department)
        return any(d.name == name and d.all_indicators for d in self.departments)

    def series_keys(self) -> dict[str, str]:
        """Upper-case target ids and statistic keys -> reporting key."""
        if self._keys is None:
            self.series_key("")
        assert self._keys is not None
        return self._keys

    def provenance_counts(self, plan: str | None = None) -> dict[Provenance, int]:
        """How many targets (of one plan, or of all) come from each source, in `Provenance` order, zeros included."""
        counts = dict.fromkeys(Provenance, 0)
        for t in self.for_plan(plan):
            counts[t.provenance] += 1
        return counts

    def rows(self) -> list[dict[str, Any]]:
        """One dict per target with exactly the CSV columns, for export."""
        return [target_row(t) for t in self.targets]


def target_row(t: Target) -> dict[str, Any]:
    return {
        "id": t.id,
        "plan": t.plan,
        "domain": t.domain,
        "goal_no": t.goal_no,
        "name": t.name,
        "unit": t.unit,
        "kind": t.kind.value,
        "target_value": t.target_value,
        "tolerance": t.tolerance,
        "target_year": t.target_year,
        "baseline_year": t.baseline_year,
        "baseline_value": t.baseline_value,
        "maintain": t.maintain,
        "scope": t.scope.value,
        "measure": t.measure.value,
        "sex": t.sex,
        "department": ";".join(t.department.all),
        "statistic": t.statistic,
        "provenance": t.provenance.value,
        "source_text": t.source_text,
        "note": t.note,
    }


class CatalogueError(Exception):
    """Raised by `load_catalogue` when the target files have problems; holds all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"目标文件有 {len(problems)} 处问题：\n{lines}")


# ---------------------------------------------------------------- YAML with lines


@dataclass
class _Located:
    """A parsed YAML document plus the line of every mapping key, by path."""

    data: Any
    lines: dict[tuple, int]


def _read_yaml(path: Path, problems: list[Problem]) -> _Located | None:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(TargetCode.FILE_UNREADABLE, "文件不是 UTF-8 编码。请用记事本或 VS Code 以 UTF-8 编码另存后再试。", name))
        return None
    except OSError as exc:
        problems.append(Problem(TargetCode.FILE_UNREADABLE, f"无法读取文件（{exc.strerror}）。", name))
        return None
    if not text.strip():
        problems.append(Problem(TargetCode.EMPTY_FILE, "文件是空的。", name))
        return None
    try:
        node, data = _parse_fast(text)
    except yaml.YAMLError:
        try:  # the pure-Python loader's message and position, as always reported
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problems.append(_syntax_problem(name, exc))
            return None
    lines: dict[tuple, int] = {}
    if node is not None:
        _index_lines(node, (), lines, name, problems)
    return _Located(data, lines)


def _parse_fast(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data of one document, parsed once by libyaml when available.

    The data is constructed from the very node tree, as `yaml.safe_load` constructs it
    from its own; a generated regions.yaml of the whole country (about 32,000 regions)
    takes seconds this way instead of most of a minute with two pure-Python parses.
    Any error raises, and the caller parses again with the pure-Python loader, so
    problems are worded and placed as before.
    """
    yaml.reader.Reader(text)  # the pure-Python loader's check for unacceptable characters (raises ReaderError)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


_YAML_PROBLEMS = {
    "could not find expected ':'": "找不到应有的冒号“:”",
    "found character '\\t' that cannot start any token": "出现了制表符（Tab），YAML 只能用空格缩进",
    "mapping values are not allowed here": "此处不能出现“键: 值”，多为缩进错误或文字中含未加引号的冒号",
    "found unexpected end of stream": "文件意外结束，多为引号未闭合",
    "did not find expected key": "缩进不对，找不到应有的键",
    "expected <block end>, but found": "缩进不一致",
    "did not find expected node content": "缺少内容，多为列表或括号写法不对",
    "did not find expected ',' or ']'": "方括号列表未闭合或缺少逗号",
    "did not find expected ',' or '}'": "花括号未闭合或缺少逗号",
    "found unknown escape character": "引号中有无法识别的反斜杠转义",
    "found character '%' that cannot start any token": "“%”不能作为值的开头，请加引号，如 unit: \"%\"",
    "found character '@' that cannot start any token": "“@”不能作为值的开头，请加引号",
    "found character '`' that cannot start any token": "“`”不能作为值的开头，请加引号",
}


def _syntax_problem(name: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = f"第{mark.column + 1}列" if mark is not None else ""
    what = getattr(exc, "problem", None) or str(exc)
    for english, chinese in _YAML_PROBLEMS.items():
        if what.startswith(english):
            what = chinese
            break
    hint = "常见原因：缩进不一致、冒号后缺少空格、引号或括号未闭合、使用了制表符（Tab）缩进、同一列表项混用了不同缩进。"
    return Problem(TargetCode.YAML_SYNTAX, f"YAML 语法错误（{column}，{what}）。{hint}", name, line)


def _index_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], name: str, problems: list[Problem]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(Problem(TargetCode.DUPLICATE_KEY, f"同一层级中键“{key}”出现了两次，后一个会覆盖前一个。请删除或合并其中一个。", name, key_node.start_mark.line + 1, key))
            seen.add(key)
            _index_lines(value_node, (*path, key), lines, name, problems)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines, name, problems)


# ---------------------------------------------------------------- pydantic errors in Chinese

_FIELD_LABELS = {
    "id": "指标编号", "domain": "领域", "goal_no": "目标序号", "name": "指标名称", "unit": "单位",
    "kind": "目标类型", "target_value": "目标值", "tolerance": "允许偏差", "target_year": "目标年份",
    "baseline_year": "基期年份", "baseline_value": "基期值", "maintain": "是否须每年保持",
    "scope": "适用范围", "measure": "统计类型", "sex": "性别", "department": "责任单位", "statistic": "共用统计项", "provenance": "出处",
    "source_text": "原文", "note": "备注", "lead": "牵头单位", "supporting": "配合单位",
    "assigned": "单位确定方式", "plan": "规划代码", "title": "规划名称", "document": "文号",
    "issuer": "发文机关", "issued": "印发日期", "order": "排列顺序", "published_in": "刊载于", "period_start": "规划起始年",
    "period_end": "规划终止年", "domains": "领域列表", "targets": "目标列表", "code": "区划代码",
    "full_name": "全称", "level": "层级", "parent": "上级代码", "aliases": "别名", "all_indicators": "可报送全部指标",
}


def _pydantic_problems(exc: ValidationError, file: str, located: _Located, base: tuple, target_id: str | None) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = str(loc[0]) if loc else None
        label = _FIELD_LABELS.get(key or "", key or "")
        line = located.lines.get((*base, *loc)) or located.lines.get((*base, *loc[:1])) or located.lines.get(base)
        kind = err["type"]
        if kind == "missing":
            code, msg = TargetCode.MISSING_FIELD, f"缺少必填字段“{key}”（{label}）。"
        elif kind == "extra_forbidden":
            code = TargetCode.UNKNOWN_KEY
            msg = f"未知字段“{key}”。请检查拼写；允许的字段见 docs/targets.md。"
        elif key == "kind" and kind in ("enum", "literal_error"):
            code = TargetCode.INVALID_KIND
            msg = f"目标类型“{err.get('input')}”无效，只能是 max、min、approx、reduce_from_base、increase、decrease 之一。"
        elif kind in ("enum", "literal_error"):
            allowed = err.get("ctx", {}).get("expected", "")
            code, msg = TargetCode.INVALID_VALUE, f"{label}的取值“{err.get('input')}”无效，应为 {allowed}。"
        elif kind.startswith(("float", "int")):
            code, msg = TargetCode.INVALID_VALUE, f"{label}应为数字，现在是“{err.get('input')}”。"
        elif kind.startswith("bool"):
            code, msg = TargetCode.INVALID_VALUE, f"{label}应为 true 或 false，现在是“{err.get('input')}”。"
        elif kind.startswith("string"):
            code, msg = TargetCode.INVALID_VALUE, f"{label}应为文字，现在是“{err.get('input')}”。"
        elif kind.startswith(("list", "model", "dict")):
            code, msg = TargetCode.INVALID_VALUE, f"{label}的格式不对（应为{'列表' if kind.startswith('list') else '键值对'}）。"
        else:
            code, msg = TargetCode.INVALID_VALUE, f"{label}的取值无效：{err['msg']}。"
        field_name = ".".join(str(p) for p in loc) if loc else None
        problems.append(Problem(code, msg, file, line, field_name, target_id))
    return problems


# ---------------------------------------------------------------- loading


def plan_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in RESERVED_FILES)


def check_catalogue(directory: Path | str = TARGETS_DIR) -> tuple[Catalogue | None, list[Problem]]:
    """Load and check every YAML file of a targets folder; never raises on bad content."""
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem(TargetCode.FILE_UNREADABLE, f"目标文件夹“{directory}”不存在。"))
        return None, problems

    departments = _load_departments(directory, problems)
    regions, office = _load_regions(directory, problems)
    known_departments = {name for d in departments for name in (d.name, d.full_name, *d.aliases)}

    plans: dict[str, Plan] = {}
    targets: list[Target] = []
    first_seen: dict[str, tuple[str, int | None]] = {}
    files = plan_files(directory)
    if not files:
        problems.append(Problem(TargetCode.NO_PLANS, f"目标文件夹“{directory}”中没有规划文件（*.yaml）。"))
    for path in files:
        plan, plan_targets = _load_plan(path, known_departments if departments else None, problems)
        if plan is None:
            continue
        if plan.plan in plans:
            problems.append(Problem(TargetCode.DUPLICATE_PLAN, f"规划代码“{plan.plan}”已在 {plans[plan.plan].file} 中使用，每个规划文件的代码必须不同。", path.name, 1, "plan"))
            continue
        plans[plan.plan] = plan
        for target, line in plan_targets:
            if target.id in first_seen:
                other_file, other_line = first_seen[target.id]
                where = f"{other_file} 第{other_line}行" if other_line else other_file
                problems.append(Problem(TargetCode.DUPLICATE_ID, f"指标编号“{target.id}”重复，已在 {where} 使用。编号必须唯一且不得重复使用。", path.name, line, "id", target.id))
                continue
            first_seen[target.id] = (path.name, line)
            targets.append(target)

    _check_statistics(targets, first_seen, problems)
    if problems:
        return None, problems
    ordered = dict(sorted(plans.items(), key=lambda item: (item[1].order, item[1].file)))
    rank = {key: index for index, key in enumerate(ordered)}
    targets.sort(key=lambda t: rank[t.plan])  # stable: each plan keeps its file order
    return Catalogue(ordered, targets, regions, departments, office), problems


def load_catalogue(directory: Path | str = TARGETS_DIR) -> Catalogue:
    catalogue, problems = check_catalogue(directory)
    if catalogue is None:
        raise CatalogueError(problems)
    return catalogue


def _load_plan(path: Path, departments: set[str] | None, problems: list[Problem]) -> tuple[Plan | None, list[tuple[Target, int | None]]]:
    name = path.name
    located = _read_yaml(path, problems)
    if located is None:
        return None, []
    if not isinstance(located.data, dict):
        problems.append(Problem(TargetCode.NOT_A_MAPPING, "文件顶层应为键值对（plan、title、targets 等），请参照 docs/targets.md 中的示例。", name, 1))
        return None, []
    try:
        header = PlanHeader.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, name, located, (), None))
        return None, []

    file_problems: list[Problem] = []
    if not PLAN_PATTERN.match(header.plan):
        file_problems.append(Problem(TargetCode.INVALID_VALUE, f"规划代码“{header.plan}”应为小写英文字母、数字和连字符，如 women、children-2030。", name, located.lines.get(("plan",)), "plan"))
    if not header.baseline_year < header.period_start <= header.period_end:
        file_problems.append(Problem(TargetCode.INVALID_YEARS, f"规划期 {header.period_start}—{header.period_end} 年与基期 {header.baseline_year} 年不一致。", name, located.lines.get(("period_start",))))
    plan = Plan(
        plan=header.plan, order=header.order, title=header.title, document=header.document, issuer=header.issuer,
        issued=header.issued, published_in=header.published_in, period_start=header.period_start,
        period_end=header.period_end, baseline_year=header.baseline_year, domains=tuple(header.domains), file=name,
    )

    result: list[tuple[Target, int | None]] = []
    for index, raw in enumerate(header.targets):
        base = ("targets", index)
        line = located.lines.get(base)
        target_id = raw.get("id") if isinstance(raw, dict) else None
        target_id = str(target_id) if target_id is not None else None
        if not isinstance(raw, dict):
            file_problems.append(Problem(TargetCode.NOT_A_MAPPING, "目标列表中的每一项都应是键值对（id、name、kind 等）。", name, line))
            continue
        filled = {"baseline_year": header.baseline_year, "target_year": header.period_end, **raw, "plan": header.plan}
        if filled.get("baseline_year") is None:
            filled["baseline_year"] = header.baseline_year
        if filled.get("target_year") is None:
            filled["target_year"] = header.period_end
        if "plan" in raw:
            file_problems.append(Problem(TargetCode.UNKNOWN_KEY, "目标中不应写“plan”，规划代码由文件顶层的 plan 决定。", name, located.lines.get((*base, "plan")), "plan", target_id))
            continue
        try:
            target = Target.model_validate(filled)
        except ValidationError as exc:
            file_problems.extend(_pydantic_problems(exc, name, located, base, target_id))
            continue
        target_problems = list(_semantic_problems(target, plan, departments))
        for code, field_name, message in target_problems:
            file_problems.append(Problem(code, message, name, located.lines.get((*base, field_name)) or line, field_name, target.id))
        if not target_problems:
            result.append((target, line))
    problems.extend(file_problems)
    return (plan if not file_problems else None), result


def _semantic_problems(t: Target, plan: Plan, departments: set[str] | None) -> Iterable[tuple[TargetCode, str, str]]:
    """Cross-field rules that a type check cannot express."""
    if not ID_PATTERN.match(t.id):
        yield TargetCode.INVALID_ID, "id", f"指标编号“{t.id}”格式不对，应如 W1-02、C1-03b（大写字母开头，领域号-目标号）。"
    if t.domain not in plan.domains:
        yield TargetCode.UNKNOWN_DOMAIN, "domain", f"领域“{t.domain}”不在本规划的领域列表（domains）中：{'、'.join(plan.domains)}。"
    unit = UNITS.get(t.unit)
    if unit is None:
        yield TargetCode.UNKNOWN_UNIT, "unit", f"单位“{t.unit}”无法识别，可用的单位：{'、'.join(UNITS)}。"
    if t.kind in DIRECTION_ONLY:
        if t.target_value is not None:
            yield TargetCode.TARGET_VALUE_NOT_ALLOWED, "target_value", f"目标类型 {t.kind.value} 是方向性目标（逐步提高/下降），不设目标值，请把 target_value 写成 null。"
    elif t.target_value is None:
        yield TargetCode.TARGET_VALUE_MISSING, "target_value", f"目标类型 {t.kind.value} 必须填写目标值 target_value。"
    if t.tolerance is not None and t.kind != Kind.APPROX:
        yield TargetCode.TOLERANCE_NOT_APPROX, "tolerance", f"只有 approx（…左右）类目标才能设允许偏差 tolerance，本目标类型是 {t.kind.value}。"
    if t.kind == Kind.APPROX and (t.tolerance is None or t.tolerance <= 0):
        yield TargetCode.MISSING_FIELD, "tolerance", "approx（…左右）类目标必须填写大于 0 的允许偏差 tolerance。"
    if t.kind == Kind.REDUCE_FROM_BASE and t.target_value is not None and not 0 < t.target_value <= 100:
        yield TargetCode.VALUE_OUT_OF_RANGE, "target_value", f"reduce_from_base 的目标值是下降的百分比，应在 0—100 之间，现在是 {_plain(t.target_value)}。"
    if unit is not None and t.kind != Kind.REDUCE_FROM_BASE:
        for key, value in (("target_value", t.target_value), ("baseline_value", t.baseline_value)):
            if value is None:
                continue
            if t.unit == "%" and value > 100:
                yield TargetCode.PERCENT_ABOVE_100, key, f"百分比不能超过 100%，现在是 {_plain(value)}%。"
            elif value < unit.lower or (unit.upper is not None and value > unit.upper):
                yield TargetCode.VALUE_OUT_OF_RANGE, key, f"取值 {_plain(value)} 超出单位“{t.unit}”的合理范围。"
    if t.baseline_year is not None and t.target_year is not None and t.baseline_year >= t.target_year:
        yield TargetCode.INVALID_YEARS, "target_year", f"目标年份 {t.target_year} 应晚于基期年份 {t.baseline_year}。"
    if unit is not None:
        yield from _measure_problems(t, unit)
    if t.provenance in (Provenance.GOAL, Provenance.TASK) and not (t.source_text or "").strip():
        yield TargetCode.SOURCE_TEXT_MISSING, "source_text", "出处为规划文本（goal、task）的目标必须抄录原文句子 source_text。"
    if t.statistic is not None and not STATISTIC_PATTERN.match(t.statistic):
        yield TargetCode.INVALID_VALUE, "statistic", f"共用统计项“{t.statistic}”应为小写英文和下划线，如 rural_tap_water。"
    if departments is not None:
        for dep in t.department.all:
            if dep not in departments:
                yield TargetCode.UNKNOWN_DEPARTMENT, "department", f"单位“{dep}”不在 departments.yaml 中。请使用其中的简称，或先在 departments.yaml 中添加该单位。"


def _measure_problems(t: Target, unit: Unit) -> Iterable[tuple[TargetCode, str, str]]:
    """The unit must suit what the target measures (`measure`) and the series it is read on (`sex`)."""
    if t.measure == Measure.RATE and not unit.is_ratio:
        yield (TargetCode.MEASURE_UNIT_MISMATCH, "measure",
               f"统计类型 rate（{MEASURE_LABELS[t.measure]}）须用比率单位（‰、1/10万、%），本目标的单位是“{t.unit}”。"
               "请改正单位；寿命、人数、金额、差值等请把 measure 改为 level。")
    if t.measure in (Measure.SHARE, Measure.COMPLETE_SHARE) and t.unit != "%":
        yield (TargetCode.MEASURE_UNIT_MISMATCH, "measure",
               f"统计类型 {t.measure.value}（{MEASURE_LABELS[t.measure]}）须用单位“%”，本目标的单位是“{t.unit}”。"
               "千分率、十万分率请把 measure 改为 rate；百分点（差值）、人数、金额等请改为 level。")
    if t.sex in GAP_SEXES and unit.is_ratio and unit.lower >= 0:
        first, second = GAP_SEXES[t.sex]
        yield (TargetCode.MEASURE_UNIT_MISMATCH, "sex",
               f"性别“{t.sex}”表示两性差距（{first}性的值减{second}性的值），可能为负数，不能用单位“{t.unit}”。"
               "两个百分比之差请用单位“百分点”，时长、年数之差用“小时”“年”等，并把 measure 写为 level。")


def _check_statistics(targets: list[Target], where: dict[str, tuple[str, int | None]], problems: list[Problem]) -> None:
    units: dict[str, Target] = {}
    for t in targets:
        if t.statistic is None:
            continue
        first = units.setdefault(t.statistic, t)
        if first.unit != t.unit:
            file, line = where[t.id]
            problems.append(Problem(TargetCode.STATISTIC_UNIT_MISMATCH, f"共用统计项“{t.statistic}”在 {first.id} 中的单位是“{first.unit}”，这里是“{t.unit}”。同一统计项只能有一个单位。", file, line, "unit", t.id))


def _load_list(directory: Path, filename: str, key: str, problems: list[Problem],
               optional: tuple[str, ...] = ()) -> tuple[_Located | None, list[Any]]:
    path = directory / filename
    if not path.exists():
        return None, []
    located = _read_yaml(path, problems)
    if located is None:
        return None, []
    if not isinstance(located.data, dict) or not isinstance(located.data.get(key), list):
        problems.append(Problem(TargetCode.NOT_A_MAPPING, f"文件顶层应为“{key}:”加一个列表。", filename, 1, key))
        return None, []
    unknown = set(located.data) - {key, *optional}
    for extra in sorted(unknown):
        problems.append(Problem(TargetCode.UNKNOWN_KEY, f"未知字段“{extra}”。", filename, located.lines.get((extra,)), extra))
    return located, located.data[key]


def _load_regions(directory: Path, problems: list[Problem]) -> tuple[list[Region], str | None]:
    located, items = _load_list(directory, REGIONS_FILE, "regions", problems, optional=("office",))
    regions: list[Region] = []
    for index, raw in enumerate(items):
        base = ("regions", index)
        try:
            regions.append(Region.model_validate(raw))
        except ValidationError as exc:
            assert located is not None
            problems.extend(_pydantic_problems(exc, REGIONS_FILE, located, base, None))
    codes: set[str] = set()
    names: set[tuple[str | None, str]] = set()  # township names repeat across counties, not within one
    for index, region in enumerate(regions):
        line = located.lines.get(("regions", index)) if located else None
        if region.code in codes:
            problems.append(Problem(TargetCode.DUPLICATE_REGION, f"区划代码“{region.code}”重复。", REGIONS_FILE, line))
        if (region.parent, region.name) in names:
            problems.append(Problem(TargetCode.DUPLICATE_REGION, f"名称“{region.name}”在同一上级地区下重复。", REGIONS_FILE, line))
        codes.add(region.code)
        names.add((region.parent, region.name))
    for index, region in enumerate(regions):
        if region.parent is not None and region.parent not in codes:
            line = located.lines.get(("regions", index)) if located else None
            problems.append(Problem(TargetCode.UNKNOWN_PARENT, f"{region.name}的上级代码“{region.parent}”不在本文件中。", REGIONS_FILE, line, "parent"))
    office = located.data.get("office") if located is not None else None
    if office is not None:
        office = str(office)
        if office not in codes or next(r for r in regions if r.code == office).level not in ("country", "province", "city", "county"):
            problems.append(Problem(TargetCode.UNKNOWN_OFFICE, f"office“{office}”应为本文件中一个县、市、省的区划代码（本平台所属的地区）。",
                                    REGIONS_FILE, located.lines.get(("office",)) if located else None, "office"))
            office = None
    return regions, office


def _load_departments(directory: Path, problems: list[Problem]) -> list[Department]:
    located, items = _load_list(directory, DEPARTMENTS_FILE, "departments", problems)
    departments: list[Department] = []
    for index, raw in enumerate(items):
        try:
            departments.append(Department.model_validate(raw))
        except ValidationError as exc:
            assert located is not None
            problems.extend(_pydantic_problems(exc, DEPARTMENTS_FILE, located, ("departments", index), None))
    seen: dict[str, str] = {}
    for index, dep in enumerate(departments):
        for written in {dep.name, dep.full_name, *dep.aliases}:
            if written in seen and seen[written] != dep.name:
                line = located.lines.get(("departments", index)) if located else None
                problems.append(Problem(TargetCode.DUPLICATE_DEPARTMENT, f"“{written}”同时是“{seen[written]}”和“{dep.name}”的名称或别名。", DEPARTMENTS_FILE, line))
            seen[written] = dep.name
    return departments


# ---------------------------------------------------------------- tables for people

TABLE_LABELS = {
    "id": "编号", "plan": "规划", "domain": "领域", "goal_no": "目标序号", "name": "指标名称", "unit": "单位",
    "target": "目标", "kind": "目标类型", "target_value": "目标值", "tolerance": "允许偏差", "target_year": "目标年份",
    "baseline_year": "基期年份", "baseline_value": "基期值", "maintain": "每年须保持", "scope": "适用范围",
    "measure": "统计类型", "sex": "性别",
    "department": "牵头单位", "supporting": "配合单位", "assigned": "单位来源", "statistic": "共用统计项",
    "provenance": "出处", "source_text": "规划原文", "note": "备注",
}
SCOPE_LABELS = {Scope.COUNTY: "全县", Scope.EACH_TOWNSHIP: "各乡（镇）"}
PROVENANCE_LABELS = {Provenance.GOAL: "规划主要目标", Provenance.TASK: "规划重点任务", Provenance.NATIONAL_PLAN: "参照国家规划补充（待核对）"}
MEASURE_LABELS = {Measure.RATE: "事件发生率", Measure.SHARE: "人群比例", Measure.COMPLETE_SHARE: "全数比例（小规模整体的构成）",
                  Measure.LEVEL: "数值（寿命、人数、金额、差值等）"}
# How a summary or report counts the targets of each source: "…的指标{n}项".
PROVENANCE_PHRASES = {
    Provenance.GOAL: "规划主要目标确定的指标{n}项",
    Provenance.TASK: "规划重点任务中的量化要求{n}项",
    Provenance.NATIONAL_PLAN: "参照国家规划补充的指标{n}项（待与县指标表核对）",
}


def provenance_sentence(counts: dict[Provenance, int]) -> str:
    """The targets by source in one clause, as a 公文 writes it, sources without targets left out:
    “规划主要目标确定的指标1项，规划重点任务中的量化要求26项，参照国家规划补充的指标9项（待与县指标表核对）”.
    Empty when there are no targets."""
    return "，".join(PROVENANCE_PHRASES[p].format(n=counts[p]) for p in Provenance if counts.get(p, 0) > 0)


def catalogue_table(catalogue: Catalogue) -> pd.DataFrame:
    """The whole catalogue with Chinese column names, as the 目标库 page and its downloads show it."""

    records = []
    for t in catalogue.targets:
        plan = catalogue.plans[t.plan]
        records.append({
            "编号": t.id,
            "规划": plan.title,
            "领域": t.domain,
            "目标序号": t.goal_no,
            "指标名称": t.name,
            "单位": t.unit,
            "目标": t.target_label(),
            "目标类型": t.kind.value,
            "目标值": t.target_value,
            "目标年份": t.target_year,
            "基期年份": t.baseline_year,
            "基期值": t.baseline_value,
            "每年须保持": "是" if t.maintain else "否",
            "适用范围": SCOPE_LABELS[t.scope],
            "统计类型": MEASURE_LABELS[t.measure],
            "性别": t.sex,
            "牵头单位": t.department.lead,
            "配合单位": "、".join(t.department.supporting),
            "单位来源": "规划明确" if t.department.assigned == "plan" else "默认分配（待核实）",
            "共用统计项": t.statistic or "",
            "出处": PROVENANCE_LABELS.get(t.provenance, t.provenance),
            "规划原文": t.source_text or "",
            "备注": t.note or "",
        })
    return pd.DataFrame.from_records(records)


def filter_table(table: pd.DataFrame, plan_title: str | None = None, domain: str | None = None,
                 department: str | None = None, query: str = "") -> pd.DataFrame:
    """Rows matching every given filter; the query searches id, name, source sentence and note."""
    mask = table["编号"].notna()
    if plan_title:
        mask &= table["规划"] == plan_title
    if domain:
        mask &= table["领域"] == domain
    if department:
        mask &= (table["牵头单位"] == department) | table["配合单位"].str.contains(department, regex=False)
    query = query.strip()
    if query:
        haystack = table["编号"] + " " + table["指标名称"] + " " + table["规划原文"] + " " + table["备注"]
        mask &= haystack.str.contains(query, case=False, regex=False)
    return table[mask].reset_index(drop=True)


def fingerprint(directory: Path | str = TARGETS_DIR) -> tuple:
    """Names, sizes and modification times of the target files: a cache key that changes with any edit."""
    directory = Path(directory)
    if not directory.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in directory.glob("*.yaml")))

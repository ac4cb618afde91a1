"""Who may do what: the role × action table, the one check every action goes through, and the pages per role.

Checks live here, in the engine, and the service layer (`monitoring.actions`)
calls `authorize` on every action; the dashboard only hides what a role cannot
use, it never decides. The table is data, so a test can walk every role
against every action and the README table is checked against the same source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from monitoring.users import ROLE_LABELS, Role, User

LOCAL_NAME = "本机用户"


class Action(StrEnum):
    VIEW = "view"  # the monitoring pages: overview, indicators, warnings, catalogue
    SUBMIT = "submit"  # send a data file for a unit (a department only for its own units)
    SUBMISSIONS = "submissions"  # see submissions and their outcome (a department only its own)
    APPROVE = "approve"
    REJECT = "reject"
    REPORT = "report"  # generate the evaluation reports
    AUDIT = "audit"  # read the audit trail
    MANAGE_USERS = "manage_users"


ACTION_LABELS: dict[str, str] = {
    Action.VIEW: "查看监测数据",
    Action.SUBMIT: "报送数据",
    Action.SUBMISSIONS: "查看报送记录",
    Action.APPROVE: "批准报送",
    Action.REJECT: "驳回报送",
    Action.REPORT: "生成评估报告",
    Action.AUDIT: "查看审计日志",
    Action.MANAGE_USERS: "管理用户",
}

# What each role may do. Department-scoped actions (SUBMIT, SUBMISSIONS) are
# further limited to the user's own units for the department role.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.DEPARTMENT: frozenset({Action.VIEW, Action.SUBMIT, Action.SUBMISSIONS}),
    Role.OFFICE: frozenset({Action.VIEW, Action.SUBMIT, Action.SUBMISSIONS, Action.APPROVE, Action.REJECT, Action.REPORT, Action.AUDIT}),
    Role.ADMIN: frozenset({Action.VIEW, Action.AUDIT, Action.MANAGE_USERS}),
}
SCOPED = frozenset({Action.SUBMIT, Action.SUBMISSIONS})  # a department user acts only for its bound units


class PermissionDenied(Exception):
    """An action the acting user may not take; the message is Chinese and says what to do instead."""

    def __init__(self, message: str, user: User | None = None, action: Action | None = None, department: str | None = None) -> None:
        super().__init__(message)
        self.user = user
        self.action = action
        self.department = department


def local_user(name: str | None = None) -> User:
    """The built-in user of local mode (no users file): office and admin rights, so the quick start works.

    `name` is the person typed on a form or given with --user, so the store and
    the audit log still say who did it.
    """
    name = (name or "").strip() or LOCAL_NAME
    return User(name, frozenset({Role.OFFICE, Role.ADMIN}), (), local=True)


def actions_for(user: User) -> frozenset[Action]:
    allowed: set[Action] = set()
    for role in user.roles:
        allowed |= ROLE_ACTIONS[role]
    return frozenset(allowed)


def _bound(user: User, department: str | None) -> bool:
    """Whether the user may act for `department`: office (and local) for every unit, a department user for its own."""
    if Role.OFFICE in user.roles or user.local:
        return True
    if Role.DEPARTMENT in user.roles:
        return department is None or department in user.departments
    return False


def can(user: User | None, action: Action, department: str | None = None) -> bool:
    if user is None:
        return False
    if action not in actions_for(user):
        return False
    if action in SCOPED:
        return _bound(user, department)
    return True


def authorize(user: User | None, action: Action, department: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may take `action` (for `department`, where the action is per unit)."""
    if user is None:
        raise PermissionDenied("请先登录。", None, action, department)
    if can(user, action, department):
        return
    what = ACTION_LABELS[action]
    if action in SCOPED and action in actions_for(user):
        units = "、".join(user.departments) or "无"
        raise PermissionDenied(f"{user.name}只能为本单位（{units}）{what}，不能为{department}{what}。", user, action, department)
    roles = "、".join(ROLE_LABELS[r] for r in sorted(user.roles))
    who = {
        Action.APPROVE: "只有县妇儿工委办公室可以批准报送。",
        Action.REJECT: "只有县妇儿工委办公室可以驳回报送。",
        Action.REPORT: "只有县妇儿工委办公室可以生成评估报告。",
        Action.AUDIT: "只有县妇儿工委办公室和系统管理员可以查看审计日志。",
        Action.MANAGE_USERS: "只有系统管理员可以管理用户。",
        Action.SUBMIT: "只有报送单位和县妇儿工委办公室可以报送数据。",
        Action.SUBMISSIONS: "只有报送单位和县妇儿工委办公室可以查看报送记录。",
    }.get(action, "")
    raise PermissionDenied(f"没有权限：{user.name}（{roles}）不能{what}。{who}", user, action, department)


def departments_for(user: User, all_departments: list[str]) -> list[str]:
    """The units a user may send data for, in the catalogue's order."""
    if not can(user, Action.SUBMIT):
        return []
    if Role.OFFICE in user.roles or user.local:
        return list(all_departments)
    return [d for d in all_departments if d in user.departments]


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class PageSpec:
    """One dashboard page and the action it needs; dashboard.py builds st.Page objects from these."""

    section: str
    path: str
    title: str
    icon: str
    url_path: str
    action: Action
    default: bool = False
    requires_counties: bool = False  # listed only when the data set holds several counties (区县对比)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("监测", "views/overview.py", "总览", ":material/dashboard:", "overview", Action.VIEW, default=True),
    PageSpec("监测", "views/indicators.py", "指标监测", ":material/table_chart:", "indicators", Action.VIEW),
    PageSpec("监测", "views/detail.py", "指标详情", ":material/monitoring:", "detail", Action.VIEW),
    PageSpec("监测", "views/alerts.py", "预警", ":material/warning:", "warnings", Action.VIEW),
    PageSpec("监测", "views/compare.py", "区县对比", ":material/leaderboard:", "compare", Action.VIEW, requires_counties=True),
    PageSpec("监测", "views/report.py", "评估报告", ":material/description:", "report", Action.REPORT),
    PageSpec("数据", "views/submit.py", "数据填报", ":material/upload_file:", "submit", Action.SUBMIT),
    PageSpec("数据", "views/review.py", "审核", ":material/rule:", "review", Action.APPROVE),
    PageSpec("数据", "views/reporting.py", "报送情况", ":material/fact_check:", "reporting", Action.VIEW),
    PageSpec("管理", "views/audit.py", "审计日志", ":material/history:", "audit", Action.AUDIT),
    PageSpec("管理", "views/users.py", "用户管理", ":material/manage_accounts:", "users", Action.MANAGE_USERS),
    PageSpec("参考", "views/catalogue.py", "目标库", ":material/menu_book:", "catalogue", Action.VIEW),
    PageSpec("参考", "views/methodology.py", "方法说明", ":material/help:", "methodology", Action.VIEW),
)


def pages_for(user: User | None) -> dict[str, list[PageSpec]]:
    """The pages a user may open, by section in display order; none before login.

    A page with `requires_counties` is listed in the navigation only when the data set holds
    several counties; otherwise dashboard.py keeps it hidden, its address explaining what it needs.
    """
    if user is None:
        return {}
    out: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        if can(user, page.action):
            out.setdefault(page.section, []).append(page)
    return out


def pages_denied(user: User | None) -> list[PageSpec]:
    """The pages a user may not open (the dashboard answers their addresses with a refusal, not the page)."""
    allowed = {p.path for section in pages_for(user).values() for p in section}
    return [p for p in PAGES if p.path not in allowed]

"""The command-line side of access control: `users`, `backup`, `restore`, and the acting identity of --user.

Kept apart from `monitoring.cli` so that file stays about data; `cli.build_parser`
calls `add_parsers`, and both take their shared helpers from `monitoring.cli_base`.
Whoever runs these commands is at the server and owns the files anyway, so
user management, backup and restore act as the operator (recorded as
命令行（<system account>）); submit, approve, reject and report act as the
user named with --user, with that user's rights once login is enabled.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from monitoring import actions, users
from monitoring.backup import BackupError, verify_archive
from monitoring.cli_base import EXIT_INVALID, EXIT_OK, Parser, UsageError, department_name, print_json, print_table, root_folder
from monitoring.permissions import PermissionDenied, local_user
from monitoring.users import Role, User, UsersError

OFFICE_DEFAULT = "县妇儿工委办公室"
# What the CLI reports as a refusal (exit 1) with its Chinese message.
REFUSALS = (PermissionDenied, UsersError, BackupError, users.LoginError)


def acting_user(name: str | None, default: str | None = None) -> User:
    """The identity an action is taken as: a user of the users file once login is on, else the local user named `name`."""
    if not users.login_enabled():
        return local_user(name or default)
    if not name:
        raise UsageError("已启用登录（存在用户文件），请用 --user 指定执行操作的用户名（python -m monitoring users list 查看）。")
    user = users.get(name.strip())
    if user is None:
        raise UsageError(f"用户文件中没有用户“{name}”。已启用登录时，--user 须为用户名（python -m monitoring users list 查看）。")
    return user


def read_password(confirm: bool = True) -> str:
    """The new password from a hidden prompt (twice) or, when stdin is not a terminal, its first line; never an argument."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("密码（输入时不显示）：")
        if confirm and getpass.getpass("再输入一次：") != first:
            raise UsageError("两次输入的密码不一致，未做修改。")
        password = first
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        password = line.rstrip("\r\n")
    if not password:
        raise UsageError("没有读到密码。请在提示处输入，或从标准输入传入（如 echo 密码 | python -m monitoring users passwd 用户名，注意不要留在命令历史中）。")
    return password


def _departments(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    from monitoring.catalogue import load_catalogue

    catalogue = load_catalogue()
    return [name for name in (department_name(catalogue, v) for v in values) if name]


def cmd_users(args: argparse.Namespace) -> int:
    path = users.users_path()
    root = root_folder(args.root)
    operator = actions.operator()
    source = actions.CLI
    if args.users_command == "list":
        accounts = actions.list_users(operator)
        if args.json:
            print_json(accounts)
            return EXIT_OK
        if not accounts:
            print(f"没有用户（{path} {'存在但为空，任何人都无法登录' if path.exists() else '不存在，平台处于本机模式，未启用登录'}）。")
            return EXIT_OK
        for account in accounts:
            failures, locked = users.lock_status(account["name"], root)
            account["departments"] = "、".join(account["departments"])
            account["lock"] = f"锁定中（还剩 {int(locked // 60) + 1} 分钟）" if locked else (f"已失败 {failures} 次" if failures else "")
        print_table(accounts, [("name", "用户名"), ("role_label", "角色"), ("departments", "单位"), ("created", "创建时间"),
                               ("changed", "修改时间"), ("lock", "登录状态")])
        print(f"\n共 {len(accounts)} 个用户。用户文件：{path}")
        return EXIT_OK
    if args.users_command == "add":
        existed = path.exists()
        departments = _departments(args.department) or []
        password = read_password()
        account = actions.add_user(operator, args.name, args.role, departments, password, root=root, source=source)
        units = f"，单位：{'、'.join(account['departments'])}" if account["departments"] else ""
        print(f"已添加用户 {account['name']}（{account['role_label']}{units}）。")
        if not existed:
            print(f"已创建用户文件 {path}：平台从现在起需要登录，不再是本机模式。")
        if not any(a["role"] == Role.ADMIN for a in actions.list_users(operator)):
            print("提示：还没有管理员（admin）用户，网页上无人能管理用户。可运行 python -m monitoring users add 用户名 --role admin。")
        return EXIT_OK
    if args.users_command == "edit":
        if args.role is None and args.department is None:
            raise UsageError("请用 --role 和/或 --department 指定要修改的内容。")
        account = actions.edit_user(operator, args.name, args.role, _departments(args.department), root=root, source=source)
        units = f"，单位：{'、'.join(account['departments'])}" if account["departments"] else ""
        print(f"已修改用户 {account['name']}：{account['role_label']}{units}。该用户需重新登录。")
        return EXIT_OK
    if args.users_command == "passwd":
        if users.get(args.name.strip()) is None:
            raise UsersError(f"没有用户“{args.name}”。用 python -m monitoring users list 查看全部用户。")
        password = read_password()
        account = actions.set_password(operator, args.name, password, root=root, source=source)
        print(f"已重设 {account['name']} 的密码（并解除锁定）。该用户需用新密码重新登录。")
        return EXIT_OK
    if args.users_command == "remove":
        account = actions.remove_user(operator, args.name, root=root, source=source)
        print(f"已删除用户 {account['name']}（{account['role_label']}）。其报送和审核记录保留不变。")
        return EXIT_OK
    if args.users_command == "unlock":
        cleared = actions.unlock_user(operator, args.name, root=root, source=source)
        print(f"已解除 {args.name} 的登录锁定。" if cleared else f"{args.name} 没有被锁定。")
        return EXIT_OK
    raise UsageError("请指定 users 的子命令：add、edit、remove、passwd、unlock、list。")


def cmd_backup(args: argparse.Namespace) -> int:
    from monitoring.backup import sha256_file

    out = Path(args.out)
    root = root_folder(args.root)
    count = actions.backup(actions.operator(), out, root)
    size = out.stat().st_size
    print(f"已备份 {root} 的 {count} 个文件（含用户文件和校验清单）到 {out}（{size / 1024 / 1024:.1f} MB）。")
    print(f"备份文件 SHA-256：{sha256_file(out)}")
    print("请把备份文件复制到另一块硬盘、U 盘或网络共享文件夹：与数据放在同一块硬盘上的备份防不了硬盘损坏。")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"文件“{args.file}”不存在。")
    archive = verify_archive(path)
    created = archive.meta.get("created", "未知")
    print(f"备份文件校验通过：{len(archive.files)} 个文件，备份时间 {created}，{'含' if archive.has_users else '不含'}用户文件。")
    if args.check:
        return EXIT_OK
    root = root_folder(args.root)
    if sys.stdin is not None and sys.stdin.isatty() and not args.yes:
        answer = input(f"将用备份替换数据文件夹 {root} 中的全部数据（当前数据会先另存一份）。确定吗？输入 y 继续：")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消，未做任何改动。")
            return EXIT_INVALID
    result = actions.restore(actions.operator(), path, root)
    print(f"已恢复 {result.files} 个文件到 {root}。")
    if result.before:
        print(f"恢复前的数据已另存为 {result.before}（如需退回，可用它再恢复一次）。")
    if result.removed:
        print(f"备份中没有、已移除的文件 {len(result.removed)} 个（均在上面的另存文件中）。")
    if result.users == "restored":
        print(f"用户文件已恢复：{users.users_path()}")
    elif result.users == "kept":
        print(f"备份中没有用户文件（备份时是本机模式），保留了现有的用户文件 {users.users_path()}。")
    print("如平台正在运行，请刷新浏览器页面。")
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction, store_options) -> None:
    """The users, backup and restore subcommands (called from monitoring.cli.build_parser)."""
    roles = [str(r) for r in Role]
    p = sub.add_parser("users", help="管理登录用户（添加、修改、删除、重设密码、解锁、列出）",
                       description="管理平台的登录用户。用户保存在 config/users.yaml（可用环境变量 MONITORING_USERS 指定），"
                                   "密码只保存 bcrypt 散列。密码在提示处输入（不显示），或从标准输入读入，从不写在命令行上。"
                                   "角色：viewer 查看、department 报送单位（须 --department）、office 办公室、admin 管理员。")
    users_sub = p.add_subparsers(dest="users_command", title="子命令", metavar="子命令", parser_class=Parser)
    users_sub.required = True

    q = users_sub.add_parser("add", help="添加用户（随后提示输入密码）", description="添加用户。用户文件不存在时自动创建，平台随即启用登录。")
    q.add_argument("name", metavar="用户名")
    q.add_argument("--role", required=True, choices=roles, help="角色：viewer、department、office、admin")
    q.add_argument("--department", action="append", metavar="单位", help="报送单位用户所属的单位，可重复，如 --department 县卫体局")
    store_options(q)
    q.set_defaults(func=cmd_users)

    q = users_sub.add_parser("edit", help="修改用户的角色或单位", description="修改用户的角色或所属单位；该用户需重新登录。")
    q.add_argument("name", metavar="用户名")
    q.add_argument("--role", choices=roles, help="新的角色")
    q.add_argument("--department", action="append", metavar="单位", help="新的单位（替换原有单位），可重复")
    store_options(q)
    q.set_defaults(func=cmd_users)

    q = users_sub.add_parser("remove", help="删除用户", description="删除用户。其报送、审核记录和审计日志保留不变。")
    q.add_argument("name", metavar="用户名")
    store_options(q)
    q.set_defaults(func=cmd_users)

    q = users_sub.add_parser("passwd", help="重设密码（随后提示输入新密码）", description="重设用户的密码并解除锁定。")
    q.add_argument("name", metavar="用户名")
    store_options(q)
    q.set_defaults(func=cmd_users)

    q = users_sub.add_parser("unlock", help="解除登录锁定", description="登录连续失败 5 次会锁定 15 分钟；管理员可提前解除。")
    q.add_argument("name", metavar="用户名")
    store_options(q)
    q.set_defaults(func=cmd_users)

    q = users_sub.add_parser("list", help="列出用户", description="列出用户（不含密码）。")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    store_options(q)
    q.set_defaults(func=cmd_users)

    p = sub.add_parser("backup", help="备份整个数据文件夹和用户文件（zip，含校验清单）",
                       description="把数据文件夹（报送文件、提交清单、正式数据、审计日志等）和用户文件原样打包成 zip，附 SHA-256 校验清单。"
                                   "请把备份存到另一块硬盘或 U 盘。")
    p.add_argument("--out", required=True, metavar="文件", help="备份文件，以 .zip 结尾，不能在数据文件夹内")
    store_options(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复（先校验，并先另存当前数据）",
                       description="先逐个核对备份中每个文件的校验值，损坏或被改动的备份一律拒绝；通过后先把当前数据另存为"
                                   " <数据文件夹>-before-restore-<时间>.zip，再用备份替换数据文件夹和用户文件。")
    p.add_argument("file", metavar="备份文件", help="backup 生成的 .zip")
    p.add_argument("--check", action="store_true", help="只校验备份文件，不恢复")
    p.add_argument("--yes", action="store_true", help="不再询问确认")
    store_options(p)
    p.set_defaults(func=cmd_restore)

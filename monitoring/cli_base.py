"""What the command-line modules share: exit codes, argparse in Chinese, output helpers, common arguments.

`monitoring.cli` (the data commands) and `monitoring.cli_access` (users,
backup, restore) both import this module, and neither imports the other's
helpers, so the command line has no import circle.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or a missing file: exit 2 with the message."""


# ---------------------------------------------------------------- argparse in Chinese


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", r"参数 \1 的取值“\2”无效，可选：\3"),
    (r"argument (\S+): invalid (\w+) value: '?([^']*)'?", r"参数 \1 的取值“\3”无效"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面需要一个值"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", r"无效的子命令“\1”，可选：\2"),
]


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示帮助并退出")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            if re.search(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"错误：{message}\n（运行 python -m monitoring -h 查看帮助）\n")


# ---------------------------------------------------------------- output helpers


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], out=None) -> None:
    """A plain text table aligned for Chinese characters (which take two columns)."""
    out = out or sys.stdout
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max([_width(label)] + [_width(r[i]) for r in cells]) for i, (_, label) in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    print(line([label for _, label in columns]), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in cells:
        print(line(r), file=out)


def write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str], out=None) -> None:
    out = out or sys.stdout
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return value


def _number(value: float) -> str:
    """A number as a table or CSV shows it: no trailing zeros; a missing one (NaN) blank, not "nan"."""
    return "" if value != value else f"{value:.6f}".rstrip("0").rstrip(".")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- common arguments


def department_name(catalogue, value: str | None) -> str | None:
    """The department `value` names (short or full name), None for none; a name no department has is a UsageError."""
    if value is None:
        return None
    name = catalogue.department_name(value)
    if name is None:
        raise UsageError(f"没有单位“{value}”。可用的单位：{'、'.join(d.name for d in catalogue.departments)}。")
    return name


def root_folder(value: str | None) -> Path:
    """The data folder: `value` (--root), else data/ or $MONITORING_DATA."""
    from monitoring.datasets import data_root

    return Path(value) if value else data_root()

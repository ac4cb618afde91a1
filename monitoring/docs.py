"""User documents shipped in docs/, for the dashboard and the reports."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def methodology_markdown(examples: bool = True) -> str:
    """docs/methodology.md; without `examples`, the worked-example section (its last, "示例") is left out."""
    text = (DOCS / "methodology.md").read_text(encoding="utf-8")
    if not examples:
        text = re.split(r"\n## [一二三四五六七八九十]+、示例", text)[0]
    return text

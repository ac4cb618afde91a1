"""User documents shipped in docs/, for the dashboard and the reports."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def methodology_markdown(examples: bool = True) -> str:
    """docs/methodology.md; without `examples`, the worked-example section (section 七) is left out."""
    text = (DOCS / "methodology.md").read_text(encoding="utf-8")
    if not examples:
        text = re.split(r"\n## 七、", text)[0]
    return text

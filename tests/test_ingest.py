"""Unpacking submission archives: Moodle and plain layouts, unsafe entries refused."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.ingest import IngestError, safe_name, unpack_submissions


def _zip(path: Path, entries: dict[str, bytes], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_moodle_zip_with_unsafe_entries_refuses_them_and_unpacks_the_rest(tmp_path: Path):
    archive = _zip(
        tmp_path / "hw2.zip",
        {
            "سارا احمدی_12345_assignsubmission_file_/hw2.ipynb": b"{}",
            "سارا احمدی_12345_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
            "Ali Rezaei_67890_assignsubmission_file_/answers.yaml": b"answers: {}",
            "Ali Rezaei_67890_assignsubmission_file_/../evil.py": b"import os",
            "../evil.py": b"import os",
            "/etc/cron.d/evil": b"* * * * * root sh",
            "C:\\Windows\\evil.bat": b"del *",
        },
        symlinks={"Ali Rezaei_67890_assignsubmission_file_/passwd": "/etc/passwd"},
    )
    got = unpack_submissions(archive, tmp_path / "out")
    assert _files(got.root) == [
        "Ali Rezaei/answers.yaml",
        "سارا احمدی/hw2.ipynb",
        "سارا احمدی/onlinetext.html",
    ]
    refused = "\n".join(got.refused)
    assert len(got.refused) == 5, refused
    assert "../evil.py: refused: leaves the archive's folder" in refused
    assert "Ali Rezaei_67890_assignsubmission_file_/../evil.py: refused" in refused
    assert "/etc/cron.d/evil: refused: is an absolute path" in refused
    assert "C:\\Windows\\evil.bat: refused: is an absolute path" in refused
    assert "passwd: refused: is a symbolic link" in refused
    assert not (tmp_path / "evil.py").exists() and not (tmp_path / "out" / "..evil.py").exists()
    assert not (got.root / "Ali Rezaei" / "passwd").exists()


def test_moodle_flat_mode_and_old_names_without_trailing_underscore(tmp_path: Path):
    archive = _zip(
        tmp_path / "flat.zip",
        {
            "Reza Karimi_222_assignsubmission_file_hw2.ipynb": b"{}",
            "Reza Karimi_222_assignsubmission_file_notes.txt": b"x",
            "Mina Azadi_333_assignsubmission_file/hw2.ipynb": b"{}",
        },
    )
    got = unpack_submissions(archive, tmp_path / "out")
    assert _files(got.root) == [
        "Mina Azadi/hw2.ipynb",
        "Reza Karimi/hw2.ipynb",
        "Reza Karimi/notes.txt",
    ]
    assert got.refused == []


def test_two_participants_with_one_name_keep_separate_folders(tmp_path: Path):
    archive = _zip(
        tmp_path / "same.zip",
        {
            "Ali Rezaei_1_assignsubmission_file_/a.ipynb": b"1",
            "Ali Rezaei_2_assignsubmission_file_/a.ipynb": b"2",
        },
    )
    got = unpack_submissions(archive, tmp_path / "out")
    assert _files(got.root) == ["Ali Rezaei_1/a.ipynb", "Ali Rezaei_2/a.ipynb"]


def test_plain_zip_of_student_folders_inside_a_wrapper(tmp_path: Path):
    archive = _zip(
        tmp_path / "plain.zip",
        {
            "class/98411387/hw2.ipynb": b"{}",
            "class/۹۸۴۱۱۳۸۸/answers.yaml": b"x",
            "__MACOSX/class/._98411387": b"junk",
        },
    )
    got = unpack_submissions(archive, tmp_path / "out")
    assert _files(got.root) == ["98411387/hw2.ipynb", "۹۸۴۱۱۳۸۸/answers.yaml"]
    assert got.refused == []


def test_loose_files_outside_student_folders_are_refused(tmp_path: Path):
    archive = _zip(tmp_path / "loose.zip", {"98411387/hw2.ipynb": b"{}", "README.txt": b"x"})
    got = unpack_submissions(archive, tmp_path / "out")
    assert _files(got.root) == ["98411387/hw2.ipynb"]
    assert got.refused == ["README.txt: refused: not inside a student's folder"]


def test_a_file_that_unpacks_past_the_size_cap_is_refused_and_removed(tmp_path: Path):
    archive = _zip(tmp_path / "bomb.zip", {"s1/bomb.bin": b"\0" * 200_000, "s1/ok.txt": b"ok"})
    got = unpack_submissions(archive, tmp_path / "out", max_file_bytes=10_000)
    assert _files(got.root) == ["s1/ok.txt"]
    assert "s1/bomb.bin: refused: 200000 bytes, more than the limit" in got.refused[0]


def test_total_size_cap_counts_the_bytes_really_unpacked(tmp_path: Path):
    archive = _zip(tmp_path / "many.zip", {f"s{i}/f.bin": b"x" * 4000 for i in range(5)})
    got = unpack_submissions(archive, tmp_path / "out", max_total_bytes=10_000)
    assert len(_files(got.root)) == 2
    assert len(got.refused) == 3 and all("size limit" in r for r in got.refused)


def test_too_many_entries_is_an_error(tmp_path: Path):
    archive = _zip(tmp_path / "n.zip", {f"s/{i}.txt": b"" for i in range(30)})
    with pytest.raises(IngestError, match="30 entries"):
        unpack_submissions(archive, tmp_path / "out", max_entries=20)


def test_not_a_zip_is_an_error(tmp_path: Path):
    (tmp_path / "x.zip").write_text("hello")
    with pytest.raises(IngestError, match="not a readable zip"):
        unpack_submissions(tmp_path / "x.zip", tmp_path / "out")


def test_safe_name_keeps_persian_and_zwnj_but_drops_direction_marks():
    assert safe_name("محمد\u200cرضا") == "محمد\u200cرضا"
    assert safe_name("evil\u202egnp.exe") == "evilgnp.exe"
    assert safe_name('a/b\\c:d*"e') == "a_b_c_d__e"
    assert safe_name("..") == "_"


def test_encrypted_overlong_deep_and_clashing_entries_are_refused_by_name(tmp_path: Path):
    archive = tmp_path / "cls.zip"
    long_name = "ب" * 200  # 400 bytes: longer than any file system allows
    deep = "s4/" + "d/" * 40 + "x.yaml"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("s1/answers.yaml", b"answers: {}")
        zf.writestr("s2/answers.yaml", b"\x00" * 24)
        zf.writestr(f"s3/{long_name}.yaml", b"answers: {}")
        zf.writestr(deep, b"answers: {}")
        zf.writestr("s5/data", b"a file")
        zf.writestr("s5/data/inner.csv", b"a file in a folder of the same name")
    # Mark s2's entry encrypted in the central directory, as a password-protecting tool does.
    data = bytearray(archive.read_bytes())
    record = data.index(b"PK\x01\x02")
    while data[record + 46 : record + 46 + 15] != b"s2/answers.yaml":
        record = data.index(b"PK\x01\x02", record + 4)
    data[record + 8] |= 0x1
    archive.write_bytes(bytes(data))
    got = unpack_submissions(archive, tmp_path / "out")
    assert got.refused == [
        "s2/answers.yaml: refused: is encrypted (password-protected); zip it again "
        + "without a password",
        f"{deep}: refused: is nested more than 32 folders deep",
        "s5/data/inner.csv: refused: a file and a folder of the same name",
    ]
    files = _files(got.root)
    assert files[0] == "s1/answers.yaml" and files[2] == "s5/data"
    assert files[1].startswith("s3/ببب") and len(files[1].split("/")[1].encode()) <= 120


def test_an_entry_flagged_utf8_with_a_non_utf8_name_is_refused_by_name_and_the_rest_unpacked(
    tmp_path: Path,
):
    archive = tmp_path / "cls.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice/answers.yaml", b"answers: {}")
        zf.writestr("bobé/answers.yaml", b"answers: {}")  # non-ASCII: flagged UTF-8
    data = bytearray(archive.read_bytes())
    name = "bobé".encode()
    while (at := data.find(name)) >= 0:  # both headers: é (c3 a9) becomes invalid ff fe
        data[at + 3 : at + 5] = b"\xff\xfe"
    archive.write_bytes(bytes(data))
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(archive)  # what the standard library alone does with it
    got = unpack_submissions(archive, tmp_path / "out")
    assert got.refused == [
        (
            "bob\\xff\\xfe/answers.yaml: refused: its name is marked as UTF-8 but is not "
            "UTF-8; zip it again with another tool"
        )
    ]
    assert _files(got.root) == ["alice/answers.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cls.zip", "out"]  # no copy left

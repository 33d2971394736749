"""A student's notebook file and folder, read and copied on the grader's side before any
sandbox: nothing in them may crash, hang or recurse (grader.runner.notebook)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from grader.runner import notebook
from grader.runner.notebook import InvalidNotebook, copy_student_files, load_notebook


def _notebook(*sources: str) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "source": s,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
            for s in sources
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_a_100000_deep_notebook_is_an_invalid_notebook_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.ipynb"
    path.write_text('{"cells": [],\n "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}")
    start = time.perf_counter()
    with pytest.raises(InvalidNotebook) as caught:
        load_notebook(path)
    assert time.perf_counter() - start < 5
    assert caught.value.error.kind == "invalid_notebook"
    assert caught.value.error.message == (
        "deep.ipynb:2: not valid notebook JSON: nested more than 64 levels deep"
    )


def test_a_notebook_over_the_size_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(_notebook("x = 1" + " " * 5000)))
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 4096)
    with pytest.raises(InvalidNotebook) as caught:
        load_notebook(path)
    assert caught.value.error.message == "big.ipynb: larger than the limit of 4096 bytes"


def test_a_huge_integer_in_the_notebook_json_is_read_as_text_not_a_crash(tmp_path):
    data = _notebook("x = 1")
    text = json.dumps(data).replace('"execution_count": null', '"execution_count": ' + "9" * 6000)
    path = tmp_path / "int.ipynb"
    path.write_text(text)
    assert [(c.index, c.source) for c in load_notebook(path).cells] == [(0, "x = 1")]


def test_a_cell_holding_a_lone_surrogate_is_refused_by_cell(tmp_path: Path) -> None:
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(_notebook("a = 1", "b = '\ud800'")))
    with pytest.raises(InvalidNotebook) as caught:
        load_notebook(path)
    # the second cell, whichever numbering (0- or 1-based) the runner shows
    assert re.fullmatch(
        r"s\.ipynb: cell [12] holds a lone surrogate \(not text\)", caught.value.error.message
    )
    assert caught.value.error.cell_index in (1, 2)


def test_a_notebook_with_a_bom_and_ordinary_depth_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_notebook("a = 1", "b = [[[1]]]")).encode())
    loaded = load_notebook(path)
    assert [(c.index, c.source) for c in loaded.cells] == [(0, "a = 1"), (1, "b = [[[1]]]")]
    assert loaded.notes == []


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_copy_survives_a_tree_deeper_than_path_max(tmp_path: Path) -> None:
    src, dest = tmp_path / "student", tmp_path / "slot"
    src.mkdir(), dest.mkdir()
    (src / "hw.ipynb").write_text("{}")
    # 300 levels of 20-character names: 6 000 bytes, past PATH_MAX; built with relative
    # paths from inside, as a student's code would.
    here = os.open(src, os.O_RDONLY)
    try:
        for _ in range(300):
            os.mkdir("d" * 20, dir_fd=here)
            inner = os.open("d" * 20, os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        fd = os.open("deepest.txt", os.O_WRONLY | os.O_CREAT, dir_fd=here)
        os.close(fd)
    finally:
        os.close(here)
    notes = copy_student_files(src, dest)
    assert "hw.ipynb" in _files(dest)
    assert notes == [
        f"1 folder(s) nested more than {notebook.MAX_COPY_DEPTH} levels deep were not copied"
    ]


def test_copy_skips_unreadable_entries_and_links_with_notes(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file whatever its permissions")
    src, dest = tmp_path / "student", tmp_path / "slot"
    src.mkdir(), dest.mkdir()
    (src / "hw.ipynb").write_text("{}")
    (src / "secret.txt").write_text("x")
    (src / "secret.txt").chmod(0)
    (src / "locked").mkdir()
    (src / "locked").chmod(0)
    (src / "link").symlink_to(tmp_path)
    try:
        notes = copy_student_files(src, dest)
    finally:
        (src / "locked").chmod(0o755)
    assert _files(dest) == ["hw.ipynb"]
    assert notes == [
        "1 symbolic link(s) in the submission were not copied",
        "2 file(s) or folder(s) could not be read or copied and were left out",
    ]


def test_copy_skips_a_fifo_and_a_file_the_destination_cannot_take(tmp_path: Path) -> None:
    src, dest = tmp_path / "student", tmp_path / "slot"
    src.mkdir(), dest.mkdir()
    (src / "hw.ipynb").write_text("{}")
    os.mkfifo(src / "pipe")  # opening it would block forever
    (src / "data.csv").write_text("1,2\n")
    (src / "clash.txt").write_text("x")
    (dest / "clash.txt").mkdir()  # a file and a folder of the same name
    notes = copy_student_files(src, dest)
    assert _files(dest) == ["data.csv", "hw.ipynb"]
    assert notes == ["1 file(s) or folder(s) could not be read or copied and were left out"]


def test_copy_caps_the_number_of_entries(tmp_path, monkeypatch):
    src, dest = tmp_path / "student", tmp_path / "slot"
    src.mkdir(), dest.mkdir()
    for i in range(30):
        (src / f"f{i:02}.txt").write_text("x")
    monkeypatch.setattr(notebook, "MAX_COPY_ENTRIES", 10)
    notes = copy_student_files(src, dest)
    assert len(_files(dest)) == 10
    assert notes == ["20 entries past the first 10 were not copied"]

"""A class holding every bad input at once is graded: exit 0, honest students keep their
exact scores, each bad one has a one-line reason, look-alike ids stay apart, nothing
outside --out changes (issue 11)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOOD = (FIXTURES / "sheets" / "persian_digits_sheet.yaml").read_text(encoding="utf-8")
FULL = 21.0  # every part of the small rubric right

BAD_SHEETS: dict[str, bytes] = {
    "alias_bomb": (
        "answers:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(8)
        )
    ).encode(),
    "deep": ("answers: {q.a: " + "[" * 10_000 + "]" * 10_000 + "}\n").encode(),
    "control_char": b"answers:\n  literal.s1: \x07\n",
    "lone_surrogate": b'answers:\n  literal.s1: "\\ud800"\n',
    "not_utf8": b"answers:\n  literal.s1: \xff\xfe\n",
    "big": b"answers:\n  literal.s1: " + b"x" * (2 * 1024 * 1024) + b"\n",
}


ANSWERS = """
dropout_p = 0.5
dropout_standard_train = np.array([[1.6, 0], [0, 2.5]])
dropout_standard_test = np.array([[0.8, -0.35], [-1.15, 1.25]])
dropout_inverted_train = np.array([[3.2, 0], [0, 5]])
dropout_inverted_test = np.array([[1.6, -0.7], [-2.3, 2.5]])
regularizer_exp1, regularizer_exp2, regularizer_exp3 = "L2", "L1", "none"
literal_loose, literal_tight, literal_vector = 100, 100.0, [0.5, 1 / 3, -2]
literal_s1, literal_s2, literal_label, literal_hidden = True, False, "conv", 0.35
"""
NOTEBOOKS = {
    "honest_notebook": ["import numpy as np", ANSWERS],
    # A NameError early on: the later cells still run and every part is graded (issue 11.6).
    "fails_early_notebook": ["import numpy as np", "print(undefined_name)", ANSWERS],
}


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(os.fsencode(path.relative_to(folder)))
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def hostile_class(tmp_path: Path) -> Path:
    (tmp_path / "rubrics").mkdir()
    shutil.copy(
        FIXTURES / "rubrics" / "small_dropout_and_choices.yaml", tmp_path / "rubrics" / "small.yaml"
    )
    cls = tmp_path / "cls" / "small"
    honest = ["9841", "۹۸۴۱", "Zoë", "Zoe\u0308", "علی\u200cرضا", "علیرضا", " 98411387", "98411387"]
    honest += ["ب" * 127, "evil\r=cmd|' -C calc'!A0"]
    for student in honest:
        (cls / student).mkdir(parents=True)
        (cls / student / "answers.yaml").write_text(GOOD, encoding="utf-8")
    for student, data in BAD_SHEETS.items():
        (cls / student).mkdir()
        (cls / student / "answers.yaml").write_bytes(data)
    bom = cls / "bom_json"
    bom.mkdir()
    sheet = {"answers": {"literal.s1": "درست", "literal.loose": 1e999999999}}
    (bom / "answers.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(sheet).encode())
    (cls / "_drafts").mkdir()
    (cls / "_drafts" / "answers.yaml").write_text(GOOD, encoding="utf-8")
    (cls / "section2" / "s9").mkdir(parents=True)
    (cls / "section2" / "s9" / "answers.yaml").write_text(GOOD, encoding="utf-8")
    (cls / "overrides.yaml").write_text(
        '- {student: "9841", part: literal.s2, score: 0, comment: "hand check"}\n', "utf-8"
    )
    for student, cells in NOTEBOOKS.items():
        (cls / student).mkdir()
        nbformat.write(
            new_notebook(cells=[new_code_cell(c) for c in cells]), cls / student / "hw.ipynb"
        )
    (cls / "deep_notebook").mkdir()
    deep = b'{"cells": [], "metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (cls / "deep_notebook" / "hw.ipynb").write_bytes(deep)
    return tmp_path


def test_every_bad_input_at_once_is_graded_and_honest_students_keep_their_scores(
    hostile_class: Path, capsys
) -> None:
    cls = hostile_class / "cls" / "small"
    before = _tree_digest(hostile_class / "cls")
    os.chdir(hostile_class)
    out = hostile_class / "reports"
    assert main([str(cls), "--out", str(out), "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert _tree_digest(hostile_class / "cls") == before

    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    by_id = {r["student"]: r for r in data["results"]}
    honest = ["۹۸۴۱", "Zoë", "Zoe\u0308", "علی\u200cرضا", "علیرضا", " 98411387", "98411387"]
    honest += ["ب" * 127, "evil\r=cmd|' -C calc'!A0"]
    assert {s: by_id[s]["score"] for s in honest} == dict.fromkeys(honest, FULL)
    assert {by_id[s]["max_score"] for s in honest} == {FULL}
    assert by_id["9841"]["score"] == FULL - 1  # the override beside the students applied
    assert "overrides" not in by_id and "_drafts" not in by_id
    for student in BAD_SHEETS:
        result = by_id[student]
        assert (result["status"], result["score"]) == ("invalid_submission", 0.0), student
        message = result["error"]["message"]
        assert "\n" not in message and "answers.yaml" in message, message
    assert by_id["honest_notebook"]["score"] == FULL
    early = by_id["fails_early_notebook"]
    assert (early["status"], early["score"]) == ("error", FULL)
    assert (
        early["error"]["message"] == "cell 2 raised NameError: name 'undefined_name' is not defined"
    )
    assert all("set after the failing cell 2" in p["feedback"] for p in early["parts"])
    deep = by_id["deep_notebook"]
    assert (deep["status"], deep["score"]) == ("invalid_notebook", 0.0)
    assert "\n" not in deep["error"]["message"] and "hw.ipynb" in deep["error"]["message"]
    assert by_id["bom_json"]["status"] == "graded"
    assert {p["id"]: p["status"] for p in by_id["bom_json"]["parts"]}["literal.loose"] == "invalid"

    notes = data["notes"]
    assert "student ids '9841' and '۹۸۴۱' look alike: kept apart as different students" in notes
    assert any(n.startswith(f"{cls / '_drafts'}: skipped") for n in notes)
    assert any(n.startswith(f"{cls / 'section2'}: holds no submission itself") for n in notes)
    assert f"applied 1 override(s) from {cls / 'overrides.yaml'}" in notes
    assert "applied 1 override(s)" in printed

    with open(out / "grades.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + len(by_id)
    assert "'evil\r=cmd|' -C calc'!A0" not in {r[0] for r in rows}  # quoted, one row
    assert {r[0] for r in rows[1:]} == set(by_id)
    assert all(len(p.name.encode()) <= 255 for p in out.rglob("*"))


def test_out_inside_the_class_folder_is_refused_and_nothing_is_written(hostile_class, capsys):
    cls = hostile_class / "cls" / "small"
    os.chdir(hostile_class)
    before = _tree_digest(hostile_class / "cls")
    assert main([str(cls), "--out", str(cls / "reports")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out {cls / 'reports'} is inside the class folder {cls}")
    assert _tree_digest(hostile_class / "cls") == before


def test_a_second_run_into_the_same_out_is_refused_naming_the_first(hostile_class, capsys):
    from grader.runlock import hold_report_folder

    cls = hostile_class / "cls" / "small"
    os.chdir(hostile_class)
    out = hostile_class / "reports"
    with hold_report_folder(out):
        # flock is per open file: a second open in this process conflicts like another run
        assert main([str(cls), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"in use by pid {os.getpid()}" in err
    assert not (out / "results.json").exists()
    assert main([str(cls), "--out", str(out)]) == 0  # released: the next run goes ahead


def test_an_override_mistake_is_reported_before_anything_is_graded(hostile_class, capsys):
    cls = hostile_class / "cls" / "small"
    (cls / "overrides.yaml").write_text(
        '- {student: "nobody", part: literal.s2, score: 0}\n', encoding="utf-8"
    )
    os.chdir(hostile_class)
    out = hostile_class / "reports"
    assert main([str(cls), "--out", str(out)]) == 2
    assert "overrides.yaml:1: no student 'nobody'" in capsys.readouterr().err
    assert not (out / ".dlgrade" / "results").exists()

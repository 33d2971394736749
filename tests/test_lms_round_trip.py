"""The LMS round trip: a Moodle download is graded and its scores go back in, read the
way Moodle's and Canvas's documented imports read them.

- Moodle, assignment → "Upload grading worksheet": a CSV whose ``Identifier`` column holds
  ``Participant <id>`` (the id in the download's folder names) and whose ``Grade`` column
  holds the grade; rows are matched by that id alone.
- Canvas, Grades → Import: ``Student, ID, SIS User ID, SIS Login ID, Section`` then one
  column per assignment headed ``Name (assignment id)``; a ``Points Possible`` row may
  follow the header; rows are matched by ``ID``, ``SIS User ID`` or ``SIS Login ID``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

import grader

RUBRIC = """\
assignment: hwz
title: {en: "Quiz Z"}
canvas_assignment_id: 4711
questions:
  - id: q
    parts:
      - {id: a, answer: 2, points: 1, check: numeric}
      - {id: b, answer: L2, points: 1, check: choice}
"""

MOODLE_ZIP = {
    "Ali Rezaei_67890_assignsubmission_file_/answers.yaml": "answers: {q.a: '۲', q.b: ridge}\n",
    "Mina Karimi_22222_assignsubmission_file_/answers.yaml": "answers: {q.a: 3, q.b: L2}\n",
    "Sara Ahmadi_31415_assignsubmission_file_answers.yaml": "answers: {q.a: 5}\n",  # flat mode
}


def read_moodle_worksheet(text: str) -> dict[int, float]:
    """Participant id → grade, as mod/assign's offline grading worksheet import reads it."""
    rows = csv.DictReader(io.StringIO(text))
    assert rows.fieldnames and {"Identifier", "Grade"} <= set(rows.fieldnames)
    grades = {}
    for row in rows:
        match = re.fullmatch(r"Participant (\d+)", row["Identifier"])
        assert match, row["Identifier"]  # any other identifier matches no one
        grades[int(match.group(1))] = float(row["Grade"])
    return grades


def read_canvas_import(text: str) -> tuple[dict[int, str], dict[str, dict[int, float]]]:
    """(column → Canvas assignment id, SIS User ID → {assignment id: score})."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    columns = {}
    for i, name in enumerate(header[5:], start=5):
        match = re.search(r"\((\d+)\)$", name)
        assert match, f"{name!r}: Canvas finds no assignment id in it"
        columns[i] = int(match.group(1))
    body = rows[2:] if rows[1][0].strip() == "Points Possible" else rows[1:]
    scores = {}
    for row in body:
        assert row[1] or row[2] or row[3], row  # a row Canvas could match to a user
        scores[row[2]] = {columns[i]: float(row[i]) for i in columns if row[i] not in ("", "-")}
    return {i: str(a) for i, a in columns.items()}, scores


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("lms")
    (tmp / "hwz.yaml").write_text(RUBRIC, encoding="utf-8")
    archive = tmp / "hwz.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in MOODLE_ZIP.items():
            zf.writestr(name, text)
    out = tmp / "out"
    results = grader.grade_class(archive, out=out, rubric=tmp / "hwz.yaml")
    assert results.participants == {
        "Ali Rezaei": "67890",
        "Mina Karimi": "22222",
        "Sara Ahmadi": "31415",
    }
    grader.write_reports(out, results, formats=("csv",), exports=("canvas", "moodle"))
    return out


def test_moodle_worksheet_matches_each_participant_with_their_grade(graded: Path) -> None:
    text = (graded / "moodle.csv").read_text(encoding="utf-8")
    assert read_moodle_worksheet(text) == {67890: 2.0, 22222: 1.0, 31415: 0.0}
    assert "Ali Rezaei" in text  # the name stays beside the id, for the TA


def test_canvas_import_finds_the_assignment_and_each_student(graded: Path) -> None:
    columns, scores = read_canvas_import((graded / "canvas.csv").read_text(encoding="utf-8"))
    assert list(columns.values()) == ["4711"]  # the rubric's canvas_assignment_id
    assert scores == {"67890": {4711: 2.0}, "22222": {4711: 1.0}, "31415": {4711: 0.0}}


def test_without_a_moodle_download_the_ids_are_the_students_own(tmp_path: Path) -> None:
    from tests.report import sample

    grader.write_reports(
        tmp_path,
        grader.ClassResults(sample.classes()),
        formats=(),
        exports=("canvas", "moodle"),
    )
    canvas = list(csv.reader(io.StringIO((tmp_path / "canvas.csv").read_text("utf-8"))))
    assert {row[2] for row in canvas[2:]} >= {"98411387"}  # SIS User ID: the student's id
    assert canvas[0][5].endswith("(hw2)")  # no Canvas id in the rubric: Canvas will ask
    moodle = list(csv.reader(io.StringIO((tmp_path / "moodle.csv").read_text("utf-8"))))
    assert moodle[0][0] == "ID number" and "98411387" in {row[0] for row in moodle[1:]}

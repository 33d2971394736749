"""TA overrides: loaded with file:line errors, applied to results, seen in every export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from grader.overrides import (
    Override,
    OverrideError,
    apply_all_overrides,
    apply_overrides,
    load_overrides,
)
from grader.report import write_reports
from tests.report import sample


@pytest.fixture(scope="module")
def classes():
    return sample.classes()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_override_changes_the_score_in_every_export(tmp_path: Path, classes) -> None:
    path = _write(
        tmp_path,
        """\
- student: "99100200"
  part: hw2.dropout.standard_train
  score: 2.25
  comment: "one cell was a typo <b>ok</b>"
""",
    )
    overridden = apply_all_overrides(classes, load_overrides(path))
    out = tmp_path / "out"
    write_reports(
        out, overridden, formats=("html", "csv", "json", "gradescope"), exports=("canvas", "moodle")
    )

    grades = {
        r["student"]: r
        for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text("utf-8")))
    }
    assert grades["99100200"]["hw2.dropout.standard_train"] == "2.25"
    assert grades["99100200"]["hw2.total"] == "5.5"  # was 5.125
    assert grades["99100200"]["total"] == "5.5"

    gradescope = json.loads((out / "gradescope" / "99100200.json").read_text("utf-8"))
    assert gradescope["score"] == 5.5
    test = next(t for t in gradescope["tests"] if t["name"] == "hw2 dropout.standard_train")
    assert test["score"] == 2.25 and "one cell was a typo" in test["output"]

    canvas = list(csv.reader(io.StringIO((out / "canvas.csv").read_text("utf-8"))))
    assert next(r for r in canvas if r[0] == "99100200")[5] == "5.5"
    moodle = list(csv.reader(io.StringIO((out / "moodle.csv").read_text("utf-8"))))
    assert next(r for r in moodle if r[0] == "99100200")[1] == "5.5"

    results = json.loads((out / "results.json").read_text("utf-8"))
    mine = next(
        r for r in results["results"] if r["student"] == "99100200" and r["assignment"] == "hw2"
    )
    part = next(p for p in mine["parts"] if p["id"] == "dropout.standard_train")
    assert part["overridden"] is True and part["score"] == 2.25 and part["status"] == "partial"

    page = (out / "99100200.html").read_text("utf-8")
    assert "۵٫۵ از ۷" in page  # the hw2 total, in Persian digits
    assert "one cell was a typo &lt;b&gt;ok&lt;/b&gt;" in page
    assert "نمره توسط دستیار آموزشی تغییر کرد" in page


def test_full_marks_by_override_make_the_part_correct(classes) -> None:
    rubric, results = classes[0]
    new = apply_overrides(results, rubric, [Override("سارا احمدی", "dropout.p", 1, None)])
    part = next(p for p in new[1].parts if p.id == "dropout.p")
    assert (part.score, part.status, part.overridden) == (1, "correct", True)
    assert results[1].parts[0].score == 0  # the input is left as it was
    assert new[0] is results[0]


def test_override_for_another_assignment_is_skipped_by_apply_overrides(classes) -> None:
    rubric, results = classes[0]
    assert apply_overrides(results, rubric, [Override("98411387", "hw3.adam.m1", 0)]) == results


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "- {student: nobody, part: hw2.dropout.p, score: 1}\n",
            "overrides.yaml:1: no student 'nobody'",
        ),
        (
            '- {student: "98411387", part: hw2.dropout.q, score: 1}\n',
            "overrides.yaml:1: no part 'dropout.q' in hw2",
        ),
        (  # the class folder is 98411387; the TA typed it in Persian digits
            '- {student: "۹۸۴۱۱۳۸۷", part: hw2.dropout.p, score: 1}\n',
            (
                "overrides.yaml:1: no student '۹۸۴۱۱۳۸۷' in the results of hw2 "
                "(did you mean '98411387'?)"
            ),
        ),
        (
            (
                '- {student: "98411387", part: hw2.dropout.p, score: 1}\n'
                '- {student: "98411387", part: hw2.dropout.p, score: 3}\n'
            ),
            "overrides.yaml:2: score 3 for dropout.p is outside 0–1",
        ),
        (
            '- {student: "98411387", part: hw9.dropout.p, score: 1}\n',
            "overrides.yaml:1: no assignment 'hw9'",
        ),
        (
            '- {student: "98411387", part: dropout.p, score: 1}\n',
            "overrides.yaml:1: part 'dropout.p' must name its assignment",
        ),
    ],
)
def test_bad_overrides_name_file_and_line(tmp_path: Path, classes, text, message) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(OverrideError) as exc:
        apply_all_overrides(classes, load_overrides(path))
    assert str(exc.value).startswith(
        str(tmp_path / message.split(":")[0]) + message[len("overrides.yaml") :]
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("- {student: a, part: q.p}\n", ":1: missing field 'score'"),
        ("- {student: a, part: q.p, score: lots}\n", ":1: score must be a number"),
        ("- {student: a, part: q.p, score: 1, grade: 2}\n", ":1: unknown field 'grade'"),
        ("student: a\n", ":1: expected a list of overrides"),
        ("- [a, b\n", "invalid YAML"),
    ],
)
def test_malformed_override_files_are_refused(tmp_path: Path, text, message) -> None:
    with pytest.raises(OverrideError, match=message.replace("(", r"\(")):
        load_overrides(_write(tmp_path, text))


def test_persian_digits_in_a_score_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, '- {student: "1", part: q.p, score: "۱٫۵", comment: خوب}\n')
    assert load_overrides(path) == [Override("1", "q.p", 1.5, "خوب")]

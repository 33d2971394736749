"""Gradebook exports compared with golden files, and the guarantees behind them."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest

from grader.report import write_reports
from grader.report.exports import page_names, score_text
from tests.report import sample

ALL = {"formats": ("html", "csv", "json", "gradescope"), "exports": ("canvas", "moodle")}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, classes) -> Path:
    path = tmp_path_factory.mktemp("reports")
    write_reports(path, classes, **ALL)
    return path


def test_grades_csv_matches_golden(out: Path, golden) -> None:
    golden("grades.csv", (out / "grades.csv").read_text(encoding="utf-8"))


def test_gradescope_results_match_golden(out: Path, golden) -> None:
    golden("gradescope_99100200.json", (out / "gradescope" / "99100200.json").read_text("utf-8"))


def test_canvas_csv_matches_golden(out: Path, golden) -> None:
    golden("canvas.csv", (out / "canvas.csv").read_text(encoding="utf-8"))


def test_moodle_csv_matches_golden(out: Path, golden) -> None:
    golden("moodle.csv", (out / "moodle.csv").read_text(encoding="utf-8"))


def test_grades_csv_has_a_column_per_part_and_totals(out: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text("utf-8"))))
    by = {r["student"]: r for r in rows}
    assert by["99100200"]["hw2.dropout.standard_train"] == "1.875"
    assert by["99100200"]["hw2.total"] == "5.125"
    assert by["99100200"]["total"] == "5.125"
    assert by["سارا احمدی"]["hw3.adam.m1"] == ""  # no hw3 submission: blank, not 0
    assert by["98411387"]["total"] == "9"


def test_gradescope_json_has_the_documented_shape(out: Path) -> None:
    data = json.loads((out / "gradescope" / "98411387.json").read_text("utf-8"))
    assert set(data) >= {"score", "execution_time", "output", "visibility", "tests"}
    assert data["score"] == 9
    assert data["execution_time"] == 1.5
    first = data["tests"][0]
    assert set(first) == {
        "name",
        "number",
        "score",
        "max_score",
        "status",
        "output",
        "output_format",
        "visibility",
    }
    assert [t["status"] for t in data["tests"]] == ["passed"] * 5
    assert {t["visibility"] for t in data["tests"]} == {"visible"}


def test_gradescope_output_hides_a_key_the_rubric_does_not_reveal(out: Path) -> None:
    data = json.loads((out / "gradescope" / "99100200.json").read_text("utf-8"))
    inverted = next(t for t in data["tests"] if t["name"].endswith("inverted_train"))
    assert "3.8" not in inverted["output"]  # inverted.train's key cell (1.9 / p)
    assert inverted["status"] == "failed"


def test_canvas_columns_and_ascii_scores(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / "canvas.csv").read_text("utf-8"))))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5].endswith("(hw2)") and rows[0][6] == "HW3 — Optimisers (hw3)"
    assert rows[1][0].strip() == "Points Possible" and rows[1][5:] == ["7", "2"]
    for row in rows[2:]:
        for value in row[5:]:
            assert value == "" or all(ch in "0123456789." for ch in value)


def test_results_json_holds_every_result_and_max_scores(out: Path) -> None:
    data = json.loads((out / "results.json").read_text("utf-8"))
    assert [a["max_score"] for a in data["assignments"]] == [7.0, 2.0]
    assert len(data["results"]) == 6
    assert data["results"][0]["assignment"] == "hw2"


def test_write_reports_returns_every_path_and_leaves_no_temp_files(tmp_path, classes) -> None:
    paths = write_reports(tmp_path, classes, **ALL)
    on_disk = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert sorted(paths) == on_disk
    assert not [p for p in on_disk if p.name.endswith(".tmp")]
    assert (tmp_path / "index.html").exists() and (tmp_path / "canvas.csv").exists()


def test_formats_choose_the_files(tmp_path, classes) -> None:
    paths = write_reports(tmp_path, classes, formats=("csv",))
    assert [p.name for p in paths] == ["grades.csv"]


def test_unknown_format_is_refused_before_writing(tmp_path, classes) -> None:
    with pytest.raises(ValueError, match="pdf"):
        write_reports(tmp_path, classes, formats=("html", "pdf"))
    assert list(tmp_path.iterdir()) == []


def test_page_names_are_safe_and_distinct() -> None:
    names = page_names(["../etc/passwd", "index", "a/b", "a_b", "سارا احمدی"])
    assert names["../etc/passwd"] == "etc_passwd"
    assert names["index"] == "student-index"
    assert {names["a/b"], names["a_b"]} == {"a_b", "a_b-2"}
    assert names["سارا احمدی"] == "سارا_احمدی"


def test_scores_are_plain_ascii_decimals() -> None:
    assert [score_text(x) for x in (2.5, 1.0, 1 / 3, -0.0, 1e-9)] == [
        "2.5",
        "1",
        "0.333",  # the one display policy: three decimals in every report
        "0",
        "0",
    ]


def test_spreadsheet_formulas_in_names_are_neutralised(tmp_path, classes) -> None:
    from dataclasses import replace

    rubric, results = classes[0]
    evil = [replace(results[0], student='=HYPERLINK("http://x")')]
    write_reports(tmp_path, [(rubric, evil)], formats=("csv",), exports=("canvas",))
    for name in ("grades.csv", "canvas.csv"):
        rows = list(csv.reader(io.StringIO((tmp_path / name).read_text("utf-8"))))
        assert rows[-1][0] == '\'=HYPERLINK("http://x")'


# --- exports that cannot be split or executed, checked by re-reading the written CSV ----


HOSTILE_IDS = [
    "evil\r=cmd|' /C calc'!A0",
    "two\nlines",
    'quote"and,comma',
    "  =1+1",
    "\u200e@SUM(A1)",
    "\u00a0-2+3",
    "\t+1",
    "\uff1dcmd",
    "98411387",
]


@pytest.mark.parametrize("kind", ["grades", "canvas", "moodle"])
def test_hostile_ids_stay_one_row_each_and_never_start_a_formula(tmp_path, kind) -> None:
    from grader.report import exports

    rubric, results = sample.classes()[0]
    base = results[0]
    hostile = [dataclasses.replace(base, student=s) for s in HOSTILE_IDS]
    writer = {"grades": exports.grades_csv, "canvas": exports.canvas_csv}.get(
        kind, exports.moodle_csv
    )
    path = tmp_path / f"{kind}.csv"
    path.write_text(writer([(rubric, hostile)]), encoding="utf-8", newline="")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    body = rows[2:] if kind == "canvas" else rows[1:]
    ids = [row[0] for row in body]
    assert len(body) == len(HOSTILE_IDS)
    assert sorted(i.removeprefix("'") for i in ids) == sorted(HOSTILE_IDS)
    harmless = {HOSTILE_IDS[0], "two\nlines", 'quote"and,comma', "98411387"}
    assert {i for i in ids if not i.startswith("'")} == harmless
    assert {row[-1] for row in body} == {exports.score_text(base.score)}

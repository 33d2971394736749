"""`grade variants`: each student's handout holds their own variant, the one they are graded by."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import grader
from grader.cli import main
from grader.discovery import InputError
from grader.handouts import read_roster

ROOT = Path(__file__).resolve().parents[1]
ROSTER = "student,name,email,lang\n98416001,Sara Ahmadi,s1@example.edu,fa\n98416002,Reza Karimi,s2@example.edu,en\n"


@pytest.fixture
def handouts(tmp_path: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "handouts"
    assert (
        main(
            [
                "variants",
                str(ROOT / "rubrics" / "hw6.yaml"),
                "--roster",
                str(roster),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


def test_the_instructor_table_lists_each_students_drawn_parameters(handouts: Path) -> None:
    rows = list(csv.DictReader((handouts / "variants.csv").open(encoding="utf-8")))
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw6.yaml")
    assert [r["student"] for r in rows] == ["98416001", "98416002"]
    for row in rows:
        mine = rubric.for_student(row["student"]).variant
        assert row["gd.lr"] == mine["gd"]["lr"]
        assert row["gd.x"] == str(mine["gd"]["x"])
        assert json.loads(row["dropout.mask"]) == mine["dropout"]["mask"]
    assert rows[0]["dropout.mask"] == "[[1, 0, 1, 1], [1, 1, 0, 1]]"  # as the demo sheet says


def test_handouts_are_in_the_students_language_with_their_parameters(handouts: Path) -> None:
    fa = (handouts / "98416001.md").read_text(encoding="utf-8")
    en = (handouts / "98416002.md").read_text(encoding="utf-8")
    assert "پارامترهای شما" in fa and "mask = [[1, 0, 1, 1], [1, 1, 0, 1]]" in fa
    assert "Your parameters:" in en and "lr = 0.03" in en and "x = 1" in en
    assert "dropout_p, dropout_standard_test, dropout_inverted_train" in en


def test_the_notebook_stub_defines_the_parameters_and_empty_answers(handouts: Path) -> None:
    nb = json.loads((handouts / "98416002.ipynb").read_text(encoding="utf-8"))
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)  # noqa: S102 (our own stub must run)
    assert namespace["gd_params"]["lr"] == 0.03 and namespace["gd_params"]["x"] == 1
    assert namespace["dropout_params"]["mask"] == [[1, 0, 1, 0], [0, 1, 1, 1]]
    assert namespace["gd_weights"] is None  # the answer variable, not the parameter


def test_a_roster_without_an_id_column_names_the_file(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("name\nSara\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.csv:1: a roster needs a 'student'"):
        read_roster(roster)

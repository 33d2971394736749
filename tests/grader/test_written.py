"""Written parts: rubric items in the schema, the ``written`` check kind, and answers read
from a notebook's markdown cells named for the part."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import grader
from grader.checkers.written import item_score
from grader.extract.written import markdown_answers
from grader.rubric import RubricError, parse_rubric
from grader.yamlio import loads

ROOT = Path(__file__).resolve().parents[2]


def rubric_text(part: str) -> str:
    return f"assignment: t\nquestions:\n  - id: q\n    parts:\n      - {part}\n"


def test_demo_hw7_has_written_parts_with_items_in_both_languages() -> None:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw7.yaml")
    written = [p for p in rubric.parts if p.check == "written"]
    assert [p.id for p in written] == ["explain.overfitting", "explain.inverted"]
    items = written[0].items
    assert [i.id for i in items][:2] == ["names_overfitting", "first_remedy"]
    assert all(set(i.text) == {"en", "fa"} for p in written for i in p.items)
    assert float(items[-1].points) == -1 and written[0].hints


def test_a_written_part_without_items_or_with_a_key_is_refused_with_its_line() -> None:
    no_items = rubric_text("{id: w, check: written, points: 2}")
    with pytest.raises(RubricError, match=r"inline.yaml:5 .*needs rubric 'items'"):
        parse_rubric(loads(no_items, "inline.yaml"), Path("inline.yaml"))
    keyed = rubric_text(
        "{id: w, check: written, points: 2, answer: x, items: [{id: a, points: 1, text: A}]}"
    )
    with pytest.raises(RubricError, match="no 'expect' or 'answer'"):
        parse_rubric(loads(keyed, "inline.yaml"), Path("inline.yaml"))
    items_on_numeric = rubric_text(
        "{id: n, check: numeric, points: 1, answer: 2, items: [{id: a, points: 1, text: A}]}"
    )
    with pytest.raises(RubricError, match="only a 'written' part"):
        parse_rubric(loads(items_on_numeric, "inline.yaml"), Path("inline.yaml"))


def test_written_answers_wait_for_a_ta_and_blank_ones_are_missing() -> None:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw7.yaml")
    result = grader.check(rubric, ROOT / "submissions" / "hw7" / "98417002" / "answers.yaml")
    by_id = {p.id: p for p in result.parts}
    assert by_id["explain.overfitting"].status == "ungraded"
    assert by_id["explain.overfitting"].score == 0.0
    assert "کم‌برازش" in by_id["explain.overfitting"].got
    part = rubric.part("explain.overfitting")
    assert grader.checks.check(part, "  ").status == "missing"
    assert grader.checks.check(part, [1, 2]).status == "invalid"


def test_item_score_stays_within_the_parts_points() -> None:
    from sympy import Rational

    part = grader.load_rubric(ROOT / "rubrics" / "hw7.yaml").part("explain.overfitting")
    assert item_score(part, {"a": Rational(1), "b": Rational(1)}) == 2.0
    assert item_score(part, {"a": Rational(-1)}) == 0.0
    assert item_score(part, {"a": Rational(1)}, adjust=5) == 3.0


def test_a_notebooks_markdown_cell_named_for_the_part_is_its_answer(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    tagged = nbformat.v4.new_markdown_cell("Dividing by p keeps the expectation.")
    tagged.metadata["tags"] = ["explain_inverted"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("## explain.overfitting\nIt overfits; stop early."),
        nbformat.v4.new_markdown_cell("## explain.overfitting\nA later cell does not replace it."),
        tagged,
        nbformat.v4.new_markdown_cell("## something else\nnot an answer"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    names = {
        "explain.overfitting": ("explain.overfitting", "explain_overfitting"),
        "explain.inverted": ("explain.inverted", "explain_inverted"),
    }
    assert markdown_answers(path, names) == {
        "explain.overfitting": "It overfits; stop early.",
        "explain.inverted": "Dividing by p keeps the expectation.",
    }
    (tmp_path / "bad.ipynb").write_text("{not json", encoding="utf-8")
    assert markdown_answers(tmp_path / "bad.ipynb", names) == {}


@pytest.mark.slow
def test_the_demo_notebook_s_markdown_answers_are_graded_like_typed_ones() -> None:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw7.yaml")
    result = grader.check(rubric, ROOT / "submissions" / "hw7" / "98417003" / "hw7.ipynb")
    by_id = {p.id: p for p in result.parts}
    assert by_id["dropout.p"].status == "correct"
    assert by_id["explain.overfitting"].status == "ungraded"
    assert by_id["explain.overfitting"].got.startswith("This is overfitting.")
    assert by_id["explain.inverted"].got == "Because the outputs are scaled by 1/p during training."

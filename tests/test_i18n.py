"""Every sentence a student reads exists in Persian and English (gettext catalogs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import grader
from grader import catalogs
from grader.i18n import render
from grader.outcomes import LABELS, PART_STATUSES, RUN_OUTCOMES
from grader.report.i18n import label

ROOT = Path(__file__).resolve().parents[1]
PERSIAN = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_every_message_in_the_code_has_a_persian_translation():
    assert catalogs.untranslated("fa") == []


def test_the_compiled_catalogs_are_those_of_the_po_files():
    for lang in ("en", "fa"):
        compiled = catalogs.po_path(lang).with_suffix(".mo").read_bytes()
        assert compiled == catalogs.mo_bytes(lang), (
            f"run: python -m grader.catalogs compile ({lang})"
        )


@pytest.mark.parametrize("key", [*RUN_OUTCOMES, *PART_STATUSES, "graded"])
def test_every_run_outcome_and_part_status_has_an_english_and_a_persian_label(key):
    assert key in LABELS
    english, persian = label(key, "en"), label(key, "fa")
    assert english and english == LABELS[key]
    assert PERSIAN.search(persian), f"{key}: {persian!r} is not Persian"


def test_a_persian_sheet_with_mistakes_is_explained_in_persian():
    rubric = grader.load_rubric("hw2")
    result = grader.check(rubric, "submissions/hw2/98411402/answers.yaml")
    data = grader.check_json(result, rubric, lang="fa")
    wrong = [p for p in data["parts"] if p["status"] in ("wrong", "partial")]
    assert len(wrong) >= 3
    for part in wrong:
        assert PERSIAN.search(part["feedback"]), part
        assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", part["feedback"]), part


def test_numbers_in_persian_sentences_use_persian_digits_but_formulas_stay_ascii():
    from reference.messages import msg

    text = render(msg("{right} of {total} cells correct", right=13, total=16), "fa")
    assert text == "۱۳ خانه از ۱۶ خانه درست است"
    formula = render(msg("p = {keep} (keep probability, given)", keep="3/4"), "fa")
    assert formula.startswith("p = 3/4 (")


def test_worked_steps_and_misconceptions_of_every_solver_render_in_persian():
    from reference import SOLVERS

    for name, spec in SOLVERS.items():
        solution = spec(**spec.example)
        for step in solution.steps:
            render(step, "fa")  # every placeholder filled
        for mistake in solution.misconceptions:
            assert PERSIAN.search(render(mistake.explanation, "fa")), (name, mistake.id)


@pytest.mark.parametrize(
    "sheet", ["submissions/hw5/98415002/answers.yaml", "submissions/hw2/98411402/answers.yaml"]
)
def test_grade_check_lang_fa_explains_every_mistake_in_persian(sheet, capsys):
    import json

    from grader.cli import main

    assert main(["check", sheet, "--lang", "fa", "--json"]) == 0
    parts = json.loads(capsys.readouterr().out)["parts"]
    mistakes = [p for p in parts if p["status"] not in ("correct",)]
    assert mistakes
    for part in mistakes:
        assert PERSIAN.search(part["feedback"]), part
        # formulas and values may stay Latin; English prose may not
        assert not re.search(r"\b(the|is|of|and|not|to)\b", part["feedback"]), part

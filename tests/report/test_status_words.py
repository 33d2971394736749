"""One word for each status, and one sentence for why a part has no score (issue 12.5).

Every run outcome is shown by its label (never its raw id such as ``memory_limit``), the
same word in the terminal summary and on the page; a part without a score says why in one
sentence worded by how the run ended — a timeout is never "stopped with an error".
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from rich.console import Console

from grader.i18n import translate
from grader.outcomes import NO_SCORE, NO_SCORE_AFTER, RUN_LABELS, RUN_OUTCOMES
from grader.report.html import render_student
from grader.report.terminal import summary_table
from grader.results import RunError
from tests.report import sample


def _visible(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _stopped(outcome: str):
    """The sample's failing student, as if its run had ended with ``outcome``."""
    rubric = sample.rubric(sample.HW2_YAML, "hw2")
    failing = next(r for r in sample.hw2_results() if r.error is not None)
    error = RunError(kind=outcome, message="cell 3: the run ended", cell_index=2)
    return rubric, dataclasses.replace(failing, error=error)


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("outcome", RUN_OUTCOMES)
def test_every_run_outcome_reads_as_its_label_and_explains_each_unscored_part(
    outcome: str, lang: str
) -> None:
    rubric, result = _stopped(outcome)
    text = _visible(render_student(result.student, [(rubric, result)], lang=lang))
    assert translate(RUN_LABELS[outcome], lang) in text
    raw = [o for o in RUN_OUTCOMES if "_" in o and o in text]
    assert raw == [], f"raw outcome ids on the page: {raw}"
    why = translate(NO_SCORE_AFTER.get(outcome, NO_SCORE["error"]), lang)
    unscored = sum(1 for p in result.parts if p.status == "error")
    assert text.count(why) == unscored == 3


def test_a_timeout_is_never_called_an_error() -> None:
    rubric, result = _stopped("timeout")
    text = _visible(render_student(result.student, [(rubric, result)], lang="en"))
    assert "timed out" in text
    assert "No score: the notebook was stopped at its time limit" in text
    assert "stopped with an error" not in text


def test_the_terminal_summary_uses_the_same_words_as_the_page() -> None:
    for outcome in RUN_OUTCOMES:
        rubric, result = _stopped(outcome)
        console = Console(width=200, record=True)
        console.print(summary_table([(rubric, [result])]))
        assert translate(RUN_LABELS[outcome], "en") in console.export_text(), outcome


def test_a_graded_run_calls_its_unanswered_part_not_answered() -> None:
    rubric = sample.rubric(sample.HW2_YAML, "hw2")
    result = sample.hw2_results()[0]
    blank = dataclasses.replace(result.parts[0], score=0.0, status="missing")
    result = dataclasses.replace(result, parts=[blank, *result.parts[1:]])
    text = _visible(render_student(result.student, [(rubric, result)], lang="en"))
    assert "No score: this part's answer was not found in the submission." in text

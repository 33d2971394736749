"""Signals for a TA: rare wrong values shared by a few students, and answers that fit the
key of another student's variant rather than the student's own."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
from grader.i18n import render
from grader.report import write_reports
from grader.results import PartResult, SubmissionResult
from grader.signals import OtherVariant, SharedAnswer, other_variants, shared_answers

ROOT = Path(__file__).resolve().parents[2]
HW6 = ["98416001", "98416002", "98416003", "98416004", "98416005"]


def _student(student: str, *parts: tuple[str, str, object, str | None]) -> SubmissionResult:
    return SubmissionResult(
        student,
        "hw",
        "answers.yaml",
        [
            PartResult(
                pid, 1.0 if status == "correct" else 0.0, 1.0, status, got=got, misconception=m
            )  # type: ignore[arg-type]
            for pid, status, got, m in parts
        ],
    )


def test_rare_wrong_value_shared_by_two_students_is_a_signal() -> None:
    made_up = [
        _student("s1", ("q.a", "wrong", "0.37", None), ("q.b", "wrong", "9", "swapped")),
        _student("s2", ("q.a", "wrong", "۰٫۳۷", None), ("q.b", "wrong", "9", "swapped")),
        _student("s3", ("q.a", "correct", "0.5", None), ("q.b", "wrong", "7", None)),
        _student("s4", ("q.a", "wrong", "0.1", None), ("q.b", "wrong", "8", None)),
        _student("s5", ("q.a", "wrong", "0.1", None), ("q.b", "wrong", "8", None)),
        _student("s6", ("q.a", "wrong", "0.1", None), ("q.b", "wrong", "8", None)),
        _student("s7", ("q.a", "wrong", "0.1", None), ("q.b", "wrong", "8", None)),
    ]
    # 0.37 (in two scripts) by s1 and s2 only; 0.1 and 8 are common (4 students), 9 is a
    # known misconception's value and 7 is one student's alone: none of them is a signal.
    assert shared_answers(made_up) == [SharedAnswer("q.a", "0.37", ("s1", "s2"))]
    assert shared_answers(made_up, rare=4) == [
        SharedAnswer("q.a", "0.37", ("s1", "s2")),
        SharedAnswer("q.a", "0.1", ("s4", "s5", "s6", "s7")),
        SharedAnswer("q.b", "8", ("s4", "s5", "s6", "s7")),
    ]
    (signal,) = shared_answers(made_up)
    assert str(signal.message()) == (
        "Shared unusual answer: s1, s2 gave the same wrong value for q.a, "
        "and no one else did — worth a look"
    )
    assert "ارزش بررسی دارد" in render(signal.message(), "fa")


@pytest.fixture(scope="module")
def hw6() -> tuple[grader.Rubric, list[SubmissionResult]]:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw6.yaml")
    results = [grader.check(rubric, ROOT / "submissions" / "hw6" / s / "answers.yaml") for s in HW6]
    return rubric, results


def test_hw6_student_with_another_variants_dropout_answers_is_the_only_signal(hw6) -> None:
    rubric, results = hw6
    # 98416004 has mask B (p = 5/8) and handed in mask A's answers (p = 0.75), the variant
    # 98416001 (the first by id) drew; 98416002 shares 98416004's own mask B.
    assert (
        rubric.for_student("98416004").variant["dropout"]
        == (rubric.for_student("98416002").variant["dropout"])
    )
    assert other_variants(rubric, results) == [OtherVariant("98416004", "dropout", "98416001")]
    assert shared_answers(results) == []


def test_rubric_without_variants_gives_no_other_variant_signal() -> None:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw2.yaml")
    assert not rubric.has_variants
    assert other_variants(rubric, [_student("s1", ("dropout.p", "wrong", "0.6", None))]) == []


@pytest.mark.parametrize(
    ("lang", "sentence", "heading"),
    [
        (
            "en",
            (
                "98416004: the answers to dropout match the key of another variant (98416001&#39;s), "
                "not their own — worth a look"
            ),
            "Worth a look",
        ),
        (
            "fa",
            (
                "98416004: پاسخ‌های dropout با کلید نسخهٔ دیگری (نسخهٔ 98416001) می‌خواند، "
                "نه با نسخهٔ خودش — ارزش بررسی دارد"
            ),
            "ارزش بررسی دارد",
        ),
    ],
)
def test_class_summary_shows_the_signals(hw6, tmp_path: Path, lang, sentence, heading) -> None:
    write_reports(tmp_path, [hw6], lang=lang, formats=("html",))
    index = (tmp_path / "index.html").read_text("utf-8")
    section = index.split('<div class="signals">', 1)[1].split("</div>", 1)[0]
    assert f"<h3>{heading}</h3>" in section
    assert section.count("<li>") == 1
    assert sentence in section

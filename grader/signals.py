"""Signals for a TA to look at: unusual answers that students share, and answers that fit
another student's variant rather than the student's own.

Neither is evidence of anything — two students may well make the same slip, and a variant's
key can coincide with a plausible mistake — so every signal is worded as something worth a
look, never as an accusation. The functions here only read graded results (and, for
variants, solve the other variants' keys); they write nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader.checks import check
from grader.numbers import clean
from grader.results import PartResult, SubmissionResult
from grader.rubric import Rubric
from reference.messages import Msg, msg

#: Most students who may share a wrong value for it to count as unusual: a value that many
#: students give is a common mistake (the "most frequent wrong values" list), not a signal.
RARE_MAX = 3

_WRONG = ("wrong", "partial")


@dataclass(frozen=True)
class SharedAnswer:
    """The same wrong value for ``part``, given by ``students`` and by no one else, and not
    the value of a known misconception."""

    part: str
    value: Any
    students: tuple[str, ...]

    def message(self) -> Msg:
        return msg(
            "Shared unusual answer: {students} gave the same wrong value for {part}, "
            "and no one else did — worth a look",
            students=", ".join(self.students),
            part=self.part,
        )


@dataclass(frozen=True)
class OtherVariant:
    """``student``'s answers to ``question`` are right for ``other``'s variant of it and not
    for the student's own."""

    student: str
    question: str
    other: str

    def message(self) -> Msg:
        return msg(
            "{student}: the answers to {question} match the key of another variant "
            "({other}'s), not their own — worth a look",
            student=self.student,
            question=self.question,
            other=self.other,
        )


def _same(value: Any) -> str:
    """One text for equal values however they were written (Persian digits, ``٫``)."""

    def norm(v: Any) -> Any:
        if isinstance(v, list):
            return [norm(x) for x in v]
        return clean(v) if isinstance(v, str) else v

    return json.dumps(norm(value), ensure_ascii=False, sort_keys=True)


def shared_answers(results: Sequence[SubmissionResult], rare: int = RARE_MAX) -> list[SharedAnswer]:
    """Per part, every wrong value that between 2 and ``rare`` students gave (and no other
    student), leaving out answers that match a known misconception; ordered by part, then
    by the first student."""
    by_value: dict[tuple[str, str], list[str]] = {}
    for result in results:
        for part in result.parts:
            if part.status in _WRONG and part.got is not None and not part.misconception:
                by_value.setdefault((part.id, _same(part.got)), []).append(result.student)
    order = {p.id: i for r in results for i, p in enumerate(r.parts)}
    found = [
        SharedAnswer(part, json.loads(value), tuple(sorted(set(students))))
        for (part, value), students in by_value.items()
        if 2 <= len(set(students)) <= rare
    ]
    return sorted(found, key=lambda s: (order.get(s.part, 0), s.part, s.students))


def _all_right(rubric: Rubric, question: str, parts: dict[str, PartResult]) -> bool:
    asked = [p for p in rubric.parts if p.question == question]
    return bool(asked) and all(
        p.id in parts
        and parts[p.id].got is not None
        and check(p, parts[p.id].got).status == "correct"
        for p in asked
    )


def other_variants(rubric: Rubric, results: Sequence[SubmissionResult]) -> list[OtherVariant]:
    """Students whose answers to a question are all right for another variant drawn in this
    class and not all right for their own; the other variant is named by the first student
    (by id) who drew it. Empty where the rubric gives no variants."""
    if not rubric.has_variants:
        return []
    students = sorted({r.student for r in results})
    questions = list(dict.fromkeys(p.question for p in rubric.parts))
    found = []
    for result in sorted(results, key=lambda r: r.student):
        parts = {p.id: p for p in result.parts}
        own = rubric.for_student(result.student)
        for question in questions:
            if all(
                parts[p.id].status == "correct"
                for p in own.parts
                if p.question == question and p.id in parts
            ):
                continue
            seen = [own.variant.get(question)]
            for other in students:
                theirs = rubric.for_student(other)
                if theirs.variant.get(question) in seen:
                    continue
                seen.append(theirs.variant.get(question))
                if _all_right(theirs, question, parts):
                    found.append(OtherVariant(result.student, question, other))
                    break
    return found


__all__ = ["RARE_MAX", "OtherVariant", "SharedAnswer", "other_variants", "shared_answers"]

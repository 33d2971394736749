"""Score overrides a TA writes by hand in ``overrides.yaml``.

```yaml
- {student: "98411387", part: hw2.dropout.standard_train, score: 2, comment: "sign slip only"}
```

``part`` is ``assignment.question.part`` or, for a single assignment, ``question.part``.
An override replaces one part's score, marks the part ``overridden`` and carries the TA's
comment into every report and export. Mistakes in the file (an unknown student or part, a
score outside ``[0, points]``) raise :class:`OverrideError` naming ``file:line``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.identity import lookalike_key, shown
from grader.results import PartResult, SubmissionResult
from grader.rubric import Rubric
from grader.yamlio import Loaded, YamlError, load

_FIELDS = {"student", "part", "score", "comment"}


class OverrideError(ValueError):
    """An override that cannot be applied; the message names the file and line."""


@dataclass(frozen=True)
class Override:
    """One hand-set score. ``where`` (``file:line``) is only for error messages."""

    student: str
    part: str
    score: float
    comment: str | None = None
    where: str = field(default="", compare=False)

    def _prefix(self) -> str:
        return f"{self.where}: " if self.where else ""


def _score(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError
    if isinstance(value, str):
        # Persian digits parse with float(); the Persian decimal separator does not.
        value = value.strip().replace("٫", ".")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def parse_overrides(loaded: Loaded) -> list[Override]:
    """Overrides from parsed YAML; raises :class:`OverrideError` naming ``file:line``."""
    data = loaded.data
    if data is None:
        return []
    if not isinstance(data, list):
        raise OverrideError(
            f"{loaded.source}:{loaded.line(())}: expected a list of overrides "
            "({student, part, score, comment})"
        )
    overrides = []
    for i, item in enumerate(data):
        where = f"{loaded.source}:{loaded.line((i,))}"
        if not isinstance(item, dict):
            raise OverrideError(f"{where}: expected a mapping with student, part, score")
        unknown = sorted(set(map(str, item)) - _FIELDS)
        if unknown:
            raise OverrideError(
                f"{loaded.source}:{loaded.line((i, unknown[0]))}: unknown field "
                f"{unknown[0]!r}; fields: student, part, score, comment"
            )
        for name in ("student", "part", "score"):
            if item.get(name) in (None, ""):
                raise OverrideError(f"{where}: missing field {name!r}")
        try:
            score = _score(item["score"])
        except (TypeError, ValueError):
            raise OverrideError(
                f"{loaded.source}:{loaded.line((i, 'score'))}: score must be a "
                f"number, got {item['score']!r}"
            ) from None
        comment = item.get("comment")
        overrides.append(
            Override(
                student=str(item["student"]),
                part=str(item["part"]),
                score=score,
                comment=None if comment is None else str(comment),
                where=where,
            )
        )
    return overrides


def load_overrides(path: Path) -> list[Override]:
    """Read ``overrides.yaml``; raises :class:`OverrideError` naming ``file:line``."""
    try:
        loaded = load(Path(path))
    except YamlError as exc:
        raise OverrideError(str(exc)) from None
    return parse_overrides(loaded)


def _split(override: Override, rubric: Rubric) -> tuple[str | None, str]:
    """``(assignment or None, question.part)`` of an override's ``part``."""
    pieces = override.part.split(".")
    if len(pieces) == 3:
        return pieces[0], ".".join(pieces[1:])
    if len(pieces) == 2:
        return None, override.part
    raise OverrideError(
        f"{override._prefix()}part {override.part!r} must be "
        "'assignment.question.part' or 'question.part'"
    )


def _status(score: float, max_score: float, before: str) -> str:
    if score >= max_score:
        return "correct"
    if score > 0:
        return "partial"
    # A zero keeps a more precise reason (unanswered, unreadable) when there was one.
    return before if before in ("wrong", "missing", "invalid", "error") else "wrong"


def applies_to(override: Override, rubric: Rubric) -> bool:
    """Whether ``override`` is meant for ``rubric``'s assignment."""
    assignment, _ = _split(override, rubric)
    return assignment is None or assignment == rubric.assignment


def apply_overrides(
    results: list[SubmissionResult], rubric: Rubric, overrides: list[Override]
) -> list[SubmissionResult]:
    """New results with each override's part score replaced, ``overridden`` set and the
    comment attached; status recomputed from the new score.

    Overrides naming another assignment (``hw3.q.p`` while grading ``hw2``) are skipped;
    use :func:`apply_all_overrides` to apply a file to every class and catch typos in
    assignment ids. Raises :class:`OverrideError` for an unknown student or part, or a
    score outside ``[0, points]``.
    """
    by_student = {r.student: r for r in results}
    changed: dict[str, SubmissionResult] = {}
    for override in overrides:
        if not applies_to(override, rubric):
            continue
        _, part_id = _split(override, rubric)
        try:
            spec = rubric.part(part_id)
        except KeyError:
            known = ", ".join(p.id for p in rubric.parts)
            raise OverrideError(
                f"{override._prefix()}no part {part_id!r} in {rubric.assignment}; parts: {known}"
            ) from None
        if override.student not in by_student:
            key = lookalike_key(override.student)
            alike = sorted(s for s in by_student if lookalike_key(s) == key)
            if alike:  # 98411387 for ۹۸۴۱۱۳۸۷, a ZWNJ, a space: never merged, but named
                hint = " (did you mean " + " or ".join(shown(s) for s in alike) + "?)"
            elif override.student.isdigit():
                hint = " (quote student numbers in YAML: unquoted, leading zeros are lost)"
            else:
                hint = ""
            raise OverrideError(
                f"{override._prefix()}no student {shown(override.student)} in the "
                f"results of {rubric.assignment}{hint}"
            )
        points = float(spec.points)
        if not 0 <= override.score <= points:
            raise OverrideError(
                f"{override._prefix()}score {override.score:g} for {part_id} is "
                f"outside 0–{points:g}"
            )
        result = changed.get(override.student, by_student[override.student])
        parts = list(result.parts)
        index = next((i for i, p in enumerate(parts) if p.id == part_id), None)
        if index is None:
            before = PartResult(id=part_id, score=0.0, max_score=points, status="missing")
            parts.append(before)
            index = len(parts) - 1
        before = parts[index]
        parts[index] = replace(
            before,
            score=override.score,
            status=_status(override.score, before.max_score, before.status),
            overridden=True,
            comment=override.comment,
        )
        changed[override.student] = replace(result, parts=parts)
    return [changed.get(r.student, r) for r in results]


def apply_all_overrides(
    classes: Sequence[tuple[Rubric, list[SubmissionResult]]], overrides: list[Override]
) -> list[tuple[Rubric, list[SubmissionResult]]]:
    """:func:`apply_overrides` for every class; an override whose assignment matches no
    class, or a ``question.part`` override when several classes are graded, is an error."""
    assignments = [rubric.assignment for rubric, _ in classes]
    for override in overrides:
        pieces = override.part.split(".")
        if len(pieces) == 3 and pieces[0] not in assignments:
            raise OverrideError(
                f"{override._prefix()}no assignment {pieces[0]!r}; graded: {', '.join(assignments)}"
            )
        if len(pieces) == 2 and len(assignments) > 1:
            raise OverrideError(
                f"{override._prefix()}part {override.part!r} must name its "
                f"assignment ({' or '.join(assignments)}) when several are graded"
            )
    return [(rubric, apply_overrides(results, rubric, overrides)) for rubric, results in classes]

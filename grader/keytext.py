"""Worked solutions and answer keys as plain text (Markdown) or JSON-ready data.

``grade solve`` and ``grade key`` print these; nothing here prints by itself.
"""

from __future__ import annotations

from typing import Any

from grader.rubric import Rubric
from reference.core import Solution, decimal_text, fmt, solution_json, to_json


def value_text(value: Any) -> str:
    """Exact text with its decimal beside it where they differ: ``16/5 (= 3.2)``."""
    text = fmt(value)
    if isinstance(value, list):
        return text
    try:
        dec = decimal_text(value)
    except (TypeError, ValueError):
        return text
    return text if dec == text else f"{text} (≈ {dec})"


def solution_text(solution: Solution, heading: str | None = None) -> str:
    """A solution as Markdown: the worked steps, the values, the known mistakes."""
    lines = [f"## {heading or solution.solver}", "", "### Steps"]
    lines += [f"{i}. {step}" for i, step in enumerate(solution.steps, 1)]
    lines += ["", "### Values"]
    lines += [f"- `{key}` = {value_text(value)}" for key, value in solution.values.items()]
    if solution.precision:
        lines.append(f"- (irrational values are given to {solution.precision})")
    if solution.misconceptions:
        lines += ["", "### Known mistakes"]
        for m in solution.misconceptions:
            changed = "; ".join(f"`{k}` = {fmt(v)}" for k, v in m.values.items())
            lines.append(f"- **{m.id}**: {m.explanation} ({changed})")
    return "\n".join(lines) + "\n"


def key_text(rubric: Rubric) -> str:
    """The rubric's computed answer key with each solver's worked steps, as Markdown."""
    lines = [
        f"# Answer key: {rubric.title()} ({rubric.assignment})",
        "",
        f"Total: {fmt(rubric.max_score)} points",
        "",
    ]
    for question in rubric.model.questions:
        title = (question.title or {}).get("en", question.id)
        lines += [f"## {question.id}: {title}" if title != question.id else f"## {question.id}", ""]
        for part in (p for p in rubric.parts if p.question == question.id):
            lines.append(
                f"- **{part.id}** ({fmt(part.points)} pt, {part.check}): {value_text(part.expected)}"
            )
        solution = rubric.solutions.get(question.id)
        if solution is not None:
            lines += [
                "",
                solution_text(solution, f"Worked solution ({solution.solver})").replace(
                    "## ", "### ", 1
                ),
            ]
        lines.append("")
    return "\n".join(lines)


def key_json(rubric: Rubric) -> dict[str, Any]:
    """The computed key as JSON-ready data: every part's exact value and every solution."""
    return {
        "assignment": rubric.assignment,
        "max_score": str(rubric.max_score),
        "parts": [
            {"id": p.id, "points": str(p.points), "check": p.check, "expected": to_json(p.expected)}
            for p in rubric.parts
        ],
        "solutions": {qid: solution_json(s) for qid, s in rubric.solutions.items()},
    }

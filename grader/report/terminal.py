"""The class summary as a rich table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from grader.report.exports import score_text
from grader.results import SubmissionResult
from grader.rubric import Rubric

ClassResults = tuple[Rubric, list[SubmissionResult]]

_STYLES = {"graded": "green", "timeout": "yellow"}


def summary_table(classes: Sequence[ClassResults]) -> Table:
    """One row per student: each assignment's ``score/max`` and the run status."""
    table = Table(title="Class summary")
    table.add_column("Student")
    for rubric, _ in classes:
        table.add_column(rubric.assignment, justify="right")
    table.add_column("Status")
    indexed = [(rubric, {r.student: r for r in results}) for rubric, results in classes]
    students = sorted({s for _, by in indexed for s in by})
    for student in students:
        cells: list[Text | str] = [Text(student)]
        statuses = []
        for rubric, by in indexed:
            result = by.get(student)
            if result is None:
                cells.append(Text("–", style="dim"))
                continue
            statuses.append(result.status)
            cells.append(f"{score_text(result.score)}/{score_text(float(rubric.max_score))}")
        status = next((s for s in statuses if s != "graded"), "graded")
        cells.append(Text(status, style=_STYLES.get(status, "red")))
        table.add_row(*cells)
    return table

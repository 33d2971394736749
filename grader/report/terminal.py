"""What the terminal shows: the class summary and one checked submission (rich tables)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from grader.classresults import AssignmentResults
from grader.display import count_text, score_text
from grader.i18n import render
from grader.report.i18n import answer_text, label, run_label
from grader.results import PartResult, SubmissionResult
from grader.rubric import Rubric

_STYLES = {"graded": "green", "timeout": "yellow"}


def summary_table(classes: Sequence[AssignmentResults]) -> Table:
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
        cells.append(Text(run_label(status, "en"), style=_STYLES.get(status, "red")))
        table.add_row(*cells)
    return table


_PART_COLOURS = {"correct": "green", "partial": "yellow", "wrong": "red"}


def check_table(result: SubmissionResult, rubric: Rubric, lang: str) -> list[Table | str]:
    """What ``grade check`` prints: a table of the parts, then the run error, the notes
    and the score, each in ``lang``."""
    table = Table(title=f"{result.student} · {rubric.title(lang)}")
    for col in ("part", "score", "status", "your_answer", "feedback"):
        table.add_column(label(col, lang), overflow="fold")
    for part in result.parts:
        colour = _PART_COLOURS.get(part.status, "magenta")
        table.add_row(
            part.id,
            escape(f"{score_text(part.score)}/{score_text(part.max_score)}"),
            f"[{colour}]{escape(label(part.status, lang))}[/]",
            escape(answer_text(part.got)),
            escape(_feedback(part, lang)),
        )
    lines: list[Table | str] = [table]
    if result.error:
        message = render(result.error.message, lang)
        lines.append(f"[red]{escape(label(result.error.kind, lang))}:[/] {escape(message)}")
    lines += [
        f"[yellow]{escape(label('note', lang))}:[/] {escape(render(note, lang))}"
        for note in result.notes
    ]
    lines.append(
        f"[bold]{escape(label('score', lang))} {score_text(result.score)} / "
        f"{score_text(result.max_score)}"
    )
    return lines


def _feedback(part: PartResult, lang: str) -> str:
    """The part's feedback, then the cells a matrix part got wrong (1-based, as a student
    counts them), so the terminal says what ``--json`` lists in ``wrong_cells``."""
    text = render(part.messages, lang)
    if part.wrong_cells and part.status in ("wrong", "partial"):
        cells = ", ".join(
            f"({count_text(r + 1, lang)}, {count_text(c + 1, lang)})" for r, c in part.wrong_cells
        )
        text = f"{text}\n{label('wrong_cells', lang).format(cells=cells)}".strip()
    return text

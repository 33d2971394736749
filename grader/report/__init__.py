"""Reports of graded results: HTML pages, gradebook exports and the terminal summary.

Reports only read :class:`~grader.results.SubmissionResult` objects; nothing here scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.classresults import AssignmentResults, ClassResults
from grader.fsutil import atomic_write_text
from grader.report import exports as _exports
from grader.report.exports import page_names
from grader.report.i18n import check_lang
from grader.report.terminal import summary_table
from grader.results import SubmissionResult
from grader.rubric import Rubric

FORMATS = ("html", "csv", "json", "gradescope")
EXPORTS = ("canvas", "moodle")

__all__ = [
    "EXPORTS",
    "FORMATS",
    "AssignmentResults",
    "ClassResults",
    "summary_table",
    "write_reports",
]


def _entries(
    classes: Sequence[AssignmentResults],
) -> dict[str, list[tuple[Rubric, SubmissionResult]]]:
    entries: dict[str, list[tuple[Rubric, SubmissionResult]]] = {}
    for rubric, results in classes:
        for result in sorted(results, key=lambda r: r.student):
            entries.setdefault(result.student, []).append((rubric, result))
    return entries


def class_page_name(assignment: str) -> str:
    """The file of one assignment's class page when a run grades several."""
    return f"class-{page_names([assignment])[assignment]}.html"


def common_lang(classes: Sequence[AssignmentResults]) -> str:
    """The rubrics' language when they share one, else English (the overview's)."""
    langs = {rubric.model.lang for rubric, _ in classes}
    return langs.pop() if len(langs) == 1 else "en"


def write_reports(
    out: Path,
    classes: list[AssignmentResults],
    *,
    lang: str | None = None,
    formats: Sequence[str] = ("html", "csv", "json"),
    exports: Sequence[str] = (),
    notes: Sequence[str] = (),
    participants: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write the reports of every class in ``classes`` under ``out``; return the paths.

    ``formats`` picks among ``html`` (``index.html`` and one page per student), ``csv``
    (``grades.csv``), ``json`` (``results.json``) and ``gradescope``
    (``gradescope/<student>.json``); ``exports`` adds ``canvas`` (``canvas.csv``) and
    ``moodle`` (``moodle.csv``). ``lang`` (``en``/``fa``) overrides each rubric's language.
    Every file is written atomically. Raises ValueError for an unknown format, export or
    language, before writing anything. ``notes`` (about the class as a whole: folders
    skipped, look-alike ids, overrides applied) appear on ``index.html`` and in
    ``results.json``. ``participants`` (student → Moodle participant id, for a class
    from Moodle's download) are the ids the Moodle and Canvas exports match on.
    """
    unknown = [f for f in formats if f not in FORMATS] + [e for e in exports if e not in EXPORTS]
    if unknown:
        raise ValueError(
            f"unknown report format {unknown[0]!r}; formats: {', '.join(FORMATS)}; "
            f"exports: {', '.join(EXPORTS)}"
        )
    if lang is not None:
        check_lang(lang)
    out = Path(out)
    class_lang = lang or (classes[0][0].model.lang if classes else "en")
    entries = _entries(classes)
    names = page_names(
        list(entries), reserved={class_page_name(r.assignment)[:-5] for r, _ in classes}
    )
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        # Reports are rebuilt from the stored results on every run: no fsync needed.
        written.append(atomic_write_text(out / name, text, durable=False))

    if "html" in formats:
        from grader.report import html  # jinja2 and matplotlib: loaded only for pages

        pages = {student: f"{names[student]}.html" for student in entries}
        if len(classes) > 1:
            # Several assignments: an overview, and each assignment's class page in its
            # own rubric's language (not one page of "no submission" cells and a total
            # over assignments no student took all of).
            class_pages = {r.assignment: class_page_name(r.assignment) for r, _ in classes}
            write(
                "index.html",
                html.render_overview(
                    classes,
                    lang=lang or common_lang(classes),
                    class_pages=class_pages,
                    student_pages=pages,
                    notes=list(notes),
                ),
            )
            for assignment in classes:
                rubric = assignment[0]
                write(
                    class_pages[rubric.assignment],
                    html.render_index(
                        [assignment],
                        lang=lang or rubric.model.lang,
                        student_pages=pages,
                        notes=list(notes),
                    ),
                )
        else:
            write(
                "index.html",
                html.render_index(classes, lang=class_lang, student_pages=pages, notes=list(notes)),
            )
        for student, mine in entries.items():
            page_lang = lang or mine[0][0].model.lang
            write(pages[student], html.render_student(student, mine, lang=page_lang))
    if "csv" in formats:
        write("grades.csv", _exports.grades_csv(classes))
    if "json" in formats:
        write("results.json", _exports.dumps(_exports.results_json(classes, notes=list(notes))))
    if "gradescope" in formats:
        for student, mine in entries.items():
            page_lang = lang or mine[0][0].model.lang
            data = _exports.gradescope_json(student, mine, lang=page_lang)
            write(f"gradescope/{names[student]}.json", _exports.dumps(data))
    ids = dict(participants or {})
    if "canvas" in exports:
        write("canvas.csv", _exports.canvas_csv(classes, lang=class_lang, participants=ids))
    if "moodle" in exports:
        write("moodle.csv", _exports.moodle_csv(classes, lang=class_lang, participants=ids))
    return written

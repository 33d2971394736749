"""Gradebook files: grades.csv, results.json, Gradescope results, Canvas and Moodle CSVs.

Every writer here returns the file's text (or JSON-ready data), so tests can compare them
with golden files; :func:`grader.fsutil.atomic_write_text` puts them on disk. Exports use ASCII digits and no
thousands separators whatever the report language, because gradebooks parse them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from grader.classresults import AssignmentResults
from grader.display import score_text as _score_text
from grader.display import score_value
from grader.i18n import render
from grader.report.i18n import answer_text, label
from grader.results import SubmissionResult
from grader.rubric import Rubric

#: Students whose page name would overwrite a class-wide file get a prefix.
_RESERVED = {"index"}


def score_text(value: float) -> str:
    """A score for a gradebook: the one display policy (:mod:`grader.display`) in ASCII
    digits, whatever the report language, because gradebooks parse them."""
    return _score_text(value, "en")


def page_names(students: Sequence[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """A distinct, safe file stem for each student (letters of any script kept).

    Path separators, control and direction characters become ``_``; a stem that is taken
    (or names a class-wide page such as ``index`` or one of ``reserved``) gets a suffix.
    """
    names: dict[str, str] = {}
    used: set[str] = {name.lower() for name in reserved}
    for student in sorted(set(students)):
        text = unicodedata.normalize("NFC", student)
        stem = (
            "".join(ch if (ch.isalnum() or ch in "-_.\u200c") else "_" for ch in text).strip("._")
            or "student"
        )
        # at most 120 bytes: a name stays valid with ".html" or a temporary suffix added
        stem = re.sub(r"_+", "_", stem).encode()[:120].decode("utf-8", "ignore") or "student"
        if stem.lower() in _RESERVED:
            stem = f"student-{stem}"
        candidate, n = stem, 2
        while candidate.lower() in used:
            candidate, n = f"{stem}-{n}", n + 1
        used.add(candidate.lower())
        names[student] = candidate
    return names


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cell(text: str) -> str:
    """A student-controlled CSV cell that a spreadsheet will not run as a formula.

    Spreadsheets evaluate cells starting with ``= + - @`` (and tab or CR) — also after
    leading spaces or invisible characters, which they skip — so such text gets a leading
    apostrophe, as OWASP recommends; scores never need it.
    """
    start = 0
    while start < len(text) and _invisible(text[start]):
        start += 1
    risky = text[start:].startswith(_FORMULA_STARTS) or text.startswith(("\t", "\r"))
    return f"'{text}" if risky else text


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def _field(text: str) -> str:
    # Quoted wherever a reader could split the row: the csv module leaves a lone CR
    # unquoted when the line terminator is LF, and a spreadsheet starts a row there.
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(rows: list[list[str]]) -> str:
    return "".join(",".join(_field(field) for field in row) + "\n" for row in rows)


def _students(classes: Sequence[AssignmentResults]) -> list[str]:
    return sorted({r.student for _, results in classes for r in results})


def _by_student(results: list[SubmissionResult]) -> dict[str, SubmissionResult]:
    return {r.student: r for r in results}


def grades_csv(classes: Sequence[AssignmentResults]) -> str:
    """One row per student: every part's score (``hw2.dropout.p``), each assignment's
    total (``hw2.total``) and the overall ``total``; blank where a student has no result."""
    header = ["student"]
    for rubric, _ in classes:
        header += [f"{rubric.assignment}.{p.id}" for p in rubric.parts]
        header.append(f"{rubric.assignment}.total")
    header.append("total")
    rows = [header]
    indexed = [(rubric, _by_student(results)) for rubric, results in classes]
    for student in _students(classes):
        row = [cell(student)]
        overall = 0.0
        for rubric, results in indexed:
            result = results.get(student)
            scores = {p.id: p.score for p in result.parts} if result else {}
            row += [score_text(scores[p.id]) if p.id in scores else "" for p in rubric.parts]
            row.append(score_text(result.score) if result else "")
            overall += result.score if result else 0.0
        row.append(score_text(overall))
        rows.append(row)
    return _csv(rows)


def results_json(
    classes: Sequence[AssignmentResults], *, notes: Sequence[str] = ()
) -> dict[str, Any]:
    """Every result's JSON plus each assignment's title and maximum score, and the notes
    about the class as a whole (``notes``, always present, possibly empty)."""
    return {
        "notes": list(notes),
        # False when any student's code ran without the sandbox: never to be missed.
        "sandboxed": not any(note.startswith("not sandboxed") for note in notes),
        "assignments": [
            {
                "id": rubric.assignment,
                "title": rubric.title(rubric.model.lang),
                "max_score": score_value(float(rubric.max_score)),
            }
            for rubric, _ in classes
        ],
        "results": [
            _shown_scores(r.to_json())
            for _, results in classes
            for r in sorted(results, key=lambda r: r.student)
        ],
    }


def _shown_scores(data: dict[str, Any]) -> dict[str, Any]:
    """A result's JSON with every score rounded by the display policy."""
    parts = [
        {**p, "score": score_value(p["score"]), "max_score": score_value(p["max_score"])}
        for p in data["parts"]
    ]
    return {
        **data,
        "score": score_value(data["score"]),
        "max_score": score_value(data["max_score"]),
        "parts": parts,
    }


def gradescope_json(
    student: str, entries: Sequence[tuple[Rubric, SubmissionResult]], *, lang: str = "en"
) -> dict[str, Any]:
    """A Gradescope autograder ``results.json`` for one student: one test per part."""
    many = len(entries) > 1
    tests = []
    outputs = []
    for ai, (rubric, result) in enumerate(entries, start=1):
        outputs.append(
            f"{rubric.title(lang)}: {score_text(result.score)} / {score_text(float(rubric.max_score))}"
        )
        if result.error:
            outputs.append(
                f"{label(result.error.kind, lang)}: {render(result.error.message, lang)}"
            )
        outputs += [render(n, lang) for n in result.notes]
        qnumbers = {q.id: i for i, q in enumerate(rubric.model.questions, start=1)}
        pnumbers: dict[str, int] = {}
        for part in result.parts:
            question = part.id.split(".", 1)[0]
            pnumbers[question] = pnumbers.get(question, 0) + 1
            number = f"{qnumbers.get(question, 0)}.{pnumbers[question]}"
            lines = [f"{label(part.status, lang)}"]
            lines.append(f"{label('your_answer', lang)}: {answer_text(part.got, score_text)}")
            if part.expected is not None and _revealed(rubric, part.id):
                lines.append(f"{label('expected', lang)}: {answer_text(part.expected, score_text)}")
            if part.messages:
                lines.append(render(part.messages, lang))
            if part.overridden:
                lines.append(
                    label("overridden", lang) + (f": {part.comment}" if part.comment else "")
                )
            tests.append(
                {
                    "name": f"{rubric.assignment} {part.id}" if many else part.id,
                    "number": f"{ai}.{number}" if many else number,
                    "score": score_value(part.score),
                    "max_score": score_value(part.max_score),
                    "status": "passed" if part.status == "correct" else "failed",
                    "output": "\n".join(lines),
                    "output_format": "text",
                    "visibility": "visible",
                }
            )
    return {
        "score": score_value(sum(r.score for _, r in entries)),
        "execution_time": round(sum(r.duration for _, r in entries), 3),
        "output": "\n".join(outputs),
        "output_format": "text",
        "visibility": "visible",
        "tests": tests,
    }


def _revealed(rubric: Rubric, part_id: str) -> bool:
    try:
        return rubric.part(part_id).reveal
    except KeyError:
        return True


def _assignment_header(rubric: Rubric, lang: str) -> str:
    return f"{rubric.title(lang)} ({rubric.assignment})"


def _canvas_header(rubric: Rubric, lang: str) -> str:
    # Canvas matches a column to an assignment by the number in its trailing parentheses;
    # without the rubric's canvas_assignment_id it asks the TA which assignment it is.
    number = rubric.model.canvas_assignment_id
    return f"{rubric.title(lang)} ({number})" if number else _assignment_header(rubric, lang)


def canvas_csv(
    classes: Sequence[AssignmentResults],
    *,
    lang: str = "en",
    participants: Mapping[str, str] | None = None,
) -> str:
    """A Canvas gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section`` and
    one column per assignment headed ``Title (Canvas assignment id)`` (the rubric's
    ``canvas_assignment_id``, else the assignment's own id). ``Student`` is the name the
    class knows; the id Canvas matches on goes in ``SIS User ID``: the student's id, or a
    Moodle participant's id from ``participants`` (name → id) when the student is known
    by name only. Canvas's own numeric ``ID`` is unknown here and left blank."""
    participants = participants or {}
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    header += [_canvas_header(rubric, lang) for rubric, _ in classes]
    points = ["    Points Possible", "", "", "", ""]
    points += [score_text(float(rubric.max_score)) for rubric, _ in classes]
    rows = [header, points]
    indexed = [_by_student(results) for _, results in classes]
    for student in _students(classes):
        sis_id = participants.get(student, student)
        row = [cell(student), "", cell(sis_id), "", ""]
        row += [score_text(r[student].score) if student in r else "" for r in indexed]
        rows.append(row)
    return _csv(rows)


def moodle_csv(
    classes: Sequence[AssignmentResults],
    *,
    lang: str = "en",
    participants: Mapping[str, str] | None = None,
) -> str:
    """A Moodle import. With ``participants`` (name → participant id, from Moodle's
    submissions zip) and one assignment: the assignment's offline grading worksheet,
    matched by participant (see :func:`moodle_worksheet_csv`). Otherwise a grade import:
    ``ID number`` (map it to the user's ID number) and one grade column per assignment,
    headed ``Title (assignment id)``."""
    if participants and len(classes) == 1:
        ((rubric, results),) = classes
        return moodle_worksheet_csv(rubric, results, participants)
    header = ["ID number"] + [_assignment_header(rubric, lang) for rubric, _ in classes]
    rows = [header]
    indexed = [_by_student(results) for _, results in classes]
    for student in _students(classes):
        rows.append(
            [cell(student)]
            + [score_text(r[student].score) if student in r else "" for r in indexed]
        )
    return _csv(rows)


def moodle_worksheet_csv(
    rubric: Rubric, results: Sequence[SubmissionResult], participants: Mapping[str, str]
) -> str:
    """Moodle's offline grading worksheet for one assignment ("Upload grading worksheet"):
    ``Identifier`` (``Participant 12345``: the participant id of the submissions zip),
    ``Full name``, ``Grade``, ``Maximum grade``. Moodle matches rows by ``Identifier``
    alone, so a student without a participant id is left out."""
    rows = [["Identifier", "Full name", "Grade", "Maximum grade"]]
    maximum = score_text(float(rubric.max_score))
    for result in sorted(results, key=lambda r: r.student):
        pid = participants.get(result.student)
        if pid:
            rows.append(
                [f"Participant {pid}", cell(result.student), score_text(result.score), maximum]
            )
    return _csv(rows)


def dumps(data: Any) -> str:
    """JSON text as every export writes it: UTF-8, indented, keys in a stable order."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

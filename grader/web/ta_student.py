"""What a student sees of grading, once the TAs publish an assignment: their report (the
page ``grade`` writes, in their language, with the TAs' scores and the trail) and
regrade requests for one part. Every query is scoped by the signed-in student."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from grader.web import gradebook, published
from grader.web.app import STUDENT, Visit, _not_found, _page, _service
from grader.web.labels import text
from grader.web.models import Regrade
from grader.web.security import CSP
from grader.web.views import regrade_answer, title, when

_REPORT_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def _published_rubric(visit: Visit) -> Any:
    """The assignment's rubric if its grades are published and the student handed it in."""
    rubric = _service(visit.request).course.rubrics.get(visit.request.path_params["assignment"])
    if rubric is None or visit.student is None:
        return None
    if gradebook.published(visit.db, rubric.assignment) is None:
        return None
    if visit.student.id not in gradebook.handed_in_students(visit.db, rubric.assignment):
        return None
    return rubric


def _grades_view(visit: Visit, notice: str | None = None, status: int = 200) -> Response:
    service = _service(visit.request)
    rubric = service.course.rubrics.get(visit.request.path_params["assignment"])
    if rubric is None or visit.student is None:
        return _not_found(visit)
    lang = visit.lang
    is_published = gradebook.published(visit.db, rubric.assignment) is not None
    handed = visit.student.id in gradebook.handed_in_students(visit.db, rubric.assignment)
    requests = [
        {
            "part": r.part,
            "reason": r.reason,
            "when": when(r.created, lang),
            "answer": regrade_answer(r, lang) or text("waiting_answer", lang),
        }
        for r in visit.db.scalars(
            select(Regrade)
            .where(Regrade.student == visit.student.id, Regrade.assignment == rubric.assignment)
            .order_by(Regrade.id)
        )
    ]
    return _page(
        visit,
        "grades.html.j2",
        status,
        assignment=rubric.assignment,
        assignment_title=rubric.title(lang),
        published=is_published and handed,
        parts=[
            {"id": p.id, "title": f"{p.question} · {title(p.title, lang, p.part)}"}
            for p in rubric.parts
        ],
        requests=requests,
        notice=notice,
    )


def _report_page(visit: Visit) -> Response:
    """The published report, with the page's own policy (inline style, one hashed script)
    in place of the service's."""
    assert visit.student is not None
    rubric = _published_rubric(visit)
    if rubric is None:
        return _not_found(visit)
    html = published.student_report(visit.db, rubric, visit.student.id, visit.lang)
    match = _REPORT_CSP.search(html)
    policy = match.group(1) if match else CSP
    policy += "; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    return HTMLResponse(html, headers={"content-security-policy": policy})


def _regrade(visit: Visit, form: FormData) -> Response:
    assert visit.student is not None
    rubric = _published_rubric(visit)
    if rubric is None:
        return _not_found(visit)
    part = form.get("part")
    reason = form.get("reason")
    reason = reason.strip()[: gradebook.MAX_TEXT] if isinstance(reason, str) else ""
    if not isinstance(part, str) or part not in {p.id for p in rubric.parts}:
        return _not_found(visit)
    if not reason:
        return _grades_view(visit, text("regrade_reason_needed", visit.lang), 400)
    visit.db.add(
        Regrade(
            student=visit.student.id,
            assignment=rubric.assignment,
            part=part,
            reason=reason,
            created=gradebook.utcnow(),
        )
    )
    visit.db.commit()
    return _grades_view(visit, text("regrade_sent", visit.lang))


def routes() -> list[Route]:
    """The students' grading routes."""
    return [
        Route("/a/{assignment}/grades", STUDENT.get(_grades_view), methods=["GET"]),
        Route("/a/{assignment}/report", STUDENT.get(_report_page), methods=["GET"]),
        Route("/a/{assignment}/regrade", STUDENT.post(_regrade), methods=["POST"]),
    ]

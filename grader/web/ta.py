"""The TAs' pages under ``/ta``: sign-in, grading by question, corrections, regrade
answers, publishing, exports, fixing the key and the live view of the class.

Every handler first takes the TA from the TA session cookie (:mod:`grader.web.ta_auth`);
without one — a student's session included — it answers with the TA sign-in page and
reads nothing else. Students' ids in a TA URL are looked up among the assignment's
hand-ins only.
"""

from __future__ import annotations

import math
import secrets
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from grader.display import score_of, score_text
from grader.overrides import OverrideError
from grader.report.i18n import answer_text
from grader.rubric import ResolvedPart, Rubric, RubricError
from grader.web import auth, gradebook, keys, live, published, ta_auth
from grader.web.app import (
    Door,
    Visit,
    _client,
    _lang,
    _not_found,
    _page,
    _service,
    _signin_blocked,
)
from grader.web.db import utcnow
from grader.web.labels import text
from grader.web.models import Regrade, SavedComment
from grader.web.views import regrade_answer, title, when


def _open_ta(request: Request, db: DbSession) -> Visit:
    """The request as a TA page sees it: the TA of the TA cookie (or None), the CSRF
    token bound to that cookie (or to the pre-sign-in cookie)."""
    service = _service(request)
    cookie = request.cookies.get(ta_auth.TA_COOKIE)
    ta = ta_auth.session_ta(db, cookie)
    new_pre = False
    if ta is None:
        cookie = request.cookies.get(auth.PRE_COOKIE)
        if not cookie or len(cookie) > 100:
            cookie, new_pre = secrets.token_urlsafe(24), True
    if not service.secret:
        service.secret = auth.server_secret(db)
    assert cookie is not None
    return Visit(
        request,
        db,
        None,
        _lang(request, None),
        cookie,
        new_pre,
        auth.csrf_token(service.secret, cookie),
        ta=ta,
    )


#: The TA pages: the TA session cookie, signed out to ``/ta/signin``.
TA = Door(_open_ta, lambda visit: visit.ta is not None, "/ta/signin")


def _field(form: FormData, name: str, limit: int = gradebook.MAX_TEXT) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _number(value: str) -> float | None:
    """A score typed by a TA (Persian digits and ٫ accepted); None when blank or not one."""
    cleaned = value.strip().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٫", "0123456789."))
    try:
        number = float(cleaned) if cleaned else None
    except ValueError:
        return None
    if number is None or not math.isfinite(number) or abs(number) >= 1e6:
        return None
    return number


def _save_from_form(
    visit: Visit, form: FormData, rubric: Any, student: str, part_id: str, **mark: Any
) -> None:
    """Save the signed-in TA's mark of one part at the version of the mark the form was
    drawn from (0: no mark yet), so that saving over another TA's newer mark raises
    :class:`gradebook.Conflict` instead of overwriting it. ``mark``: the rest of
    :func:`gradebook.save_mark`'s keywords (items, score, comment, kind, why)."""
    version = _field(form, "version", 12)
    gradebook.save_mark(
        visit.db,
        rubric,
        student,
        part_id,
        visit.ta.name,
        version=int(version) if version.isdigit() else 0,
        **mark,
    )


def _conflict(visit: Visit, theirs: gradebook.Mark) -> str:
    """The notice for a save that lost to another TA's newer mark: who saved it, when."""
    return text("conflict", visit.lang, name=theirs.grader, time=when(theirs.updated, visit.lang))


def _rubric(visit: Visit) -> Any:
    return _service(visit.request).course.rubrics.get(visit.request.path_params["assignment"])


# ---------------------------------------------------------------- sign-in


def signin_page(request: Request) -> Response:
    with _service(request).factory() as db:
        visit = _open_ta(request, db)
        if visit.ta is not None:
            return RedirectResponse("/ta", 303)
        return _page(visit, "ta_signin.html.j2", error=None)


def _signin(visit: Visit, form: FormData) -> Response:
    db = visit.db
    client = "ta:" + _client(visit.request)
    blocked = _signin_blocked(visit, client)
    if blocked is not None:
        return _page(visit, "ta_signin.html.j2", 429, error=blocked)
    ta = ta_auth.verify(db, _field(form, "name", 100), _field(form, "password", 1000))
    if ta is None:
        auth.record_failure(db, client)
        return _page(visit, "ta_signin.html.j2", 401, error=text("ta_signin_wrong", visit.lang))
    value = ta_auth.open_session(db, ta)
    response = RedirectResponse("/ta", 303)
    response.set_cookie(
        ta_auth.TA_COOKIE,
        value,
        max_age=ta_auth.TA_SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=_service(visit.request).secure_cookies,
        path="/ta",
    )
    return response


def _signout(visit: Visit, form: FormData) -> Response:
    ta_auth.close_session(visit.db, visit.request.cookies.get(ta_auth.TA_COOKIE))
    response = RedirectResponse("/ta/signin", 303)
    response.delete_cookie(ta_auth.TA_COOKIE, path="/ta")
    return response


# ---------------------------------------------------------------- the TA's home


def _dashboard(visit: Visit) -> Response:
    course = _service(visit.request).course
    rows = []
    for assignment, rubric in course.rubrics.items():
        publication = gradebook.published(visit.db, assignment)
        open_regrades = len(
            visit.db.scalars(
                select(Regrade.id).where(Regrade.assignment == assignment, Regrade.answer.is_(None))
            ).all()
        )
        rows.append(
            {
                "id": assignment,
                "title": rubric.title(visit.lang),
                "parts": [
                    {
                        "id": p.id,
                        "title": title(p.title, visit.lang, p.id),
                        "written": p.check == "written",
                    }
                    for p in rubric.parts
                ],
                "handins": len(gradebook.handed_in_students(visit.db, assignment)),
                "regrades": open_regrades,
                "published": text(
                    "published_at",
                    visit.lang,
                    time=when(publication.created, visit.lang),
                    name=publication.by,
                )
                if publication
                else text("not_published", visit.lang),
            }
        )
    notice = visit.request.query_params.get("notice")
    return _page(visit, "ta_home.html.j2", assignments=rows, notice=_notice(visit, notice))


_NOTICES = {"published": "publish_done", "accepted": "keyfix_accepted", "imported": "imported"}


def _notice(visit: Visit, key: str | None) -> str | None:
    if key not in _NOTICES:
        return None
    count = visit.request.query_params.get("count", "0")
    return text(_NOTICES[key], visit.lang, count=count if count.isdigit() else "0")


# ---------------------------------------------------------------- grading by question


def _answer_shown(part: Any, answers: dict[str, Any] | None) -> str:
    if not answers or answers.get(part.id) in (None, ""):
        return ""
    value = answers[part.id]
    return value if isinstance(value, str) else answer_text(value)


def _grade_view(
    visit: Visit,
    student: str | None,
    *,
    notice: str | None = None,
    status: int = 200,
    conflict: Any = None,
) -> Response:
    rubric = _rubric(visit)
    part_id = visit.request.path_params["part"]
    try:
        part = rubric.part(part_id) if rubric else None
    except KeyError:
        part = None
    if rubric is None or part is None:
        return _not_found(visit)
    db, lang = visit.db, visit.lang
    students = gradebook.handed_in_students(db, rubric.assignment)
    marks = gradebook.marks_of(db, rubric.assignment)
    items = gradebook.items_of(db, rubric.assignment).get(part.id, [])
    if student not in students:
        ungraded = [s for s in students if (s, part.id) not in marks]
        student = (ungraded or students or [None])[0]
    rows = []
    for s in students:
        mark = marks.get((s, part.id))
        score = gradebook.mark_score(part, mark, items) if mark else None
        rows.append(
            {
                "id": s,
                "current": s == student,
                "state": text(
                    "graded_by",
                    lang,
                    name=mark.grader,
                    score=score_of(score, float(part.points), lang),
                )
                if mark is not None and score is not None
                else text("not_graded", lang),
            }
        )
    context: dict[str, Any] = {
        "assignment": rubric.assignment,
        "assignment_title": rubric.title(lang),
        "part": {
            "id": part.id,
            "title": title(part.title, lang, part.id),
            "points": score_text(float(part.points), lang),
            "written": part.check == "written",
            "hints": [h.get(lang) or h.get("en", "") for h in part.hints],
        },
        "students": rows,
        "current": student,
        "notice": notice,
        "conflict": conflict,
    }
    if student is not None:
        index = students.index(student)
        answers = gradebook.handed_answers(db, rubric, student)
        mark = marks.get((student, part.id)) if conflict is None else conflict
        chosen = set(gradebook.ticked(mark))
        auto = None
        if part.check != "written":
            result = next(
                r
                for r in gradebook.grade_answers(rubric, answers or {}, student)
                if r.id == part.id
            )
            auto = score_of(result.score, result.max_score, lang)
        context.update(
            {
                "position": text(
                    "student_of",
                    lang,
                    n=score_text(index + 1, lang),
                    total=score_text(len(students), lang),
                ),
                "answer": _answer_shown(part, answers),
                "auto": auto,
                "items": [
                    {
                        "n": n + 1,
                        "id": i.item,
                        "points": i.points,
                        "points_shown": ("+" if i.points > 0 else "") + score_text(i.points, lang),
                        "text": i.text_fa if lang == "fa" else i.text_en,
                        "text_en": i.text_en,
                        "text_fa": i.text_fa,
                        "ticked": i.item in chosen,
                    }
                    for n, i in enumerate(items)
                ],
                "version": mark.version if mark is not None else 0,
                "comment": mark.comment if mark is not None else "",
                "score": "" if mark is None or mark.score is None else f"{mark.score:g}",
                "prev": students[index - 1] if index > 0 else None,
                "next": students[index + 1] if index + 1 < len(students) else None,
                "saved_comments": [
                    c.text
                    for c in db.scalars(
                        select(SavedComment)
                        .where(
                            SavedComment.assignment == rubric.assignment,
                            SavedComment.part == part.id,
                        )
                        .order_by(SavedComment.id)
                    )
                ],
            }
        )
    return _page(visit, "ta_grade.html.j2", status, **context)


def _grade_page(visit: Visit) -> Response:
    saved = visit.request.query_params.get("saved")
    notice = None
    if saved:
        notice = text("mark_saved", visit.lang, student=saved, score="")
    return _grade_view(visit, visit.request.query_params.get("student"), notice=notice)


def _handed_in_part(
    visit: Visit, rubric: Rubric | None, student: str, part_id: str
) -> ResolvedPart | None:
    """The part a TA's form names, if the student handed this assignment in (else None:
    the caller answers 404, never revealing whether the student or the part exists)."""
    if rubric is None or student not in gradebook.handed_in_students(visit.db, rubric.assignment):
        return None
    try:
        return rubric.part(part_id)
    except KeyError:
        return None


def _grade_post(visit: Visit, form: FormData) -> Response:
    rubric = _rubric(visit)
    part_id = visit.request.path_params["part"]
    student = _field(form, "student", 200)
    part = _handed_in_part(visit, rubric, student, part_id)
    if rubric is None or part is None:
        return _not_found(visit)
    comment = _field(form, "comment")
    score_text_sent = _field(form, "score", 20)
    score = _number(score_text_sent)
    if score is not None and not 0 <= score <= float(part.points):
        score = None
    ticked = [v for v in form.getlist("item") if isinstance(v, str)]
    try:
        _save_from_form(
            visit, form, rubric, student, part_id, items=ticked, score=score, comment=comment
        )
    except gradebook.Conflict as exc:
        message = _conflict(visit, exc.mark)
        return _grade_view(visit, student, notice=message, status=409, conflict=exc.mark)
    if comment and form.get("keep_comment"):
        exists = visit.db.scalars(
            select(SavedComment.id).where(
                SavedComment.assignment == rubric.assignment,
                SavedComment.part == part_id,
                SavedComment.text == comment,
            )
        ).first()
        if exists is None:
            visit.db.add(
                SavedComment(
                    assignment=rubric.assignment,
                    part=part_id,
                    text=comment,
                    created_by=visit.ta.name,
                )
            )
            visit.db.commit()
    go = _field(form, "go", 200) or student
    target = f"/ta/a/{rubric.assignment}/grade/{part_id}?student={quote(go)}&saved={quote(student)}"
    return RedirectResponse(target, 303)


def _item_post(visit: Visit, form: FormData) -> Response:
    rubric = _rubric(visit)
    params = visit.request.path_params
    points = _number(_field(form, "points", 20))
    if rubric is None or points is None or points == 0:
        return _not_found(visit)
    try:
        part = rubric.part(params["part"])
        changed = gradebook.edit_item(
            visit.db,
            rubric,
            part.id,
            params["item"],
            visit.ta.name,
            points=points,
            text_en=_field(form, "text_en") or params["item"],
            text_fa=_field(form, "text_fa") or _field(form, "text_en") or params["item"],
        )
    except KeyError:
        return _not_found(visit)
    back = _field(form, "student", 200)
    notice = text("item_saved", visit.lang, count=score_text(len(changed), visit.lang))
    return _grade_view(visit, back, notice=notice)


# ---------------------------------------------------------------- one student, any part


def _student_view(visit: Visit, notice: str | None = None, status: int = 200) -> Response:
    rubric = _rubric(visit)
    student = visit.request.path_params["student"]
    if rubric is None or student not in gradebook.handed_in_students(visit.db, rubric.assignment):
        return _not_found(visit)
    lang = visit.lang
    graded = published.student_graded(visit.db, rubric, student, lang)
    marks = graded.marks
    rows = []
    for part, result in zip(rubric.parts, graded.result.parts, strict=True):
        mark = marks.get(part.id)
        rows.append(
            {
                "id": part.id,
                "title": title(part.title, lang, part.id),
                "score": score_of(result.score, result.max_score, lang),
                "by": text("ta_score", lang) if result.overridden else text("auto_score", lang),
                "comment": result.comment or "",
                "version": mark.version if mark else 0,
            }
        )
    return _page(
        visit,
        "ta_student.html.j2",
        status,
        assignment=rubric.assignment,
        assignment_title=rubric.title(lang),
        student_id=student,
        parts=rows,
        total=score_of(graded.result.score, graded.result.max_score, lang),
        notice=notice,
    )


def _student_page(visit: Visit) -> Response:
    return _student_view(visit)


def _correct_post(visit: Visit, form: FormData) -> Response:
    rubric = _rubric(visit)
    student = visit.request.path_params["student"]
    part_id = _field(form, "part", 200)
    score = _number(_field(form, "score", 20))
    why = _field(form, "why")
    part = _handed_in_part(visit, rubric, student, part_id)
    if rubric is None or part is None:
        return _not_found(visit)
    if score is None or not 0 <= score <= float(part.points) or not why:
        return _student_view(visit, text("regrade_reason_needed", visit.lang), 400)
    mark = visit.db.get(gradebook.Mark, (student, rubric.assignment, part_id))
    try:
        _save_from_form(
            visit,
            form,
            rubric,
            student,
            part_id,
            items=gradebook.ticked(mark),
            score=score,
            comment=mark.comment if mark else "",
            kind="correction",
            why=why,
        )
    except gradebook.Conflict as exc:
        return _student_view(visit, _conflict(visit, exc.mark), 409)
    return _student_view(visit, text("correction_saved", visit.lang))


# ---------------------------------------------------------------- regrades


def _regrades_view(visit: Visit, notice: str | None = None) -> Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    lang = visit.lang
    rows = []
    for r in visit.db.scalars(
        select(Regrade).where(Regrade.assignment == rubric.assignment).order_by(Regrade.id)
    ):
        part = rubric.part(r.part)
        rows.append(
            {
                "id": r.id,
                "student": r.student,
                "part": r.part,
                "part_title": title(part.title, lang, part.id),
                "points": score_text(float(part.points), lang),
                "score": score_text(
                    gradebook.part_score(visit.db, rubric, r.student, r.part), lang
                ),
                "reason": r.reason,
                "when": when(r.created, lang),
                "answer": regrade_answer(r, lang),
            }
        )
    return _page(
        visit,
        "ta_regrades.html.j2",
        assignment=rubric.assignment,
        assignment_title=rubric.title(lang),
        regrades=rows,
        notice=notice,
    )


def _regrade_answer(visit: Visit, form: FormData) -> Response:
    rubric = _rubric(visit)
    raw = visit.request.path_params["regrade"]
    row = (
        visit.db.get(Regrade, int(raw))
        if rubric is not None and raw.isdigit() and len(raw) < 12
        else None
    )
    if row is None or row.assignment != rubric.assignment:
        return _not_found(visit)
    answer = _field(form, "answer")
    score = _number(_field(form, "score", 20))
    part = rubric.part(row.part)
    if not answer or (score is not None and not 0 <= score <= float(part.points)):
        return _regrades_view(visit, text("regrade_reason_needed", visit.lang))
    if score is not None:
        mark = visit.db.get(gradebook.Mark, (row.student, rubric.assignment, row.part))
        gradebook.save_mark(
            visit.db,
            rubric,
            row.student,
            row.part,
            visit.ta.name,
            version=None,
            items=gradebook.ticked(mark),
            score=score,
            comment=mark.comment if mark else "",
            kind="regrade",
            why=f"{row.reason} — {answer}",
        )
        row = visit.db.get(Regrade, row.id)
        assert row is not None
    row.answer, row.answered_by, row.answered = answer, visit.ta.name, utcnow()
    visit.db.commit()
    return _regrades_view(visit)


# ---------------------------------------------------------------- publishing and exports


def _publish(visit: Visit, form: FormData) -> Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    gradebook.publish(visit.db, rubric.assignment, visit.ta.name)
    return RedirectResponse("/ta?notice=published", 303)


def _download(body: str | bytes, name: str, media: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _grades_csv(visit: Visit) -> Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    body = published.grades_with_trail(visit.db, rubric)
    return _download(body, f"{rubric.assignment}-grades.csv", "text/csv; charset=utf-8")


#: The exports beside grades.csv: URL name → (the file ``grade`` writes, media type).
EXPORT_FILES = {
    "canvas.csv": ("canvas.csv", "text/csv; charset=utf-8"),
    "moodle.csv": ("moodle.csv", "text/csv; charset=utf-8"),
    "gradescope.zip": ("gradescope/", "application/zip"),
}


def _export(visit: Visit) -> Response:
    """One gradebook export as ``grade`` writes it (Gradescope's per-student files zipped)."""
    rubric = _rubric(visit)
    name = visit.request.path_params["name"]
    if rubric is None or name not in EXPORT_FILES:
        return _not_found(visit)
    written, media = EXPORT_FILES[name]
    files = published.export_files(visit.db, rubric)
    body = published.gradescope_zip(files) if written == "gradescope/" else files[written]
    return _download(body, f"{rubric.assignment}-{name}", media)


def _overrides_get(visit: Visit) -> Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    body = published.overrides_yaml(visit.db, rubric)
    return _download(body, "overrides.yaml", "application/yaml; charset=utf-8")


def _overrides_post(visit: Visit, form: FormData) -> Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    try:
        count = published.import_overrides(
            visit.db, rubric, _field(form, "overrides", 200_000), visit.ta.name
        )
    except OverrideError as exc:
        return _page(
            visit, "message.html.j2", 400, message=text("import_error", visit.lang, reason=str(exc))
        )
    return RedirectResponse(f"/ta?notice=imported&count={count}", 303)


# ---------------------------------------------------------------- fixing the key


def _keyfix_changes(visit: Visit) -> tuple[Any, Any, list[dict[str, Any]]] | Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    try:
        fixed = keys.read_rubric_file(rubric.path)
    except RubricError as exc:
        return _page(visit, "message.html.j2", 400, message="\n".join(exc.problems))
    new = fixed.rubric
    changes = []
    for before in gradebook.class_results(visit.db, rubric):
        answers = gradebook.handed_answers(visit.db, new, before.student) or {}
        after = gradebook.final_result(visit.db, new, before.student, answers)
        old_parts = {p.id: p.score for p in before.result.parts}
        parts = [
            (p.id, old_parts.get(p.id), p.score)
            for p in after.result.parts
            if old_parts.get(p.id) is None or abs(old_parts[p.id] - p.score) > 1e-9
        ]
        if parts or abs(before.result.score - after.result.score) > 1e-9:
            changes.append(
                {
                    "student": before.student,
                    "old": before.result.score,
                    "new": after.result.score,
                    "parts": parts,
                }
            )
    return rubric, fixed, changes


def _keyfix_page(visit: Visit) -> Response:
    found = _keyfix_changes(visit)
    if isinstance(found, Response):
        return found
    rubric, _, changes = found
    lang = visit.lang
    return _page(
        visit,
        "ta_keyfix.html.j2",
        assignment=rubric.assignment,
        assignment_title=rubric.title(lang),
        changes=[
            {
                **c,
                "old_shown": score_text(c["old"], lang),
                "new_shown": score_text(c["new"], lang),
                "parts_shown": [
                    f"{p}: {score_text(o or 0.0, lang)} → {score_text(n, lang)}"
                    for p, o, n in c["parts"]
                ],
            }
            for c in changes
        ],
        count=score_text(len(changes), lang),
    )


def _keyfix_accept(visit: Visit, form: FormData) -> Response:
    found = _keyfix_changes(visit)
    if isinstance(found, Response):
        return found
    rubric, fixed, changes = found
    why = _field(form, "why") or "rubric file changed"
    for change in changes:
        for part_id, old, new_score in change["parts"]:
            gradebook.record(
                visit.db,
                change["student"],
                rubric.assignment,
                part_id,
                old,
                new_score,
                "key",
                visit.ta.name,
                why,
            )
    # The trail and the key are committed together: every process grades with it now.
    keys.accept(visit.db, rubric.assignment, fixed, visit.ta.name)
    service = _service(visit.request)
    service.keys.refresh(visit.db)
    gradebook.seed_items(visit.db, service.course)
    return RedirectResponse(f"/ta?notice=accepted&count={len(changes)}", 303)


# ---------------------------------------------------------------- the class as it works


def _live_page(visit: Visit) -> Response:
    rubric = _rubric(visit)
    if rubric is None:
        return _not_found(visit)
    view = live.class_view(visit.db, rubric, visit.lang)
    return _page(
        visit,
        "ta_live.html.j2",
        assignment=rubric.assignment,
        assignment_title=rubric.title(visit.lang),
        **view,
    )


def routes() -> list[Route]:
    """The TA pages' routes."""
    a = "/ta/a/{assignment}"
    return [
        Route("/ta/signin", signin_page, methods=["GET"]),
        Route("/ta/signin", TA.post(_signin, anyone=True), methods=["POST"]),
        Route("/ta/signout", TA.post(_signout, 10), methods=["POST"]),
        Route("/ta", TA.get(_dashboard), methods=["GET"]),
        Route(a + "/grade/{part}", TA.get(_grade_page), methods=["GET"]),
        Route(a + "/grade/{part}", TA.post(_grade_post, 500), methods=["POST"]),
        Route(a + "/items/{part}/{item}", TA.post(_item_post, 500), methods=["POST"]),
        Route(a + "/students/{student}", TA.get(_student_page), methods=["GET"]),
        Route(a + "/students/{student}", TA.post(_correct_post, 500), methods=["POST"]),
        Route(a + "/regrades", TA.get(lambda v: _regrades_view(v)), methods=["GET"]),
        Route(a + "/regrades/{regrade}", TA.post(_regrade_answer, 500), methods=["POST"]),
        Route(a + "/publish", TA.post(_publish, 10), methods=["POST"]),
        Route(a + "/grades.csv", TA.get(_grades_csv), methods=["GET"]),
        Route(a + "/exports/{name}", TA.get(_export), methods=["GET"]),
        Route(a + "/overrides.yaml", TA.get(_overrides_get), methods=["GET"]),
        Route(a + "/overrides", TA.post(_overrides_post, 10), methods=["POST"]),
        Route(a + "/keyfix", TA.get(_keyfix_page), methods=["GET"]),
        Route(a + "/keyfix", TA.post(_keyfix_accept, 10), methods=["POST"]),
        Route(a + "/live", TA.get(_live_page), methods=["GET"]),
    ]


#: Every TA URL with placeholders, for the test that tries each one as a student.
TA_URLS = [r.path for r in routes()]
__all__ = ["TA_URLS", "routes"]

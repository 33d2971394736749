"""The ASGI application: routes, sessions and pages of ``grade serve``.

Handlers are plain functions run in Starlette's thread pool (the grading core and the
database calls are synchronous). Each one takes the student from the session cookie and
passes that id to :mod:`grader.web.checking` and :mod:`grader.web.queue`; ids in a URL
(a job number) are only ever looked up together with the signed-in student, so another
student's id answers 404 like an id that does not exist.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from grader.report.i18n import digits, number, score_of
from grader.rubric import Rubric
from grader.web import auth, checking, queue
from grader.web.course import Course
from grader.web.db import sessions
from grader.web.forms import answer_from_form
from grader.web.gradebook import published
from grader.web.keyguard import KeyGuard
from grader.web.keys import KeyBook, KeySync
from grader.web.labels import text
from grader.web.models import Job, Student
from grader.web.security import SecurityMiddleware
from grader.web.views import check_view, question_views, run_view, when

HERE = Path(__file__).parent
LANG_COOKIE = "dlg_lang"


@dataclass
class Service:
    """What every handler shares: the course, the database and the page templates."""

    course: Course
    factory: sessionmaker[DbSession]
    secure_cookies: bool = False
    guards: dict[str, KeyGuard] = field(default_factory=dict)
    env: jinja2.Environment = field(init=False)
    keys: KeyBook = field(init=False)
    secret: bytes = b""

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates are package files: no stat() per page
        )
        self.guards = {a: KeyGuard(r) for a, r in self.course.rubrics.items()}
        self.keys = KeyBook(self.course, self.guards)
        self._variant_guards: dict[tuple[str, str], tuple[Rubric, Rubric, KeyGuard]] = {}

    def own(self, rubric: Rubric, student: str) -> tuple[Rubric, KeyGuard]:
        """``student``'s own variant of ``rubric`` and the guard of ITS hidden key values.

        With variants each student's key differs, so the guard built from the rubric as
        written would let their own hidden values through. Cached while the rubric object
        stays the one in use (an accepted key fix installs a new one).
        """
        if not rubric.has_variants:
            return rubric, self.guards[rubric.assignment]
        cache_key = (rubric.assignment, student)
        cached = self._variant_guards.get(cache_key)
        if cached is None or cached[0] is not rubric:
            if len(self._variant_guards) > 10_000:
                self._variant_guards.clear()
            own = rubric.for_student(student)
            cached = self._variant_guards[cache_key] = (rubric, own, KeyGuard(own))
        return cached[1], cached[2]


@dataclass
class Visit:
    """One request as the handlers see it: who, in which language, which CSRF token."""

    request: Request
    db: DbSession
    student: Student | None
    lang: str
    cookie: str  # the session cookie, or the pre-sign-in cookie the CSRF token is bound to
    new_pre_cookie: bool
    csrf: str
    ta: Any = None  # the signed-in TA on /ta pages (a grader.web.models.Ta)


def _service(request: Request) -> Service:
    return request.app.state.service


def _lang(request: Request, student: Student | None) -> str:
    if student is not None and student.lang in ("fa", "en"):
        return student.lang
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("fa", "en"):
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "fa" if accept.startswith("fa") else "en"


def _open(request: Request, db: DbSession) -> Visit:
    service = _service(request)
    session_cookie = request.cookies.get(auth.SESSION_COOKIE)
    student = auth.session_student(db, session_cookie)
    pre = request.cookies.get(auth.PRE_COOKIE)
    new_pre = False
    if student is not None:
        cookie = session_cookie or ""
    else:
        if not pre or len(pre) > 100:
            pre, new_pre = secrets.token_urlsafe(24), True
        cookie = pre
    if not service.secret:
        service.secret = auth.server_secret(db)
    secret = service.secret
    return Visit(
        request,
        db,
        student,
        _lang(request, student),
        cookie,
        new_pre,
        auth.csrf_token(secret, cookie) if service else "",
    )


def _set_cookie(response: Response, service: Service, name: str, value: str, days: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=days * 86400,
        httponly=True,
        samesite="lax",
        secure=service.secure_cookies,
        path="/",
    )


def _page(visit: Visit, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    service = _service(visit.request)
    lang = visit.lang

    def t(key: str, **values: Any) -> str:
        return text(key, lang, **values)

    html = service.env.get_template(template).render(
        lang=lang,
        dir="rtl" if lang == "fa" else "ltr",
        t=t,
        csrf=visit.csrf,
        student=visit.student,
        student_shown=None if visit.student is None else digits(visit.student.id, lang),
        ta=visit.ta,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if visit.new_pre_cookie:
        _set_cookie(response, service, auth.PRE_COOKIE, visit.cookie, 1)
    return response


def _csrf_ok(visit: Visit, form: FormData) -> bool:
    secret = _service(visit.request).secret
    if visit.new_pre_cookie:  # a POST without any cookie cannot carry a valid token
        return False
    origin = visit.request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{visit.request.url.scheme}://{visit.request.url.netloc}"
        if origin != expected:
            return False
    sent = form.get("csrf")
    return auth.csrf_ok(secret, visit.cookie, sent if isinstance(sent, str) else None)


def _forbidden(visit: Visit) -> HTMLResponse:
    return _page(visit, "message.html.j2", 403, message=text("forbidden", visit.lang))


def _not_found(visit: Visit) -> HTMLResponse:
    return _page(visit, "message.html.j2", 404, message=text("not_found", visit.lang))


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signin_blocked(visit: Visit, client: str) -> str | None:
    """The sign-in page's error when ``client`` has used up its failed sign-ins for now,
    else None; students and TAs are limited alike (each under its own client key)."""
    limit = _service(visit.request).course.signin_failures
    blocked = auth.signin_blocked_until(visit.db, client, limit)
    if blocked is None:
        return None
    return text("signin_blocked", visit.lang, time=when(blocked, visit.lang))


VisitHandler = Callable[[Visit], Response]
FormHandler = Callable[[Visit, FormData], Response]
Endpoint = Callable[[Request], Response]
FormEndpoint = Callable[[Request], Awaitable[Response]]


def form_endpoint(
    threaded: Callable[[Request, FormData], Response], fields: int, files: int = 0
) -> FormEndpoint:
    """An endpoint that reads the request's form (at most ``fields`` fields and ``files``
    files) and runs the synchronous ``threaded`` (database, grading) off the event loop;
    uploaded files are closed afterwards."""

    async def endpoint(request: Request) -> Response:
        form = await request.form(max_files=files, max_fields=fields)
        try:
            return await run_in_threadpool(threaded, request, form)
        finally:
            await form.close()

    return endpoint


@dataclass(frozen=True)
class Door:
    """How one family of pages lets a visitor in: the visit opened from its own session
    cookie, who counts as signed in, and the sign-in page for everyone else. Every page
    behind it answers a visitor without a session with that page, and a form without a
    valid CSRF token with 403, before the handler reads anything."""

    open: Callable[[Request, DbSession], Visit]
    signed_in: Callable[[Visit], bool]
    signin_url: str

    def get(self, handler: VisitHandler) -> Endpoint:
        """A page for signed-in visitors only."""

        def endpoint(request: Request) -> Response:
            with _service(request).factory() as db:
                visit = self.open(request, db)
                if not self.signed_in(visit):
                    return RedirectResponse(self.signin_url, 303)
                return handler(visit)

        return endpoint

    def post(
        self, handler: FormHandler, fields: int = 10, files: int = 0, *, anyone: bool = False
    ) -> FormEndpoint:
        """A form for signed-in visitors (for ``anyone`` with a valid CSRF token)."""

        def threaded(request: Request, form: FormData) -> Response:
            with _service(request).factory() as db:
                visit = self.open(request, db)
                if not anyone and not self.signed_in(visit):
                    return RedirectResponse(self.signin_url, 303)
                if not _csrf_ok(visit, form):
                    return _forbidden(visit)
                return handler(visit, form)

        return form_endpoint(threaded, fields, files)


#: The students' pages: the student session cookie, signed out to ``/signin``.
STUDENT = Door(_open, lambda visit: visit.student is not None, "/signin")


# ---------------------------------------------------------------- sign-in and language


def signin_page(request: Request) -> Response:
    with _service(request).factory() as db:
        visit = _open(request, db)
        if visit.student is not None:
            return RedirectResponse("/", 303)
        return _page(visit, "signin.html.j2", code="", link=False, error=None)


def signin_link(request: Request) -> Response:
    """A personal link shows a one-button form: following a link signs nobody in by
    itself (a GET must not change state, and link previews must not use the code)."""
    with _service(request).factory() as db:
        visit = _open(request, db)
        return _page(
            visit, "signin.html.j2", code=request.path_params["code"], link=True, error=None
        )


def _signin(visit: Visit, form: FormData) -> Response:
    service, db = _service(visit.request), visit.db
    client = _client(visit.request)
    blocked = _signin_blocked(visit, client)
    if blocked is not None:
        return _page(visit, "signin.html.j2", 429, code="", link=False, error=blocked)
    code = form.get("code")
    student = auth.student_for_code(db, code) if isinstance(code, str) else None
    if student is None:
        auth.record_failure(db, client)
        error = text("signin_wrong", visit.lang)
        return _page(visit, "signin.html.j2", 401, code="", link=False, error=error)
    value = auth.open_session(db, student)
    response = RedirectResponse("/", 303)
    _set_cookie(response, service, auth.SESSION_COOKIE, value, auth.SESSION_DAYS)
    response.delete_cookie(auth.PRE_COOKIE, path="/")
    return response


def _signout(visit: Visit, form: FormData) -> Response:
    auth.close_session(visit.db, visit.request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse("/signin", 303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


def _choose_lang(visit: Visit, form: FormData) -> Response:
    lang = form.get("lang")
    lang = lang if lang in ("fa", "en") else "en"
    if visit.student is not None:
        visit.student.lang = lang
        visit.db.commit()
    back = form.get("back")
    target = (
        back
        if isinstance(back, str) and back.startswith("/") and not back.startswith("//")
        else "/"
    )
    response = RedirectResponse(target, 303)
    _set_cookie(response, _service(visit.request), LANG_COOKIE, str(lang), 365)
    return response


# ---------------------------------------------------------------- assignments


def _home(visit: Visit) -> Response:
    service, db = _service(visit.request), visit.db
    assert visit.student is not None
    rows = []
    for assignment, rubric in service.course.rubrics.items():
        handin = checking.latest_handin(db, visit.student.id, assignment)
        deadline = service.course.assignment(assignment).deadline
        rows.append(
            {
                "id": assignment,
                "title": rubric.title(visit.lang),
                "deadline": when(deadline, visit.lang),
                "handed_in": when(handin.created, visit.lang) if handin else "",
                "published": handin is not None and published(db, assignment) is not None,
            }
        )
    return _page(visit, "home.html.j2", assignments=rows)


def _rubric(service: Service, request: Request) -> Rubric | None:
    return service.course.rubrics.get(request.path_params["assignment"])


def _assignment(
    handler: Callable[[Visit, Rubric], Response],
) -> VisitHandler:
    """``handler`` for the assignment named in the URL; 404 for one the course lacks."""

    def with_rubric(visit: Visit) -> Response:
        rubric = _rubric(_service(visit.request), visit.request)
        return _not_found(visit) if rubric is None else handler(visit, rubric)

    return with_rubric


def _assignment_form(
    handler: Callable[[Visit, Rubric, FormData], Response],
) -> FormHandler:
    """``handler`` of a form for the assignment named in the URL; 404 for one the course
    lacks."""

    def with_rubric(visit: Visit, form: FormData) -> Response:
        rubric = _rubric(_service(visit.request), visit.request)
        return _not_found(visit) if rubric is None else handler(visit, rubric, form)

    return with_rubric


def _assignment_page(
    visit: Visit,
    rubric: Rubric,
    answers: dict[str, Any],
    messages: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    service = _service(visit.request)
    assert visit.student is not None
    student = visit.student.id
    db = visit.db
    results = checking.last_results(db, student, rubric.assignment)
    own, guard = service.own(rubric, student)  # the student's own parameters and key
    left = {
        p.id: checking.checks_left(db, service.course, student, rubric.assignment, p.id)
        for p in rubric.parts
    }
    handin = checking.latest_handin(db, student, rubric.assignment)
    jobs = db.scalars(
        select(Job)
        .where(Job.student == student, Job.assignment == rubric.assignment)
        .order_by(Job.id.desc())
        .limit(10)
    )
    deadline = service.course.assignment(rubric.assignment).deadline
    return _page(
        visit,
        "assignment.html.j2",
        status,
        assignment=rubric.assignment,
        assignment_title=rubric.title(visit.lang),
        questions=question_views(own, answers, results, guard, visit.lang, left, messages or {}),
        handed_in=when(handin.created, visit.lang) if handin else "",
        deadline=when(deadline, visit.lang),
        notice=notice,
        upload_mb=number(service.course.upload_max_bytes / 1_000_000, visit.lang),
        jobs=[
            {
                "id": j.id,
                "file": j.filename,
                "status": j.status,
                "when": when(j.created, visit.lang),
            }
            for j in jobs
        ],
    )


@_assignment
def _assignment_get(visit: Visit, rubric: Rubric) -> Response:
    assert visit.student is not None
    answers = checking.drafts(visit.db, visit.student.id, rubric.assignment)
    return _assignment_page(visit, rubric, answers)


@dataclass
class Checked:
    """What one POST of the answers form did: the answers now stored, the part checked
    (if any), its outcome, and a message for that part."""

    answers: dict[str, Any]
    part_id: str | None = None
    outcome: checking.CheckOutcome | None = None
    message: str | None = None


def _save_and_check(visit: Visit, rubric: Rubric, form: FormData) -> Checked | None:
    """Store the form's answers as drafts and check the part named by ``check``, in one
    transaction; None when ``check`` names no part of the rubric."""
    service = _service(visit.request)
    assert visit.student is not None
    student = visit.student.id
    known = checking.drafts(visit.db, student, rubric.assignment)
    sent = {p.id: answer_from_form(p, form) for p in rubric.parts if _has_fields(p.id, form)}
    answers = {k: v for k, v in {**known, **sent}.items() if v is not None}
    part_id = form.get("check")
    if not isinstance(part_id, str) or not part_id:
        checking.save_drafts(visit.db, student, rubric.assignment, sent, known)
        visit.db.commit()
        return Checked(answers)
    try:
        rubric.part(part_id)
    except KeyError:
        return None
    if answers.get(part_id) is None:
        checking.save_drafts(visit.db, student, rubric.assignment, sent, known)
        visit.db.commit()
        return Checked(answers, part_id, message=text("blank", visit.lang))
    outcome = checking.check_part(
        visit.db, service.course, rubric, student, part_id, {**known, **sent}, known
    )
    message = None
    if outcome.limited_until is not None:
        message = text("limit_reached", visit.lang, time=when(outcome.limited_until, visit.lang))
    return Checked(answers, part_id, outcome, message)


@_assignment_form
def _assignment_post(visit: Visit, rubric: Rubric, form: FormData) -> Response:
    """Save the page's answers, then check one part (``check=<part>``) or hand in."""
    service = _service(visit.request)
    assert visit.student is not None
    checked = _save_and_check(visit, rubric, form)
    if checked is None:
        return _not_found(visit)
    answers = checked.answers
    messages = {checked.part_id: checked.message} if checked.part_id and checked.message else {}
    notice = None if checked.part_id else text("saved", visit.lang)
    if not checked.part_id and form.get("handin"):
        try:
            row = checking.hand_in(
                visit.db, service.course, rubric, visit.student.id, "sheet", answers
            )
            notice = text("handed_in", visit.lang, time=when(row.created, visit.lang))
        except checking.PastDeadline as exc:
            notice = text("past_deadline", visit.lang, time=when(exc.deadline, visit.lang))
    return _assignment_page(visit, rubric, answers, messages, notice)


def _check_json(request: Request, form: FormData) -> Response:
    """``POST /a/<assignment>/check``: the answers form sent by the page's script; saves
    the answers, checks the part named by ``check`` and answers with its verdict as JSON
    (the same strings the page shows, through the assignment's key guard)."""
    service = _service(request)
    with service.factory() as db:
        visit = _open(request, db)
        if visit.student is None:
            return JSONResponse({"error": "signed_out"}, 401)
        if not _csrf_ok(visit, form):
            return JSONResponse({"error": "forbidden"}, 403)
        rubric = _rubric(service, request)
        checked = _save_and_check(visit, rubric, form) if rubric else None
        if rubric is None or checked is None or checked.part_id is None:
            return JSONResponse({"error": "not_found"}, 404)
        outcome = checked.outcome
        if outcome is not None and outcome.result is not None:
            result, left = outcome.result, outcome.left
        else:  # blank or limited: show the part's last verdict, as the page would
            result = checking.last_result(db, visit.student.id, rubric.assignment, checked.part_id)
            left = checking.checks_left(
                db, service.course, visit.student.id, rubric.assignment, checked.part_id
            )
        view = check_view(
            checked.part_id,
            result,
            service.own(rubric, visit.student.id)[1],
            visit.lang,
            left,
            checked.message,
        )
        view["check"] = outcome.check_id if outcome else None
        return JSONResponse(view)


def _has_fields(part_id: str, form: FormData) -> bool:
    prefix = f"a:{part_id}"
    return any(key == prefix or key.startswith(prefix + ":") for key in form)


@_assignment
def _history(visit: Visit, rubric: Rubric) -> Response:
    assert visit.student is not None
    _, guard = _service(visit.request).own(rubric, visit.student.id)
    rows = []
    for check in checking.check_history(visit.db, visit.student.id, rubric.assignment):
        rows.append(
            {
                "when": when(check.created, visit.lang),
                "part": check.part,
                "answer": check.answer,
                "status": text(check.status, visit.lang),
                "status_key": check.status,
                "score": score_of(check.score, check.max_score, visit.lang),
            }
        )
    return _page(
        visit,
        "history.html.j2",
        assignment=rubric.assignment,
        assignment_title=rubric.title(visit.lang),
        rows=[{**r, "answer": guard.text(r["answer"])} for r in rows],
    )


# ---------------------------------------------------------------- notebooks


@_assignment_form
def _upload(visit: Visit, rubric: Rubric, form: FormData) -> Response:
    service, db = _service(visit.request), visit.db
    assert visit.student is not None
    answers = checking.drafts(db, visit.student.id, rubric.assignment)
    upload_file = form.get("notebook")
    limit = service.course.upload_max_bytes
    mb = number(limit / 1_000_000, visit.lang)
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        reason = text("bad_upload", visit.lang, reason="no file")
        return _assignment_page(visit, rubric, answers, notice=reason, status=400)
    data = upload_file.file.read(limit + 1)
    if len(data) > limit:
        notice = text("too_large", visit.lang, mb=mb)
        return _assignment_page(visit, rubric, answers, notice=notice, status=413)
    try:
        job = queue.enqueue(
            db, service.course, visit.student.id, rubric.assignment, upload_file.filename, data
        )
    except queue.BadNotebook as exc:
        notice = text("bad_upload", visit.lang, reason=str(exc))
        return _assignment_page(visit, rubric, answers, notice=notice, status=415)
    return RedirectResponse(f"/a/{rubric.assignment}/jobs/{job.id}", 303)


def _own_job(visit: Visit, rubric: Rubric, raw_id: str) -> Job | None:
    """The job with this number if it is the signed-in student's, else None."""
    assert visit.student is not None
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None
    return visit.db.scalars(
        select(Job).where(
            Job.id == int(raw_id),
            Job.student == visit.student.id,
            Job.assignment == rubric.assignment,
        )
    ).first()


@_assignment
def _job_get(visit: Visit, rubric: Rubric) -> Response:
    job = _own_job(visit, rubric, visit.request.path_params["job"])
    return _not_found(visit) if job is None else _job_page(visit, rubric, job)


def _job_page(visit: Visit, rubric: Rubric, job: Job, notice: str | None = None) -> HTMLResponse:
    service = _service(visit.request)
    ahead = queue.position(visit.db, job)
    result = (
        run_view(json.loads(job.result), rubric, service.own(rubric, job.student)[1], visit.lang)
        if job.result
        else None
    )
    handin = checking.latest_handin(visit.db, job.student, rubric.assignment)
    handed = handin is not None and handin.kind == "notebook" and handin.answers == job.notebook
    return _page(
        visit,
        "job.html.j2",
        assignment=rubric.assignment,
        assignment_title=rubric.title(visit.lang),
        job={
            "id": job.id,
            "file": job.filename,
            "status": job.status,
            "ahead": digits(str(ahead), visit.lang),
            "ahead_n": ahead,
            "when": when(job.created, visit.lang),
        },
        result=result,
        handed_in=when(handin.created, visit.lang) if handed and handin else "",
        notice=notice,
    )


@_assignment_form
def _job_handin(visit: Visit, rubric: Rubric, form: FormData) -> Response:
    assert visit.student is not None
    job = _own_job(visit, rubric, visit.request.path_params["job"])
    if job is None:
        return _not_found(visit)
    course = _service(visit.request).course
    try:
        checking.hand_in(visit.db, course, rubric, visit.student.id, "notebook", job.notebook)
        notice = None
    except checking.PastDeadline as exc:
        notice = text("past_deadline", visit.lang, time=when(exc.deadline, visit.lang))
    return _job_page(visit, rubric, job, notice)


# ---------------------------------------------------------------- the application


def create_app(
    course: Course,
    engine: Engine,
    *,
    notebooks: bool = True,
    sandbox: str = "auto",
    secure_cookies: bool = False,
) -> Any:
    """The ASGI application serving ``course`` from the (migrated) database ``engine``.

    ``notebooks``: run a notebook worker thread in this process. ``secure_cookies``: mark
    cookies Secure (behind an HTTPS reverse proxy). On start-up, hand-ins committed but
    not yet written to the class folder (a crash in between) are written.
    """
    from grader.web import ta, ta_student
    from grader.web.gradebook import seed_items

    factory = sessions(engine)
    service = Service(course, factory, secure_cookies)
    worker = (
        queue.NotebookWorker(course, factory, sandbox, refresh=service.keys.refresh)
        if notebooks
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with factory() as db:
            auth.server_secret(db)
            checking.restore_handin_files(db, course)
            seed_items(db, course)
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            worker.stop()

    routes = [
        Route("/", STUDENT.get(_home)),
        Route("/signin", signin_page, methods=["GET"]),
        Route("/signin", STUDENT.post(_signin, anyone=True), methods=["POST"]),
        Route("/s/{code}", signin_link, methods=["GET"]),
        Route("/signout", STUDENT.post(_signout, anyone=True), methods=["POST"]),
        Route("/lang", STUDENT.post(_choose_lang, anyone=True), methods=["POST"]),
        Route("/a/{assignment}", STUDENT.get(_assignment_get), methods=["GET"]),
        Route("/a/{assignment}", STUDENT.post(_assignment_post, 2000), methods=["POST"]),
        Route("/a/{assignment}/check", form_endpoint(_check_json, 2000), methods=["POST"]),
        Route("/a/{assignment}/checks", STUDENT.get(_history), methods=["GET"]),
        Route("/a/{assignment}/upload", STUDENT.post(_upload, 10, 1), methods=["POST"]),
        Route("/a/{assignment}/jobs/{job}", STUDENT.get(_job_get), methods=["GET"]),
        Route("/a/{assignment}/jobs/{job}/handin", STUDENT.post(_job_handin), methods=["POST"]),
        *ta_student.routes(),
        *ta.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service
    # Every request first takes up a key fix accepted through another server process.
    return SecurityMiddleware(KeySync(app, factory, service.keys), course.upload_max_bytes)

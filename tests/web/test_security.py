"""The service as an attacker meets it: another student's ids in every URL and form,
forms without their CSRF token, cookie flags, headers, oversized and wrong uploads,
sign-in guessing and check limits — against a real server on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from grader.web.db import make_engine, sessions, sqlite_url
from grader.web.models import Check, Draft
from tests.web.conftest import (
    STUDENTS,
    Server,
    csrf_of,
    issue_codes,
    make_course,
    notebook,
    signed_in,
)

pytestmark = pytest.mark.slow


def _job_of(client: httpx.Client, assignment: str = "hw2") -> str:
    token = csrf_of(client.get(f"/a/{assignment}").text)
    files = {"notebook": ("a.ipynb", notebook("dropout_p = 0.5"), "application/json")}
    response = client.post(f"/a/{assignment}/upload", data={"csrf": token}, files=files)
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[1]


def test_another_students_ids_answer_404_in_every_url_and_form(
    server: Server, codes: dict[str, str], course: Path
) -> None:
    alice, bob = signed_in(server, codes[STUDENTS[5]]), signed_in(server, codes[STUDENTS[6]])
    job = _job_of(alice)
    assert alice.get(f"/a/hw2/jobs/{job}").status_code == 200
    for url in (f"/a/hw2/jobs/{job}", f"/a/secret/jobs/{job}", "/a/hw2/jobs/0", "/a/hw2/jobs/x"):
        assert bob.get(url).status_code == 404
    token = csrf_of(bob.get("/a/hw2").text)
    stolen = bob.post(f"/a/hw2/jobs/{job}/handin", data={"csrf": token})
    assert stolen.status_code == 404
    assert (
        not (course / "hw2" / STUDENTS[6]).exists() and not (course / "hw2" / STUDENTS[5]).exists()
    )
    # A form naming another student checks and stores as the signed-in one.
    sent = {"csrf": token, "a:dropout.p": "0.6", "check": "dropout.p", "student": STUDENTS[5]}
    assert bob.post("/a/hw2", data=sent).status_code == 200
    factory = sessions(make_engine(sqlite_url(course)))
    with factory() as db:
        checks = list(db.scalars(select(Check).where(Check.answer == '"0.6"')))
        assert [c.student for c in checks] == [STUDENTS[6]]
        drafts = db.scalars(select(Draft.student).where(Draft.answer == '"0.6"')).all()
        assert drafts == [STUDENTS[6]]
    # Alice's page shows none of Bob's answers, and Bob's history none of Alice's.
    assert "0.6" not in alice.get("/a/hw2").text
    assert alice.get("/a/hw2/checks").text.count("dropout.p") == 0


def test_every_form_without_its_csrf_token_is_refused(
    server: Server, codes: dict[str, str]
) -> None:
    client = signed_in(server, codes[STUDENTS[7]])
    job = _job_of(client)
    posts = {
        "/a/hw2": {"a:dropout.p": "0.75", "check": "dropout.p"},
        "/a/hw2/check": {"a:dropout.p": "0.75", "check": "dropout.p"},
        "/lang": {"lang": "fa"},
        f"/a/hw2/jobs/{job}/handin": {},
        "/signout": {},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data={**data, "csrf": "0" * 64}).status_code == 403, url
    files = {"notebook": ("a.ipynb", notebook("x = 1"), "application/json")}
    assert client.post("/a/hw2/upload", files=files).status_code == 403
    # Another site's page posting with a stolen token is refused by its Origin.
    token = csrf_of(client.get("/a/hw2").text)
    foreign = client.post(
        "/a/hw2", data={"csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    anonymous = httpx.post(server.url + "/signin", data={"code": codes[STUDENTS[7]]})
    assert anonymous.status_code == 403


def test_cookies_are_httponly_samesite_and_pages_carry_a_csp(
    server: Server, codes: dict[str, str]
) -> None:
    client = httpx.Client(base_url=server.url)
    page = client.get("/signin")
    assert "HttpOnly" in page.headers["set-cookie"] and "SameSite=lax" in page.headers["set-cookie"]
    response = client.post("/signin", data={"csrf": csrf_of(page.text), "code": codes[STUDENTS[8]]})
    session = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("dlg_session=")
    )
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    home = client.get("/")
    csp = home.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert home.headers["x-content-type-options"] == "nosniff"
    assert home.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in home.text  # no inline script anywhere the CSP would have to allow


def test_student_text_is_escaped(server: Server, codes: dict[str, str]) -> None:
    client = signed_in(server, codes[STUDENTS[8]])
    token = csrf_of(client.get("/a/hw2").text)
    evil = '"><script>alert(1)</script>'
    page = client.post(
        "/a/hw2", data={"csrf": token, "a:regularizer.exp1": evil, "check": "regularizer.exp1"}
    )
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "<script>alert(1)" not in client.get("/a/hw2/checks").text


def test_uploads_are_limited_in_size_and_type(server: Server, codes: dict[str, str]) -> None:
    client = signed_in(server, codes[STUDENTS[9]])
    token = csrf_of(client.get("/a/hw2").text)

    def upload(name: str, data: bytes) -> httpx.Response:
        return client.post("/a/hw2/upload", data={"csrf": token}, files={"notebook": (name, data)})

    assert upload("big.ipynb", b"{" + b" " * 3_000_000 + b"}").status_code == 413
    assert upload("run.py", b"print(1)").status_code == 415
    assert upload("fake.ipynb", b"not json").status_code == 415
    assert upload("list.ipynb", b'{"cells": "x", "nbformat": 4}').status_code == 415
    assert upload("ok.ipynb", notebook("x = 1")).status_code == 303


def test_check_limit_names_the_time_of_the_next_check(tmp_path: Path) -> None:
    course = make_course(tmp_path, ["1001"], {"checks_per_hour": 2, "signin_failures": 3})
    codes = issue_codes(course, tmp_path / "roster.csv")
    server = Server(course, extra=("--no-notebooks",)).start()
    try:
        client = signed_in(server, codes["1001"])
        token = csrf_of(client.get("/a/hw2").text)
        form = {"csrf": token, "a:dropout.p": "0.5", "check": "dropout.p"}
        first = client.post("/a/hw2", data=form)
        assert "1 checks left" in first.text
        client.post("/a/hw2", data=form)
        third = client.post("/a/hw2", data=form)
        assert re.search(r"Next check allowed at \d{4}-\d\d-\d\d \d\d:\d\d UTC", third.text)
        factory = sessions(make_engine(sqlite_url(course)))
        with factory() as db:
            assert len(db.scalars(select(Check)).all()) == 2
        # Sign-in guessing: the fourth wrong code is refused whatever it is, right or wrong.
        guesser = httpx.Client(base_url=server.url)
        token = csrf_of(guesser.get("/signin").text)
        for _ in range(3):
            assert (
                guesser.post("/signin", data={"csrf": token, "code": "aaaa-bbbb"}).status_code
                == 401
            )
        blocked = guesser.post("/signin", data={"csrf": token, "code": codes["1001"]})
        assert blocked.status_code == 429 and "Try again after" in blocked.text
    finally:
        server.stop()

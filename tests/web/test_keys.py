"""A key fix accepted through one server process grades the next check in another: two
``grade serve`` processes share one database (a SQLite file, and PostgreSQL where it is
installed); the TA accepts the fixed key through the first, a student checks through the
second. A restarted process keeps the accepted key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
import pytest
import yaml

from tests.web.conftest import Server, csrf_of, issue_codes, signed_in
from tests.web.grading import add_tas, make_grading_course, ta_client
from tests.web.postgres import postgres_server, why_not

pytestmark = pytest.mark.slow

STUDENT = "k001"


@contextmanager
def _two_servers(root: Path, database: str) -> Iterator[tuple[Server, Server, str]]:
    """Two server processes of one course sharing one database; yields them and the
    student's personal code."""
    with postgres_server() if database == "postgresql" else nullcontext(None) as url:
        course = make_grading_course(root, [STUDENT])
        codes = issue_codes(course, course.parent / "roster.csv", db=url)
        add_tas(course, url)
        extra = ("--no-notebooks",)
        first = Server(course, db=url, extra=extra).start()
        second = Server(course, db=url, extra=extra)
        try:
            yield first, second.start(), codes[STUDENT]
        finally:
            second.stop()
            first.stop()


def _verdict(server: Server, code: str, answer: str) -> str:
    """The status the server gives the student's check of ``dropout.p`` = ``answer``."""
    client = signed_in(server, code)
    token = csrf_of(client.get("/a/hw7").text)
    sent = {"csrf": token, "a:dropout.p": answer, "check": "dropout.p"}
    return client.post("/a/hw7/check", data=sent).json()["status"]


def _fix_the_key(course: Path) -> None:
    """Change hw7's mask so that the key of dropout.p becomes 0.5 (it was 0.75)."""
    rubric_file = course.parent / "rubrics" / "hw7.yaml"
    fixed = yaml.safe_load(rubric_file.read_text(encoding="utf-8"))
    fixed["questions"][0]["params"]["mask"] = [[1, 0], [0, 1]]
    rubric_file.write_text(yaml.safe_dump(fixed, allow_unicode=True), encoding="utf-8")


def _accept(ta: httpx.Client) -> None:
    token = csrf_of(ta.get("/ta/a/hw7/keyfix").text)
    accepted = ta.post("/ta/a/hw7/keyfix", data={"csrf": token, "why": "mask mistyped"})
    assert accepted.status_code == 303 and "notice=accepted" in accepted.headers["location"]


@pytest.mark.parametrize(
    "database",
    [
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(why_not() is not None, reason=str(why_not()))
        ),
    ],
)
def test_a_key_fix_accepted_through_one_process_grades_checks_in_the_other(
    tmp_path: Path, database: str
) -> None:
    with _two_servers(tmp_path, database) as (first, second, code):
        course = first.course
        assert _verdict(second, code, "0.75") == "correct"
        _fix_the_key(course)
        # Changed on disk but not accepted: neither process grades with it yet.
        assert _verdict(second, code, "0.5") != "correct"
        _accept(ta_client(first, "ta_a"))
        assert _verdict(second, code, "0.5") == "correct"
        assert _verdict(second, code, "0.75") != "correct"
        # The key-fix page of the other process has nothing left to accept.
        assert 'id="keyfix-same"' in ta_client(second, "ta_a").get("/ta/a/hw7/keyfix").text
        # A restart keeps the accepted key even when the file has changed again since.
        rubric_file = course.parent / "rubrics" / "hw7.yaml"
        original = yaml.safe_load(rubric_file.read_text(encoding="utf-8"))
        original["questions"][0]["params"]["mask"] = [[1, 1], [1, 0]]
        rubric_file.write_text(yaml.safe_dump(original, allow_unicode=True), encoding="utf-8")
        second.stop()
        second.start()
        assert _verdict(second, code, "0.5") == "correct"

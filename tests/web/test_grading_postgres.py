"""TA grading on PostgreSQL with two server processes: the TAs' saves of one answer race
through different processes, and exactly one of them is stored (optimistic locking in the
database, not in a process's memory); the trail holds that one save."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from grader.web.db import make_engine, sessions
from grader.web.models import Mark, ScoreEvent
from tests.web.conftest import Server, csrf_of, issue_codes, signed_in
from tests.web.grading import add_tas, hand_in, make_grading_course, ta_client
from tests.web.postgres import postgres_server, why_not

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_not() is not None, reason=str(why_not()))]

STUDENTS = ["g001", "g002"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    with postgres_server() as url:
        course = make_grading_course(tmp_path_factory.mktemp("pg-grading"), STUDENTS)
        codes = issue_codes(course, course.parent / "roster.csv", db=url)
        add_tas(course, url)
        server = Server(course, db=url, extra=("--workers", "2", "--no-notebooks")).start()
        for student in STUDENTS:
            hand_in(signed_in(server, codes[student]), {"explain.overfitting": "overfitting"})
        yield server, url
        server.stop()


def test_two_tas_racing_through_two_processes_store_exactly_one_mark(
    world: tuple[Server, str], tmp_path: Path
) -> None:
    server, url = world
    part = "/ta/a/hw7/grade/explain.overfitting"
    for student in STUDENTS:
        tas = [ta_client(server, "ta_a"), ta_client(server, "ta_b")]
        forms = [
            {
                "csrf": csrf_of(ta.get(f"{part}?student={student}").text),
                "student": student,
                "version": "0",
                "item": [item],
            }
            for ta, item in zip(tas, ["names_overfitting", "first_remedy"], strict=True)
        ]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(lambda p: p[0].post(part, data=p[1]), zip(tas, forms, strict=True))
            )
        assert sorted(r.status_code for r in answers) == [303, 409], student
    with sessions(make_engine(url))() as db:
        marks = list(db.scalars(select(Mark).order_by(Mark.student)))
        events = list(db.scalars(select(ScoreEvent)))
    assert [(m.student, m.version) for m in marks] == [(s, 1) for s in STUDENTS]
    assert sorted(e.student for e in events) == STUDENTS

"""``grade serve --db postgresql://…``: two server processes sharing a real PostgreSQL
(started by the test, tests/web/postgres.py) — the migrations, sign-in, checks and
hand-ins through either process, the check limit held across both, and each queued
notebook claimed by exactly one of their workers."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, inspect, select

from grader.web.db import make_engine, sessions
from grader.web.models import Check, Handin, Job
from tests.web.conftest import Server, csrf_of, issue_codes, make_course, notebook, signed_in
from tests.web.postgres import postgres_server, why_not

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_not() is not None, reason=str(why_not()))]

STUDENTS = ["p001", "p002", "p003", "p004", "p005", "p006", "p007"]
LIMIT = 3


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("pg"), STUDENTS, {"checks_per_hour": LIMIT})


@pytest.fixture(scope="module")
def codes(course: Path, database: str) -> dict[str, str]:
    return issue_codes(course, course.parent / "roster.csv", db=database)


@pytest.fixture(scope="module")
def servers(course: Path, database: str, codes: dict[str, str]) -> Iterator[tuple[Server, Server]]:
    first = Server(course, db=database).start()
    second = Server(course, db=database).start()
    yield first, second
    first.stop()
    second.stop()


def test_migrations_create_every_table_in_postgresql(database: str, codes: dict[str, str]) -> None:
    engine = make_engine(database)
    tables = set(inspect(engine).get_table_names())
    assert {"students", "sessions", "drafts", "checks", "handins", "jobs", "meta"} <= tables
    assert "alembic_version" in tables
    with engine.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from students").scalar() == 7
    engine.dispose()


def test_a_session_opened_on_one_process_checks_and_hands_in_on_the_other(
    servers: tuple[Server, Server], codes: dict[str, str], course: Path, database: str
) -> None:
    first, second = servers
    client = signed_in(first, codes["p001"])
    token = csrf_of(client.get("/a/hw2").text)
    other = httpx.Client(base_url=second.url, cookies=client.cookies, timeout=30)
    sent = {"csrf": token, "a:dropout.p": "0.25", "check": "dropout.p"}
    verdict = other.post("/a/hw2/check", data=sent).json()
    assert verdict["status"] == "wrong" and verdict["misconception"] == "p_as_drop_probability"
    handed = other.post("/a/hw2", data={"csrf": token, "handin": "1"})
    assert handed.status_code == 200 and 'id="notice"' in handed.text
    assert "dropout.p: '0.25'" in (course / "hw2" / "p001" / "answers.yaml").read_text()
    with sessions(make_engine(database))() as db:
        check = db.scalars(select(Check).where(Check.id == verdict["check"])).one()
        assert (check.student, check.answer, check.status) == ("p001", '"0.25"', "wrong")
        assert db.scalars(select(Handin.student)).all() == ["p001"]
    # The page on the first process shows the check made on the second.
    assert "p_as_drop_probability" in client.get("/a/hw2").text


@pytest.mark.parametrize("student", ["p002", "p005", "p006", "p007"])
def test_the_check_limit_holds_across_both_processes(
    servers: tuple[Server, Server], codes: dict[str, str], database: str, student: str
) -> None:
    first, second = servers
    client = signed_in(first, codes[student])
    token = csrf_of(client.get("/a/hw2").text)
    clients = [
        httpx.Client(base_url=server.url, cookies=client.cookies, timeout=30)
        for server in (first, second) * 8
    ]

    def check(target: httpx.Client) -> dict:
        sent = {"csrf": token, "a:dropout.p": "0.75", "check": "dropout.p"}
        return target.post("/a/hw2/check", data=sent).json()

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        verdicts = list(pool.map(check, clients))
    stored = [v for v in verdicts if v["check"] is not None]
    refused = [v for v in verdicts if v["check"] is None]
    assert len(stored) == LIMIT and len(refused) == len(clients) - LIMIT
    assert all("Next check allowed at" in v["message"] for v in refused)
    with sessions(make_engine(database))() as db:
        count = db.scalar(select(func.count()).select_from(Check).where(Check.student == student))
    assert count == LIMIT


def test_each_queued_notebook_is_run_by_exactly_one_of_the_two_servers(
    servers: tuple[Server, Server], codes: dict[str, str], database: str
) -> None:
    first, second = servers
    jobs = []
    for n, student in enumerate(["p003", "p004"] * 3):
        client = signed_in((first, second)[n % 2], codes[student])
        token = csrf_of(client.get("/a/hw2").text)
        files = {"notebook": ("a.ipynb", notebook(f"dropout_p = 0.{n + 1}"), "application/json")}
        response = client.post("/a/hw2/upload", data={"csrf": token}, files=files)
        assert response.status_code == 303
        jobs.append(int(response.headers["location"].rsplit("/", 1)[1]))
    factory = sessions(make_engine(database))
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with factory() as db:
            rows = db.scalars(select(Job).where(Job.id.in_(jobs))).all()
        if all(job.status == "done" for job in rows):
            break
        time.sleep(0.5)
    assert [job.status for job in rows] == ["done"] * len(jobs)
    assert [job.attempts for job in rows] == [1] * len(jobs)  # claimed once each
    # Both processes ran some (each has its own worker name), none ran one twice.
    assert len({job.worker for job in rows}) == 2


def test_two_workers_racing_for_the_queue_never_claim_one_job_twice(
    database: str, codes: dict[str, str]
) -> None:
    from grader.web.db import utcnow
    from grader.web.queue import claim

    factory = sessions(make_engine(database))
    with factory() as db:
        for n in range(40):
            db.add(
                Job(
                    student="p001",
                    assignment="race",  # no server serves it: only this test claims
                    notebook=f"/nonexistent/{n}.ipynb",
                    filename=f"{n}.ipynb",
                    status="queued",
                    attempts=0,
                    created=utcnow(),
                )
            )
        db.commit()

    def drain(worker: str) -> list[int]:
        taken = []
        with factory() as db:
            while (job := claim(db, worker, assignments=("race",))) is not None:
                taken.append(job.id)
        return taken

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a, b = pool.map(drain, ["worker-a", "worker-b"])
    assert not set(a) & set(b)
    assert len(a) + len(b) == 40

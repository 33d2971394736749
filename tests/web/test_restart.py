"""kill -9 of ``grade serve`` in the middle of a class's checks, and a restart: every
student still checks and hands in, nothing the server acknowledged is lost, and the
SQLite database passes its integrity check. (The benchmark's ``--fault`` run is the same
with 200 students.)"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.web.conftest import Server, issue_codes, make_course
from tests.web.load import SimulatedStudent, Tally

pytestmark = pytest.mark.slow

STUDENTS = [f"88{n:04d}" for n in range(40)]
CHECKS = 4


async def _class_with_a_crash(server: Server, codes: dict[str, str]) -> Tally:
    tally = Tally()
    students = [SimulatedStudent(server.url, s, codes[s], tally) for s in STUDENTS]
    await asyncio.gather(*(s.sign_in() for s in students))

    async def crash() -> None:
        while len(tally.checks) < len(STUDENTS) * CHECKS // 2:
            await asyncio.sleep(0.02)
        server.kill()
        await asyncio.to_thread(server.start)

    work = [s.work(CHECKS, think=0, hand_in=True) for s in students]
    await asyncio.wait_for(asyncio.gather(crash(), *work), timeout=240)
    for student in students:
        await student.close()
    return tally


def test_after_kill_9_and_restart_every_student_checks_and_hands_in_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    course = make_course(tmp_path, STUDENTS, {"checks_per_hour": 100})
    codes = issue_codes(course, tmp_path / "roster.csv")
    server = Server(course, extra=("--no-notebooks",)).start()
    first_pid = server.proc.pid if server.proc else None
    try:
        tally = asyncio.run(_class_with_a_crash(server, codes))
    finally:
        server.stop()
    assert server.proc is not None and server.proc.pid != first_pid  # it was restarted
    assert tally.gave_up == []
    assert sorted(tally.handins) == sorted(STUDENTS)
    assert len(tally.checks) == len(STUDENTS) * CHECKS
    # The kill cut requests off (the students had to send them again).
    assert sum(tally.retried.values()) > 0

    db = sqlite3.connect(course / ".dlgrade-serve" / "serve.sqlite3")
    stored = {row[0]: row[1:] for row in db.execute("select id, student, answer from checks")}
    for student, check_id, answer in tally.checks:
        assert stored[check_id] == (student, f'"{answer}"')
    handed = {row[0] for row in db.execute("select distinct student from handins")}
    assert handed == set(STUDENTS)
    for student in STUDENTS:
        sheet = (course / "hw2" / student / "answers.yaml").read_text(encoding="utf-8")
        assert f"student: '{student}'" in sheet or f"student: {student}" in sheet
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []

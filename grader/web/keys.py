"""The key every server process grades with, kept in the database.

A key fix a TA accepts is stored as a :class:`~grader.web.models.RubricVersion` (the
rubric file's text and its SHA-256). Each process holds a :class:`KeyBook`: before every
request (and before its notebook worker runs a job) it asks the database for the newest
version's id — one indexed ``max(id)`` — and only when that moved does it read the newest
version of each assignment and install those whose text differs from its own. A fix
accepted through one process therefore grades the next check in every other one, and a
restarted server keeps the accepted key even when the file on disk has changed since
(the key-fix page then offers that change like any other).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from grader.rubric import Rubric, RubricError, parse_rubric
from grader.web.course import Course
from grader.web.db import utcnow
from grader.web.keyguard import KeyGuard
from grader.web.models import RubricVersion
from grader.yamlio import YamlError, loads, read_capped

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RubricFile:
    """A rubric file as read once: its text, the SHA-256 of its bytes, and the rubric."""

    text: str
    digest: str
    rubric: Rubric


def parse_text(text: str, path: Path) -> Rubric:
    """The rubric written in ``text`` (the YAML of the file at ``path``); raises
    :class:`~grader.rubric.RubricError`."""
    try:
        loaded = loads(text, str(path))
    except YamlError as exc:
        raise RubricError([str(exc)]) from None
    return parse_rubric(loaded, path)


def read_rubric_file(path: Path) -> RubricFile:
    """Read the rubric at ``path`` once (what is shown and what is stored are the same
    bytes); raises :class:`~grader.rubric.RubricError` for an unreadable or invalid file."""
    try:
        raw = read_capped(path)
    except YamlError as exc:
        raise RubricError([str(exc)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricError([f"{path}: not UTF-8 text"]) from None
    return RubricFile(text, hashlib.sha256(raw).hexdigest(), parse_text(text, path))


def accept(db: DbSession, assignment: str, fixed: RubricFile, ta: str) -> None:
    """Store ``fixed`` as ``assignment``'s key from now on, for every process (commits)."""
    db.add(
        RubricVersion(
            assignment=assignment,
            digest=fixed.digest,
            source=fixed.text,
            accepted_by=ta,
            created=utcnow(),
        )
    )
    db.commit()


def newest_versions(db: DbSession) -> list[RubricVersion]:
    """The newest accepted version of every assignment that has one."""
    newest = select(func.max(RubricVersion.id)).group_by(RubricVersion.assignment)
    return list(db.scalars(select(RubricVersion).where(RubricVersion.id.in_(newest))))


class KeyBook:
    """One process's view of the accepted keys: installs the database's newest version
    of an assignment into ``course.rubrics`` and ``guards`` (both shared with the rest
    of the process) when it differs from the one in use."""

    def __init__(self, course: Course, guards: dict[str, KeyGuard]):
        self.course = course
        self.guards = guards
        self.seen = 0  # the newest version id this process has looked at
        self.digests = {a: r.digest for a, r in course.rubrics.items()}
        self._lock = threading.Lock()

    def refresh(self, db: DbSession) -> list[str]:
        """Install every newer accepted key; returns the assignments whose key changed.
        Costs one ``max(id)`` query when nothing changed."""
        newest = db.scalar(select(func.max(RubricVersion.id))) or 0
        if newest == self.seen:
            return []
        with self._lock:
            changed = [row.assignment for row in newest_versions(db) if self._install(row)]
            self.seen = newest
        return changed

    def _install(self, row: RubricVersion) -> bool:
        current = self.course.rubrics.get(row.assignment)
        if current is None or self.digests.get(row.assignment) == row.digest:
            return False
        try:
            rubric = parse_text(row.source, current.path)
        except RubricError as exc:  # e.g. a solver that no longer accepts the text
            log.error("accepted key %s of %s: %s", row.id, row.assignment, exc.problems)
            return False
        # The file on disk may differ from the accepted text: the digest is the text's.
        rubric = dataclasses.replace(rubric, digest=row.digest, _by_student={})
        self.course.rubrics[row.assignment] = rubric
        self.guards[row.assignment] = KeyGuard(rubric)
        self.digests[row.assignment] = row.digest
        return True


class KeySync:
    """ASGI middleware: :meth:`KeyBook.refresh` before every request but static files."""

    def __init__(self, app: Any, factory: sessionmaker[DbSession], book: KeyBook):
        self.app = app
        self.factory = factory
        self.book = book

    def _refresh(self) -> None:
        with self.factory() as db:
            self.book.refresh(db)

    async def __call__(
        self, scope: Any, receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/static/"):
            await run_in_threadpool(self._refresh)
        await self.app(scope, receive, send)

"""The service's tables. Every row a student can see carries their ``student`` id, and
every query that reads one is filtered by the signed-in student (never by an id taken
from the request). The schema is created and changed only by the Alembic migrations in
``grader/web/migrations``; this module mirrors it for the ORM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the service's tables."""


class Meta(Base):
    """Server-wide values shared by every process (the CSRF secret)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Student(Base):
    """A student from the roster; ``token_hash`` is the SHA-256 of their personal code."""

    __tablename__ = "students"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime())


class SessionColumns:
    """The columns every sign-in session has, a student's or a TA's: the cookie holds the
    secret, the table only its hash, with when it started and when it stops working."""

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime())
    expires: Mapped[datetime] = mapped_column(DateTime())


class Session(SessionColumns, Base):
    """A signed-in student's browser."""

    __tablename__ = "sessions"
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)


class SigninAttempt(Base):
    """A failed sign-in, counted per client to limit guessing."""

    __tablename__ = "signin_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_signin_client_at", "client", "at"),)


class Draft(Base):
    """A student's latest answer to one part (what the page shows and a hand-in sends)."""

    __tablename__ = "drafts"
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(100), primary_key=True)
    part: Mapped[str] = mapped_column(String(200), primary_key=True)
    answer: Mapped[str] = mapped_column(Text)  # JSON
    updated: Mapped[datetime] = mapped_column(DateTime())


class Check(Base):
    """One stored check: who, when, the answer sent and the verdict (a PartResult)."""

    __tablename__ = "checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student: Mapped[str] = mapped_column(ForeignKey("students.id"))
    assignment: Mapped[str] = mapped_column(String(100))
    part: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)  # JSON
    status: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(Text)  # PartResult JSON
    created: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (
        Index("ix_checks_student_part_time", "student", "assignment", "part", "created"),
    )


class Handin(Base):
    """A hand-in: the answers (or notebook) a student declared final at that moment."""

    __tablename__ = "handins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    assignment: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # sheet | notebook
    answers: Mapped[str] = mapped_column(Text)  # JSON answers, or the notebook's stored path
    path: Mapped[str] = mapped_column(Text)  # the file written in the class folder
    created: Mapped[datetime] = mapped_column(DateTime())


class Job(Base):
    """A notebook upload waiting for, or run by, the sandboxed runner."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    assignment: Mapped[str] = mapped_column(String(100))
    notebook: Mapped[str] = mapped_column(Text)  # path of the stored upload
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued|running|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # SubmissionResult JSON
    created: Mapped[datetime] = mapped_column(DateTime())
    finished: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)


# ---------------------------------------------------------------- TAs and grading
# Rows below are read and written only by TA handlers (a TA session), except the ones a
# student reads about themselves: their regrade requests and, once published, their
# scores with the trail — always filtered by the signed-in student.


class Ta(Base):
    """A TA account; ``password_hash`` is an argon2id hash (never the password)."""

    __tablename__ = "tas"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime())


class TaSession(SessionColumns, Base):
    """A signed-in TA browser (a separate cookie from students' sessions)."""

    __tablename__ = "ta_sessions"
    ta: Mapped[str] = mapped_column(ForeignKey("tas.name"), index=True)


class RubricItemRow(Base):
    """A written part's rubric item as the TAs last set it (seeded from the rubric);
    a student's score is computed from the items ticked, so an edit reaches everyone."""

    __tablename__ = "rubric_items"
    assignment: Mapped[str] = mapped_column(String(100), primary_key=True)
    part: Mapped[str] = mapped_column(String(200), primary_key=True)
    item: Mapped[str] = mapped_column(String(100), primary_key=True)
    points: Mapped[float] = mapped_column(Float)
    text_en: Mapped[str] = mapped_column(Text)
    text_fa: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class Mark(Base):
    """A TA's grading of one student's part: the items ticked (written parts), or a
    score set by hand (any part), the comment, and ``version`` for optimistic locking."""

    __tablename__ = "marks"
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(100), primary_key=True)
    part: Mapped[str] = mapped_column(String(200), primary_key=True)
    items: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of item ids
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # a hand-set score
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    grader: Mapped[str] = mapped_column(String(100))
    updated: Mapped[datetime] = mapped_column(DateTime())


class ScoreEvent(Base):
    """One change of a part's score: the trail (who, when, why, old → new)."""

    __tablename__ = "score_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student: Mapped[str] = mapped_column(ForeignKey("students.id"))
    assignment: Mapped[str] = mapped_column(String(100))
    part: Mapped[str] = mapped_column(String(200))
    old: Mapped[float | None] = mapped_column(Float, nullable=True)
    new: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(20))  # grade|item|correction|regrade|key|import
    who: Mapped[str] = mapped_column(String(100))
    why: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_score_events_student", "student", "assignment"),)


class SavedComment(Base):
    """A reusable comment for one part, offered to every TA grading it."""

    __tablename__ = "saved_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment: Mapped[str] = mapped_column(String(100))
    part: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))


class Regrade(Base):
    """A student's request to look at one part again, and the TA's answer."""

    __tablename__ = "regrades"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    assignment: Mapped[str] = mapped_column(String(100))
    part: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime())
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    answered: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)


class Publication(Base):
    """An assignment whose grades the TAs published: students see their report."""

    __tablename__ = "publications"
    assignment: Mapped[str] = mapped_column(String(100), primary_key=True)
    by: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(DateTime())


class RubricVersion(Base):
    """A key fix a TA accepted: the rubric file's text as accepted. The newest row of an
    assignment is the key every server process grades with (see :mod:`grader.web.keys`)."""

    __tablename__ = "rubric_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file's bytes
    source: Mapped[str] = mapped_column(Text)
    accepted_by: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_rubric_versions_assignment", "assignment", "id"),)

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


class Session(Base):
    """A signed-in browser; the cookie holds the secret, the table only its hash."""

    __tablename__ = "sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    student: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    created: Mapped[datetime] = mapped_column(DateTime())
    expires: Mapped[datetime] = mapped_column(DateTime())


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

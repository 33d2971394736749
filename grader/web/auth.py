"""Who is asking: personal codes, sessions, CSRF tokens and the sign-in limit.

- A student's personal code is random (80 bits); only its SHA-256 is stored, so a copy of
  the database signs nobody in. A fast hash is enough for a random code (no dictionary).
- A session is a random cookie value; the table holds its hash and the student it
  belongs to. Cookies are HttpOnly and SameSite=Lax (Secure behind HTTPS).
- Every form carries a CSRF token: an HMAC of the browser's cookie (the session, or a
  pre-sign-in cookie) under a secret kept in the database, so every server process
  agrees on it and a restart invalidates nothing.
- Failed sign-ins are counted per client address; past the course's limit in a
  ten-minute window, sign-in answers with the time of the next allowed attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from grader.web.db import utcnow
from grader.web.models import Meta, Session, SessionColumns, SigninAttempt, Student

SESSION_COOKIE = "dlg_session"
PRE_COOKIE = "dlg_pre"
SESSION_DAYS = 14
SIGNIN_WINDOW = timedelta(minutes=10)
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand


def new_code() -> str:
    """A personal code like ``k7qm-x2rd-9fhz-w3ab`` (16 characters, about 78 bits)."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """A typed code as stored: lower case, spaces and dashes ignored, then regrouped."""
    raw = "".join(ch for ch in code.strip().lower() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def digest(secret: str) -> str:
    """SHA-256 hex of ``secret`` (codes and session cookies are stored only this way)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def server_secret(db: DbSession) -> bytes:
    """The CSRF secret, created once and shared by every process through the database."""
    row = db.get(Meta, "csrf_secret")
    if row is None:
        db.add(Meta(key="csrf_secret", value=secrets.token_hex(32)))
        try:
            db.commit()
        except IntegrityError:  # another process created it first
            db.rollback()
        row = db.get(Meta, "csrf_secret")
        assert row is not None
    return bytes.fromhex(row.value)


def csrf_token(secret: bytes, cookie_value: str) -> str:
    """The token a form must carry for the browser holding ``cookie_value``."""
    return hmac.new(secret, f"csrf:{cookie_value}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, cookie_value: str | None, sent: str | None) -> bool:
    """True when ``sent`` is the token for ``cookie_value`` (constant-time)."""
    if not cookie_value or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie_value), sent)


def student_for_code(db: DbSession, code: str) -> Student | None:
    """The student whose personal code is ``code``, or None."""
    normal = normalise_code(code)
    if not normal:
        return None
    return db.scalars(select(Student).where(Student.token_hash == digest(normal))).first()


def start_session(db: DbSession, row: SessionColumns, lifetime: timedelta) -> str:
    """Store ``row`` (a student's or a TA's session, its owner set) as a session lasting
    ``lifetime`` from now, and commit; returns the cookie value, stored only hashed."""
    value = secrets.token_urlsafe(32)
    row.id_hash = digest(value)
    row.created = utcnow()
    row.expires = row.created + lifetime
    db.add(row)
    db.commit()
    return value


def session_owner(
    db: DbSession, owners: Select[Any], table: type[SessionColumns], cookie_value: str | None
) -> Any:
    """The first of ``owners`` (a query joined to ``table``) whose session in ``table``
    the cookie opens, or None if the cookie is absent, unknown or expired."""
    if not cookie_value:
        return None
    return db.scalars(
        owners.where(table.id_hash == digest(cookie_value), table.expires >= utcnow())
    ).first()


def end_session(db: DbSession, table: type[SessionColumns], cookie_value: str | None) -> None:
    """Forget the session in ``table`` that the cookie opens, if any (sign-out)."""
    if cookie_value:
        db.execute(delete(table).where(table.id_hash == digest(cookie_value)))
        db.commit()


def open_session(db: DbSession, student: Student) -> str:
    """Start a session for ``student``; returns the cookie value (stored only hashed)."""
    return start_session(db, Session(student=student.id), timedelta(days=SESSION_DAYS))


def session_student(db: DbSession, cookie_value: str | None) -> Student | None:
    """The signed-in student of a session cookie, or None if absent or expired."""
    students = select(Student).join(Session, Session.student == Student.id)
    return session_owner(db, students, Session, cookie_value)


def close_session(db: DbSession, cookie_value: str | None) -> None:
    """Forget a session (sign-out)."""
    end_session(db, Session, cookie_value)


def signin_blocked_until(db: DbSession, client: str, limit: int) -> datetime | None:
    """When ``client`` may try again, if its failed sign-ins reached ``limit``."""
    since = utcnow() - SIGNIN_WINDOW
    failures = list(
        db.scalars(
            select(SigninAttempt.at)
            .where(SigninAttempt.client == client, SigninAttempt.at > since)
            .order_by(SigninAttempt.at.desc())
            .limit(limit)
        )
    )
    if len(failures) < limit:
        return None
    return min(failures) + SIGNIN_WINDOW


def record_failure(db: DbSession, client: str) -> None:
    """Count one failed sign-in for ``client`` (and drop counts older than the window)."""
    now = utcnow()
    db.execute(delete(SigninAttempt).where(SigninAttempt.at < now - SIGNIN_WINDOW * 6))
    db.add(SigninAttempt(client=client[:100], at=now))
    db.commit()


def count_sessions(db: DbSession, student: str) -> int:
    """How many sessions ``student`` holds (for tests and the TA)."""
    return db.scalar(select(func.count()).select_from(Session).where(Session.student == student))

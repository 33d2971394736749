"""TA accounts: passwords hashed with argon2id, sessions on a cookie of their own.

A TA signs in at ``/ta/signin`` with a name and password set by ``grade serve ta``. The
TA session cookie (``dlg_ta``, HttpOnly, SameSite=Strict, path ``/ta``) is separate from
the students' session: a student's cookie never opens a TA page, and a TA page never
reads the student cookie. Only the SHA-256 of a session value is stored.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from grader.web.auth import end_session, session_owner, start_session
from grader.web.db import utcnow
from grader.web.models import Ta, TaSession

TA_COOKIE = "dlg_ta"
TA_SESSION_HOURS = 12
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong
# password (no timing answer to "is there a TA called …").
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class WeakPassword(ValueError):
    """A TA password shorter than :data:`MIN_PASSWORD` characters."""


def set_password(db: DbSession, name: str, password: str) -> None:
    """Create the TA ``name`` or change their password (ends their sessions)."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"a TA password needs at least {MIN_PASSWORD} characters")
    row = db.get(Ta, name)
    if row is None:
        db.add(Ta(name=name, password_hash=_hasher.hash(password), created=utcnow()))
    else:
        row.password_hash = _hasher.hash(password)
        db.execute(delete(TaSession).where(TaSession.ta == name))
    db.commit()


def verify(db: DbSession, name: str, password: str) -> Ta | None:
    """The TA if ``password`` is theirs, else None (same work for an unknown name)."""
    row = db.get(Ta, name) if name else None
    try:
        _hasher.verify(row.password_hash if row else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return row


def open_session(db: DbSession, ta: Ta) -> str:
    """Start a TA session; returns the cookie value."""
    return start_session(db, TaSession(ta=ta.name), timedelta(hours=TA_SESSION_HOURS))


def session_ta(db: DbSession, cookie_value: str | None) -> Ta | None:
    """The signed-in TA of a TA cookie, or None if absent or expired."""
    tas = select(Ta).join(TaSession, TaSession.ta == Ta.name)
    return session_owner(db, tas, TaSession, cookie_value)


def close_session(db: DbSession, cookie_value: str | None) -> None:
    """Forget a TA session (sign-out)."""
    end_session(db, TaSession, cookie_value)

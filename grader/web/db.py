"""Connecting to the service's database and bringing its schema up to date.

SQLite (the default, a file in the course folder) runs in WAL mode so pages are read
while a check is written, with a busy timeout so concurrent writers wait instead of
failing. PostgreSQL (``--db postgresql://…``) is for several server processes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def utcnow() -> datetime:
    """Now in UTC, without a zone: every time in the database is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def sqlite_url(course_dir: Path) -> str:
    """The default database: ``.dlgrade-serve/serve.sqlite3`` in the course folder (a
    hidden folder, so ``grade`` never takes it for an assignment)."""
    folder = Path(course_dir).resolve() / ".dlgrade-serve"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'serve.sqlite3'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # synchronous=NORMAL in WAL mode: a commit is appended to the WAL without an fsync;
    # the WAL is fsynced at each checkpoint. A killed process or a crashed server
    # process loses nothing committed (the OS holds the written pages) and the file
    # stays consistent. A power loss or kernel crash keeps the database consistent too
    # but may roll back the commits since the last checkpoint (at most about 1000 pages
    # of WAL: the last checks, drafts and hand-ins acknowledged before the cut; a
    # hand-in's answer sheet is also in the class folder). FULL would add an fsync to
    # every check.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the pragmas and pool sizes the service relies on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=20
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (a no-op when it is there)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory every request and worker uses."""
    return sessionmaker(engine, expire_on_commit=False)

"""Alembic environment: migrations run on the connection :func:`grader.web.db.migrate`
hands over (``config.attributes["connection"]``), never on a URL read from a file."""

from __future__ import annotations

from alembic import context

from grader.web.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

"""The first schema: roster, sessions, sign-in attempts, drafts, checks, hand-ins, jobs.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "students",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("expires", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sessions_student", "sessions", ["student"])
    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_signin_client_at", "signin_attempts", ["client", "at"])
    op.create_table(
        "drafts",
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), primary_key=True),
        sa.Column("assignment", sa.String(100), primary_key=True),
        sa.Column("part", sa.String(200), primary_key=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("assignment", sa.String(100), nullable=False),
        sa.Column("part", sa.String(200), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_checks_student_part_time", "checks", ["student", "assignment", "part", "created"]
    )
    op.create_table(
        "handins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("assignment", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_handins_student", "handins", ["student"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("assignment", sa.String(100), nullable=False),
        sa.Column("notebook", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(100), nullable=True),
        sa.Column("heartbeat", sa.DateTime(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("finished", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_jobs_student", "jobs", ["student"])
    op.create_index("ix_jobs_status", "jobs", ["status"])


def downgrade() -> None:
    for table in ("jobs", "handins", "checks", "drafts", "signin_attempts", "sessions"):
        op.drop_table(table)
    op.drop_table("students")
    op.drop_table("meta")

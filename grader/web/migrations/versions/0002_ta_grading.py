"""TAs grade in the service: TA accounts and sessions, rubric items, marks (with a
version for optimistic locking), the score trail, reusable comments, regrade requests,
publications.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tas",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "ta_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("ta", sa.String(100), sa.ForeignKey("tas.name"), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("expires", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_ta_sessions_ta", "ta_sessions", ["ta"])
    op.create_table(
        "rubric_items",
        sa.Column("assignment", sa.String(100), primary_key=True),
        sa.Column("part", sa.String(200), primary_key=True),
        sa.Column("item", sa.String(100), primary_key=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_fa", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "marks",
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), primary_key=True),
        sa.Column("assignment", sa.String(100), primary_key=True),
        sa.Column("part", sa.String(200), primary_key=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("grader", sa.String(100), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "score_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("assignment", sa.String(100), nullable=False),
        sa.Column("part", sa.String(200), nullable=False),
        sa.Column("old", sa.Float(), nullable=True),
        sa.Column("new", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_score_events_student", "score_events", ["student", "assignment"])
    op.create_table(
        "saved_comments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("assignment", sa.String(100), nullable=False),
        sa.Column("part", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "regrades",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("assignment", sa.String(100), nullable=False),
        sa.Column("part", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.Column("answered", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_regrades_student", "regrades", ["student"])
    op.create_table(
        "publications",
        sa.Column("assignment", sa.String(100), primary_key=True),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "publications",
        "regrades",
        "saved_comments",
        "score_events",
        "marks",
        "rubric_items",
        "ta_sessions",
        "tas",
    ):
        op.drop_table(table)

"""The documents handed to the job queue (issue 16).

procrastinate's own tables (``procrastinate_jobs`` …) are not made here: docgen applies
procrastinate's schema on PostgreSQL the first time the queue is used (see
:mod:`docgen.store._queue`), so a database that never queues a job has none of them.

Revision ID: 0010_queue
Revises: 0007_notify
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_queue"
down_revision = "0008_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queued_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("out_dir", sa.Text, nullable=False),
        sa.Column("formats", sa.String(40), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=True),
        sa.Column("draft", sa.Boolean, nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False),
        sa.Column("queued_by", sa.String(320), nullable=True),
        sa.Column("job_id", sa.BigInteger, nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("outcome", sa.Text, nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_documents")),
        sa.UniqueConstraint("batch", "deal_id",
                            name=op.f("uq_queued_documents_batch_deal_id")),
        sa.CheckConstraint("status IN ('queued', 'done', 'blocked', 'failed')",
                           name=op.f("ck_queued_documents_status")),
    )


def downgrade() -> None:
    op.drop_table("queued_documents")

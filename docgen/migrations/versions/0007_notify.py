"""Notifications (recorded once per idempotency key) and the onboarding tasks of deals.

Revision ID: 0007_notify
Revises: 0006_hist
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_notify"
down_revision = "0006_hist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("about", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'recorded')",
                           name=op.f("ck_notifications_status")),
    )
    op.create_index(op.f("ix_notifications_status"), "notifications", ["status"])
    op.create_index(op.f("ix_notifications_deal_id"), "notifications", ["deal_id"])

    op.create_table(
        "onboarding_tasks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("task_key", sa.String(64), nullable=False),
        sa.Column("week", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(320), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("touchpoint", sa.Boolean, nullable=False),
        sa.Column("repeat", sa.String(40), nullable=True),
        sa.Column("until_week", sa.Integer, nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("status_by", sa.String(200), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_tasks")),
        sa.UniqueConstraint("deal_id", "task_key",
                            name=op.f("uq_onboarding_tasks_deal_id_task_key")),
        sa.CheckConstraint("status IN ('open', 'done', 'skipped')",
                           name=op.f("ck_onboarding_tasks_status")),
    )
    op.create_index(op.f("ix_onboarding_tasks_deal_id"), "onboarding_tasks", ["deal_id"])


def downgrade() -> None:
    op.drop_table("onboarding_tasks")
    op.drop_table("notifications")

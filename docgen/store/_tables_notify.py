"""The tables of notifications and onboarding tasks (issue 15), on the store's one metadata.

Imported at the end of :mod:`docgen.store._tables`, so that every table is registered wherever
the metadata is used (migrations' autogenerate comparison, the store).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from docgen.store._tables import UTCDateTime, metadata

__all__ = ["NOTIFICATION_STATUSES", "TASK_STATUSES", "notifications", "onboarding_tasks"]

#: pending: to send; sending: claimed by one process; sent; failed: retried on the next run;
#: recorded: no SMTP configured, kept for the inbox only (never sent later).
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed", "recorded")
TASK_STATUSES = ("open", "done", "skipped")

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # SHA-256 of (kind, deal, what it is about, recipient): the same event is recorded once
    Column("key", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("deal_id", String(64), nullable=False),
    Column("about", String(200), nullable=False),          # "PRC001 lines[0]", a PO number, a date
    Column("fingerprint", String(64), nullable=True),
    Column("recipient", String(320), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    UniqueConstraint("key"),
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'recorded')",
                    name="status"),
    Index(None, "status"),
    Index(None, "deal_id"),
)

onboarding_tasks = Table(
    "onboarding_tasks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deal_id", String(64), nullable=False),
    Column("task_key", String(64), nullable=False),        # w2-introduction-call-with-...
    Column("week", Integer, nullable=False),
    Column("owner", String(320), nullable=False),
    Column("title", Text, nullable=False),
    Column("touchpoint", Boolean, nullable=False),
    Column("repeat", String(40), nullable=True),            # "mon wed fri"
    Column("until_week", Integer, nullable=True),
    Column("due_on", Date, nullable=True),                  # None while the contract has no start
    Column("status", String(8), nullable=False),
    Column("status_by", String(200), nullable=True),
    Column("status_at", UTCDateTime(), nullable=True),
    Column("note", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("deal_id", "task_key"),
    CheckConstraint("status IN ('open', 'done', 'skipped')", name="status"),
    Index(None, "deal_id"),
)

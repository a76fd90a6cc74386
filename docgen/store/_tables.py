"""The store's tables (SQLAlchemy Core). Alembic migrations create them; a test compares both.

Amounts are kept as decimal *text* with their currency (SQLite has no exact decimal type, and
SQLAlchemy would pass a Numeric through a binary float there). Times are UTC: ``timestamptz``
on PostgreSQL, naive UTC text on SQLite, always read back as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["UTCDateTime", "approval_decisions", "approval_requests", "issued_documents",
           "metadata", "po_sequences"]

# stable constraint names, so that migrations on every backend can refer to them
metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "pk": "pk_%(table_name)s",
})


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "store times must be timezone-aware"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - the sqlite dialect parses it already
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _key_columns() -> list[Column[Any]]:
    return [
        Column("deal_id", String(64), nullable=False),
        Column("code", String(16), nullable=False),
        Column("location", String(64), nullable=False),   # the finding's `where`
        Column("fingerprint", String(64), nullable=False),
    ]


approval_requests = Table(
    "approval_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_key_columns(),
    Column("approvers", String(400), nullable=False),     # roles, space-separated
    Column("message", Text, nullable=False),               # what the finding is about
    Column("amount", String(40), nullable=True),           # the amount at stake, decimal text
    Column("currency", String(3), nullable=True),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("requested_by", String(200), nullable=True),
    UniqueConstraint("deal_id", "code", "location", "fingerprint"),
    Index(None, "deal_id"),
)

approval_decisions = Table(
    "approval_decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_key_columns(),
    Column("role", String(100), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decision", String(8), nullable=False),
    Column("note", Text, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=False),
    # one decision per role per fingerprint: a change of mind needs a changed line
    UniqueConstraint("deal_id", "code", "location", "fingerprint", "role"),
    CheckConstraint("decision IN ('approve', 'reject')", name="decision"),
    Index(None, "deal_id"),
)

po_sequences = Table(
    "po_sequences", metadata,
    Column("prefix", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
    PrimaryKeyConstraint("prefix", "year"),
)

issued_documents = Table(
    "issued_documents", metadata,
    Column("number", String(64), primary_key=True),
    Column("prefix", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("deal_id", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(8), nullable=False),
    Column("file_sha256", String(64), nullable=True),
    Column("path", Text, nullable=True),
    Column("issued_on", Date, nullable=True),
    Column("void_reason", Text, nullable=True),
    Column("reserved_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("prefix", "year", "seq"),
    CheckConstraint("status IN ('reserved', 'issued', 'void')", name="status"),
    Index(None, "deal_id", "fingerprint"),
)

# the tables of notifications and onboarding tasks register on `metadata` (issue 15)
from docgen.store import _tables_notify  # noqa: E402, F401

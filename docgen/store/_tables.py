"""The store's tables (SQLAlchemy Core). Alembic migrations create them; a test compares both.

Amounts are kept as decimal *text* with their currency (SQLite has no exact decimal type, and
SQLAlchemy would pass a Numeric through a binary float there). Times are UTC: ``timestamptz``
on PostgreSQL, naive UTC text on SQLite, always read back as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["LIVE", "UTCDateTime", "api_tokens", "approval_decisions", "approval_requests",
           "audit_head", "audit_log", "catalogue_versions", "deal_revisions", "document_files",
           "issued_documents", "metadata", "po_sequences", "policy_versions", "sign_in_attempts",
           "signed_files", "users", "web_sessions"]

#: Registry statuses of a document that still counts: being issued, or issued and valid.
LIVE = ("reserved", "issued")
_LIVE_SQL = "status IN ('reserved', 'issued')"
_ISSUED_SQL = "status = 'issued'"

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
    Column("number", String(80), primary_key=True),
    Column("prefix", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("deal_id", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("file_sha256", String(64), nullable=True),
    Column("path", Text, nullable=True),
    Column("issued_on", Date, nullable=True),
    Column("void_reason", Text, nullable=True),
    Column("reserved_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # added by 0006_hist
    Column("kind", String(16), nullable=False, server_default="po"),
    Column("revision", String(64), nullable=True),     # the deal revision it was issued for
    Column("holder", Text, nullable=True),             # JSON: the reserving process
    Column("issued_at", UTCDateTime(), nullable=True),
    Column("superseded_by", String(80), nullable=True),
    Column("superseded_reason", Text, nullable=True),
    # added by 0009_template_versions: SHA-256 of the templates folder that rendered it
    Column("template_version", String(64), nullable=True),
    UniqueConstraint("prefix", "year", "seq"),
    CheckConstraint("status IN ('reserved', 'issued', 'superseded', 'void')", name="status"),
    Index(None, "deal_id", "fingerprint"),
    # issue once per revision: one live (reserved or issued) document per deal, kind and
    # revision, whatever process asks; a concurrent second reservation fails on this index
    Index("uq_issued_documents_live_revision", "deal_id", "kind", "revision", unique=True,
          sqlite_where=text(_LIVE_SQL), postgresql_where=text(_LIVE_SQL)),
    # one valid document per deal and kind: issuing another supersedes it in the same transaction
    Index("uq_issued_documents_one_issued", "deal_id", "kind", unique=True,
          sqlite_where=text(_ISSUED_SQL), postgresql_where=text(_ISSUED_SQL)),
)

deal_revisions = Table(
    "deal_revisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deal_id", String(64), nullable=False),
    Column("revision", String(64), nullable=False),     # SHA-256 of `content`
    Column("content", Text, nullable=False),            # the deal's canonical JSON
    Column("source", Text, nullable=True),              # the file it was read from, first time
    Column("recorded_at", UTCDateTime(), nullable=False),
    # added by 0008_evidence: JSON [[code, where, fingerprint], ...] of the approval findings
    # the rules raised on this content when it was first recorded (NULL: recorded before)
    Column("findings", Text, nullable=True),
    UniqueConstraint("deal_id", "revision"),
    Index(None, "deal_id"),
)

document_files = Table(
    "document_files", metadata,
    Column("number", String(80), ForeignKey("issued_documents.number",
                                            name="fk_document_files_number"), nullable=False),
    Column("format", String(8), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),     # the bytes as issued: a re-issue returns them
    PrimaryKeyConstraint("number", "format"),
)

# -- people, tokens and the audit log (migration 0002_people) -----------------------------------

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),           # normalised: trimmed, lower case
    Column("name", String(200), nullable=False),
    Column("is_admin", Boolean(name="is_admin"), nullable=False),
    Column("active", Boolean(name="active"), nullable=False),
    Column("password_hash", Text, nullable=True),           # argon2id, for the web app
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("email"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", name="fk_api_tokens_user_id"),
           nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_sha256", String(64), nullable=False),     # the token itself is never stored
    Column("hint", String(16), nullable=False),             # its first characters, for lists
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("token_sha256"),
    Index(None, "user_id"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),   # 1, 2, 3 … no gaps
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(254), nullable=True),            # the authenticated person's email
    Column("action", String(40), nullable=False),
    Column("deal_id", String(64), nullable=True),
    Column("subject", Text, nullable=False),
    Column("detail", Text, nullable=False),                 # canonical JSON, MACed as stored
    Column("prev_mac", String(64), nullable=False),
    Column("mac", String(64), nullable=False),
    Index(None, "deal_id"),
)

# one row: the chain's last seq and MAC, itself MACed, so that deleting the newest rows shows
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("mac", String(64), nullable=False),
    Column("head_mac", String(64), nullable=False),
)

# -- the web app's sign-in sessions and sign-in attempts (migration 0003_web) --------------------

web_sessions = Table(
    "web_sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_sha256", String(64), nullable=False),     # the cookie's value is never stored
    Column("user_id", Integer, ForeignKey("users.id", name="fk_web_sessions_user_id"),
           nullable=False),
    Column("csrf", String(64), nullable=False),             # the forms' token of this session
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    UniqueConstraint("token_sha256"),
    Index(None, "user_id"),
)

sign_in_attempts = Table(
    "sign_in_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(320), nullable=False),             # "email:…" or "client:…"
    Column("at", UTCDateTime(), nullable=False),
    Column("ok", Boolean(name="ok"), nullable=False),
    Index(None, "key", "at"),
)

def _version_table(name: str) -> Table:
    """A table of recorded versions (catalogue or policy): never updated, never deleted.

    The migration adds triggers that refuse UPDATE and DELETE on both backends, so a recorded
    version stays what the POs priced with it were priced with.
    """
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("version", String(200), nullable=False),      # the file's version label
        Column("sha256", String(64), nullable=False),         # of `content`
        Column("content", Text, nullable=False),              # canonical JSON of the file
        Column("effective_from", Date, nullable=False),
        Column("locked_by", String(200), nullable=False),
        Column("locked_at", UTCDateTime(), nullable=False),
        UniqueConstraint("version"),
    )


catalogue_versions = _version_table("catalogue_versions")
policy_versions = _version_table("policy_versions")
# files docgen signed besides the issued PO itself (a pack of it): `verify` finds a file by the
# SHA-256 of its own bytes here, never by a hash the file claims about itself
signed_files = Table(
    "signed_files", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),            # "pack"
    Column("number", String(64), nullable=False),          # the PO it holds
    Column("deal_id", String(64), nullable=False),
    Column("path", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "number"),
)

# the tables of notifications and onboarding tasks register on `metadata` (issue 15)
from docgen.store import _tables_notify  # noqa: E402, F401
# the tables of legal's staged and activated templates (issue 13, issue 16)
from docgen.store import _tables_templates  # noqa: E402, F401
# ... and the tables of recorded evidence and its files (issue 15)
from docgen.store import _tables_evidence  # noqa: E402, F401
# the table of documents handed to the job queue registers on `metadata` (issue 16)
from docgen.store import _tables_queue  # noqa: E402, F401

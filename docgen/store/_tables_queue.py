"""The table of documents handed to the job queue (issue 16), on the store's one metadata.

One row per document a ``docgen po --queue`` batch queued: what to issue (the deal revision,
kind, formats, folder, date, as whom) and, once a ``docgen worker`` took it, what came of it. The
job itself lives in procrastinate's tables (``procrastinate_jobs``, created on first use of the
queue, see :mod:`docgen.store._queue`); its arguments name this row only.

Imported at the end of :mod:`docgen.store._tables`, so that every table is registered wherever
the metadata is used (migrations' autogenerate comparison, the store).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from docgen.store._tables import UTCDateTime, metadata

__all__ = ["QUEUED_STATUSES", "queued_documents"]

#: queued: waiting for (or being issued by) a worker; done: written (issued or a draft);
#: blocked: findings gated the document when the worker took it; failed: with the reason.
QUEUED_STATUSES = ("queued", "done", "blocked", "failed")

queued_documents = Table(
    "queued_documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch", String(36), nullable=False),           # one `po --queue` run (a UUID)
    Column("position", Integer, nullable=False),           # the deal's place in the batch
    Column("kind", String(16), nullable=False),
    Column("deal_id", String(64), nullable=False),
    Column("revision", String(64), nullable=False),        # deal_revisions holds its content
    Column("fingerprint", String(64), nullable=False),     # priced as the enqueuer priced it
    Column("source", Text, nullable=False),                # the deal file, for messages
    Column("out_dir", Text, nullable=False),               # absolute; shared by the workers
    Column("formats", String(40), nullable=False),         # "pdf,docx"
    Column("issue_date", Date, nullable=True),
    Column("draft", Boolean, nullable=False),
    Column("internal", Boolean, nullable=False),
    Column("queued_by", String(320), nullable=True),       # the person a final PO is issued as
    Column("job_id", BigInteger, nullable=True),           # procrastinate_jobs.id
    Column("status", String(8), nullable=False),
    Column("outcome", Text, nullable=True),                # JSON: files, findings or the reason
    Column("queued_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    UniqueConstraint("batch", "deal_id"),
    CheckConstraint("status IN ('queued', 'done', 'blocked', 'failed')", name="status"),
)

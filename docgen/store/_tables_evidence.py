"""The tables of recorded evidence and its files (issue 15), on the store's one metadata.

Imported at the end of :mod:`docgen.store._tables`, so that every table is registered wherever
the metadata is used. Both tables only grow: the migration adds triggers that refuse UPDATE and
DELETE on both backends (a file is stored once by its SHA-256 and never overwritten; a record is
never changed, a newer one replaces it as the item's latest).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from docgen.store._tables import UTCDateTime, metadata

__all__ = ["EVIDENCE_STATUSES", "deal_evidence", "evidence_files"]

EVIDENCE_STATUSES = ("received", "approved")

# content-addressed: the key is the SHA-256 of the bytes, so the same file is kept once
evidence_files = Table(
    "evidence_files", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

deal_evidence = Table(
    "deal_evidence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deal_id", String(64), nullable=False),
    Column("item", String(200), nullable=False),
    Column("status", String(8), nullable=False),
    Column("evidence_date", Date, nullable=False),
    Column("recorded_by", String(254), nullable=False),     # the authenticated person's e-mail
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("file_sha256", String(64), ForeignKey("evidence_files.sha256",
                                                 name="fk_deal_evidence_file_sha256"),
           nullable=True),
    Column("file_name", String(255), nullable=True),
    Column("file_size", Integer, nullable=True),
    CheckConstraint("status IN ('received', 'approved')", name="status"),
    Index(None, "deal_id"),
)

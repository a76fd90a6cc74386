"""Recorded evidence in the store (issue 15): records, their files by SHA-256, their audit rows.

A file is kept once, in ``evidence_files``, under the SHA-256 of its bytes (INSERT … ON
CONFLICT DO NOTHING: the same bytes attached twice, from any machine sharing the database, are
one row, and a stored file is never overwritten). A record goes to ``deal_evidence`` with its
``evidence`` audit row in the same transaction; what the row states is what makes the record
count (:func:`docgen.evidence.vouched`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from docgen.evidence import AUDIT_ACTION, Attachment, EvidenceRecord, evidence_detail
from docgen.store._sql import _check_lengths, _evidence_record
from docgen.store._tables_evidence import deal_evidence as _E
from docgen.store._tables_evidence import evidence_files as _F

if TYPE_CHECKING:
    from docgen.store._sql import Store

__all__ = ["EvidenceBook"]


class EvidenceBook:
    """The recorded evidence of deals in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, record: EvidenceRecord, attachment: Attachment | None = None
               ) -> tuple[EvidenceRecord, bool]:
        """Record `record` (and keep `attachment` by its hash); returns the item's record and
        True, or the item's latest record and False when that one says the same already
        (status, date, person and file): recording it again changes nothing."""
        values = {"deal_id": record.deal_id, "item": record.item, "status": record.status,
                  "evidence_date": record.on, "recorded_by": record.by,
                  "recorded_at": record.at.astimezone(UTC), "file_sha256": record.file_sha256,
                  "file_name": record.file_name, "file_size": record.file_size}
        _check_lengths(_E, values)
        with self.store._write() as conn:  # noqa: SLF001 - the store's own package
            last = conn.execute(select(_E).where(_E.c.deal_id == record.deal_id,
                                                 _E.c.item == record.item)
                                .order_by(_E.c.recorded_at.desc(), _E.c.id.desc())
                                .limit(1)).first()
            if last is not None:
                prior = _evidence_record(last)
                if (prior.status, prior.on, prior.by, prior.file_sha256) == (
                        record.status, record.on, record.by, record.file_sha256):
                    return prior, False
            if attachment is not None:
                self.store._insert_ignore(conn, _F, {  # noqa: SLF001
                    "sha256": attachment.sha256, "size": attachment.size,
                    "content": attachment.content, "created_at": datetime.now(UTC)},
                    ("sha256",))
            new_id = conn.execute(insert(_E).values(**values).returning(_E.c.id)).scalar_one()
            row = conn.execute(select(_E).where(_E.c.id == new_id)).one()
            stored = _evidence_record(row)
            self.store._append(conn, AUDIT_ACTION, actor=stored.by,  # noqa: SLF001
                               deal_id=stored.deal_id, subject=f"{stored.item} {stored.status}",
                               detail=evidence_detail(stored), at=stored.at)
        return stored, True

    def records(self, deal_id: str) -> list[EvidenceRecord]:
        """Every record of the deal, oldest first."""
        q = select(_E).where(_E.c.deal_id == deal_id).order_by(_E.c.recorded_at, _E.c.id)
        with self.store._read() as conn:  # noqa: SLF001
            return [_evidence_record(r) for r in conn.execute(q)]

    def file(self, sha256: str) -> bytes | None:
        """The bytes kept under `sha256`, or None."""
        with self.store._read() as conn:  # noqa: SLF001
            blob = conn.execute(select(_F.c.content).where(_F.c.sha256 == sha256)).scalar()
        return None if blob is None else bytes(blob)

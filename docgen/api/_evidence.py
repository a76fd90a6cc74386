"""The session's evidence commands (``docgen evidence add / list / file``), kept apart from
:mod:`._session` so that it stays short. See :mod:`docgen.evidence` for what counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    from docgen.api._session import PathLike, Session
    from docgen.evidence import EvidenceRecord
    from docgen.findings import Finding
    from docgen.validate import DealResult

__all__ = ["EvidenceAdded", "EvidenceList", "add_evidence", "evidence_file", "list_evidence",
           "save_evidence_file"]


@dataclass(frozen=True)
class EvidenceAdded:
    """What ``evidence add`` recorded: the record, False in `changed` when the item's latest
    record said the same already; with a deal file, the deal validated afterwards."""

    deal_id: str
    record: EvidenceRecord
    changed: bool
    result: DealResult | None = None

    @property
    def standing(self) -> list[Finding]:
        """The findings still at the item (``evidence.<item>``) after recording it."""
        if self.result is None:
            return []
        where = f"evidence.{self.record.item}"
        return [f for f in self.result.findings if f.where == where]


@dataclass(frozen=True)
class EvidenceList:
    """Every evidence record of a deal, oldest first, and the ids of those that count."""

    deal_id: str
    records: list[EvidenceRecord]
    counting: frozenset[int]

    @property
    def latest(self) -> dict[str, EvidenceRecord]:
        """Each item's latest record that counts."""
        from docgen.evidence import latest

        return latest(r for r in self.records if r.id in self.counting)


def add_evidence(session: Session, deal: PathLike | str, item: str,
                 file: PathLike | None, *, status: Literal["received", "approved"],
                 on: date | None, now: datetime | None) -> EvidenceAdded:
    """See :meth:`docgen.api.Session.add_evidence`."""
    from docgen.api._tasks import _deal
    from docgen.evidence import (STATUSES, EvidenceRecord, read_attachment, require_approver,
                                 require_item)
    from docgen.store._evidence import EvidenceBook

    store = session.store  # first: the read-only sample refuses here
    actor = session.require_actor("evidence add")
    deal_id, loaded = _deal(session, deal)
    policy = session.workspace.policy
    item = require_item(policy, item.strip())
    if status not in STATUSES:
        raise InputError([Problem("--status", None, "", f"{status!r}: choose "
                                  f"{' or '.join(STATUSES)}")])
    if status == "approved":
        require_approver(policy, item, actor.email)
    now = now or datetime.now(UTC)
    today = max(date.today(), now.astimezone(UTC).date())
    on = on or date.today()
    if on > today:
        raise InputError([Problem("--date", None, "", (
            f"{on.isoformat()} is in the future: evidence is dated the day it was received or "
            "approved"))])
    attachment = read_attachment(file) if file is not None else None
    record = EvidenceRecord(deal_id=deal_id, item=item, status=status, on=on, by=actor.email,
                            at=now, file_sha256=attachment.sha256 if attachment else None,
                            file_name=attachment.name if attachment else None,
                            file_size=attachment.size if attachment else None)
    stored, changed = EvidenceBook(store).record(record, attachment)
    session._evidence.pop(deal_id, None)  # noqa: SLF001 - the session's own cache
    result = None
    if loaded is not None:
        (result,) = session.validate([deal])
    return EvidenceAdded(deal_id, stored, changed, result)


def list_evidence(session: Session, deal: PathLike | str) -> EvidenceList:
    """See :meth:`docgen.api.Session.evidence`."""
    from docgen.api._tasks import _deal
    from docgen.store._evidence import EvidenceBook

    deal_id, _ = _deal(session, deal)
    store = session._existing_store()  # noqa: SLF001 - the session's own helper
    if store is None:
        return EvidenceList(deal_id, [], frozenset())
    records = EvidenceBook(store).records(deal_id)
    counting = frozenset(r.id for r in session.evidence_records(deal_id) if r.id is not None)
    return EvidenceList(deal_id, records, counting)


_HEX = re.compile(r"[0-9a-f]{6,64}")


def evidence_file(session: Session, deal: PathLike | str, ref: str) -> tuple[EvidenceRecord,
                                                                            bytes]:
    """The record and bytes of a deal's attached file: `ref` is an item (the latest file
    attached to it that counts) or the file's SHA-256 (or a unique start of it, at least 6 hex
    digits)."""
    from docgen.store._evidence import EvidenceBook

    found = list_evidence(session, deal)
    ref = ref.strip()
    with_files = [r for r in found.records if r.file_sha256 and r.id in found.counting]
    of_item = [r for r in with_files if r.item == ref]
    if of_item:
        record = of_item[-1]  # the item's latest file
    else:
        ref = ref.lower()
        hits = {r.file_sha256: r for r in with_files
                if _HEX.fullmatch(ref) and r.file_sha256 and r.file_sha256.startswith(ref)}
        if len(hits) != 1:
            known = ", ".join(sorted({f"{r.item} ({(r.file_sha256 or '')[:12]})"
                                      for r in with_files})) or "none"
            why = "matches several files" if hits else "names no attached file"
            raise InputError([Problem("FILE", None, "", (
                f"{ref!r} {why} of {found.deal_id}; give an item or a file's SHA-256 (files: "
                f"{known})"))])
        record = next(iter(hits.values()))
    store = session._existing_store()  # noqa: SLF001
    assert store is not None and record.file_sha256 is not None  # noqa: S101 - listed above
    blob = EvidenceBook(store).file(record.file_sha256)
    if blob is None:  # pragma: no cover - a foreign key keeps the file while a record names it
        raise InputError([Problem("FILE", None, "", "the file is not in the database")])
    return record, blob


def save_evidence_file(session: Session, deal: PathLike | str, ref: str,
                       out: Path) -> tuple[EvidenceRecord, Path]:
    """See :meth:`docgen.api.Session.save_evidence_file`."""
    import os

    record, blob = evidence_file(session, deal, ref)
    target = Path(out)
    if target.is_dir():
        target = target / (record.file_name or record.file_sha256 or "evidence")
    session._writable(target, "an evidence file")  # noqa: SLF001 - the session's own helper
    session.refuse_input(target)
    try:  # a new file only: never over one that exists, nor one that appears meanwhile
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise InputError([Problem(str(target), None, "", (
            "a file is there already; docgen never writes over it: choose another name"))]) \
            from None
    except OSError as exc:
        raise InputError([Problem(str(target), None, "", (
            f"cannot write: {exc.strerror or type(exc).__name__}"))]) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return record, target

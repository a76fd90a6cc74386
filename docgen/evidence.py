"""Recorded evidence: a checklist item received or approved, by whom, when, with what file.

``docgen evidence add DEAL ITEM [FILE] [--status received|approved] [--date D]`` records that
an item of the policy's checklists (or of a stage's ``requires``) is there, as the person whose
token is in ``DOCGEN_TOKEN``: the item, its status, the evidence's date, who recorded it and
when, and an attached file kept in the database by its SHA-256 (content-addressed: the same
bytes are stored once and never overwritten; a row never changes).

What counts (:func:`latest` and :func:`check`), wherever the checklists are checked:

- an item's recorded evidence is its **latest** record (a new record — a newer file, an
  approval — replaces what the item showed before; nothing is deleted);
- only records the audit chain vouches for count (:func:`vouched`): a row written into the
  database by anything but docgen is not evidence;
- a checklist entry that ``requires: approved`` is met only by a latest record ``approved``,
  and, when the entry names ``approvers``, recorded by someone the policy names for one of
  those roles now. Evidence typed into the deal file counts as received, never as approved.

This module is pure apart from reading an attachment (:func:`read_attachment`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from docgen.errors import InputError, Problem
from docgen.limits import MAX_EVIDENCE_BYTES

if TYPE_CHECKING:
    from docgen.audit import AuditEntry
    from docgen.models.deal import Evidence
    from docgen.models.policy import ChecklistItem, Policy

__all__ = ["AUDIT_ACTION", "STATUSES", "Attachment", "EvidenceRecord", "check", "evidence_detail",
           "latest", "read_attachment", "require_item", "short_hash", "vouched"]

#: What a record can say of an item, weakest first.
STATUSES = ("received", "approved")
#: The audit log's action for a recorded piece of evidence.
AUDIT_ACTION = "evidence"
#: Longest file name kept for an attachment.
MAX_FILE_NAME = 255

EvidenceStatus = Literal["received", "approved"]


def short_hash(sha256: str) -> str:
    """The first 12 hex digits of a SHA-256: what a form prints to name a file's content."""
    return sha256[:12]


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One recorded piece of evidence of a deal's item (never changed once recorded)."""

    deal_id: str
    item: str
    status: EvidenceStatus
    on: date                       # the evidence's date (received or approved on)
    by: str                        # who recorded it: the authenticated person's e-mail
    at: datetime                   # when it was recorded (UTC)
    file_sha256: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    id: int | None = None          # the store's row id (None before it is recorded)

    @property
    def file_text(self) -> str:
        """``name (SHA-256 1a2b3c4d5e6f)`` of the attached file, or ""."""
        if self.file_sha256 is None:
            return ""
        return f"{self.file_name or 'file'} (SHA-256 {short_hash(self.file_sha256)})"

    def as_evidence(self) -> Evidence:
        """The record as the deal file's kind of evidence (for the dated rules)."""
        from docgen.models.deal import Evidence

        return Evidence(date=self.on, by=self.by, ref=self.file_name, done=True)

    def summary(self) -> str:
        """One line: ``credit_application approved 2026-10-22 by cfo@…, file ca.pdf (SHA-256
        1a2b3c4d5e6f)``."""
        file = f", file {self.file_text}" if self.file_sha256 else ""
        return f"{self.item} {self.status} {self.on.isoformat()} by {self.by}{file}"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"deal": self.deal_id, "item": self.item, "status": self.status,
                "date": self.on.isoformat(), "by": self.by,
                "recorded_at": self.at.astimezone(UTC).isoformat(),
                "file_name": self.file_name, "file_sha256": self.file_sha256,
                "file_size": self.file_size}


def evidence_detail(r: EvidenceRecord) -> dict[str, Any]:
    """What an ``evidence`` audit row states: everything that makes the record count."""
    return {"item": r.item, "status": r.status, "date": r.on.isoformat(), "by": r.by,
            "recorded_at": r.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "file_sha256": r.file_sha256, "file_name": r.file_name, "file_size": r.file_size}


def vouched(key: bytes | None, records: Iterable[EvidenceRecord],
            entries: Iterable[AuditEntry]) -> list[EvidenceRecord]:
    """The records an authentic ``evidence`` audit row states exactly (none without a key)."""
    if key is None:
        return []
    from docgen.audit import canonical, entry_ok

    stated = {(e.deal_id, e.detail) for e in entries
              if e.action == AUDIT_ACTION and entry_ok(key, e)}
    return [r for r in records if (r.deal_id, canonical(evidence_detail(r))) in stated]


def latest(records: Iterable[EvidenceRecord]) -> dict[str, EvidenceRecord]:
    """Each item's latest record (by the time it was recorded, then by row)."""
    out: dict[str, EvidenceRecord] = {}
    for r in sorted(records, key=lambda r: (r.at, r.id or 0)):
        out[r.item] = r
    return out


# -- what counts --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ItemState:
    """Whether a checklist entry is met, and if not, why (one phrase for a finding)."""

    met: bool
    problem: str = ""          # "has no evidence", "was received … but is not approved" …
    recorded: EvidenceRecord | None = None


#: The two answers for an entry with nothing recorded that needs no approval (most entries of
#: most deals: the rules ask for every entry of every deal validated).
_MET = ItemState(True)
_NO_EVIDENCE = ItemState(False, "has no evidence")


def check(policy: Policy, entry: ChecklistItem, in_deal: bool,
          recorded: EvidenceRecord | None) -> ItemState:
    """Is checklist `entry` met by the deal file's evidence (`in_deal`: it has some that
    counts) and the item's latest recorded evidence?"""
    if entry.requires != "approved":
        if recorded is None:
            return _MET if in_deal else _NO_EVIDENCE
        return ItemState(True, recorded=recorded)
    if recorded is not None and recorded.status == "approved":
        roles = entry.approvers
        if not roles or _holds_any(policy, roles, recorded.by):
            return ItemState(True, recorded=recorded)
        return ItemState(False, (
            f"was recorded approved by {recorded.by} on {recorded.on.isoformat()}, who holds "
            f"none of the roles that approve it ({', '.join(roles)})"), recorded)
    if recorded is not None:
        return ItemState(False, (
            f"was received on {recorded.on.isoformat()} (recorded by {recorded.by}) but is not "
            "approved yet"), recorded)
    if in_deal:
        return ItemState(False, "has evidence in the deal file, but the policy requires it "
                                "recorded as approved")
    return ItemState(False, "has no evidence (the policy requires it approved)")


def _holds_any(policy: Policy, roles: Iterable[str], email: str) -> bool:
    from docgen.identity import holds

    return any(holds(policy, r, email) for r in roles)


def approve_hint(entry: ChecklistItem, deal_id: str) -> str:
    """How to clear an entry whose approval is missing."""
    who = f" (by {' or '.join(entry.approvers)})" if entry.approvers else ""
    return (f"Record the approval{who}: docgen evidence add {deal_id} {entry.item} [FILE] "
            "--status approved")


# -- recording ----------------------------------------------------------------------------------

def require_item(policy: Policy, item: str) -> str:
    """`item` if the policy asks evidence for it; InputError naming the known items."""
    known = policy.evidence_items
    if item in known:
        return item
    import difflib

    close = difflib.get_close_matches(item, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise InputError([Problem("ITEM", None, "", (
        f"{item!r} is not a checklist item of the policy{hint}; the items are: "
        f"{', '.join(known) or 'none (the policy has no checklists or stage requirements)'}"))])


def require_approver(policy: Policy, item: str, email: str) -> None:
    """Refuse (InputError) recording `item` approved by someone no approver role of it names."""
    roles = policy.checklists.approvers_of(item)
    if roles and not _holds_any(policy, roles, email):
        raise InputError([Problem("--status", None, "", (
            f"{email} may not record {item} approved: the policy's checklists name "
            f"{', '.join(roles)} to approve it, and {email} holds none of those roles"))])


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file read for recording: its name, SHA-256, size and bytes."""

    name: str
    sha256: str
    size: int
    content: bytes


def read_attachment(path: str | os.PathLike[str], *,
                    limit: int = MAX_EVIDENCE_BYTES) -> Attachment:
    """Read a regular file of at most `limit` bytes; InputError (one problem) otherwise.

    The file is opened first and checked through its descriptor (no race between checking and
    reading); a pipe or device is never read (it could block or never end).
    """
    shown = str(path)
    name = Path(path).name

    def refuse(why: str) -> InputError:
        return InputError([Problem(shown, None, "", why)])

    if not name or len(name) > MAX_FILE_NAME or any(ord(c) < 32 or c == "\x7f" for c in name):
        raise refuse(f"give a file whose name has 1-{MAX_FILE_NAME} characters without control "
                     "characters")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise refuse("no such file") from None
    except IsADirectoryError:
        raise refuse("is a folder, not a file") from None
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise refuse("is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise refuse("is not a regular file (a pipe, socket or device cannot be attached)")
        if st.st_size > limit:
            raise refuse(f"is {st.st_size:,} bytes; an evidence file may have at most "
                         f"{limit:,} bytes ({limit // (1024 * 1024)} MiB)")
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1024 * 1024):
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise refuse(f"is over {limit:,} bytes; an evidence file may have at most "
                             f"{limit:,} bytes ({limit // (1024 * 1024)} MiB)")
            chunks.append(chunk)
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(fd)
    if size == 0:
        raise refuse("is empty: attach the document itself")
    blob = b"".join(chunks)
    return Attachment(name=name, sha256=hashlib.sha256(blob).hexdigest(), size=size,
                      content=blob)

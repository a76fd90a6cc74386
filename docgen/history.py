"""A deal's history (SPEC §8): revisions, approval requests and decisions, and documents.

One list of events in time order, oldest first (newest last), built from the store:

- ``revision``: a deal content docgen validated or rendered for the first time (its SHA-256);
- ``requested`` / ``approved`` / ``rejected``: approval requests and decisions
  (:func:`docgen.approvals.history`), marked current or stale when the deal file was given;
- ``evidence``: checklist evidence recorded (``docgen evidence add``): item, received or
  approved, its date, who recorded it, the attached file's name and SHA-256;
- ``reserved`` / ``issued`` / ``superseded`` / ``void``: what happened to each document number
  (an issued one names the version of the templates that rendered it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from docgen.store import Store
    from docgen.validate import DealResult

__all__ = ["DealHistory", "HistoryEvent", "deal_history"]

EventKind = Literal["revision", "requested", "approved", "rejected", "evidence", "reserved",
                    "issued", "superseded", "void"]
#: Order of events recorded at the same instant (a revision comes before what was done with it).
_ORDER = {"revision": 0, "requested": 1, "approved": 2, "rejected": 2, "evidence": 2,
          "reserved": 3, "issued": 4, "superseded": 5, "void": 5}


@dataclass(frozen=True)
class HistoryEvent:
    """One event of a deal's history; `detail` holds what is particular to its kind."""

    at: datetime
    event: EventKind
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"at": self.at.isoformat(), "event": self.event, "summary": self.summary,
                **self.detail}


@dataclass(frozen=True)
class DealHistory:
    """Every event of one deal, oldest first; `current` is the given file's revision, if any."""

    deal_id: str
    events: list[HistoryEvent]
    current: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``docgen history --json``."""
        return {"deal": self.deal_id, "current_revision": self.current,
                "events": [e.to_json() for e in self.events]}


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "(unknown)"


def deal_history(store: Store | None, deal_id: str, result: DealResult | None = None, *,
                 evidence_counts: set[int] | None = None) -> DealHistory:
    """The history of `deal_id` (empty without a database); `evidence_counts` are the ids of
    the evidence records the audit chain vouches for (the others are marked)."""
    from docgen.approvals import history as approval_history

    current = result.revision if result is not None else None
    if store is None:
        return DealHistory(deal_id, [], current)
    events: list[HistoryEvent] = []
    for rev in store.revisions(deal_id):
        mark = " (this file)" if rev.revision == current else ""
        events.append(HistoryEvent(rev.recorded_at, "revision",
                                   f"revision {_short(rev.revision)}{mark}",
                                   {"revision": rev.revision, "source": rev.source,
                                    "current": None if current is None
                                    else rev.revision == current}))
    for e in approval_history(store, deal_id, result):
        if e.event == "requested":
            text = f"requested {e.code} {e.where}" + (f" by {e.who}" if e.who else "") + \
                f" (needs: {', '.join(e.needs)})"
        else:
            text = f"{e.event} {e.code} {e.where} as {e.role} by {e.who}" + \
                (f": {e.note}" if e.note else "")
        if e.current is False:
            text += " [stale: the line changed since]"
        events.append(HistoryEvent(e.at, e.event, text, e.to_json() | {"at": e.at.isoformat()}))
    for rec in store.evidence_for(deal_id):
        counts = None if evidence_counts is None else rec.id in evidence_counts
        text = f"evidence {rec.summary()}"
        if counts is False:
            text += " [not in the audit log: does not count]"
        events.append(HistoryEvent(rec.at, "evidence", text,
                                   rec.to_json() | {"counts": counts}))
    for doc in store.documents(deal_id):
        base = {"number": doc.number, "kind": doc.kind, "revision": doc.revision,
                "template_version": doc.template_version}
        templates = f", templates {doc.template_version[:12]}" if doc.template_version else ""
        if doc.reserved_at is not None:
            who = f" by {doc.holder}" if doc.holder else ""
            events.append(HistoryEvent(doc.reserved_at, "reserved",
                                       f"{doc.kind} {doc.number} reserved for revision "
                                       f"{_short(doc.revision)}{who}", base))
        if doc.issued_on is not None:
            at = doc.issued_at or doc.updated_at or doc.reserved_at
            assert at is not None  # noqa: S101 - every row has reserved_at
            events.append(HistoryEvent(at, "issued",
                                       f"{doc.kind} {doc.number} issued, dated "
                                       f"{doc.issued_on.isoformat()}{templates} -> {doc.path}",
                                       base | {"issued_on": doc.issued_on.isoformat(),
                                               "path": doc.path,
                                               "file_sha256": doc.file_sha256}))
        if doc.status in ("superseded", "void") and doc.updated_at is not None:
            text = (f"{doc.kind} {doc.number} superseded by {doc.superseded_by}: {doc.reason}"
                    if doc.status == "superseded" else f"{doc.kind} {doc.number} void: {doc.reason}")
            events.append(HistoryEvent(doc.updated_at, doc.status, text,
                                       base | {"reason": doc.reason,
                                               "superseded_by": doc.superseded_by}))
    events.sort(key=lambda e: (e.at, _ORDER[e.event]))
    return DealHistory(deal_id, events, current)

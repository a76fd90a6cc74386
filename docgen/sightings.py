"""When an approval finding first appeared on a recorded deal revision, and when it went away.

Every deal revision docgen records (validating, submitting, deciding, issuing: SPEC §8) keeps
the approval findings the rules raised on it, as (code, where, fingerprint). From those:

- the SLA clock of a finding starts when it **first appeared** on a recorded revision — or at
  its request, if that came first (a revision recorded before docgen kept findings tells
  nothing) — not only when somebody ran ``docgen submit`` (:meth:`Sightings.clock_start`);
- a request whose line was edited afterwards was closed by the edit: the first revision recorded
  after the request that no longer has its finding (:meth:`Sightings.gone_after`), so that its
  SLA history (met, missed) stays what it was however long ago the edit was.

Pure: the store reads the revisions (:meth:`docgen.store.Store.revision_findings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from docgen.store import RevisionFindings

__all__ = ["Sightings"]

#: (deal, code, where, fingerprint): one approval finding of one version of a line.
Key = tuple[str, str, str, str]


class Sightings:
    """The approval findings of a set of deals' recorded revisions, as of a moment."""

    def __init__(self, revisions: Iterable[RevisionFindings], *,
                 until: datetime | None = None) -> None:
        #: revisions recorded by `until` (a report "as of" a past moment ignores later ones)
        self.revisions = sorted((r for r in revisions if until is None or r.recorded_at <= until),
                                key=lambda r: r.recorded_at)
        self._first: dict[Key, datetime] = {}
        for r in self.revisions:
            for code, where, fp in r.findings or ():
                self._first.setdefault((r.deal_id, code, where, fp), r.recorded_at)

    def first_seen(self, key: Key) -> datetime | None:
        """When the finding `key` first appeared on a recorded revision (None: never)."""
        return self._first.get(key)

    def clock_start(self, key: Key, requested_at: datetime | None) -> datetime | None:
        """When the SLA clock of `key` started: its first appearance or its request, whichever
        came first (None: neither)."""
        times = [t for t in (self.first_seen(key), requested_at) if t is not None]
        return min(times) if times else None

    def gone_after(self, key: Key, after: datetime) -> datetime | None:
        """When the first revision of the deal recorded after `after` without `key` was
        recorded: the finding's line changed (or it no longer needs approval); None if none is
        known."""
        deal_id, code, where, fp = key
        for r in self.revisions:
            if r.deal_id == deal_id and r.recorded_at > after and r.findings is not None \
                    and (code, where, fp) not in r.findings:
                return r.recorded_at
        return None

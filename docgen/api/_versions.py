"""The session's catalogue and policy versions: locking, recording, choosing and comparing.

:class:`Versions` belongs to one :class:`~docgen.api.Session` and reads recorded versions through
the session's reader (the standard-library SQLite reader while ``validate`` only reads, the full
store once something is written), so ``docgen validate`` stays light. Without a database there
is no history: every deal is priced with the locked catalogue file.

Who locked a version: the `locked_by` argument, else the operating-system user. The identity
work (authenticated users, SPEC §9) replaces that default with the signed-in person.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, Problem
from docgen.versions import (Candidate, catalogue_changes, catalogue_content, content_json,
                             content_sha256, in_force, policy_changes, policy_content)

from docgen.api._results import LockResult, Repricing, VersionDiff

if TYPE_CHECKING:
    from docgen.api._session import Session
    from docgen.models.catalogue import Catalogue, Sku
    from docgen.models.deal import Deal
    from docgen.models.policy import Policy
    from docgen.store import VersionKind, VersionRecord

__all__ = ["Versions", "os_user"]


def os_user() -> str:
    """The operating-system user, the default 'who locked' until identity is wired in."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


class Versions:
    """Recorded versions of one session's workspace, read once and cached."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.today = date.today()
        self._records: dict[str, list[VersionRecord]] = {}
        self._catalogues: dict[str, tuple[Catalogue, dict[str, Sku]]] = {}
        self._policies: dict[str, Policy] = {}
        self._candidate_cache: list[Candidate] | None = None

    # -- reading --------------------------------------------------------------------------

    def records(self, kind: VersionKind) -> list[VersionRecord]:
        """Recorded versions of `kind`, oldest lock first (none without a database)."""
        if kind not in self._records:
            reader = self.session._decision_reader()  # noqa: SLF001 - the session's own reader
            self._records[kind] = reader.versions(kind) if reader is not None else []
        return self._records[kind]

    def _content(self, kind: VersionKind, version: str) -> dict[str, Any] | None:
        reader = self.session._decision_reader()  # noqa: SLF001
        text = reader.version_content(kind, version) if reader is not None else None
        return json.loads(text) if text is not None else None

    def catalogue(self, version: str) -> tuple[Catalogue, dict[str, Sku]] | None:
        """The catalogue of `version` and its SKUs: the locked file, or a recorded version."""
        from docgen.models.catalogue import Catalogue

        ws = self.session.workspace
        if version == ws.catalogue.catalogue.version:
            return ws.catalogue, ws.skus
        if version not in self._catalogues:
            content = self._content("catalogue", version)
            if content is None:
                return None
            cat = Catalogue.model_validate(content)
            self._catalogues[version] = (cat, cat.by_code())
        return self._catalogues[version]

    def policy(self, version: str | None) -> Policy | None:
        """The policy of `version`: the locked file, or a recorded version; None if unknown."""
        from docgen.models.policy import Policy

        ws = self.session.workspace
        if version is None or version == ws.policy.version:
            return ws.policy
        if version not in self._policies:
            content = self._content("policy", version)
            if content is None:
                return None
            self._policies[version] = Policy.model_validate(content)
        return self._policies[version]

    def _candidates(self) -> list[Candidate]:
        # read once per session: validate asks for every deal of a batch
        if self._candidate_cache is None:
            self._candidate_cache = self._read_candidates()
        return self._candidate_cache

    def _read_candidates(self) -> list[Candidate]:
        from docgen.catalogue import lock_info

        ws = self.session.workspace
        out = [Candidate(r.version, r.effective_from, r.locked_at)
               for r in self.records("catalogue")]
        current = ws.catalogue.catalogue.version
        if current not in {c.version for c in out}:
            _, effective = lock_info(ws.lock_path)
            out.append(Candidate(current, effective, None))
        return out

    def version_for(self, deal: Deal, source: str = "") -> str:
        """The catalogue version `deal` is priced with (InputError: it pins an unknown one)."""
        if deal.catalogue_version is not None:
            if self.catalogue(deal.catalogue_version) is None:
                known = sorted({c.version for c in self._candidates()})
                raise InputError([Problem(source or deal.deal, None, "catalogue_version", (
                    f"{deal.catalogue_version!r} is not a recorded catalogue version "
                    f"(known: {', '.join(known)})"))])
            return deal.catalogue_version
        return in_force(self._candidates(), deal.quote_date or self.today).version

    def catalogue_for(self, deal: Deal, source: str = "") -> tuple[Catalogue, dict[str, Sku]]:
        """The catalogue (and its SKUs) `deal` is priced with (see :mod:`docgen.versions`)."""
        found = self.catalogue(self.version_for(deal, source))
        if found is None:  # pragma: no cover - version_for returns only known versions
            msg = "catalogue version vanished"
            raise RuntimeError(msg)
        return found

    # -- recording ------------------------------------------------------------------------

    def _record(self, kind: VersionKind, version: str, content: dict[str, Any], *,
                effective: date, locked_by: str | None) -> tuple[VersionRecord, bool]:
        store = self.session.store
        record, created = store.record_version(
            kind, version, content=content_json(content), sha256=content_sha256(content),
            effective_from=effective, locked_by=locked_by or os_user())
        self._records.pop(kind, None)
        self._candidate_cache = None
        return record, created

    def record_current(self, locked_by: str | None = None) -> None:
        """Record the locked catalogue and policy if their versions are not recorded yet.

        Called before a final document is issued (and by ``init``), so a PO's catalogue
        version is always in the database when a later re-lock changes the file. Refused
        (InputError) when the label was recorded with other content.
        """
        from docgen.catalogue import lock_info
        from docgen.policy_lock import policy_lock_info

        ws = self.session.workspace
        _, effective = lock_info(ws.lock_path)
        self._record("catalogue", ws.catalogue.catalogue.version, catalogue_content(ws.catalogue),
                     effective=effective or self.today, locked_by=locked_by)
        if ws.policy.version is not None:
            _, effective = policy_lock_info(ws.policy_lock_path)
            self._record("policy", ws.policy.version, policy_content(ws.policy),
                         effective=effective or self.today, locked_by=locked_by)

    def _refuse_changed_effective(self, record: VersionRecord, effective: date | None,
                                  created: bool) -> None:
        if not created and effective is not None and effective != record.effective_from:
            raise InputError([Problem(record.kind, None, "effective_from", (
                f"{record.kind} version {record.version} was recorded effective from "
                f"{record.effective_from}; recorded versions never change: give the "
                f"{record.kind} a new version to change its effective date"))])

    def lock_catalogue(self, *, effective: date | None = None,
                       locked_by: str | None = None) -> LockResult:
        """Check, record, then write ``skus/catalogue.lock`` (SPEC §2.2).

        Changed content under the locked label is refused before anything is written; the
        version is recorded before the lock file is written, so a lock on disk always names a
        recorded version.
        """
        from docgen.catalogue import diff_lock, lock_catalogue, refuse_same_label

        ws = self.session.workspace
        ws.require_writable("a catalogue lock")
        cat = ws.catalogue
        try:
            before = diff_lock(cat, ws.lock_path)
        except InputError:
            before = None
        if before:
            refuse_same_label(ws.lock_path, cat.catalogue.version, before)
        # who: the authenticated person (asked after the content checks, which need nobody)
        locked_by = locked_by or self.session.require_actor("catalogue lock").email
        record, created = self._record("catalogue", cat.catalogue.version,
                                       catalogue_content(cat),
                                       effective=effective or self.today, locked_by=locked_by)
        self._refuse_changed_effective(record, effective, created)
        data, diff = lock_catalogue(cat, ws.lock_path, effective_from=record.effective_from)
        return LockResult("catalogue", record.version, ws.lock_path, data, diff, record, created)

    def lock_policy(self, *, effective: date | None = None,
                    locked_by: str | None = None) -> LockResult:
        """Check, record, then write ``skus/policy.lock`` (SPEC §2.3)."""
        from docgen.policy_lock import check_lockable, lock_policy

        ws = self.session.workspace
        ws.require_writable("a policy lock")
        pol = ws.policy
        check_lockable(pol, ws.policy_lock_path)
        assert pol.version is not None  # noqa: S101 - check_lockable refuses None
        locked_by = locked_by or self.session.require_actor("policy lock").email
        record, created = self._record("policy", pol.version, policy_content(pol),
                                       effective=effective or self.today, locked_by=locked_by)
        self._refuse_changed_effective(record, effective, created)
        data, diff = lock_policy(pol, ws.policy_lock_path, effective_from=record.effective_from)
        return LockResult("policy", record.version, ws.policy_lock_path, data, diff, record,
                          created)

    # -- comparing ------------------------------------------------------------------------

    def _resolve(self, kind: VersionKind, label: str | None, *, default_to: bool
                 ) -> tuple[str, dict[str, Any]]:
        """(shown label, content) of a named version, or of the default end of a diff."""
        ws = self.session.workspace
        file_version = ws.catalogue.catalogue.version if kind == "catalogue" else ws.policy.version
        file_content = (catalogue_content(ws.catalogue) if kind == "catalogue"
                        else policy_content(ws.policy))
        records = self.records(kind)
        if label is not None:
            if label == file_version:
                recorded = self._content(kind, label)
                if recorded is not None and recorded != file_content:
                    return f"{label} (file, not locked)", file_content
                return label, file_content
            content = self._content(kind, label)
            if content is None:
                known = sorted({r.version for r in records} | {str(file_version)})
                raise InputError([Problem(kind, None, "", (
                    f"{label!r} is not a recorded {kind} version (known: {', '.join(known)})"))])
            return label, content
        if default_to:
            return self._resolve(kind, file_version, default_to=False) if file_version \
                else ("(file)", file_content)
        # FROM by default: the file's own recorded version when the file has moved on from it,
        # else the version recorded before the file's
        recorded = self._content(kind, file_version) if file_version else None
        if recorded is not None and recorded != file_content:
            return str(file_version), recorded
        labels = [r.version for r in records]
        if file_version in labels:
            labels = labels[:labels.index(file_version)]
        labels = [v for v in labels if v != file_version]
        if not labels:
            raise InputError([Problem(kind, None, "", (
                f"no earlier recorded {kind} version to compare with: name FROM (and TO); "
                f"recorded: {', '.join(r.version for r in records) or 'none'}"))])
        return labels[-1], self._content(kind, labels[-1]) or {}

    def catalogue_diff(self, before: str | None = None, after: str | None = None,
                       deals: Sequence[tuple[str, Deal]] = ()) -> VersionDiff:
        """What changed from `before` to `after` and how much each deal would re-price."""
        from docgen.models.catalogue import Catalogue

        to_label, to_content = self._resolve("catalogue", after, default_to=True)
        from_label, from_content = self._resolve("catalogue", before, default_to=False)
        changes = catalogue_changes(from_content, to_content)
        old = Catalogue.model_validate(from_content)
        new = Catalogue.model_validate(to_content)
        policy = self.session.workspace.policy
        return VersionDiff("catalogue", from_label, to_label, changes,
                           [_reprice(deal, old, new, policy) for _, deal in deals])

    def policy_diff(self, before: str | None = None, after: str | None = None) -> VersionDiff:
        """What changed in the policy from `before` to `after`."""
        to_label, to_content = self._resolve("policy", after, default_to=True)
        from_label, from_content = self._resolve("policy", before, default_to=False)
        return VersionDiff("policy", from_label, to_label,
                           policy_changes(from_content, to_content), [])


def _reprice(deal: Deal, old: Catalogue, new: Catalogue, policy: Policy) -> Repricing:
    from docgen.pricing import price_deal

    a = price_deal(deal, old, policy)
    b = price_deal(deal, new, policy)
    return Repricing(
        deal_id=deal.deal, currency=a.currency,
        sold_before=a.totals.sold_subtotal, sold_after=b.totals.sold_subtotal,
        total_before=a.totals.total_due, total_after=b.totals.total_due,
        unpriced_before=tuple(ln.where for ln in a.lines if not ln.priced),
        unpriced_after=tuple(ln.where for ln in b.lines if not ln.priced))

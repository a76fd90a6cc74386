"""Reading decisions (and recording deal revisions) in the SQLite store with the standard library.

``docgen validate`` must start in well under 0.3 s, and importing SQLAlchemy alone takes ~0.25 s.
The resolver only needs one indexed query, and recording the revisions a run validated one
``INSERT OR IGNORE``, so on the default SQLite database both go through :mod:`sqlite3`. It is
used only when the database is already at :data:`SCHEMA_REVISION`; otherwise the caller opens
the full :class:`~docgen.store.Store`, which migrates.

Reading never writes. Recording a revision the database has not seen also appends its
``revision.recorded`` row to the audit chain, in the same ``BEGIN IMMEDIATE`` transaction (the
write lock the store's own appends take), with the row built by :func:`docgen.audit.next_entry`
exactly as the store builds it; a revision seen before writes nothing to the chain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from docgen.audit import (
    DECISION_ACTIONS,
    REVISION_ACTION,
    AuditEntry,
    Secret,
    chain_key,
    head_mac,
    next_entry,
    revision_detail,
)
from docgen.evidence import AUDIT_ACTION as EVIDENCE_ACTION
from docgen.evidence import EvidenceRecord
from docgen.identity import normalise_email, token_digest
from docgen.store import (
    SCHEMA_REVISION,
    Decision,
    RevisionRecord,
    VersionKind,
    VersionRecord,
)

__all__ = ["SqliteDecisionReader"]

_QUERY = ("SELECT deal_id, code, location, fingerprint, role, decided_by, decision, note, "
          "decided_at FROM approval_decisions WHERE deal_id = ? ORDER BY decided_at, id")
_INSERT_REVISION = ("INSERT OR IGNORE INTO deal_revisions (deal_id, revision, content, source, "
                    "recorded_at, findings) VALUES (?, ?, ?, ?, ?, ?)")
_REVISION_FINDINGS = ("UPDATE deal_revisions SET findings = ? WHERE deal_id = ? AND revision = ? "
                      "AND findings IS NULL")
_EVIDENCE = ("SELECT id, deal_id, item, status, evidence_date, recorded_by, recorded_at, "
             "file_sha256, file_name, file_size FROM deal_evidence WHERE deal_id = ? "
             "ORDER BY recorded_at, id")


#: The table of each kind of version (a fixed map: never a name from input).
_VERSION_TABLES = {"catalogue": "catalogue_versions", "policy": "policy_versions"}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _stored(at: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores for `at` (naive UTC, microseconds)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteDecisionReader:
    """Read-only access to the decisions of a SQLite store that is at the current schema."""

    def __init__(self, conn: sqlite3.Connection, secret: Secret | None = None) -> None:
        self._conn = conn
        #: the audit chain's key (the state folder's ``secret.key`` or $DOCGEN_SECRET_KEY)
        self.secret = secret if secret is not None else Secret(None)

    @classmethod
    def open(cls, path: Path) -> SqliteDecisionReader | None:
        """A reader, or None when the database needs a migration (or is not a docgen store)."""
        # a session may be handed between threads (a web request: dependency and endpoint run on
        # different pool threads), never used by two at once
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA query_only = 1")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            return None
        if row is None or row[0] != SCHEMA_REVISION:
            conn.close()
            return None
        return cls(conn, Secret(path.parent))

    def decisions_for(self, deal_id: str) -> list[Decision]:
        """Every decision of one deal, oldest first."""
        return [Decision(deal_id=r[0], code=r[1], where=r[2], fingerprint=r[3], role=r[4],
                         by=r[5], decision=r[6], note=r[7], decided_at=_utc(r[8]))
                for r in self._conn.execute(_QUERY, (deal_id,))]

    def requesters_for(self, deal_id: str) -> set[str]:
        """Who submitted any request of the deal (normalised e-mails; audit rows included)."""
        rows = self._conn.execute(
            "SELECT requested_by FROM approval_requests WHERE deal_id = ? AND requested_by "
            "IS NOT NULL UNION SELECT actor FROM audit_log WHERE deal_id = ? AND action = "
            "'request' AND actor IS NOT NULL", (deal_id, deal_id))
        return {normalise_email(r[0]) for r in rows}

    def audit_for(self, deal_id: str) -> list[AuditEntry]:
        """The deal's decision and evidence rows of the audit log."""
        actions = (*DECISION_ACTIONS, EVIDENCE_ACTION)
        marks = ", ".join("?" for _ in actions)
        rows = self._conn.execute(
            "SELECT seq, at, actor, action, deal_id, subject, detail, prev_mac, mac FROM "
            f"audit_log WHERE deal_id = ? AND action IN ({marks}) ORDER BY seq",  # noqa: S608
            (deal_id, *actions))
        return [AuditEntry(seq=r[0], at=_utc(r[1]), actor=r[2], action=r[3], deal_id=r[4],
                           subject=r[5], detail=r[6], prev_mac=r[7], mac=r[8]) for r in rows]

    def evidence_for(self, deal_id: str) -> list[EvidenceRecord]:
        """Every evidence record of one deal, oldest first."""
        return [EvidenceRecord(id=r[0], deal_id=r[1], item=r[2], status=r[3],
                               on=date.fromisoformat(r[4]), by=r[5], at=_utc(r[6]),
                               file_sha256=r[7], file_name=r[8], file_size=r[9])
                for r in self._conn.execute(_EVIDENCE, (deal_id,))]

    def versions(self, kind: VersionKind) -> list[VersionRecord]:
        """Every recorded version of the catalogue or the policy, oldest lock first."""
        rows = self._conn.execute(
            "SELECT version, sha256, effective_from, locked_by, locked_at "  # noqa: S608
            f"FROM {_VERSION_TABLES[kind]} ORDER BY locked_at, id")
        return [VersionRecord(kind=kind, version=r[0], sha256=r[1],
                              effective_from=date.fromisoformat(r[2]), locked_by=r[3],
                              locked_at=_utc(r[4])) for r in rows]

    def version_content(self, kind: VersionKind, version: str) -> str | None:
        """The canonical JSON recorded for `version`, or None."""
        row = self._conn.execute(f"SELECT content FROM {_VERSION_TABLES[kind]} "  # noqa: S608
                                 "WHERE version = ?", (version,)).fetchone()
        return None if row is None else str(row[0])

    def user_for_token(self, token: str) -> str | None:
        """The e-mail of the active person `token` belongs to, or None (never an error)."""
        row = self._conn.execute(
            "SELECT u.email FROM users u JOIN api_tokens t ON t.user_id = u.id "
            "WHERE t.token_sha256 = ? AND u.active", (token_digest(token.strip()),)).fetchone()
        return None if row is None else str(row[0])

    def record_revisions(self, revisions: Sequence[RevisionRecord], *,
                         actor: str | None = None) -> None:
        """Record each deal revision unless it is recorded already (one short write); each new
        one appends its audit row (by `actor` when known) in the same transaction."""
        if not revisions:
            return
        now = datetime.now(UTC)
        conn = self._conn
        conn.execute("PRAGMA query_only = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                new = [r for r in revisions if conn.execute(_INSERT_REVISION, (
                    r.deal_id, r.revision, r.content, r.source, _stored(now),
                    r.findings_json)).rowcount == 1]
                # a revision recorded before its approval findings were kept gets them now
                conn.executemany(_REVISION_FINDINGS, [
                    (r.findings_json, r.deal_id, r.revision) for r in revisions
                    if r.findings is not None])
                for r in new:
                    self._append(REVISION_ACTION, actor=actor, deal_id=r.deal_id,
                                 subject=r.revision, at=now,
                                 detail=revision_detail(r.revision, r.source))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.execute("PRAGMA query_only = 1")

    def _append(self, action: str, *, actor: str | None, deal_id: str | None, subject: str,
                at: datetime, detail: dict[str, object]) -> None:
        """One audit row and the chain's new head (inside the caller's write transaction)."""
        conn = self._conn
        last = conn.execute("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        key = chain_key(self.secret, has_rows=last is not None)
        e = next_entry(key, (int(last[0]), str(last[1])) if last else None, action, actor=actor,
                       subject=subject, deal_id=deal_id, detail=detail, at=at)
        conn.execute("INSERT INTO audit_log (seq, at, actor, action, deal_id, subject, detail, "
                     "prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (e.seq, _stored(e.at), e.actor, e.action, e.deal_id, e.subject, e.detail,
                      e.prev_mac, e.mac))
        conn.execute("DELETE FROM audit_head")
        conn.execute("INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, ?, ?, ?)",
                     (e.seq, e.mac, head_mac(key, e.seq, e.mac)))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

"""The database behind approvals, PO numbers, issued documents and deal revisions (SQLAlchemy 2 Core).

Where the data lives (SPEC §1): the SQLAlchemy URL in ``$DOCGEN_DATABASE_URL`` when it is set
(PostgreSQL, ``postgresql+psycopg://user@host/db``, is the multi-user choice), else SQLite in
``WORKSPACE/.docgen/docgen.db``. Opening a store applies the Alembic migrations shipped in
:mod:`docgen.migrations`, so no ``alembic.ini`` is needed anywhere.

The interface ``docgen po`` and ``docgen verify`` use::

    store = open_store(ws)                          # migrates; InputError if unreachable
    store.record_revisions([RevisionRecord(...)], actor=email)  # every deal validated or
    #                                                 rendered; a new one is audited
    voided = store.recover()                        # reservations of dead processes -> void
    got = store.claim_issues([IssueRequest(deal_id, "po", revision, fingerprint)],
                             year=2026, prefix="PO")
    #   per request: "issued" (this revision's document, to return as it is), "new" (a number
    #   reserved for this process) or "busy" (another live process is issuing it: wait_for())
    store.record_issue(number, files={"pdf": (sha256, blob)}, path=str(pdf), issued_on=...)
    #   -> the deal's earlier PO is superseded by it, in the same transaction
    store.void_number(number, "render failed: ...")   # reserved but not produced: kept, void
    store.issued(number)                            # IssuedDocument or None (for verify)
    store.record_signed_file(sha, kind="pack", number=number, deal_id=d, path=str(out),
                             actor=email)                # audited as pack.recorded
    store.signed_file(sha)                          # SignedFile or None (for verify)
    store.close()

People, tokens and the audit log (SPEC §9; :mod:`docgen.identity`, :mod:`docgen.audit`)::

    user, token = store.add_user(email, name=..., is_admin=False, actor=admin.email)
    store.authenticate(token)                       # the active User, or AuthError
    store.append_audit("supersede", actor=user.email, subject=number, deal_id=deal_id,
                       detail={...}, conn=conn)     # the one door to the chained log; pass the
    #                                                 write transaction's `conn` to commit with it
    store.verify_audit()                            # (rows, [ChainProblem, ...])

Legal's template versions (:mod:`docgen.store._templates`, :mod:`docgen.template_versions`)::

    store.stage_template(name, blob, actor=email)   # a blob in the database: every server sees it
    store.activate_staged(name, actor=email, publish=write_file)  # the file is written inside
    #                                                 the transaction that records the activation
    store.template_activations(after=seen)          # what another copy of the workspace applies
    store.claim_issues(..., template_version=v)     # each document records its templates

Every state change the store records (deal revisions, requests, decisions, reserved, issued,
superseded and void numbers, signed packs, people and tokens, staged and activated templates)
appends its audit row in the same transaction; the chain's key comes
from the store's :class:`~docgen.audit.Secret` (``.docgen/secret.key`` or ``$DOCGEN_SECRET_KEY``).

A number is taken from a per (prefix, year) counter row inside the same transaction that records
the reservation, so a rolled-back or killed transaction gives its numbers back and a committed one
keeps them forever: numbers are never reused and never silently skipped (a number whose render
failed, or whose process died, stays in the registry as ``void`` with the reason). Writers
serialise on SQLite with ``BEGIN IMMEDIATE`` (WAL journal, 30 s busy timeout) and on PostgreSQL
with ``SELECT … FOR UPDATE`` on the counter row. Two unique indexes make the history hold
whatever the processes do: one live (reserved or issued) document per deal, kind and revision,
and one issued document per deal and kind. Open a store in the process that reserves and
records; worker processes that only render need none.

This module is imported by ``docgen validate`` (through :mod:`docgen.approvals`), so it must stay
light: SQLAlchemy and Alembic are imported only when a store is opened.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Protocol

    from docgen.audit import AuditEntry
    from docgen.evidence import EvidenceRecord

    from docgen.store._sql import Store
    from docgen.workspace import Workspace

    class DecisionReader(Protocol):
        """Read access to decisions: a :class:`Store`, or the standard-library SQLite reader."""

        def decisions_for(self, deal_id: str) -> list[Decision]: ...

        def record_revisions(self, revisions: Sequence[RevisionRecord], *,
                             actor: str | None = None) -> None: ...

        def requesters_for(self, deal_id: str) -> set[str]: ...

        def audit_for(self, deal_id: str) -> list[AuditEntry]: ...

        def evidence_for(self, deal_id: str) -> list[EvidenceRecord]: ...

        def versions(self, kind: VersionKind) -> list[VersionRecord]: ...

        def version_content(self, kind: VersionKind, version: str) -> str | None: ...

        def close(self) -> None: ...

__all__ = ["DB_FILE", "ENV_URL", "SCHEMA_REVISION", "ApprovalRequest", "Claim", "ClaimResult",
           "Decision", "DecisionOutcome", "DecisionReader", "FindingKey", "IssueRequest",
           "IssuedDocument", "Revision", "RevisionFindings", "RevisionRecord", "SignedFile",
           "Store", "VersionKind", "VersionRecord", "database_url", "has_database",
           "open_existing_store", "open_reader", "open_store", "sqlite_path"]

#: Environment variable with a SQLAlchemy URL that overrides the workspace's SQLite file.
ENV_URL = "DOCGEN_DATABASE_URL"
#: The SQLite file inside the workspace's state folder.
DB_FILE = "docgen.db"
#: Alembic head revision this docgen writes; a test keeps it equal to the migrations' head.
SCHEMA_REVISION = "0010_queue"

Status = Literal["reserved", "issued", "superseded", "void"]
#: Every status, in the order a document can pass through them.
STATUSES: tuple[Status, ...] = ("reserved", "issued", "superseded", "void")
#: What a recorded version is a version of.
VersionKind = Literal["catalogue", "policy"]
DecisionKind = Literal["approve", "reject"]


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """A number in the registry: reserved, issued (with the file's hash), superseded or void."""

    number: str
    deal_id: str
    fingerprint: str
    file_sha256: str | None
    path: str | None
    issued_on: date | None
    status: Status
    kind: str = "po"
    #: the deal revision it was issued for (None: issued before revisions were recorded)
    revision: str | None = None
    #: why it is void or superseded
    reason: str | None = None
    superseded_by: str | None = None
    reserved_at: datetime | None = None
    issued_at: datetime | None = None
    updated_at: datetime | None = None
    #: the reserving process, e.g. "process 1234 on host build-1"
    holder: str | None = None
    #: SHA-256 of the templates folder that rendered it (None: issued before it was recorded)
    template_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (``docgen documents --json``)."""
        def iso(v: date | datetime | None) -> str | None:
            return v.isoformat() if v is not None else None

        return {"number": self.number, "deal": self.deal_id, "kind": self.kind,
                "status": self.status, "revision": self.revision,
                "fingerprint": self.fingerprint, "issued_on": iso(self.issued_on),
                "file_sha256": self.file_sha256, "path": self.path, "reason": self.reason,
                "superseded_by": self.superseded_by, "reserved_at": iso(self.reserved_at),
                "issued_at": iso(self.issued_at), "updated_at": iso(self.updated_at),
                "holder": self.holder, "template_version": self.template_version}


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """A request to issue the final document `kind` of one deal revision."""

    deal_id: str
    kind: str
    revision: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Claim:
    """What :meth:`Store.claim_issues` found or did for one request.

    ``issued``: the revision's document exists (return it as it is); ``new``: a number was
    reserved for this process (render, write, then record or void it); ``busy``: another live
    process is issuing this revision now (wait for it, then claim again).
    """

    request: IssueRequest
    state: Literal["issued", "new", "busy"]
    document: IssuedDocument


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The claims, in request order, and the dead reservations voided on the way."""

    claims: list[Claim]
    voided: list[IssuedDocument]


#: An approval finding of a revision: (code, where, fingerprint).
FindingKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    """A deal revision to record: the canonical content and its SHA-256, and the approval
    findings the rules raised on it (None: not known)."""

    deal_id: str
    revision: str
    content: str
    source: str | None = None
    findings: tuple[FindingKey, ...] | None = None

    @property
    def findings_json(self) -> str | None:
        """The findings as stored: sorted JSON ``[[code, where, fingerprint], ...]``."""
        if self.findings is None:
            return None
        import json

        return json.dumps(sorted({tuple(k) for k in self.findings}), separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class RevisionFindings:
    """When a deal revision was first recorded and which approval findings it had (None: it
    was recorded before docgen remembered them)."""

    deal_id: str
    revision: str
    recorded_at: datetime
    findings: frozenset[FindingKey] | None

    @classmethod
    def parse(cls, deal_id: str, revision: str, recorded_at: datetime,
              text: str | None) -> RevisionFindings:
        """From the stored JSON text (anything unreadable counts as unknown)."""
        import json

        keys: frozenset[FindingKey] | None = None
        if text is not None:
            try:
                keys = frozenset((str(c), str(w), str(f)) for c, w, f in json.loads(text))
            except (ValueError, TypeError):
                keys = None
        return cls(deal_id, revision, recorded_at, keys)


@dataclass(frozen=True, slots=True)
class Revision:
    """A recorded deal revision, with when it was first seen."""

    deal_id: str
    revision: str
    content: str
    source: str | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A recorded catalogue or policy version (its content is read separately, when needed)."""

    kind: VersionKind
    version: str
    sha256: str
    effective_from: date
    locked_by: str
    locked_at: datetime


@dataclass(frozen=True, slots=True)
class SignedFile:
    """A file docgen signed and recorded besides the PO itself (a pack holding PO `number`)."""

    sha256: str
    kind: str
    number: str
    deal_id: str
    path: str | None


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """A request for approval of one finding (deal, code, where) bound to a line fingerprint."""

    deal_id: str
    code: str
    where: str
    fingerprint: str
    approvers: tuple[str, ...]
    message: str
    amount: Decimal | None
    currency: str | None
    requested_at: datetime
    requested_by: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(deal, code, where, fingerprint): what a decision binds to."""
        return (self.deal_id, self.code, self.where, self.fingerprint)


@dataclass(frozen=True, slots=True)
class Decision:
    """An approve or reject decision by one person in one role, bound to a fingerprint."""

    deal_id: str
    code: str
    where: str
    fingerprint: str
    role: str
    by: str
    decision: DecisionKind
    note: str | None
    decided_at: datetime

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(deal, code, where, fingerprint): what this decision binds to."""
        return (self.deal_id, self.code, self.where, self.fingerprint)


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """What :meth:`Store.add_decision` did: ``recorded``, or why it recorded nothing."""

    status: Literal["recorded", "duplicate", "rejected", "same_person"]
    decision: Decision
    #: for "duplicate": the role's earlier decision; for "rejected": the rejection that stands;
    #: for "same_person": the same person's decision in another role
    existing: Decision | None = None


def database_url(ws: Workspace) -> str | None:
    """The URL from ``$DOCGEN_DATABASE_URL``, or None for the workspace's SQLite file."""
    url = os.environ.get(ENV_URL, "").strip()
    return url or None


def sqlite_path(ws: Workspace) -> Path:
    """Path of the workspace's default SQLite database."""
    return ws.state_dir / DB_FILE


def has_database(ws: Workspace) -> bool:
    """True when a database is configured or exists; never imports SQLAlchemy."""
    return database_url(ws) is not None or sqlite_path(ws).is_file()


def open_store(ws: Workspace) -> Store:
    """Open (creating and migrating as needed) the workspace's store."""
    from docgen.audit import Secret
    from docgen.store._sql import Store

    return Store.open(database_url(ws) or sqlite_path(ws), secret=Secret(ws.state_dir))


def open_existing_store(ws: Workspace) -> Store | None:
    """Open the store when a database is configured or exists; None instead of creating one."""
    return open_store(ws) if has_database(ws) else None


def open_reader(ws: Workspace) -> DecisionReader | None:
    """A reader of the workspace's decisions; None when there is no database.

    The store picks its fastest read path: the default SQLite file, when it is at the current
    schema, is read with the standard library's :mod:`sqlite3` (importing SQLAlchemy alone costs
    ``docgen validate`` ~0.25 s); any other database, or a file that needs migrating, through
    the full :class:`Store`.
    """
    if not has_database(ws):
        return None
    if database_url(ws) is None:
        from docgen.store._fastread import SqliteDecisionReader

        reader = SqliteDecisionReader.open(sqlite_path(ws))
        if reader is not None:
            return reader
    return open_store(ws)


def __getattr__(name: str) -> Any:
    # `Store` is imported lazily so that importing this package never loads SQLAlchemy
    if name == "Store":
        from docgen.store._sql import Store

        return Store
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

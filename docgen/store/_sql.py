"""The :class:`Store`: SQLAlchemy engine set-up, migrations on open, and every read and write.

Every write runs in one transaction that takes the database's write lock first: ``BEGIN
IMMEDIATE`` on SQLite (so two processes never interleave a read-modify-write), a row lock
(``SELECT … FOR UPDATE``) on PostgreSQL. A process killed mid-transaction leaves nothing behind:
SQLite discards the uncommitted WAL frames, PostgreSQL aborts the dead backend's transaction.

**Reserved numbers whose holder died.** A final document's number is reserved (committed) before
the document is rendered and written, and marked issued or void afterwards, so a process killed
in between leaves a committed ``reserved`` row. The next issuing run voids it (:meth:`Store.recover`,
and :meth:`Store.claim_issues` for the revision it wants) once it knows the holder is dead:

- SQLite (one machine): the row records the reserving process: pid, host, boot id and process
  start time (:mod:`docgen.store._holder`). Dead = same host and (another boot, no such pid, or
  that pid started at another time). Pid + start time cannot be fooled by pid reuse; a process
  on another host is never judged (a SQLite file shared between machines is not supported).
- PostgreSQL (many machines, web workers): the reserving *connection* takes a session-level
  advisory lock keyed on the number (``pg_advisory_lock(series, seq)``) inside the reserving
  transaction, and holds it on a dedicated connection until the number is issued or void. The
  server drops a session's advisory locks when its connection ends, which a killed process's
  does; so another process that *can* take the lock (``pg_try_advisory_lock``) knows the holder
  is gone, on any machine, without trusting pids or clocks. A process waiting for another to
  finish the same revision blocks on that lock (``pg_advisory_lock``) instead of polling.
"""

from __future__ import annotations

import os
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from docgen.audit import (
    DECISION_ACTIONS,
    PACK_ACTION,
    REVISION_ACTION,
    AuditEntry,
    ChainProblem,
    Secret,
    chain_key,
    decision_detail,
    entry_ok,
    head_mac,
    next_entry,
    revision_detail,
    verify_chain,
    vouched,
)
from docgen.errors import AuthError, InputError, Problem
from docgen.evidence import AUDIT_ACTION as EVIDENCE_ACTION
from docgen.evidence import EvidenceRecord
from docgen.evidence import vouched as vouched_evidence
from docgen.identity import (
    TOKEN_PREFIX,
    User,
    new_token,
    normalise_email,
    token_digest,
    token_hint,
)
from docgen.store import (
    ENV_URL,
    SCHEMA_REVISION,
    ApprovalRequest,
    Claim,
    ClaimResult,
    Decision,
    DecisionOutcome,
    IssuedDocument,
    IssueRequest,
    Revision,
    RevisionFindings,
    RevisionRecord,
    VersionKind,
    VersionRecord,
    SignedFile,
)
from docgen.store._holder import Holder, current_holder
from docgen.store._tables import (
    LIVE,
    api_tokens,
    approval_decisions,
    approval_requests,
    audit_head,
    audit_log,
    deal_revisions,
    document_files,
    catalogue_versions,
    issued_documents,
    po_sequences,
    policy_versions,
    users,
    signed_files,
)
from docgen.store._tables_evidence import deal_evidence
from docgen.store._templates import TemplateStore
from docgen.store._web import WebSessions

__all__ = ["Store"]

#: Seconds a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 30
#: Largest sequence number the 6-digit PO number format holds.
MAX_SEQ = 999_999
#: The databases docgen installs a driver for and is tested on.
BACKENDS = ("sqlite", "postgresql")
#: What a column means to the person who typed its value (for "too long" messages).
_FIELDS = {"location": "where", "decided_by": "by", "requested_by": "by", "deal_id": "deal",
           "code": "code", "role": "role"}
#: Alembic's script folder, shipped inside the package.
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Key of the PostgreSQL advisory lock that serialises migrations ("docgen" in ASCII).
_MIGRATION_LOCK = 0x646F6367656E
#: Key of the PostgreSQL advisory lock that serialises appends to the audit chain ("audit").
_AUDIT_LOCK = 0x6175646974

_REQ, _DEC, _SEQ, _DOC = approval_requests, approval_decisions, po_sequences, issued_documents
_USR, _TOK, _LOG, _HEAD = users, api_tokens, audit_log, audit_head
_REV, _FILES = deal_revisions, document_files
_VERSIONS = {"catalogue": catalogue_versions, "policy": policy_versions}
#: Audit actions whose rows vouch for a state the store's tables hold (decisions, evidence).
VOUCHING_ACTIONS = (*DECISION_ACTIONS, EVIDENCE_ACTION)


def _now() -> datetime:
    return datetime.now(UTC)


def _engine_for(target: str | Path) -> Engine:
    """An engine for a URL or a SQLite file path, with docgen's locking set up."""
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        url: URL = URL.create("sqlite+pysqlite", database=str(target))
    else:
        url = make_url(target)
        if url.get_backend_name() not in BACKENDS:
            msg = (f"docgen stores its state in {' or '.join(BACKENDS)}, not "
                   f"{url.get_backend_name()}: use postgresql+psycopg://USER@HOST/DB, or leave "
                   f"{ENV_URL} unset for the workspace's SQLite file")
            raise ValueError(msg)
        if url.drivername == "postgresql":  # psycopg (3) is what docgen installs
            url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S,
                                                  "check_same_thread": False})
        _sqlite_locking(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _sqlite_locking(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for writes (sqlite3 would BEGIN lazily)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # docgen emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # a committed approval survives a power cut
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("docgen_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _check_lengths(table: Any, values: dict[str, Any]) -> None:
    """Refuse a text longer than its column (PostgreSQL would fail, SQLite would keep it)."""
    problems = []
    for name, value in values.items():
        limit = getattr(table.c[name].type, "length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            field = _FIELDS.get(name, name)
            problems.append(Problem(field, None, "", f"is {len(value)} characters long; docgen "
                                    f"keeps at most {limit} ({value[:20]!r}…)"))
    if problems:
        raise InputError(problems)


def _unusable(url: str, exc: BaseException) -> InputError:
    """One clear problem for a database docgen cannot open (password hidden)."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # an unparsable URL may still hold a password
        shown = url[:200] if "://" not in url else "(the URL, which cannot be parsed)"
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0][:200] if text else type(exc).__name__
    where = ENV_URL if os.environ.get(ENV_URL) else "database"
    return InputError([Problem(where, None, "", f"cannot use the database {shown}: {reason}")])


def _doc(row: Any) -> IssuedDocument:
    holder = Holder.from_json(row.holder)
    return IssuedDocument(number=row.number, deal_id=row.deal_id, fingerprint=row.fingerprint,
                          file_sha256=row.file_sha256, path=row.path, issued_on=row.issued_on,
                          status=row.status, kind=row.kind, revision=row.revision,
                          reason=row.superseded_reason if row.status == "superseded"
                          else row.void_reason,
                          superseded_by=row.superseded_by, reserved_at=row.reserved_at,
                          issued_at=row.issued_at, updated_at=row.updated_at,
                          holder=holder.describe() if holder else None,
                          template_version=row.template_version)


def _lock_key(prefix: str, year: int, seq: int) -> tuple[int, int]:
    """The PostgreSQL advisory lock key (two int4) of a number: its series and its sequence."""
    series = zlib.crc32(f"docgen:{prefix}-{year}".encode())
    return (series - 2**32 if series >= 2**31 else series, seq)


def _supersede_reason(old: Any, new: Any) -> str:
    if old.revision and new.revision:
        change = f"revision {old.revision[:12]} replaced by {new.revision[:12]}"
    else:
        change = f"revision {str(new.revision)[:12]} issued"
    return f"deal {new.deal_id} changed ({change}); superseded by {new.number}"


def _version(kind: VersionKind, row: Any) -> VersionRecord:
    return VersionRecord(kind=kind, version=row.version, sha256=row.sha256,
                         effective_from=row.effective_from, locked_by=row.locked_by,
                         locked_at=row.locked_at)


def _request(row: Any) -> ApprovalRequest:
    return ApprovalRequest(deal_id=row.deal_id, code=row.code, where=row.location,
                           fingerprint=row.fingerprint, approvers=tuple(row.approvers.split()),
                           message=row.message,
                           amount=Decimal(row.amount) if row.amount is not None else None,
                           currency=row.currency, requested_at=row.requested_at,
                           requested_by=row.requested_by)


def _decision(row: Any) -> Decision:
    return Decision(deal_id=row.deal_id, code=row.code, where=row.location,
                    fingerprint=row.fingerprint, role=row.role, by=row.decided_by,
                    decision=row.decision, note=row.note, decided_at=row.decided_at)


def _evidence_record(row: Any) -> EvidenceRecord:
    return EvidenceRecord(deal_id=row.deal_id, item=row.item, status=row.status,
                          on=row.evidence_date, by=row.recorded_by, at=row.recorded_at,
                          file_sha256=row.file_sha256, file_name=row.file_name,
                          file_size=row.file_size, id=row.id)


def _user(row: Any) -> User:
    return User(id=row.id, email=row.email, name=row.name, is_admin=bool(row.is_admin),
                active=bool(row.active), created_at=row.created_at)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=row.at, actor=row.actor, action=row.action,
                      deal_id=row.deal_id, subject=row.subject, detail=row.detail,
                      prev_mac=row.prev_mac, mac=row.mac)


def _decision_detail(d: Decision) -> dict[str, Any]:
    return decision_detail(code=d.code, where=d.where, fingerprint=d.fingerprint, role=d.role,
                           by=d.by, decision=d.decision, note=d.note, decided_at=d.decided_at)


def _signed_detail(sha256: str, kind: str, number: str) -> dict[str, Any]:
    return {"sha256": sha256, "kind": kind, "number": number}


def _states(entry: AuditEntry, detail: dict[str, Any]) -> bool:
    """True when the row's detail says each of `detail`'s values (it may say more)."""
    data = entry.data
    return all(k in data and data[k] == v for k, v in detail.items())


def _stated(key: bytes, entries: Sequence[AuditEntry], action: str
            ) -> dict[tuple[str | None, str], AuditEntry]:
    """The authentic rows of `action`, by (deal, subject)."""
    return {(e.deal_id, e.subject): e for e in entries
            if e.action == action and entry_ok(key, e)}


def _revision_problems(key: bytes, entries: Sequence[AuditEntry],
                       rows: Sequence[Any]) -> list[ChainProblem]:
    """Every recorded revision must hash to its name and be stated by an authentic
    ``revision.recorded`` row; every such row's revision must still be recorded."""
    import hashlib

    stated = _stated(key, entries, REVISION_ACTION)
    problems: list[ChainProblem] = []
    for r in rows:
        what = f"deal_revisions row {r.id} ({r.deal_id} revision {r.revision[:12]})"
        entry = stated.pop((r.deal_id, r.revision), None)
        if hashlib.sha256(r.content.encode()).hexdigest() != r.revision:
            problems.append(ChainProblem(None, (
                f"{what} does not hash to its revision: its content was edited outside docgen")))
        elif entry is None or not _states(entry, revision_detail(r.revision, r.source)):
            problems.append(ChainProblem(None, (
                f"{what} has no audit row that states it: it was inserted or edited outside "
                "docgen")))
    for (deal_id, revision), e in stated.items():
        problems.append(ChainProblem(e.seq, (
            f"it records revision {revision[:12]} of {deal_id}, which is no longer in "
            "deal_revisions: the revision was deleted outside docgen")))
    return problems


def _signed_file_problems(key: bytes, entries: Sequence[AuditEntry],
                          rows: Sequence[Any]) -> list[ChainProblem]:
    """Every signed file (pack) must be stated by an authentic ``pack.recorded`` row, and
    every such row's file must still be recorded."""
    stated = _stated(key, entries, PACK_ACTION)
    problems: list[ChainProblem] = []
    for r in rows:
        entry = stated.pop((r.deal_id, r.sha256), None)
        if entry is None or not _states(entry, _signed_detail(r.sha256, r.kind, r.number)):
            problems.append(ChainProblem(None, (
                f"signed_files row {r.sha256[:12]} ({r.kind} of {r.number}) has no audit row "
                "that states it: it was inserted or edited outside docgen")))
    for (deal_id, sha), e in stated.items():
        problems.append(ChainProblem(e.seq, (
            f"it records the signed {e.data.get('kind', 'file')} {sha[:12]} of {deal_id}, "
            "which is no longer in signed_files: it was deleted outside docgen")))
    return problems


def _key_clause(table: Any, key: tuple[str, str, str, str]) -> Any:
    deal_id, code, where, fingerprint = key
    return ((table.c.deal_id == deal_id) & (table.c.code == code)
            & (table.c.location == where) & (table.c.fingerprint == fingerprint))


def _request_values(req: ApprovalRequest) -> dict[str, Any]:
    return {"deal_id": req.deal_id, "code": req.code, "location": req.where,
            "fingerprint": req.fingerprint, "approvers": " ".join(req.approvers),
            "message": req.message,
            "amount": str(req.amount) if req.amount is not None else None,
            "currency": req.currency, "requested_at": req.requested_at,
            "requested_by": req.requested_by}


class _Refused(Exception):
    """Rolls a decision's transaction back and carries the reason out."""

    def __init__(self, outcome: DecisionOutcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


_STORES: weakref.WeakSet[Store] = weakref.WeakSet()

#: Engines kept for the life of the process, by database, once :func:`share_engines` was called.
_SHARED: dict[str, Engine] | None = None
#: Databases this process found at :data:`SCHEMA_REVISION` through a shared engine.
_MIGRATED: set[str] = set()


def share_engines() -> None:
    """From now on, stores of this process share one engine (pool) per database and check its
    schema once: what a server wants, where every request opens a store. A new engine per store
    connects again, initialises its dialect and compiles every statement again, which cost a
    third of the web app's live validation (SQLite) and more on PostgreSQL."""
    global _SHARED  # noqa: PLW0603 - one switch for the process
    if _SHARED is None:
        _SHARED = {}


def _after_fork() -> None:  # pragma: no cover - exercised by forking renderers
    # a forked child must not use (or close) the parent's pooled connections
    for store in list(_STORES):
        store.engine.dispose(close=False)
    for engine in (_SHARED or {}).values():
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class Store(WebSessions, TemplateStore):
    """Approvals, PO numbers and issued documents in one database. See :mod:`docgen.store`."""

    def __init__(self, engine: Engine, url: str, secret: Secret | None = None, *,
                 shared: bool = False) -> None:
        self.engine = engine
        self.url = url
        #: the engine is the process's shared one (see :func:`share_engines`): never disposed
        self._shared = shared
        #: the audit chain's key (see :mod:`docgen.audit`)
        self.secret = secret if secret is not None else Secret(None)
        #: numbers this process reserved and has not yet issued or voided (PostgreSQL: with the
        #: advisory lock key it holds for each on the holder connection)
        self._held: dict[str, tuple[int, int]] = {}
        self._holder_conn: Connection | None = None
        _STORES.add(self)

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, target: str | Path, *, secret: Secret | None = None) -> Store:
        """Connect to `target` (URL or SQLite path) and bring its schema up to date.

        `secret` is the audit key's source; by default, for a SQLite file, the key file beside
        it, and for a URL only ``$DOCGEN_SECRET_KEY``.
        """
        url = str(target)
        shared = _SHARED is not None
        try:
            engine = (_SHARED.get(url) if _SHARED is not None else None) or _engine_for(target)
        except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
            raise _unusable(url, exc) from None
        if secret is None:
            secret = Secret(target.parent if isinstance(target, Path) else None)
        store = cls(engine, url, secret, shared=shared)
        if shared and url in _MIGRATED:
            return store
        try:
            store.migrate()
        except DBAPIError as exc:
            store._drop_engine()
            raise _unusable(url, exc) from None
        except BaseException:
            store._drop_engine()
            raise
        if _SHARED is not None:
            _SHARED[url] = engine
            _MIGRATED.add(url)
        return store

    def _drop_engine(self) -> None:
        if _SHARED is not None and _SHARED.get(self.url) is self.engine:
            del _SHARED[self.url]
            _MIGRATED.discard(self.url)
        self.engine.dispose()

    def close(self) -> None:
        """Release every connection (and with it any number still held: see :meth:`recover`)."""
        if self._holder_conn is not None:
            if self._shared:  # back in a pool it would keep its advisory locks: really close it
                self._holder_conn.invalidate()
            self._holder_conn.close()
            self._holder_conn = None
        self._held.clear()
        if not self._shared:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """The backend's name: ``sqlite``, ``postgresql`` …"""
        return self.engine.dialect.name

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration)."""
        from sqlalchemy import inspect, text

        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Apply pending migrations, holding the write lock so that concurrent opens are safe."""
        current = self.schema_revision()
        if current == SCHEMA_REVISION:
            return  # the usual case: no Alembic import at all
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from sqlalchemy import text

        known = {r.revision for r in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if current is not None and current not in known:
            shown = make_url(self.url).render_as_string(hide_password=True) \
                if "://" in self.url else self.url
            raise InputError([Problem(ENV_URL if "://" in self.url else self.url, None, "",
                                      f"the database {shown} is at schema revision {current}, "
                                      f"which this docgen does not know (it writes "
                                      f"{SCHEMA_REVISION}): upgrade docgen")])
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("path_separator", "os")
        with self._write() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            if current is not None:
                self._adopt_unaudited(conn)

    def _adopt_unaudited(self, conn: Connection) -> None:
        """Give each revision and pack recorded before the audit log covered them (before
        0009) its audit row, so that ``audit verify`` vouches for them from now on.

        Skipped when the chain has rows but its key is missing here (``audit verify`` says so).
        """
        stated = {(r.action, r.deal_id, r.subject) for r in conn.execute(
            select(_LOG.c.action, _LOG.c.deal_id, _LOG.c.subject).where(
                _LOG.c.action.in_((REVISION_ACTION, PACK_ACTION))))}
        revisions = [r for r in conn.execute(select(_REV).order_by(_REV.c.id))
                     if (REVISION_ACTION, r.deal_id, r.revision) not in stated]
        packs = [r for r in conn.execute(select(signed_files).order_by(signed_files.c.created_at))
                 if (PACK_ACTION, r.deal_id, r.sha256) not in stated]
        if not revisions and not packs:
            return
        if self.secret.get() is None and conn.execute(select(_LOG.c.seq).limit(1)).first():
            return
        note = {"adopted": "recorded before the audit log covered it; adopted on upgrade"}
        for r in revisions:
            self._append(conn, REVISION_ACTION, actor=None, deal_id=r.deal_id,
                         subject=r.revision, detail=revision_detail(r.revision, r.source) | note)
        for r in packs:
            self._append(conn, PACK_ACTION, actor=None, deal_id=r.deal_id, subject=r.sha256,
                         detail=_signed_detail(r.sha256, r.kind, r.number) | note)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A connection in a write transaction (committed on success, rolled back on error)."""
        with self._database_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(docgen_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._database_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        """A database error as one line (InputError, exit 2), never the SQL statement or its
        parameters; IntegrityError goes on to the callers that handle it."""
        try:
            yield
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise _unusable(self.url, exc) from None

    # -- PO numbers and issued documents -----------------------------------------------------
    #
    # How a dead holder of a reserved number is recognised:
    # - SQLite: the row records the reserving process (pid, host, boot id, start time; see
    #   docgen.store._holder) and another process on the machine checks it;
    # - PostgreSQL: the reserving *connection* takes a session advisory lock on the number inside
    #   the reserving transaction and holds it until the number is issued or void. The server
    #   releases a session's locks when its connection ends, which a killed process's does, so
    #   another process that can take the lock (pg_try_advisory_lock) knows the holder is gone.
    #   Nothing depends on pids or hosts, so this works across machines and web workers.
    # A process waiting for another to finish the same revision blocks on that lock (PostgreSQL)
    # or polls the row and its holder (SQLite).

    def find_issue(self, deal_id: str, fingerprint: str) -> IssuedDocument | None:
        """The latest *issued* (not reserved, superseded or void) PO of this deal and fingerprint."""
        q = (select(_DOC).where(_DOC.c.deal_id == deal_id, _DOC.c.fingerprint == fingerprint,
                                _DOC.c.status == "issued")
             .order_by(_DOC.c.year.desc(), _DOC.c.seq.desc()).limit(1))
        with self._read() as conn:
            row = conn.execute(q).first()
        return _doc(row) if row else None

    def reserve_po_numbers(self, requests: Sequence[tuple[str, str]], *, year: int,
                           prefix: str, actor: str | None = None) -> list[str]:
        """Take the next numbers ``PREFIX-YEAR-000001`` for `requests` [(deal_id, fingerprint)].

        One transaction: the counter row of (prefix, year) is locked, advanced by
        ``len(requests)`` and a ``reserved`` row is written per number, in request order. The
        rows name no revision (see :meth:`claim_issues` for issuing a revision once).
        """
        if not requests:
            return []
        with self._issue_write() as conn:
            return self._reserve(conn, [(d, "po", None, fp) for d, fp in requests],
                                 year=year, prefix=prefix, actor=actor)

    def _reserve(self, conn: Connection, rows: Sequence[tuple[str, str, str | None, str]], *,
                 year: int, prefix: str, path: str | None = None,
                 references: bool = False, actor: str | None = None,
                 template_version: str | None = None) -> list[str]:
        """Reserve one number per (deal_id, kind, revision, fingerprint), held by this process.

        `template_version` is the templates folder's version the documents will be rendered
        with (recorded on each row and in its audit row).

        `path` is the folder the documents will be written to: if this process dies, the run
        that voids its numbers removes what it left there. With `references`, the numbers are
        references of the deal (``SOW-D-2026-0042``, then ``SOW-D-2026-0042.2`` for the deal's
        second SOW: a dot never occurs in a deal id), drawn from the counter of (prefix, 0).
        """
        now = _now()
        last = self._lock_counter(conn, prefix, year)
        first = last + 1
        final = last + len(rows)
        if final > MAX_SEQ:
            msg = (f"PO numbers {prefix}-{year} are exhausted: {final} does not fit "
                   f"6 digits; change po_number_prefix in the policy")
            raise InputError([Problem("policy", None, "po_number_prefix", msg)])
        conn.execute(update(_SEQ).where(_SEQ.c.prefix == prefix, _SEQ.c.year == year)
                     .values(last_number=final))
        if references:  # the counter row is locked: these counts cannot change under us
            numbers = []
            for deal_id, kind, _rev, _fp in rows:
                n = 1 + int(conn.execute(select(func.count()).select_from(_DOC).where(
                    _DOC.c.deal_id == deal_id, _DOC.c.kind == kind)).scalar_one())
                numbers.append(f"{prefix}-{deal_id}" + (f".{n}" if n > 1 else ""))
        else:
            numbers = [f"{prefix}-{year}-{n:06d}" for n in range(first, final + 1)]
        holder = current_holder().to_json()
        conn.execute(insert(_DOC), [
            {"number": num, "prefix": prefix, "year": year, "seq": first + i,
             "deal_id": deal_id, "kind": kind, "revision": revision, "fingerprint": fp,
             "status": "reserved", "holder": holder, "path": path, "reserved_at": now,
             "updated_at": now, "template_version": template_version}
            for i, (num, (deal_id, kind, revision, fp)) in enumerate(zip(numbers, rows,
                                                                          strict=True))])
        for num, (deal_id, kind, revision, fp) in zip(numbers, rows, strict=True):
            self._append(conn, "reserve", actor=actor, deal_id=deal_id, subject=num,
                         detail={"number": num, "kind": kind, "revision": revision,
                                 "fingerprint": fp, "template_version": template_version},
                         at=now)
        if self.dialect == "postgresql":
            for i, num in enumerate(numbers):
                key = _lock_key(prefix, year, first + i)
                conn.execute(text("SELECT pg_advisory_lock(:a, :b)"), {"a": key[0], "b": key[1]})
                self._held[num] = key
        else:
            self._held.update({num: (0, 0) for num in numbers})
        return numbers

    def _lock_counter(self, conn: Connection, prefix: str, year: int) -> int:
        """The counter's current value, its row locked until the transaction ends."""
        q = (select(_SEQ.c.last_number).where(_SEQ.c.prefix == prefix, _SEQ.c.year == year)
             .with_for_update())
        last = conn.execute(q).scalar()
        if last is not None:
            return int(last)
        # first number of this prefix and year: create the row; a concurrent creator makes us
        # wait on the primary key and then find its row
        self._insert_ignore(conn, _SEQ, {"prefix": prefix, "year": year, "last_number": 0},
                            ("prefix", "year"))
        return int(conn.execute(q).scalar_one())

    def claim_issues(self, requests: Sequence[IssueRequest], *, year: int | None,
                     prefix: str, out_dir: str | None = None,
                     references: bool = False, actor: str | None = None,
                     template_version: str | None = None) -> ClaimResult:
        """For each request: its revision's live document, or a newly reserved number (which
        records `template_version`, the templates the caller renders it with).

        POs take ``PREFIX-YEAR-NNNNNN`` (`year` is the issue date's; None refuses to reserve);
        with `references` (SOW, onboarding form) a reference of the deal (see :meth:`_reserve`).

        One transaction for the batch. A reservation of the same revision whose holder died is
        voided on the way (returned in ``voided``, so the caller can remove its files). Two
        processes claiming the same new revision at once cannot both reserve it: the unique
        index on live (deal, kind, revision) rows fails the second insert, which rolls back
        (giving its numbers back) and claims again, finding the first one's row.
        """
        for _attempt in range(20):
            held_before = dict(self._held)
            try:
                return self._claim_once(requests, year=year, prefix=prefix, out_dir=out_dir,
                                        references=references, actor=actor,
                                        template_version=template_version)
            except IntegrityError:
                # another process reserved one of these revisions first: let go of any lock
                # taken in the rolled-back transaction and look again
                for num in set(self._held) - set(held_before):
                    self._release(num)
        msg = "could not claim document numbers: the registry kept changing (20 attempts)"
        raise RuntimeError(msg)

    def _claim_once(self, requests: Sequence[IssueRequest], *, year: int | None,
                    prefix: str, out_dir: str | None, references: bool,
                    actor: str | None, template_version: str | None = None) -> ClaimResult:
        claims: dict[int, Claim] = {}
        voided: list[IssuedDocument] = []
        new: list[tuple[int, IssueRequest]] = []
        with self._issue_write() as conn:
            for i, req in enumerate(requests):
                row = conn.execute(select(_DOC).where(
                    _DOC.c.deal_id == req.deal_id, _DOC.c.kind == req.kind,
                    _DOC.c.revision == req.revision, _DOC.c.status.in_(LIVE))
                    .with_for_update()).first()
                if row is None:
                    row = self._adopt_legacy(conn, req)
                if row is not None and row.status == "reserved" and row.number not in self._held:
                    if self._holder_gone(conn, row):
                        voided.append(self._void_dead(conn, row, actor))
                        row = None
                    else:
                        claims[i] = Claim(req, "busy", _doc(row))
                        continue
                if row is None:
                    new.append((i, req))
                else:
                    claims[i] = Claim(req, "issued" if row.status == "issued" else "new",
                                      _doc(row))
            if new:
                if year is None:  # rolls back: nothing reserved, nothing voided
                    raise InputError([Problem("--date", None, "", (
                        "give the issue date: --date YYYY-MM-DD, or --date today to use "
                        f"today's date ({', '.join(r.deal_id for _, r in new)} not issued yet)"))])
                numbers = self._reserve(conn, [(r.deal_id, r.kind, r.revision, r.fingerprint)
                                               for _, r in new], year=0 if references else year,
                                        prefix=prefix, path=out_dir, references=references,
                                        actor=actor, template_version=template_version)
                rows = {r.number: r for r in conn.execute(
                    select(_DOC).where(_DOC.c.number.in_(numbers)))}
                for (i, req), num in zip(new, numbers, strict=True):
                    claims[i] = Claim(req, "new", _doc(rows[num]))
        return ClaimResult([claims[i] for i in range(len(requests))], voided)

    @staticmethod
    def _adopt_legacy(conn: Connection, req: IssueRequest) -> Any:
        """An issued PO of the same content recorded before revisions were (0001): give it the
        revision, so that re-issuing the unchanged deal returns it instead of superseding it."""
        row = conn.execute(select(_DOC).where(
            _DOC.c.deal_id == req.deal_id, _DOC.c.kind == req.kind, _DOC.c.revision.is_(None),
            _DOC.c.fingerprint == req.fingerprint, _DOC.c.status == "issued")
            .with_for_update()).first()
        if row is None:
            return None
        conn.execute(update(_DOC).where(_DOC.c.number == row.number)
                     .values(revision=req.revision))
        return conn.execute(select(_DOC).where(_DOC.c.number == row.number)).one()

    def _holder_gone(self, conn: Connection, row: Any) -> bool:
        """True when the process (SQLite) or connection (PostgreSQL) that reserved `row` ended."""
        if row.number in self._held:
            return False
        if self.dialect == "postgresql":
            a, b = _lock_key(row.prefix, row.year, row.seq)
            got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                               {"a": a, "b": b}).scalar()
            if got:  # nobody holds it: the reserving connection is gone; let go again
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": a, "b": b})
            return bool(got)
        holder = Holder.from_json(row.holder)
        return holder is None or holder.is_dead()  # no holder: reserved before 0006_hist

    def _void_dead(self, conn: Connection, row: Any, actor: str | None) -> IssuedDocument:
        holder = Holder.from_json(row.holder)
        who = holder.describe() if holder else "a docgen that recorded no holder"
        how = ("its database connection ended" if self.dialect == "postgresql"
               else "the process no longer runs")
        reason = (f"reserved by {who}, which died before issuing it ({how}); voided by "
                  f"{current_holder().describe()}")
        conn.execute(update(_DOC).where(_DOC.c.number == row.number).values(
            status="void", void_reason=reason, updated_at=_now()))
        self._append(conn, "void", actor=actor, deal_id=row.deal_id, subject=row.number,
                     detail={"number": row.number, "reason": reason})
        return _doc(conn.execute(select(_DOC).where(_DOC.c.number == row.number)).one())

    def recover(self, *, actor: str | None = None) -> list[IssuedDocument]:
        """Void every reservation whose holder died (with the reason); returns them.

        Each issuing run calls this first, so a number a killed process reserved never stays
        ``reserved``; numbers are never reused, so the voided ones stay in the registry.
        """
        with self._issue_write() as conn:
            rows = conn.execute(select(_DOC).where(_DOC.c.status == "reserved")
                                .order_by(_DOC.c.prefix, _DOC.c.year, _DOC.c.seq)
                                .with_for_update()).all()
            return [self._void_dead(conn, r, actor) for r in rows
                    if r.number not in self._held and self._holder_gone(conn, r)]

    def wait_for(self, number: str, *, poll_s: float = 0.1) -> IssuedDocument | None:
        """Wait until another process finishes (or abandons) its reservation of `number`."""
        if self.dialect == "postgresql":
            with self._read() as conn:
                row = conn.execute(select(_DOC).where(_DOC.c.number == number)).first()
            if row is None:
                return None
            with self._issue_write() as conn:
                a, b = _lock_key(row.prefix, row.year, row.seq)
                # blocks until the holder issues, voids, or its connection ends
                conn.execute(text("SELECT pg_advisory_lock(:a, :b)"), {"a": a, "b": b})
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": a, "b": b})
            return self.issued(number)
        while True:
            with self._read() as conn:
                row = conn.execute(select(_DOC).where(_DOC.c.number == number)).first()
            if row is None or row.status != "reserved":
                return _doc(row) if row else None
            holder = Holder.from_json(row.holder)
            if holder is None or holder.is_dead():
                return _doc(row)  # the next claim voids it
            time.sleep(poll_s)

    @staticmethod
    def _locked_number(conn: Any, number: str) -> Any:
        """The row of a reserved PO number, locked for update; LookupError if never reserved."""
        row = conn.execute(select(_DOC).where(_DOC.c.number == number).with_for_update()).first()
        if row is None:
            msg = f"PO number {number} was never reserved"
            raise LookupError(msg)
        return row

    def record_issue(self, number: str, *, file_sha256: str | None = None, path: str,
                     issued_on: date, files: Mapping[str, tuple[str, bytes]] | None = None,
                     actor: str | None = None) -> list[IssuedDocument]:
        """Mark a reserved number issued, with its files' bytes, SHA-256, path and date.

        In the same transaction every other issued document of the deal and kind is superseded
        by this one (status, successor, reason); returns those. `files` maps each format to
        (SHA-256, bytes): kept, so that a re-issue returns exactly these bytes.
        """
        files = dict(files or {})
        if file_sha256 is None:
            fmt = "pdf" if "pdf" in files else next(iter(files))
            file_sha256 = files[fmt][0]
        now = _now()
        with self._issue_write() as conn:
            row = self._locked_number(conn, number)
            if row.status != "reserved":
                msg = f"PO number {number} is {row.status}, not reserved"
                raise ValueError(msg)
            older = conn.execute(select(_DOC).where(
                _DOC.c.deal_id == row.deal_id, _DOC.c.kind == row.kind,
                _DOC.c.status == "issued", _DOC.c.number != number).with_for_update()).all()
            for o in older:
                reason = _supersede_reason(o, row)
                conn.execute(update(_DOC).where(_DOC.c.number == o.number).values(
                    status="superseded", superseded_by=number, updated_at=now,
                    superseded_reason=reason))
                self._append(conn, "supersede", actor=actor, deal_id=o.deal_id,
                             subject=o.number, detail={"number": o.number,
                                                       "superseded_by": number,
                                                       "reason": reason}, at=now)
            conn.execute(update(_DOC).where(_DOC.c.number == number).values(
                status="issued", file_sha256=file_sha256, path=path, issued_on=issued_on,
                issued_at=now, updated_at=now))
            self._append(conn, "issue", actor=actor, deal_id=row.deal_id, subject=number,
                         detail={"number": number, "kind": row.kind, "revision": row.revision,
                                 "file_sha256": file_sha256,
                                 "issued_on": issued_on.isoformat(),
                                 "fingerprint": row.fingerprint,
                                 "template_version": row.template_version}, at=now)
            if files:
                conn.execute(insert(_FILES), [
                    {"number": number, "format": fmt, "sha256": sha, "content": blob}
                    for fmt, (sha, blob) in sorted(files.items())])
            superseded = [_doc(r) for r in conn.execute(
                select(_DOC).where(_DOC.c.number.in_([o.number for o in older])))]
        self._release(number)
        return superseded

    def add_files(self, number: str, files: Mapping[str, tuple[str, bytes]]) -> None:
        """Keep more formats of an issued document (a re-issue asked for one not kept yet)."""
        with self._issue_write() as conn:
            for fmt, (sha, blob) in sorted(files.items()):
                self._insert_ignore(conn, _FILES, {"number": number, "format": fmt,
                                                   "sha256": sha, "content": blob},
                                    ("number", "format"))

    def files(self, number: str) -> dict[str, tuple[str, bytes]]:
        """The kept bytes of a document: format -> (SHA-256, bytes)."""
        with self._read() as conn:
            return {r.format: (r.sha256, bytes(r.content)) for r in conn.execute(
                select(_FILES).where(_FILES.c.number == number))}

    def void_number(self, number: str, reason: str, *, actor: str | None = None) -> None:
        """Keep a reserved number whose document was not produced, marked void with `reason`."""
        try:
            with self._issue_write() as conn:
                row = self._locked_number(conn, number)
                if row.status == "void":
                    return
                if row.status != "reserved":
                    msg = f"PO number {number} is {row.status}; an issued PO cannot be voided"
                    raise ValueError(msg)
                conn.execute(update(_DOC).where(_DOC.c.number == number).values(
                    status="void", void_reason=reason, updated_at=_now()))
                self._append(conn, "void", actor=actor, deal_id=row.deal_id, subject=number,
                             detail={"number": number, "reason": reason})
        finally:
            if number in self._held:
                self._release(number)

    def _release(self, number: str) -> None:
        """Stop holding `number` (PostgreSQL: let go of its advisory lock)."""
        key = self._held.pop(number, None)
        if key is None or self.dialect != "postgresql" or self._holder_conn is None:
            return
        self._holder_conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"),
                                  {"a": key[0], "b": key[1]})
        self._holder_conn.commit()

    def issued(self, number: str) -> IssuedDocument | None:
        """The registry entry of `number` (any status), or None."""
        with self._read() as conn:
            row = conn.execute(select(_DOC).where(_DOC.c.number == number)).first()
        return _doc(row) if row else None

    def record_signed_file(self, sha256: str, *, kind: str, number: str, deal_id: str,
                           path: str | None, actor: str | None = None) -> None:
        """Record a file docgen signed (a pack of PO `number`) and its audit row; recording it
        again is a no-op."""
        with self._write() as conn:
            if self._insert_ignore(conn, signed_files, {
                    "sha256": sha256, "kind": kind, "number": number, "deal_id": deal_id,
                    "path": path, "created_at": _now()}, ("sha256",)):
                self._append(conn, PACK_ACTION, actor=actor, deal_id=deal_id, subject=sha256,
                             detail=_signed_detail(sha256, kind, number))

    def signed_file(self, sha256: str) -> SignedFile | None:
        """The signed file recorded with this SHA-256, or None."""
        with self._read() as conn:
            row = conn.execute(select(signed_files).where(
                signed_files.c.sha256 == sha256)).first()
        return None if row is None else SignedFile(sha256=row.sha256, kind=row.kind,
                                                   number=row.number, deal_id=row.deal_id,
                                                   path=row.path)

    def documents(self, deal_id: str | None = None, *, status: str | None = None,
                  kind: str | None = None) -> list[IssuedDocument]:
        """Every registry entry (of one deal, in one status, of one kind), in number order."""
        q = select(_DOC).order_by(_DOC.c.prefix, _DOC.c.year, _DOC.c.seq)
        if deal_id is not None:
            q = q.where(_DOC.c.deal_id == deal_id)
        if status is not None:
            q = q.where(_DOC.c.status == status)
        if kind is not None:
            q = q.where(_DOC.c.kind == kind)
        with self._read() as conn:
            return [_doc(r) for r in conn.execute(q)]

    # -- deal revisions -----------------------------------------------------------------------

    def record_revisions(self, revisions: Sequence[RevisionRecord], *,
                         actor: str | None = None, now: datetime | None = None) -> None:
        """Record each deal revision unless it is recorded already (it keeps its first time).

        Each new one appends a ``revision.recorded`` audit row (by `actor` when known) in the
        same transaction; a revision seen before writes nothing to the chain. A revision
        recorded before its approval findings were kept gets them now.
        """
        if not revisions:
            return
        now = now or _now()
        with self._write() as conn:
            for rev in revisions:
                found = rev.findings_json
                if self._insert_ignore(conn, _REV, {
                        "deal_id": rev.deal_id, "revision": rev.revision, "content": rev.content,
                        "source": rev.source, "recorded_at": now, "findings": found},
                        ("deal_id", "revision")):
                    self._append(conn, REVISION_ACTION, actor=actor, deal_id=rev.deal_id,
                                 subject=rev.revision, at=now,
                                 detail=revision_detail(rev.revision, rev.source))
                elif found is not None:
                    conn.execute(update(_REV).where(
                        _REV.c.deal_id == rev.deal_id, _REV.c.revision == rev.revision,
                        _REV.c.findings.is_(None)).values(findings=found))

    def revision_findings(self, deal_ids: Iterable[str]) -> list[RevisionFindings]:
        """When each revision of these deals was first recorded, with its approval findings;
        oldest first (what :class:`docgen.sightings.Sightings` reads)."""
        ids = sorted(set(deal_ids))
        if not ids:
            return []
        q = (select(_REV.c.deal_id, _REV.c.revision, _REV.c.recorded_at, _REV.c.findings)
             .where(_REV.c.deal_id.in_(ids)).order_by(_REV.c.recorded_at, _REV.c.id))
        with self._read() as conn:
            return [RevisionFindings.parse(r.deal_id, r.revision, r.recorded_at, r.findings)
                    for r in conn.execute(q)]

    def revisions(self, deal_id: str) -> list[Revision]:
        """Every recorded revision of a deal, oldest first."""
        q = (select(_REV).where(_REV.c.deal_id == deal_id)
             .order_by(_REV.c.recorded_at, _REV.c.id))
        with self._read() as conn:
            return [Revision(deal_id=r.deal_id, revision=r.revision, content=r.content,
                             source=r.source, recorded_at=r.recorded_at)
                    for r in conn.execute(q)]

    @contextmanager
    def _issue_write(self) -> Iterator[Connection]:
        """A write transaction for the registry; on PostgreSQL on the holder connection, whose
        session advisory locks mark the numbers this process is issuing."""
        if self.dialect != "postgresql":
            with self._write() as conn:
                yield conn
            return
        if self._holder_conn is None:
            self._holder_conn = self.engine.connect()
        conn = self._holder_conn
        if conn.in_transaction():  # pragma: no cover - a failed statement left one open
            conn.rollback()
        with conn.begin():
            yield conn

    # -- approvals ----------------------------------------------------------------------------

    def add_requests(self, requests: Iterable[ApprovalRequest]) -> list[tuple[ApprovalRequest, bool]]:
        """Record each request unless one with the same key exists (and audit each new one).

        Returns each request as stored, with True when it was recorded now (False: it was
        already there, and keeps its original time, which is when the SLA clock started).
        """
        out: list[tuple[ApprovalRequest, bool]] = []
        with self._write() as conn:
            for req in requests:
                created = self._insert_ignore(conn, _REQ, _request_values(req),
                                              ("deal_id", "code", "location", "fingerprint"))
                if created:
                    self._append(conn, "request", actor=req.requested_by, deal_id=req.deal_id,
                                 subject=f"{req.code} {req.where}", at=req.requested_at,
                                 detail={"code": req.code, "where": req.where,
                                         "fingerprint": req.fingerprint,
                                         "approvers": list(req.approvers)})
                row = conn.execute(select(_REQ).where(_key_clause(_REQ, req.key))).one()
                out.append((_request(row), created))
        return out

    def requests(self, deal_ids: Iterable[str]) -> list[ApprovalRequest]:
        """Every request of these deals, oldest first."""
        ids = sorted(set(deal_ids))
        if not ids:
            return []
        q = select(_REQ).where(_REQ.c.deal_id.in_(ids)).order_by(_REQ.c.requested_at, _REQ.c.id)
        with self._read() as conn:
            return [_request(r) for r in conn.execute(q)]

    def decisions(self, deal_ids: Iterable[str]) -> list[Decision]:
        """Every decision of these deals, oldest first."""
        ids = sorted(set(deal_ids))
        if not ids:
            return []
        q = (select(_DEC).where(_DEC.c.deal_id.in_(ids))
             .order_by(_DEC.c.decided_at, _DEC.c.id))
        with self._read() as conn:
            return [_decision(r) for r in conn.execute(q)]

    def decisions_for(self, deal_id: str) -> list[Decision]:
        """Every decision of one deal (the resolver's query)."""
        return self.decisions([deal_id])

    def evidence_for(self, deal_id: str) -> list[EvidenceRecord]:
        """Every evidence record of one deal, oldest first (vouched for by the session)."""
        q = (select(deal_evidence).where(deal_evidence.c.deal_id == deal_id)
             .order_by(deal_evidence.c.recorded_at, deal_evidence.c.id))
        with self._read() as conn:
            return [_evidence_record(r) for r in conn.execute(q)]

    def add_decision(self, decision: Decision, request: ApprovalRequest, *,
                     distinct_people: bool = True) -> DecisionOutcome:
        """Record `decision` and its audit row, and `request` too if it was never submitted.

        Nothing is recorded when the fingerprint was rejected already (a rejection stands until
        the line changes), when this role already decided it, or (`distinct_people`) when the
        same person already decided it in another role; the outcome says which.
        """
        try:
            with self._write() as conn:
                self._insert_ignore(conn, _REQ, _request_values(request),
                                    ("deal_id", "code", "location", "fingerprint"))
                # the request row is the per-finding lock: decisions on it are serialised
                conn.execute(select(_REQ.c.id).where(_key_clause(_REQ, decision.key))
                             .with_for_update()).one()
                prior = [_decision(r) for r in conn.execute(
                    select(_DEC).where(_key_clause(_DEC, decision.key)).order_by(_DEC.c.id))]
                reject = next((d for d in prior if d.decision == "reject"), None)
                if reject is not None:
                    raise _Refused(DecisionOutcome("rejected", decision, reject))
                same = next((d for d in prior if d.role == decision.role), None)
                if same is not None:
                    raise _Refused(DecisionOutcome("duplicate", decision, same))
                me = normalise_email(decision.by)
                other = next((d for d in prior if normalise_email(d.by) == me), None)
                if distinct_people and other is not None:
                    raise _Refused(DecisionOutcome("same_person", decision, other))
                _check_lengths(_DEC, {"location": decision.where, "role": decision.role,
                                      "decided_by": decision.by, "code": decision.code})
                conn.execute(insert(_DEC).values(
                    deal_id=decision.deal_id, code=decision.code, location=decision.where,
                    fingerprint=decision.fingerprint, role=decision.role,
                    decided_by=decision.by, decision=decision.decision, note=decision.note,
                    decided_at=decision.decided_at))
                self._append(conn, decision.decision, actor=decision.by,
                             deal_id=decision.deal_id, at=decision.decided_at,
                             subject=f"{decision.code} {decision.where} as {decision.role}",
                             detail=_decision_detail(decision))
        except _Refused as refused:  # rolled back: nothing of this call is recorded
            return refused.outcome
        except IntegrityError:  # pragma: no cover - the row lock above makes this a backstop
            existing = [d for d in self.decisions([decision.deal_id])
                        if d.key == decision.key and d.role == decision.role]
            return DecisionOutcome("duplicate", decision, existing[0] if existing else None)
        return DecisionOutcome("recorded", decision)

    def requesters_for(self, deal_id: str) -> set[str]:
        """Who submitted any request of the deal (normalised e-mails; the audit rows included)."""
        with self._read() as conn:
            rows = conn.execute(select(_REQ.c.requested_by).where(
                _REQ.c.deal_id == deal_id, _REQ.c.requested_by.is_not(None))).scalars().all()
            actors = conn.execute(select(_LOG.c.actor).where(
                _LOG.c.deal_id == deal_id, _LOG.c.action == "request",
                _LOG.c.actor.is_not(None))).scalars().all()
        return {normalise_email(x) for x in [*rows, *actors]}

    # -- the audit log ------------------------------------------------------------------------

    def append_audit(self, action: str, *, actor: str | None, subject: str,
                     deal_id: str | None = None, detail: dict[str, Any] | None = None,
                     at: datetime | None = None, conn: Connection | None = None) -> AuditEntry:
        """Append one row to the audit chain (the seam for every state change).

        Pass `conn` to append inside a write transaction of your own (what the row records
        then commits or rolls back with it); without it, the row is its own transaction.
        Appends are serialised (SQLite's write lock; a PostgreSQL advisory lock held to the end
        of the transaction), so the chain never forks.
        """
        if conn is not None:
            return self._append(conn, action, actor=actor, subject=subject, deal_id=deal_id,
                                detail=detail, at=at)
        with self._write() as own:
            return self._append(own, action, actor=actor, subject=subject, deal_id=deal_id,
                                detail=detail, at=at)

    def _append(self, conn: Connection, action: str, *, actor: str | None, subject: str,
                deal_id: str | None = None, detail: dict[str, Any] | None = None,
                at: datetime | None = None) -> AuditEntry:
        if self.dialect == "postgresql":
            from sqlalchemy import text

            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
        last = conn.execute(select(_LOG.c.seq, _LOG.c.mac).order_by(_LOG.c.seq.desc())
                            .limit(1)).first()
        key = self._audit_key(has_rows=last is not None)
        e = next_entry(key, (last.seq, last.mac) if last is not None else None, action,
                       actor=actor, subject=subject, deal_id=deal_id, detail=detail,
                       at=at or _now())
        conn.execute(insert(_LOG).values(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                                         deal_id=e.deal_id, subject=e.subject, detail=e.detail,
                                         prev_mac=e.prev_mac, mac=e.mac))
        conn.execute(delete(_HEAD))
        conn.execute(insert(_HEAD).values(id=1, seq=e.seq, mac=e.mac,
                                          head_mac=head_mac(key, e.seq, e.mac)))
        return e

    def _audit_key(self, *, has_rows: bool) -> bytes:
        return chain_key(self.secret, has_rows=has_rows)

    def audit_log(self, deal_id: str | None = None) -> list[AuditEntry]:
        """The audit rows (of one deal), oldest first."""
        q = select(_LOG).order_by(_LOG.c.seq)
        if deal_id is not None:
            q = q.where(_LOG.c.deal_id == deal_id)
        with self._read() as conn:
            return [_entry(r) for r in conn.execute(q)]

    def audit_for(self, deal_id: str) -> list[AuditEntry]:
        """The deal's decision and evidence rows (what vouches for its decisions and its
        recorded evidence)."""
        q = (select(_LOG).where(_LOG.c.deal_id == deal_id,
                                _LOG.c.action.in_(VOUCHING_ACTIONS)).order_by(_LOG.c.seq))
        with self._read() as conn:
            return [_entry(r) for r in conn.execute(q)]

    def verify_audit(self) -> tuple[int, list[ChainProblem]]:
        """Check the whole chain, and that every decision, deal revision and signed pack has
        the row that states it (and every such row its record): (rows, problems)."""
        with self._read() as conn:
            entries = [_entry(r) for r in conn.execute(select(_LOG).order_by(_LOG.c.seq))]
            head_row = conn.execute(select(_HEAD)).first()
            decisions = [(r.id, _decision(r)) for r in conn.execute(
                select(_DEC).order_by(_DEC.c.id))]
            evidence = [_evidence_record(r) for r in conn.execute(
                select(deal_evidence).order_by(deal_evidence.c.id))]
            revisions = conn.execute(select(_REV.c.id, _REV.c.deal_id, _REV.c.revision,
                                            _REV.c.content, _REV.c.source)
                                     .order_by(_REV.c.id)).all()
            signed = conn.execute(select(signed_files.c.sha256, signed_files.c.kind,
                                         signed_files.c.number, signed_files.c.deal_id)
                                  .order_by(signed_files.c.created_at)).all()
        head = (head_row.seq, head_row.mac, head_row.head_mac) if head_row else None
        key = self.secret.get()
        if key is None:
            if not entries and not decisions and not evidence:
                return 0, []
            return len(entries), [ChainProblem(None, (
                "no secret key (.docgen/secret.key or DOCGEN_SECRET_KEY): the chain cannot be "
                "checked"))]
        problems = verify_chain(key, entries, head)
        found = {id(d) for d in vouched(key, [d for _, d in decisions],
                                        [e for e in entries if e.action in DECISION_ACTIONS])}
        for row_id, d in decisions:
            if id(d) not in found:
                problems.append(ChainProblem(None, (
                    f"approval_decisions row {row_id} ({d.decision} {d.deal_id} {d.code} "
                    f"{d.where} as {d.role} by {d.by}) has no audit row that states it: it was "
                    "inserted or edited outside docgen, and does not count")))
        good = {r.id for r in vouched_evidence(key, evidence, [
            e for e in entries if e.action == EVIDENCE_ACTION])}
        for r in evidence:
            if r.id not in good:
                problems.append(ChainProblem(None, (
                    f"deal_evidence row {r.id} ({r.deal_id} {r.item} {r.status} by {r.by}) has "
                    "no audit row that states it: it was inserted or edited outside docgen, "
                    "and does not count")))
        problems += _revision_problems(key, entries, revisions)
        problems += _signed_file_problems(key, entries, signed)
        return len(entries), problems

    # -- people and tokens --------------------------------------------------------------------

    def count_users(self) -> int:
        """How many people (active or not) the database knows."""
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(_USR)).scalar_one())

    def users(self) -> list[User]:
        """Every person, by e-mail."""
        with self._read() as conn:
            return [_user(r) for r in conn.execute(select(_USR).order_by(_USR.c.email))]

    def user(self, email: str) -> User | None:
        """The person with this e-mail (any case), or None."""
        with self._read() as conn:
            row = conn.execute(select(_USR).where(
                _USR.c.email == normalise_email(email))).first()
        return _user(row) if row else None

    def add_user(self, email: str, *, name: str, is_admin: bool, actor: str | None,
                 password_hash: str | None = None, token_name: str = "first",
                 only_if_first: bool = False) -> tuple[User, str]:
        """Record a person and their first API token; returns both (the token in the clear).

        `only_if_first`: refuse (AuthError) unless the database has no person yet — how the
        first administrator of an existing workspace is made without a token.
        """
        email = normalise_email(email)
        now = _now()
        with self._write() as conn:
            if only_if_first and conn.execute(
                    select(func.count()).select_from(_USR)).scalar_one():
                raise AuthError([Problem("DOCGEN_TOKEN", None, "", (
                    "this database has people already: adding one needs an administrator's "
                    "token in DOCGEN_TOKEN"))])
            if conn.execute(select(_USR.c.id).where(_USR.c.email == email)).first():
                raise InputError([Problem("EMAIL", None, "", f"{email} is already a user")])
            user_id = conn.execute(insert(_USR).values(
                email=email, name=name, is_admin=is_admin, active=True,
                password_hash=password_hash, created_at=now).returning(_USR.c.id)).scalar_one()
            self._append(conn, "user.add", actor=actor or email, subject=email, at=now,
                         detail={"email": email, "name": name, "admin": is_admin,
                                 "password": password_hash is not None})
            token = self._new_token(conn, user_id, email, token_name, actor or email, now)
            row = conn.execute(select(_USR).where(_USR.c.id == user_id)).one()
        return _user(row), token

    def _new_token(self, conn: Connection, user_id: int, email: str, name: str,
                   actor: str, now: datetime) -> str:
        token = new_token()
        conn.execute(insert(_TOK).values(user_id=user_id, name=name,
                                         token_sha256=token_digest(token),
                                         hint=token_hint(token), created_at=now))
        self._append(conn, "token.create", actor=actor, subject=email, at=now,
                     detail={"email": email, "name": name, "hint": token_hint(token)})
        return token

    def create_token(self, user: User, name: str) -> str:
        """A new API token for `user` (by themself); returned in the clear, stored hashed."""
        with self._write() as conn:
            return self._new_token(conn, user.id, user.email, name, user.email, _now())

    def disable_user(self, email: str, *, actor: str) -> User:
        """Mark a person inactive: their tokens stop working. LookupError if unknown.

        Refused (InputError) when it would leave no active administrator.
        """
        email = normalise_email(email)
        with self._write() as conn:
            row = conn.execute(select(_USR).where(_USR.c.email == email)).first()
            if row is None:
                raise InputError([Problem("EMAIL", None, "", f"{email} is not a user")])
            if row.is_admin and row.active:
                admins = conn.execute(select(func.count()).select_from(_USR).where(
                    _USR.c.is_admin.is_(True), _USR.c.active.is_(True))).scalar_one()
                if admins <= 1:
                    raise InputError([Problem("EMAIL", None, "", (
                        f"{email} is the last active administrator; add another first"))])
            if row.active:
                conn.execute(update(_USR).where(_USR.c.id == row.id).values(active=False))
                self._append(conn, "user.disable", actor=actor, subject=email,
                             detail={"email": email})
            row = conn.execute(select(_USR).where(_USR.c.id == row.id)).one()
        return _user(row)

    def authenticate(self, token: str) -> User:
        """The active person `token` belongs to; AuthError (exit 2) otherwise."""
        token = token.strip()
        bad = AuthError([Problem("DOCGEN_TOKEN", None, "", (
            "not a valid API token of this workspace's database (ask an administrator for "
            "one: docgen users add, or make another with docgen token create)"))])
        if not token.startswith(TOKEN_PREFIX):
            raise bad
        with self._read() as conn:
            row = conn.execute(select(_USR).join(_TOK, _TOK.c.user_id == _USR.c.id).where(
                _TOK.c.token_sha256 == token_digest(token))).first()
        if row is None:
            raise bad
        user = _user(row)
        if not user.active:
            raise AuthError([Problem("DOCGEN_TOKEN", None, "", (
                f"the token's person, {user.email}, is disabled"))])
        return user
    # -- catalogue and policy versions --------------------------------------------------------

    def record_version(self, kind: VersionKind, version: str, *, content: str, sha256: str,
                       effective_from: date, locked_by: str,
                       locked_at: datetime | None = None) -> tuple[VersionRecord, bool]:
        """Record a version unless it is recorded already; (the record, True when new).

        A label recorded with other content is refused (InputError): recorded versions are
        never changed, so changed content needs a new label.
        """
        table = _VERSIONS[kind]
        values = {"version": version, "sha256": sha256, "content": content,
                  "effective_from": effective_from, "locked_by": locked_by,
                  "locked_at": locked_at or _now()}
        with self._write() as conn:
            created = self._insert_ignore(conn, table, values, ("version",))
            row = conn.execute(select(table).where(table.c.version == version)).one()
            if created:  # a version recorded is a state change: the audit log says who, when
                self._append(conn, f"{kind}.version", actor=locked_by, subject=version,
                             detail={"version": version, "sha256": sha256,
                                     "effective_from": effective_from.isoformat()})
        record = _version(kind, row)
        if record.sha256 != sha256:
            msg = (f"{kind} version {version} was recorded on {record.locked_at:%Y-%m-%d} by "
                   f"{record.locked_by} with other content; recorded versions never change: "
                   f"give the {kind} a new version label")
            raise InputError([Problem(kind, None, "version", msg)])
        return record, created

    def versions(self, kind: VersionKind) -> list[VersionRecord]:
        """Every recorded version of the catalogue or the policy, oldest lock first."""
        table = _VERSIONS[kind]
        q = select(table).order_by(table.c.locked_at, table.c.id)
        with self._read() as conn:
            return [_version(kind, r) for r in conn.execute(q)]

    def version_content(self, kind: VersionKind, version: str) -> str | None:
        """The canonical JSON recorded for `version`, or None."""
        table = _VERSIONS[kind]
        with self._read() as conn:
            return conn.execute(select(table.c.content)
                                .where(table.c.version == version)).scalar()

    # -- helpers ------------------------------------------------------------------------------

    def _insert_ignore(self, conn: Connection, table: Any, values: dict[str, Any],
                       keys: Sequence[str]) -> bool:
        """Insert `values` unless a row with the same `keys` exists; True when inserted."""
        _check_lengths(table, values)
        if self.dialect in ("sqlite", "postgresql"):
            if self.dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            else:
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            # RETURNING, not rowcount: drivers report -1 for some single-row inserts
            stmt = (dialect_insert(table).values(**values)
                    .on_conflict_do_nothing(index_elements=list(keys))
                    .returning(table.c[keys[0]]))
            return conn.execute(stmt).first() is not None
        # other backends: look first, under the write lock of the surrounding transaction
        cond = [table.c[k] == values[k] for k in keys]
        if conn.execute(select(func.count()).select_from(table).where(*cond)).scalar():
            return False
        conn.execute(insert(table).values(**values))
        return True

"""The :class:`Store`: SQLAlchemy engine set-up, migrations on open, and every read and write.

Every write runs in one transaction that takes the database's write lock first: ``BEGIN
IMMEDIATE`` on SQLite (so two processes never interleave a read-modify-write), a row lock
(``SELECT … FOR UPDATE``) on PostgreSQL. A process killed mid-transaction leaves nothing behind:
SQLite discards the uncommitted WAL frames, PostgreSQL aborts the dead backend's transaction.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from docgen.errors import InputError, Problem
from docgen.store import (
    ENV_URL,
    SCHEMA_REVISION,
    ApprovalRequest,
    Decision,
    DecisionOutcome,
    IssuedDocument,
    SignedFile,
)
from docgen.store._tables import (
    approval_decisions,
    approval_requests,
    issued_documents,
    po_sequences,
    signed_files,
)

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

_REQ, _DEC, _SEQ, _DOC = approval_requests, approval_decisions, po_sequences, issued_documents


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
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
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
    return IssuedDocument(number=row.number, deal_id=row.deal_id, fingerprint=row.fingerprint,
                          file_sha256=row.file_sha256, path=row.path, issued_on=row.issued_on,
                          status=row.status)


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


def _after_fork() -> None:  # pragma: no cover - exercised by forking renderers
    # a forked child must not use (or close) the parent's pooled connections
    for store in list(_STORES):
        store.engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class Store:
    """Approvals, PO numbers and issued documents in one database. See :mod:`docgen.store`."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        _STORES.add(self)

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, target: str | Path) -> Store:
        """Connect to `target` (URL or SQLite path) and bring its schema up to date."""
        url = str(target)
        try:
            engine = _engine_for(target)
        except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
            raise _unusable(url, exc) from None
        store = cls(engine, url)
        try:
            store.migrate()
        except DBAPIError as exc:
            engine.dispose()
            raise _unusable(url, exc) from None
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        """Release every connection."""
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

    def find_issue(self, deal_id: str, fingerprint: str) -> IssuedDocument | None:
        """The latest *issued* (not reserved, not void) PO of this deal with this fingerprint."""
        q = (select(_DOC).where(_DOC.c.deal_id == deal_id, _DOC.c.fingerprint == fingerprint,
                                _DOC.c.status == "issued")
             .order_by(_DOC.c.year.desc(), _DOC.c.seq.desc()).limit(1))
        with self._read() as conn:
            row = conn.execute(q).first()
        return _doc(row) if row else None

    def reserve_po_numbers(self, requests: Sequence[tuple[str, str]], *, year: int,
                           prefix: str) -> list[str]:
        """Take the next numbers ``PREFIX-YEAR-000001`` for `requests` [(deal_id, fingerprint)].

        One transaction: the counter row of (prefix, year) is locked, advanced by
        ``len(requests)`` and a ``reserved`` row is written per number, in request order.
        """
        if not requests:
            return []
        now = _now()
        with self._write() as conn:
            last = self._lock_counter(conn, prefix, year)
            first = last + 1
            final = last + len(requests)
            if final > MAX_SEQ:
                msg = (f"PO numbers {prefix}-{year} are exhausted: {final} does not fit "
                       f"6 digits; change po_number_prefix in the policy")
                raise InputError([Problem("policy", None, "po_number_prefix", msg)])
            conn.execute(update(_SEQ).where(_SEQ.c.prefix == prefix, _SEQ.c.year == year)
                         .values(last_number=final))
            numbers = [f"{prefix}-{year}-{n:06d}" for n in range(first, final + 1)]
            conn.execute(insert(_DOC), [
                {"number": num, "prefix": prefix, "year": year, "seq": first + i,
                 "deal_id": deal_id, "fingerprint": fp, "status": "reserved",
                 "reserved_at": now, "updated_at": now}
                for i, (num, (deal_id, fp)) in enumerate(zip(numbers, requests, strict=True))])
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

    @staticmethod
    def _locked_number(conn: Any, number: str) -> Any:
        """The row of a reserved PO number, locked for update; LookupError if never reserved."""
        row = conn.execute(select(_DOC).where(_DOC.c.number == number).with_for_update()).first()
        if row is None:
            msg = f"PO number {number} was never reserved"
            raise LookupError(msg)
        return row

    def record_issue(self, number: str, *, file_sha256: str, path: str, issued_on: date) -> None:
        """Mark a reserved number issued, with the written file's SHA-256, path and date."""
        with self._write() as conn:
            row = self._locked_number(conn, number)
            if row.status != "reserved":
                msg = f"PO number {number} is {row.status}, not reserved"
                raise ValueError(msg)
            conn.execute(update(_DOC).where(_DOC.c.number == number).values(
                status="issued", file_sha256=file_sha256, path=path, issued_on=issued_on,
                updated_at=_now()))

    def void_number(self, number: str, reason: str) -> None:
        """Keep a reserved number whose document was not produced, marked void with `reason`."""
        with self._write() as conn:
            row = self._locked_number(conn, number)
            if row.status == "void":
                return
            if row.status != "reserved":
                msg = f"PO number {number} is {row.status}; an issued PO cannot be voided"
                raise ValueError(msg)
            conn.execute(update(_DOC).where(_DOC.c.number == number).values(
                status="void", void_reason=reason, updated_at=_now()))

    def issued(self, number: str) -> IssuedDocument | None:
        """The registry entry of `number` (any status), or None."""
        with self._read() as conn:
            row = conn.execute(select(_DOC).where(_DOC.c.number == number)).first()
        return _doc(row) if row else None

    def record_signed_file(self, sha256: str, *, kind: str, number: str, deal_id: str,
                           path: str | None) -> None:
        """Record a file docgen signed (a pack of PO `number`); recording it again is a no-op."""
        with self._write() as conn:
            self._insert_ignore(conn, signed_files, {
                "sha256": sha256, "kind": kind, "number": number, "deal_id": deal_id,
                "path": path, "created_at": _now()}, ("sha256",))

    def signed_file(self, sha256: str) -> SignedFile | None:
        """The signed file recorded with this SHA-256, or None."""
        with self._read() as conn:
            row = conn.execute(select(signed_files).where(
                signed_files.c.sha256 == sha256)).first()
        return None if row is None else SignedFile(sha256=row.sha256, kind=row.kind,
                                                   number=row.number, deal_id=row.deal_id,
                                                   path=row.path)

    def documents(self, deal_id: str | None = None) -> list[IssuedDocument]:
        """Every registry entry (of one deal), in number order."""
        q = select(_DOC).order_by(_DOC.c.prefix, _DOC.c.year, _DOC.c.seq)
        if deal_id is not None:
            q = q.where(_DOC.c.deal_id == deal_id)
        with self._read() as conn:
            return [_doc(r) for r in conn.execute(q)]

    # -- approvals ----------------------------------------------------------------------------

    def add_requests(self, requests: Iterable[ApprovalRequest]) -> list[tuple[ApprovalRequest, bool]]:
        """Record each request unless one with the same key exists.

        Returns each request as stored, with True when it was recorded now (False: it was
        already there, and keeps its original time, which is when the SLA clock started).
        """
        out: list[tuple[ApprovalRequest, bool]] = []
        with self._write() as conn:
            for req in requests:
                created = self._insert_ignore(conn, _REQ, _request_values(req),
                                              ("deal_id", "code", "location", "fingerprint"))
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

    def add_decision(self, decision: Decision, request: ApprovalRequest) -> DecisionOutcome:
        """Record `decision`, and `request` too if that finding was never submitted.

        Nothing is recorded when the fingerprint was rejected already (a rejection stands until
        the line changes) or when this role already decided it; the outcome says which.
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
                _check_lengths(_DEC, {"location": decision.where, "role": decision.role,
                                      "decided_by": decision.by, "code": decision.code})
                conn.execute(insert(_DEC).values(
                    deal_id=decision.deal_id, code=decision.code, location=decision.where,
                    fingerprint=decision.fingerprint, role=decision.role,
                    decided_by=decision.by, decision=decision.decision, note=decision.note,
                    decided_at=decision.decided_at))
        except _Refused as refused:  # rolled back: nothing of this call is recorded
            return refused.outcome
        except IntegrityError:  # pragma: no cover - the row lock above makes this a backstop
            existing = [d for d in self.decisions([decision.deal_id])
                        if d.key == decision.key and d.role == decision.role]
            return DecisionOutcome("duplicate", decision, existing[0] if existing else None)
        return DecisionOutcome("recorded", decision)

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

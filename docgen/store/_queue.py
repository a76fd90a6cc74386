"""The job queue in the store (issue 16): procrastinate's tables and docgen's queued documents.

**The engine.** Jobs live in PostgreSQL, in the tables of `procrastinate
<https://procrastinate.readthedocs.io>`_ (``procrastinate_jobs``, ``procrastinate_workers`` …),
next to docgen's own. docgen applies procrastinate's schema itself, the first time the queue is
used on a database (:meth:`QueueBook.ensure_schema`, under an advisory lock so that two processes
starting at once apply it once); a database that never queues a job has none of these tables.
SQLite has no job queue: there, everything runs in the process that asks for it.

**Queued documents.** ``docgen po --queue`` writes one ``queued_documents`` row per deal (what to
issue: the deal revision, whose canonical content ``deal_revisions`` holds, the kind, formats,
folder, issue date and the person issuing it) and defers one procrastinate job per row, **in the
same transaction**: a batch is queued whole or not at all. A job's only argument is its row id.
The worker that runs it records the outcome on the row (done, blocked with the findings, failed
with the reason) once: a job run again after a worker died finds the row finished, or issues
the same revision, which the registry returns as it is (one number, one file; see
:mod:`docgen.store._sql`). The process that queued the batch follows the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, insert, select, text, update

from docgen.store._tables import deal_revisions
from docgen.store._tables_queue import queued_documents as _Q

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from docgen.store._sql import Store

__all__ = ["QUEUE", "TASK_NOTIFY", "TASK_RENDER", "TASK_SEND", "Follower", "NewQueued",
           "QueueBook", "QueuedDocument"]

#: The procrastinate queue docgen's jobs go to.
QUEUE = "docgen"
#: Task names (what a worker registers; what a deferred job names).
TASK_RENDER = "docgen.render"
TASK_SEND = "docgen.send_notifications"
TASK_NOTIFY = "docgen.reminders"
#: Key of the advisory lock under which procrastinate's schema is applied ("queue" in ASCII).
_SCHEMA_LOCK = 0x7175657565
#: A worker whose heartbeat is older than this is not counted as running.
LIVE_WITHIN_S = 60.0

QueuedStatus = Literal["queued", "done", "blocked", "failed"]


@dataclass(frozen=True, slots=True)
class NewQueued:
    """A document to queue: one deal revision and how to issue it."""

    kind: str
    deal_id: str
    revision: str
    fingerprint: str
    source: str
    out_dir: str
    formats: tuple[str, ...]
    issue_date: date | None
    draft: bool
    internal: bool
    queued_by: str | None


@dataclass(frozen=True, slots=True)
class QueuedDocument:
    """A queued document and, once a worker took it, its outcome (plain JSON data)."""

    id: int
    batch: str
    position: int
    kind: str
    deal_id: str
    revision: str
    fingerprint: str
    source: str
    out_dir: str
    formats: tuple[str, ...]
    issue_date: date | None
    draft: bool
    internal: bool
    queued_by: str | None
    job_id: int | None
    status: QueuedStatus
    outcome: dict[str, Any] | None
    queued_at: datetime
    finished_at: datetime | None


def _row(r: Any) -> QueuedDocument:
    return QueuedDocument(
        id=r.id, batch=r.batch, position=r.position, kind=r.kind, deal_id=r.deal_id,
        revision=r.revision, fingerprint=r.fingerprint, source=r.source, out_dir=r.out_dir,
        formats=tuple(f for f in r.formats.split(",") if f), issue_date=r.issue_date,
        draft=bool(r.draft), internal=bool(r.internal), queued_by=r.queued_by, job_id=r.job_id,
        status=r.status, outcome=json.loads(r.outcome) if r.outcome else None,
        queued_at=r.queued_at, finished_at=r.finished_at)


class QueueBook:
    """The queue's rows in one store (PostgreSQL for anything but reading)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- procrastinate's side ----------------------------------------------------------------

    @property
    def available(self) -> bool:
        """True on PostgreSQL (the only database with a job queue)."""
        return self.store.dialect == "postgresql"

    def conninfo(self) -> str:
        """The libpq connection string of the store's database (for procrastinate's pool)."""
        import psycopg.conninfo

        engine = self.store.engine
        _args, params = engine.dialect.create_connect_args(engine.url)
        # libpq's parameters only (SQLAlchemy adds psycopg objects such as its adapters)
        return psycopg.conninfo.make_conninfo("", **{k: v for k, v in params.items()
                                                     if isinstance(v, str | int | float)})

    def ensure_schema(self) -> bool:
        """Apply procrastinate's schema unless the database has it; True when applied now."""
        from procrastinate.schema import SchemaManager

        with self.store._write() as conn:  # noqa: SLF001 - the store's own transactions
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})
            if _has_queue_tables(conn):
                return False
            # the raw driver connection: the schema is many statements with '%' in them
            conn.connection.driver_connection.execute(SchemaManager.get_schema())
            return True

    def live_workers(self, within_s: float = LIVE_WITHIN_S) -> int:
        """How many ``docgen worker`` processes sent a heartbeat within `within_s` seconds."""
        if not self.available:
            return 0
        with self.store._read() as conn:  # noqa: SLF001
            if not _has_queue_tables(conn):
                return 0
            return int(conn.execute(text(
                "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > "
                "now() - make_interval(secs => :s)"), {"s": within_s}).scalar_one())

    def defer(self, task: str, kwargs: dict[str, Any], *, priority: int = 0,
              lock: str | None = None, queueing_lock: str | None = None) -> int:
        """Queue one job of `task` (its own transaction); its procrastinate id."""
        with self.store._write() as conn:  # noqa: SLF001
            (job_id,) = _defer(conn, [(task, kwargs, priority, lock, queueing_lock)])
        return job_id

    # -- queued documents -------------------------------------------------------------------

    def enqueue(self, batch: str, items: Sequence[NewQueued]) -> list[QueuedDocument]:
        """Record `items` as batch `batch` and queue one render job each, in one transaction."""
        now = datetime.now(UTC)
        with self.store._write() as conn:  # noqa: SLF001
            ids = []
            for i, it in enumerate(items):
                row = conn.execute(insert(_Q).values(
                    batch=batch, position=i, kind=it.kind, deal_id=it.deal_id,
                    revision=it.revision, fingerprint=it.fingerprint, source=it.source,
                    out_dir=it.out_dir, formats=",".join(it.formats), issue_date=it.issue_date,
                    draft=it.draft, internal=it.internal, queued_by=it.queued_by,
                    status="queued", queued_at=now).returning(_Q.c.id)).scalar_one()
                ids.append(int(row))
            # one deal's documents never render at once (procrastinate's lock): a deal queued
            # by two batches is issued by one job, then returned as it is by the other
            jobs = _defer(conn, [(TASK_RENDER, {"item": i}, 0, f"docgen:{it.kind}:{it.deal_id}",
                                  None) for i, it in zip(ids, items, strict=True)])
            for item_id, job_id in zip(ids, jobs, strict=True):
                conn.execute(update(_Q).where(_Q.c.id == item_id).values(job_id=job_id))
            rows = conn.execute(select(_Q).where(_Q.c.batch == batch)
                                .order_by(_Q.c.position)).all()
        return [_row(r) for r in rows]

    def item(self, item_id: int) -> QueuedDocument | None:
        """One queued document, or None."""
        with self.store._read() as conn:  # noqa: SLF001
            row = conn.execute(select(_Q).where(_Q.c.id == item_id)).first()
        return _row(row) if row else None

    def finish(self, item_id: int, status: QueuedStatus, outcome: dict[str, Any]) -> bool:
        """Record what came of a queued document, unless it was recorded before; True if now."""
        with self.store._write() as conn:  # noqa: SLF001
            done = conn.execute(update(_Q).where(_Q.c.id == item_id, _Q.c.status == "queued")
                                .values(status=status, finished_at=datetime.now(UTC),
                                        outcome=json.dumps(outcome, sort_keys=True))
                                .returning(_Q.c.id)).first()
        return done is not None

    @contextmanager
    def following(self, batch: str) -> Iterator[Follower]:
        """One connection for following `batch` (no pool check-out per look)."""
        with self.store._database_errors(), self.store.engine.connect() as conn:  # noqa: SLF001
            yield Follower(conn, batch, lost=self.available)

    def finished(self, ids: Sequence[int]) -> list[QueuedDocument]:
        """The documents of `ids` a worker finished, in batch order."""
        if not ids:
            return []
        with self.store._read() as conn:  # noqa: SLF001
            rows = conn.execute(select(_Q).where(_Q.c.id.in_(list(ids)), _Q.c.status != "queued")
                                .order_by(_Q.c.position)).all()
        return [_row(r) for r in rows]

    def lost(self, ids: Sequence[int]) -> dict[int, str]:
        """Documents of `ids` still queued whose job ended without recording an outcome (it
        failed on its last attempt, or someone cancelled it): id -> the job's status."""
        if not ids or not self.available:
            return {}
        with self.store._read() as conn:  # noqa: SLF001
            rows = conn.execute(text(
                "SELECT q.id, j.status::text FROM queued_documents q JOIN procrastinate_jobs j "
                "ON j.id = q.job_id WHERE q.id = ANY(:ids) AND q.status = 'queued' AND "
                "j.status IN ('failed', 'cancelled', 'aborted')"), {"ids": list(ids)}).all()
        return {int(i): str(s) for i, s in rows}

    def counts(self) -> dict[str, int]:
        """Queued documents per status (for a worker's summary and the tests)."""
        with self.store._read() as conn:  # noqa: SLF001
            return {s: int(n) for s, n in conn.execute(
                select(_Q.c.status, func.count()).group_by(_Q.c.status))}

    def revision_content(self, deal_id: str, revision: str) -> str | None:
        """The canonical content of a recorded deal revision, or None."""
        with self.store._read() as conn:  # noqa: SLF001
            return conn.execute(select(deal_revisions.c.content).where(
                deal_revisions.c.deal_id == deal_id,
                deal_revisions.c.revision == revision)).scalar()


class Follower:
    """Looks at one batch's rows on one connection: what finished since the last look."""

    def __init__(self, conn: Connection, batch: str, *, lost: bool) -> None:
        self.conn, self.batch, self._lost = conn, batch, lost
        self.seen: set[int] = set()

    def new(self) -> list[QueuedDocument]:
        """The documents of the batch finished since the last call, in batch order."""
        done = self.conn.execute(select(_Q.c.id).where(
            _Q.c.batch == self.batch, _Q.c.status != "queued")).scalars().all()
        fresh = [int(i) for i in done if i not in self.seen]
        rows = []
        if fresh:
            rows = self.conn.execute(select(_Q).where(_Q.c.id.in_(fresh))
                                     .order_by(_Q.c.position)).all()
            self.seen.update(fresh)
        self.conn.commit()
        return [_row(r) for r in rows]

    def lost(self, ids: Sequence[int]) -> dict[int, str]:
        """See :meth:`QueueBook.lost`."""
        if not ids or not self._lost:
            return {}
        rows = self.conn.execute(text(
            "SELECT q.id, j.status::text FROM queued_documents q JOIN procrastinate_jobs j "
            "ON j.id = q.job_id WHERE q.batch = :b AND q.status = 'queued' AND "
            "j.status IN ('failed', 'cancelled', 'aborted')"), {"b": self.batch}).all()
        self.conn.commit()
        wanted = set(ids)
        return {int(i): str(st) for i, st in rows if int(i) in wanted}


def _has_queue_tables(conn: Connection) -> bool:
    return conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None


def _defer(conn: Connection, jobs: Sequence[tuple[str, dict[str, Any], int, str | None,
                                                  str | None]]) -> list[int]:
    """Defer procrastinate jobs (task, kwargs, priority, lock, queueing lock) on `conn`'s
    transaction, through procrastinate's own query; their ids."""
    from procrastinate import jobs as pjobs
    from procrastinate.manager import JobManager
    from procrastinate.sync_psycopg_connector import SyncPsycopgConnector

    if not jobs:
        return []
    manager = JobManager(SyncPsycopgConnector())  # its pool is never opened: `connection=` below
    deferred = manager.batch_defer_jobs(
        [pjobs.Job(queue=QUEUE, task_name=task, task_kwargs=kwargs, priority=priority,
                   lock=lock, queueing_lock=queueing_lock) for task, kwargs, priority, lock,
         queueing_lock in jobs], connection=conn.connection.driver_connection)
    return [int(j.id) for j in deferred if j.id is not None]

"""``docgen worker`` (SPEC §11): processes that run docgen's jobs from PostgreSQL's job queue.

The queue is `procrastinate <https://procrastinate.readthedocs.io>`_, which needs nothing but
PostgreSQL: jobs are rows of ``procrastinate_jobs``, taken with ``SELECT … FOR UPDATE SKIP
LOCKED``, and a worker is woken by ``LISTEN/NOTIFY`` when one is queued. Any number of workers, on
any number of machines, may run against one database. Each runs one job at a time; ``--concurrency
N`` forks N such processes (rendering is CPU-bound: processes, not threads).

The jobs (tasks of :mod:`docgen.store._queue`, each a thin call into :mod:`docgen.api._queue`):

``docgen.render``
    one document of a ``docgen po --queue`` batch, issued as the person who queued it;
``docgen.send_notifications``
    the notifications an event recorded (while a worker runs, commands and the web app hand
    their sending to it instead of waiting for the mail server);
``docgen.reminders``
    periodic (every ``--reminders-every``, 15 minutes by default): what ``docgen notify`` does,
    reminders and escalations that are due and failed sends again. procrastinate defers one job
    per tick however many workers run.

**A worker that dies.** Each worker records a heartbeat every ``stalled_after / 3`` seconds. A
job whose worker sent none for ``stalled_after`` seconds (30 by default: it was killed, its
machine went down) is queued again by the next worker that looks (every worker looks at start
and every ``stalled_after / 3`` seconds). Running a render job again is safe: the registry gives
one number and one file per deal revision (the dead worker's reservation is voided, its files
removed), see :mod:`docgen.store._sql`. A job that raises (the database went away) is run again
up to :data:`RETRIES` more times, a few seconds apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from docgen.store._queue import QUEUE, TASK_NOTIFY, TASK_RENDER, TASK_SEND

if TYPE_CHECKING:
    from procrastinate import App

    from docgen.render.documents import Renderer
    from docgen.store._sql import Store
    from docgen.workspace import Workspace

__all__ = ["RETRIES", "WorkerOptions", "reminders_cron", "run_workers"]

#: A job that raises is run again this many times (2 s, then 4 s, 8 s later).
RETRIES = 3

Event = Callable[[str], None]


@dataclass(frozen=True)
class WorkerOptions:
    """How ``docgen worker`` runs (see the module docstring)."""

    concurrency: int = 1
    #: stop when no job is ready (after queueing again the jobs of dead workers)
    once: bool = False
    #: seconds without a heartbeat after which a worker's job is queued again
    stalled_after: float = 30.0
    #: seconds between two reminder runs; None: no reminders from this worker
    reminders_every: float | None = 900.0


def reminders_cron(seconds: float) -> str:
    """The cron schedule of "every `seconds`": whole seconds under a minute, whole minutes
    under an hour or whole hours under a day (ValueError otherwise)."""
    s = int(seconds)
    if s != seconds or s <= 0:
        msg = "give a whole number of seconds, minutes or hours"
        raise ValueError(msg)
    if s < 60:  # noqa: PLR2004
        return f"* * * * * */{s}"  # croniter's sixth field: seconds
    if s % 60 == 0 and s < 3600:  # noqa: PLR2004
        return f"*/{s // 60} * * * *"
    if s % 3600 == 0 and s < 86400:  # noqa: PLR2004
        return f"0 */{s // 3600} * * *"
    msg = "give seconds under a minute, whole minutes under an hour or whole hours under a day"
    raise ValueError(msg)


def run_workers(workspace: Workspace, conninfo: str, options: WorkerOptions, *,
                on_event: Event | None = None) -> int:
    """Run the worker process(es) until stopped; how many jobs they ran."""
    if options.concurrency <= 1:
        return _run_process(workspace, conninfo, options, on_event)
    import multiprocessing

    ctx = multiprocessing.get_context("fork")  # the loaded workspace and modules come along
    total = ctx.Value("l", 0)
    procs = [ctx.Process(target=_child, name=f"docgen-worker-{i}",
                         args=(workspace, conninfo, options, on_event, total))
             for i in range(options.concurrency)]
    for p in procs:
        p.start()

    def forward(signum: int, _frame: Any) -> None:
        # Ctrl-C reaches every process of the terminal's group by itself; SIGTERM is ours
        if signum == signal.SIGTERM:
            for p in procs:
                if p.is_alive() and p.pid is not None:
                    os.kill(p.pid, signal.SIGTERM)

    old = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for p in procs:
            p.join()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return int(total.value)


def _child(workspace: Workspace, conninfo: str, options: WorkerOptions, on_event: Event | None,
           total: Any) -> None:
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_DFL if s == signal.SIGTERM else signal.default_int_handler)
    done = _run_process(workspace, conninfo, options, on_event)
    with total.get_lock():
        total.value += done


def _run_process(workspace: Workspace, conninfo: str, options: WorkerOptions,
                 on_event: Event | None) -> int:
    _quiet_logging()
    state = _State(workspace, on_event)
    app = build_app(conninfo, state, options)
    state.event(f"taking jobs{' until none is ready' if options.once else ''} "
                f"(a job of a worker silent for {options.stalled_after:g} s is run again"
                f"{'' if options.reminders_every is None else f'; reminders every {_every(options.reminders_every)}'})")
    try:
        asyncio.run(_main(app, state, options))
    finally:
        state.close()
    state.event(f"stopped after {state.jobs} job(s)")
    return state.jobs


class _State:
    """What one worker process keeps from job to job: the workspace and the warm renderer."""

    def __init__(self, workspace: Workspace, on_event: Event | None) -> None:
        self.workspace = workspace
        self.renderer: Renderer | None = None
        self.store: Store | None = None
        self.jobs = 0
        self.on_event = on_event

    def open_store(self) -> Store:
        """The process's store, opened once (its connections are reused by every job)."""
        if self.store is None:
            from docgen.store import open_store

            self.store = open_store(self.workspace)
        return self.store

    def check_store(self) -> None:
        """After a job: a store still holding a reserved number (the job stopped half-way) is
        closed, which lets go of it (the next issuing run voids it); the next job opens another."""
        if self.store is not None and self.store._held:  # noqa: SLF001
            self.close()

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def event(self, text: str) -> None:
        if self.on_event is not None:
            self.on_event(f"worker {os.getpid()}: {text}")


def build_app(conninfo: str, state: _State, options: WorkerOptions) -> App:
    """The procrastinate app of one worker process, with docgen's tasks bound to `state`."""
    from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy

    from docgen.api import _queue as jobs

    app = App(connector=PsycopgConnector(conninfo=conninfo, min_size=1, max_size=3))
    retry = RetryStrategy(max_attempts=RETRIES, exponential_wait=2)

    @app.task(name=TASK_RENDER, queue=QUEUE, pass_context=True, retry=retry)
    def render(context: JobContext, item: int) -> str:
        final = context.job.attempts >= RETRIES
        try:
            row, state.renderer = jobs.run_render_job(
                state.workspace, item, renderer=state.renderer, store=state.open_store(),
                final_attempt=final, retried=context.job.attempts > 0)
        finally:
            state.check_store()
        state.jobs += 1
        if row is None:
            text = f"queued document {item} no longer exists"
        elif row.status == "done":
            out = row.outcome or {}
            text = (f"{row.deal_id} {row.kind}: {out.get('number') or 'draft'} -> "
                    + ", ".join(out.get("files", {}).values()))
        elif row.status == "blocked":
            text = f"{row.deal_id} {row.kind}: blocked by findings"
        else:
            text = f"{row.deal_id} {row.kind}: failed: {(row.outcome or {}).get('message')}"
        state.event(text)
        return text

    @app.task(name=TASK_SEND, queue=QUEUE, retry=retry)
    def send_notifications(ids: list[int]) -> str:
        run = jobs.run_send_job(state.workspace, ids)
        state.jobs += 1
        text = f"notifications: {len(run.sent)} sent, {len(run.failed)} failed"
        state.event(text)
        return text

    task_options: dict[str, Any] = {"name": TASK_NOTIFY, "queue": QUEUE, "priority": 1,
                                    "queueing_lock": TASK_NOTIFY}

    def reminders(timestamp: int) -> str:
        run = jobs.run_reminders(state.workspace, datetime.fromtimestamp(timestamp, UTC))
        state.jobs += 1
        text = (f"reminders: {len(run.recorded)} recorded, {len(run.sent)} sent, "
                f"{len(run.failed)} failed")
        state.event(text)
        return text

    task = app.task(**task_options)(reminders)
    if options.reminders_every is not None:
        app.periodic(cron=reminders_cron(options.reminders_every),
                     periodic_id="reminders")(task)
    return app


async def _main(app: App, state: _State, options: WorkerOptions) -> None:
    async with app.open_async():
        await _requeue_stalled(app, state, options.stalled_after)
        sweeper = asyncio.create_task(_sweep(app, state, options.stalled_after))
        try:
            await app.run_worker_async(
                queues=[QUEUE], concurrency=1, wait=not options.once, name="docgen",
                update_heartbeat_interval=max(options.stalled_after / 3, 0.2),
                stalled_worker_timeout=options.stalled_after, fetch_job_polling_interval=1.0,
                delete_jobs="successful", install_signal_handlers=True)
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper


async def _sweep(app: App, state: _State, stalled_after: float) -> None:
    while True:
        await asyncio.sleep(max(stalled_after / 3, 0.2))
        await _requeue_stalled(app, state, stalled_after)


async def _requeue_stalled(app: App, state: _State, stalled_after: float) -> None:
    """Queue again every job whose worker sent no heartbeat for `stalled_after` seconds."""
    from procrastinate import exceptions

    try:
        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
    except exceptions.ConnectorException as exc:
        state.event(f"could not look for the jobs of stopped workers: {exc}")
        return
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except exceptions.ConnectorException:
            continue  # another worker queued it again first, or it finished meanwhile
        state.event(f"job {job.id} ({job.task_name} {job.task_kwargs}) was running on a worker "
                    f"that sent no heartbeat for {stalled_after:g} s: queued again")


class _OneLine(logging.Formatter):
    """procrastinate's log records as one line each, without a traceback (DOCGEN_DEBUG=1 keeps
    them)."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"docgen worker {os.getpid()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            first = (str(exc).strip().splitlines() or [""])[0]
            text += f" ({type(exc).__name__}: {first})"
            if os.environ.get("DOCGEN_DEBUG"):
                text += "\n" + self.formatException(record.exc_info)
        return text


def _quiet_logging() -> None:
    log = logging.getLogger("procrastinate")
    if getattr(log, "_docgen", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    log._docgen = True  # type: ignore[attr-defined]  # noqa: SLF001


def _every(seconds: float) -> str:
    s = int(seconds)
    if s % 3600 == 0:
        return f"{s // 3600} h"
    if s % 60 == 0:
        return f"{s // 60} min"
    return f"{s} s"

"""Never twice, also under concurrency: several processes recording or sending at once
(SQLite and PostgreSQL; the PostgreSQL runs are marked ``postgres``)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from docgen import api
from docgen.sla import SlaClock
from tests.conftest import act
from tests.notify.conftest import SmtpSink
from tests.store.conftest import Backend, backend  # noqa: F401 - the fixture, for these tests

WORKERS = 4
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _run(target: object, args_of: object) -> list[object]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(queue, *args_of(barrier)))  # type: ignore[arg-type, operator]
             for _ in range(WORKERS)]
    for p in procs:
        p.start()
    out = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert all(p.exitcode == 0 for p in procs), out
    assert not [o for o in out if isinstance(o, str)], out
    return out


@pytest.mark.slow
def test_notify_runs_at_once_send_each_reminder_once(ws_path: Path, backend: Backend,  # noqa: F811
                                                     smtp_sink: SmtpSink) -> None:
    # given: four findings submitted; their reminders are due
    from tests.notify._workers import notify_at

    deal = next((ws_path / "examples" / "deals").glob("D-2026-0042*.yaml"))
    with api.Session(ws_path) as s:
        act(ws_path, "sam.seller@brightfield.example", "submit", [deal], now=T0)
        warn = SlaClock(s.workspace.policy.business_hours).add(T0, 24)
    smtp_sink.clear()
    # when: four cron runs start at the same moment
    sent = _run(notify_at, lambda b: (str(ws_path), backend.url, smtp_sink.url,
                                      warn.isoformat(), b))
    # then: every reminder went out once, whoever sent it
    mails = smtp_sink.mails
    pairs = [(m.to, m.subject) for m in mails]
    assert len(pairs) == 10
    assert len(set(pairs)) == len(pairs), "a reminder was sent twice"
    assert sum(int(n) for n in sent) == 10  # type: ignore[call-overload]


@pytest.mark.slow
def test_recording_the_same_notifications_at_once_keeps_one_row_each(
        ws_path: Path, backend: Backend) -> None:  # noqa: F811
    # given
    from docgen.store import open_store
    from docgen.store._notify import Outbox
    from docgen.workspace import Workspace
    from tests.notify._workers import record_same

    open_store(Workspace(ws_path)).close()  # the schema exists
    # when: four processes record the same 25 notifications at once
    created = _run(record_same, lambda b: (str(ws_path), backend.url, 25, b))
    # then: the unique key kept one row per notification, and no process failed on it
    assert sum(int(n) for n in created) == 25  # type: ignore[call-overload]
    with open_store(Workspace(ws_path)) as store:
        rows = Outbox(store).notifications()
    assert len(rows) == 25
    assert len({r.key for r in rows}) == 25


def test_the_key_is_unique_in_the_database(ws_path: Path, backend: Backend) -> None:  # noqa: F811
    # given: a row, then a plain INSERT of the same key past the outbox
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from docgen.store import open_store
    from docgen.store._tables_notify import notifications
    from docgen.workspace import Workspace

    now = datetime.now(UTC)
    row = {"key": "k" * 64, "kind": "reminder", "deal_id": "D-1", "about": "x",
           "recipient": "a@b.c", "locale": "en", "subject": "s", "body_text": "t",
           "body_html": "h", "status": "pending", "attempts": 0, "created_at": now,
           "updated_at": now}
    with open_store(Workspace(ws_path)) as store:
        with store.engine.begin() as conn:
            conn.execute(insert(notifications).values(**row))
        # when / then: the database itself refuses the second
        with pytest.raises(IntegrityError), store.engine.begin() as conn:
            conn.execute(insert(notifications).values(**row))

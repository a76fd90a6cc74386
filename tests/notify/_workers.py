"""Code run in child processes by the notification tests (importable under spawn)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any


def _env(db_url: str | None, smtp_url: str | None) -> None:
    for name, value in (("DOCGEN_DATABASE_URL", db_url), ("DOCGEN_SMTP_URL", smtp_url)):
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)


def notify_at(queue: Any, ws_root: str, db_url: str | None, smtp_url: str | None, now: str,
              barrier: Any) -> None:
    """Run ``Session.notify(now=…)`` once all workers are ready; put the count sent on `queue`."""
    try:
        _env(db_url, smtp_url)
        from docgen import api

        with api.Session(Path(ws_root)) as s:
            s.store  # noqa: B018 - open (and migrate) before the race, as a cron run would
            barrier.wait(timeout=120)
            run = s.notify(now=datetime.fromisoformat(now))
        queue.put(len(run.sent))
    except BaseException as exc:
        queue.put(f"{type(exc).__name__}: {exc}")
        raise


def record_same(queue: Any, ws_root: str, db_url: str | None, count: int, barrier: Any) -> None:
    """Record the same `count` notifications as every other worker, all at once."""
    try:
        _env(db_url, None)
        from docgen.store import open_store
        from docgen.store._notify import NewNotification, Outbox
        from docgen.workspace import Workspace

        store = open_store(Workspace(Path(ws_root)))
        items = [NewNotification(key=f"{i:064d}", kind="reminder", deal_id="D-1",
                                 about=f"PRC001 lines[{i}]", fingerprint="f", recipient="a@b.c",
                                 locale="en", subject="s", body_text="t", body_html="h")
                 for i in range(count)]
        barrier.wait(timeout=120)
        created = Outbox(store).record(items, send=True)
        store.close()
        queue.put(len(created))
    except BaseException as exc:
        queue.put(f"{type(exc).__name__}: {exc}")
        raise

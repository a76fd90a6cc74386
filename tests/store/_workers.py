"""Code run in child processes by the store tests (importable under the spawn start method)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def _store(ws_root: str, url: str | None) -> Any:
    if url:
        os.environ["DOCGEN_DATABASE_URL"] = url
    else:
        os.environ.pop("DOCGEN_DATABASE_URL", None)
    from docgen.store import open_store
    from docgen.workspace import Workspace

    return open_store(Workspace(Path(ws_root)))


def reserve_many(ws_root: str, url: str | None, worker: int, rounds: int, barrier: Any,
                 year: int = 2026) -> list[str]:
    """Reserve PO numbers in `rounds` transactions of 1-3 numbers each, all workers at once."""
    store = _store(ws_root, url)
    try:
        barrier.wait(timeout=120)
        out: list[str] = []
        for i in range(rounds):
            batch = [(f"D-{worker}-{i}-{k}", f"fp{worker}{i}{k}") for k in range(1 + (i + worker) % 3)]
            out += store.reserve_po_numbers(batch, year=year, prefix="PO")
        return out
    finally:
        store.close()


def reserve_into(queue: Any, ws_root: str, url: str | None, worker: int, rounds: int,
                 barrier: Any) -> None:
    """:func:`reserve_many`, its result (or the error, as text) put on `queue`."""
    try:
        queue.put((worker, reserve_many(ws_root, url, worker, rounds, barrier)))
    except BaseException as exc:  # the test shows what went wrong in the child
        queue.put((worker, f"{type(exc).__name__}: {exc}"))
        raise


def hang_in_transaction(ws_root: str, url: str | None, table: str) -> None:
    """Run a write that stops (forever) right after its INSERT/UPDATE on `table`.

    Prints "ready" once the statement ran inside the open transaction, so that the test can
    kill this process at the worst moment.
    """
    from sqlalchemy import event

    store = _store(ws_root, url)

    @event.listens_for(store.engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        head = statement.lstrip().upper()
        if (head.startswith(("INSERT", "UPDATE")) and table.upper() in head.split("(")[0]
                and not head.startswith("INSERT INTO ALEMBIC")):
            print("ready", flush=True)
            time.sleep(600)

    if table == "approval_decisions":
        from docgen import api
        from docgen.approvals import decide
        from docgen.workspace import Workspace

        ws = Workspace(Path(ws_root))
        (result,) = api.Session(ws).validate([sys.argv[-1]], approvals=False)
        from tests.store.conftest import person

        decide(store, ws.policy, result, code="CAT002", where="lines[3]", role="cs",
               by=person(store, "cs.lead@brightfield.example"), decision="approve")
    else:
        store.reserve_po_numbers([("D-KILL", "fp")], year=2026, prefix="PO")


if __name__ == "__main__":
    # python -m tests.store._workers WS_ROOT URL|- TABLE [DEAL]
    hang_in_transaction(sys.argv[1], None if sys.argv[2] == "-" else sys.argv[2], sys.argv[3])

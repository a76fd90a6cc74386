"""The session's onboarding-task and notification commands (``docgen tasks``, ``onboarding
--format ics``, ``docgen notify``), kept apart from :mod:`._session` so that it stays short."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    from docgen.api._session import PathLike, Session
    from docgen.models.deal import Deal
    from docgen.store._notify import PlannedTask, Task

__all__ = ["CalendarFile", "TaskChange", "TaskList", "list_tasks", "set_task_status",
           "write_calendar"]


@dataclass(frozen=True)
class TaskList:
    """A deal's onboarding tasks; `contract_start` None when the deal file was not given or has
    none (then the tasks are undated)."""

    deal_id: str
    tasks: list[Task]
    contract_start: date | None


@dataclass(frozen=True)
class TaskChange:
    """A task after a status change; `changed` False when it had that status already."""

    deal_id: str
    number: int
    task: Task
    changed: bool


@dataclass(frozen=True)
class CalendarFile:
    """The onboarding plan written as an iCalendar file."""

    deal_id: str
    path: Path
    events: int


def _deal(session: Session, deal: PathLike | str) -> tuple[str, Deal | None]:
    """(deal id, the deal) for a deal file; (id, None) for a bare deal id."""
    from docgen.api._session import _is_deal_id

    if Path(deal).is_file():
        ((_, loaded),) = session.load([deal])
        return loaded.deal, loaded
    if _is_deal_id(str(deal)):
        return str(deal), None
    raise InputError([Problem(str(deal), None, "", "no such deal file, and not a deal id")])


def _synced(session: Session, deal: PathLike | str) -> tuple[str, Deal | None, list[Task]]:
    """The deal's tasks, first brought in line with the policy's plan when a file is given."""
    from docgen.store._notify import TaskBook
    from docgen.tasks import plan_tasks

    deal_id, loaded = _deal(session, deal)
    if loaded is not None and session.workspace.read_only \
            and session._existing_store() is None:  # noqa: SLF001
        # the bundled sample keeps no state: the plan as it stands, every task open
        return deal_id, loaded, _unrecorded(deal_id, plan_tasks(loaded,
                                                                session.workspace.policy))
    if loaded is not None:
        book = TaskBook(session.store)
        book.sync(deal_id, plan_tasks(loaded, session.workspace.policy))
        return deal_id, loaded, book.tasks(deal_id)
    store = session._existing_store()  # noqa: SLF001 - the session's own helper
    return deal_id, None, TaskBook(store).tasks(deal_id) if store is not None else []


def _unrecorded(deal_id: str, planned: list[PlannedTask]) -> list[Task]:
    from docgen.store._notify import Task

    return [Task(deal_id=deal_id, key=t.key, week=t.week, owner=t.owner, title=t.title,
                 touchpoint=t.touchpoint, repeat=t.repeat, until_week=t.until_week,
                 due_on=t.due_on, status="open", status_by=None, status_at=None, note=None)
            for t in planned]


def list_tasks(session: Session, deal: PathLike | str) -> TaskList:
    """See :meth:`docgen.api.Session.tasks`."""
    deal_id, loaded, tasks = _synced(session, deal)
    return TaskList(deal_id, tasks, loaded.contract.start if loaded else None)


def set_task_status(session: Session, deal: PathLike | str, ref: str,
                    status: Literal["open", "done", "skipped"], *, by: str | None,
                    note: str | None, now: datetime | None) -> TaskChange:
    """See :meth:`docgen.api.Session.set_task_status`."""
    from docgen.store._notify import TaskBook
    from docgen.tasks import find_task

    deal_id, _, tasks = _synced(session, deal)
    task = find_task(tasks, ref, deal_id=deal_id)
    if status == "skipped" and not (note and note.strip()):
        raise InputError([Problem("--note", None, "", "skipping a task needs a --note saying "
                                  "why")])
    updated, changed = TaskBook(session.store).set_status(
        deal_id, task.key, status, by=(by or "").strip() or None,
        note=(note or "").strip() or None, now=now or datetime.now(UTC))
    return TaskChange(deal_id, tasks.index(task) + 1, updated if changed else task, changed)


def write_calendar(session: Session, deal: PathLike, out_dir: Path, *,
                   issue_date: date | None) -> CalendarFile:
    """See :meth:`docgen.api.Session.onboarding_calendar`."""
    from docgen.tasks import plan_calendar, stamp_of

    if not Path(deal).is_file():
        raise InputError([Problem(str(deal), None, "", "no such deal file")])
    deal_id, loaded, tasks = _synced(session, deal)
    assert loaded is not None  # noqa: S101 - a file was given
    data = plan_calendar(loaded, tasks, stamp=stamp_of(issue_date))
    session._writable(out_dir, "a calendar")  # noqa: SLF001 - the session's own helper
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{deal_id}-onboarding.ics"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return CalendarFile(deal_id, path, len(tasks))

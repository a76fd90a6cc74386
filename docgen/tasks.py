"""Onboarding tasks: the policy's plan as tasks of a deal, and as a calendar (SPEC §5, issue 15).

Each task of ``onboarding_plan`` becomes a task of the deal, due on contract start + 7 × its
week (a recurring task, ``repeat: [mon, wed, fri]``, on the first of those weekdays from then,
recurring weekly on them until ``until_week``). A task has an owner — a person (an address, or
the deal's ``sales_rep``) or a team (any other name) — and a status: open, done or skipped, with
who set it, when, and a note. The store keeps them (:class:`docgen.store._notify.TaskBook`).

A task's key is stable and readable: ``w2-introduction-call-with-onboarding-contact`` (its week
and the start of its text); ``docgen tasks done DEAL TASK`` takes the key, a unique start of it,
or the task's number in the ``docgen tasks`` listing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem
from docgen.models.policy import SALES_REP

if TYPE_CHECKING:
    from docgen.models.deal import Deal
    from docgen.models.policy import Policy
    from docgen.store._notify import PlannedTask, Task

__all__ = ["find_task", "owner_kind", "plan_tasks", "plan_calendar", "rrule"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEY_WORDS = 48


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > _KEY_WORDS:
            break
        out = f"{out}-{w}" if out else w
    return out or "task"


def owner_kind(owner: str) -> str:
    """``person`` for an address or the deal's sales rep, else ``team``."""
    return "person" if "@" in owner or owner == SALES_REP else "team"


def _first_on(day: date, repeat: Sequence[str]) -> date:
    """The first day on or after `day` whose weekday is in `repeat`."""
    wanted = {_DAYS.index(d) for d in repeat}
    while day.weekday() not in wanted:
        day += timedelta(days=1)
    return day


def plan_tasks(deal: Deal, policy: Policy) -> list[PlannedTask]:
    """The plan's tasks as they apply to `deal` (undated while it has no contract start)."""
    from docgen.store._notify import PlannedTask

    start = deal.contract.start
    seen: dict[str, int] = {}
    out: list[PlannedTask] = []
    for t in policy.onboarding_plan:
        base = f"w{t.week}-{_slug(t.task)}"
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}-{seen[base]}"
        due = start + timedelta(days=7 * t.week) if start else None
        if due is not None and t.repeat:
            due = _first_on(due, t.repeat)
        out.append(PlannedTask(key=key, week=t.week, owner=t.owner, title=t.task,
                               touchpoint=t.touchpoint, repeat=tuple(t.repeat),
                               until_week=t.until_week, due_on=due))
    return out


def rrule(task: PlannedTask | Task, start: date | None) -> dict[str, object] | None:
    """The recurrence rule of a recurring task (icalendar's form), None for a one-off."""
    if not task.repeat:
        return None
    rule: dict[str, object] = {"freq": "weekly",
                               "byday": [d[:2].upper() for d in _DAYS if d in task.repeat]}
    if task.until_week is not None and start is not None:
        # the recurrence ends before the plan's week `until_week` starts
        rule["until"] = start + timedelta(days=7 * task.until_week - 1)
    return rule


def find_task(tasks: Sequence[Task], ref: str, *, deal_id: str) -> Task:
    """The task `ref` names: its number in the listing, its key, or a unique start of its key."""
    ref = ref.strip()
    if ref.lstrip("#").isdigit():
        n = int(ref.lstrip("#"))
        if 1 <= n <= len(tasks):
            return tasks[n - 1]
    exact = [t for t in tasks if t.key == ref]
    if exact:
        return exact[0]
    starts = [t for t in tasks if t.key.startswith(ref)] if ref else []
    if len(starts) == 1:
        return starts[0]
    if starts:
        why = f"{ref!r} starts {len(starts)} task keys: {', '.join(t.key for t in starts)}"
    elif not tasks:
        why = (f"{deal_id} has no onboarding tasks recorded; run `docgen tasks` with the deal "
               "file first")
    else:
        why = (f"{deal_id} has no task {ref!r}; give its number (1-{len(tasks)}) or key "
               f"(e.g. {tasks[0].key})")
    raise InputError([Problem("TASK", None, "", why)])


def plan_calendar(deal: Deal, tasks: Sequence[Task], *, stamp: datetime | None = None) -> bytes:
    """The deal's onboarding tasks as an iCalendar file: one all-day event per task, with its
    recurrence rule. `stamp` is the DTSTAMP of every event (default: now)."""
    from icalendar import Calendar, Event

    start = deal.contract.start
    undated = [t.key for t in tasks if t.due_on is None]
    if start is None or undated:
        raise InputError([Problem("contract.start", None, "", (
            f"{deal.deal} has no contract start (DAT002): its onboarding tasks have no dates "
            "to put in a calendar"))])
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//docgen//onboarding plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Onboarding {deal.deal} {deal.customer.name}")
    for t in tasks:
        assert t.due_on is not None  # noqa: S101 - checked above
        ev = Event()
        ev.add("uid", f"{deal.deal}-{t.key}@docgen")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", t.due_on)
        ev.add("dtend", t.due_on + timedelta(days=1))
        ev.add("summary", f"{t.title} ({deal.customer.name}, {deal.deal})")
        lines = [f"Owner: {t.owner} ({owner_kind(t.owner)})", f"Deal: {deal.deal}",
                 f"Customer: {deal.customer.name}", f"Week {t.week} of the onboarding plan",
                 f"Status: {t.status}"]
        if t.status != "open" and t.status_at is not None:
            by = f" by {t.status_by}" if t.status_by else ""
            lines[-1] += f"{by} on {t.status_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        ev.add("description", "\n".join(lines))
        ev.add("categories", [c for c in (t.owner, "touchpoint" if t.touchpoint else None) if c])
        ev.add("transp", "TRANSPARENT")
        rule = rrule(t, start)
        if rule is not None:
            ev.add("rrule", rule)
        cal.add_component(ev)
    return bytes(cal.to_ical())


def stamp_of(day: date | None) -> datetime | None:
    """A document date as a DTSTAMP (its midnight UTC), so that a given --date gives the same
    bytes every time."""
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None

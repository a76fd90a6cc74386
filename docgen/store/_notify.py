"""Notifications and onboarding tasks in the store (issue 15): the outbox and the task book.

**Outbox.** A notification is recorded once: its ``key`` (SHA-256 of kind, deal, what it is
about and the recipient) is unique, and recording goes through INSERT … ON CONFLICT DO NOTHING,
so two processes recording the same event at once leave one row. Sending claims a row first, in
one guarded UPDATE (``pending``/``failed`` → ``sending``): of two processes that try, exactly one
gets it, so a notification is handed to the mail server at most once per claim. A process that
dies between the claim and marking the row ``sent`` leaves it ``sending``; after
:data:`STALE_CLAIM` it is claimed again (the mail carries a Message-ID derived from the key, so a
mail client shows a rare duplicate as one message).

**Task book.** The onboarding plan's tasks of a deal, one row per (deal, task key), with status
``open``, ``done`` or ``skipped`` and who set it, when, and a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import and_, or_, select, update

from docgen.store._tables_notify import notifications as _N
from docgen.store._tables_notify import onboarding_tasks as _T

if TYPE_CHECKING:
    from docgen.store._sql import Store

__all__ = ["MAX_ATTEMPTS", "STALE_CLAIM", "NewNotification", "Notification", "Outbox",
           "PlannedTask", "Task", "TaskBook"]

#: A claim older than this is taken to belong to a process that died while sending.
STALE_CLAIM = timedelta(minutes=15)
#: Failed sends are retried on each run until this many attempts were made.
MAX_ATTEMPTS = 20

NotificationStatus = Literal["pending", "sending", "sent", "failed", "recorded"]
TaskStatus = Literal["open", "done", "skipped"]


@dataclass(frozen=True, slots=True)
class NewNotification:
    """A notification to record: the event, its recipient and the rendered message."""

    key: str
    kind: str
    deal_id: str
    about: str
    fingerprint: str | None
    recipient: str
    locale: str
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True, slots=True)
class Notification:
    """A recorded notification and where its sending stands."""

    id: int
    key: str
    kind: str
    deal_id: str
    about: str
    fingerprint: str | None
    recipient: str
    locale: str
    subject: str
    body_text: str
    body_html: str
    status: NotificationStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (without the bodies)."""
        return {"id": self.id, "kind": self.kind, "deal": self.deal_id, "about": self.about,
                "recipient": self.recipient, "subject": self.subject, "status": self.status,
                "attempts": self.attempts, "last_error": self.last_error,
                "created_at": self.created_at.isoformat(),
                "sent_at": self.sent_at.isoformat() if self.sent_at else None}


def _notification(row: Any) -> Notification:
    return Notification(id=row.id, key=row.key, kind=row.kind, deal_id=row.deal_id,
                        about=row.about, fingerprint=row.fingerprint, recipient=row.recipient,
                        locale=row.locale, subject=row.subject, body_text=row.body_text,
                        body_html=row.body_html, status=row.status, attempts=row.attempts,
                        last_error=row.last_error, created_at=row.created_at,
                        sent_at=row.sent_at)


class Outbox:
    """Recording, claiming and marking notifications in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, items: Iterable[NewNotification], *, send: bool,
               now: datetime | None = None) -> list[Notification]:
        """Record each item unless its key is recorded already; returns those recorded now.

        `send` False (no mail server configured) records them as ``recorded``: kept for the
        inbox, never sent later.
        """
        now = now or datetime.now(UTC)
        created: list[int] = []
        with self.store._write() as conn:  # noqa: SLF001 - the store's own package
            for n in items:
                values = {"key": n.key, "kind": n.kind, "deal_id": n.deal_id, "about": n.about,
                          "fingerprint": n.fingerprint, "recipient": n.recipient,
                          "locale": n.locale, "subject": n.subject, "body_text": n.body_text,
                          "body_html": n.body_html, "status": "pending" if send else "recorded",
                          "attempts": 0, "created_at": now, "updated_at": now}
                if self.store._insert_ignore(conn, _N, values, ("key",)):  # noqa: SLF001
                    created.append(conn.execute(select(_N.c.id).where(_N.c.key == n.key))
                                   .scalar_one())
        return self._by_ids(created)

    def recorded(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` are recorded."""
        keys = sorted(set(keys))
        if not keys:
            return set()
        with self.store._read() as conn:  # noqa: SLF001
            return set(conn.execute(select(_N.c.key).where(_N.c.key.in_(keys))).scalars())

    def claim(self, ids: Sequence[int] | None = None, *, now: datetime | None = None
              ) -> list[Notification]:
        """Claim what is to send (of `ids`, or everything due): pending, failed with attempts
        left, or claimed by a process that died. Each row goes to one claimant only."""
        now = now or datetime.now(UTC)
        claimable = or_(_N.c.status == "pending",
                        and_(_N.c.status == "failed", _N.c.attempts < MAX_ATTEMPTS),
                        and_(_N.c.status == "sending", _N.c.updated_at < now - STALE_CLAIM))
        q = select(_N.c.id).where(claimable).order_by(_N.c.id)
        if ids is not None:
            if not ids:
                return []
            q = q.where(_N.c.id.in_(list(ids)))
        with self.store._read() as conn:  # noqa: SLF001
            candidates = list(conn.execute(q).scalars())
        won: list[int] = []
        for nid in candidates:
            # one short transaction per row: the guard in WHERE makes the claim exclusive
            with self.store._write() as conn:  # noqa: SLF001
                got = conn.execute(update(_N).where(_N.c.id == nid, claimable)
                                   .values(status="sending", attempts=_N.c.attempts + 1,
                                           updated_at=now)
                                   .returning(_N.c.id)).first()
            if got is not None:
                won.append(nid)
        return self._by_ids(won)

    def mark_sent(self, nid: int, *, now: datetime | None = None) -> None:
        """The mail server accepted the message."""
        now = now or datetime.now(UTC)
        with self.store._write() as conn:  # noqa: SLF001
            conn.execute(update(_N).where(_N.c.id == nid).values(
                status="sent", sent_at=now, updated_at=now, last_error=None))

    def mark_failed(self, nid: int, error: str, *, now: datetime | None = None) -> None:
        """Sending failed; the next run tries again (up to :data:`MAX_ATTEMPTS`)."""
        now = now or datetime.now(UTC)
        with self.store._write() as conn:  # noqa: SLF001
            conn.execute(update(_N).where(_N.c.id == nid).values(
                status="failed", updated_at=now, last_error=error[:2000]))

    def notifications(self, deal_id: str | None = None) -> list[Notification]:
        """Every recorded notification (of one deal), oldest first."""
        q = select(_N).order_by(_N.c.id)
        if deal_id is not None:
            q = q.where(_N.c.deal_id == deal_id)
        with self.store._read() as conn:  # noqa: SLF001
            return [_notification(r) for r in conn.execute(q)]

    def _by_ids(self, ids: Sequence[int]) -> list[Notification]:
        if not ids:
            return []
        with self.store._read() as conn:  # noqa: SLF001
            rows = conn.execute(select(_N).where(_N.c.id.in_(list(ids))).order_by(_N.c.id))
            return [_notification(r) for r in rows]


# -- onboarding tasks ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlannedTask:
    """A plan task as it applies to one deal now (what :meth:`TaskBook.sync` writes)."""

    key: str
    week: int
    owner: str
    title: str
    touchpoint: bool
    repeat: tuple[str, ...]
    until_week: int | None
    due_on: date | None


@dataclass(frozen=True, slots=True)
class Task:
    """An onboarding task of a deal, with its status and who set it when."""

    deal_id: str
    key: str
    week: int
    owner: str
    title: str
    touchpoint: bool
    repeat: tuple[str, ...]
    until_week: int | None
    due_on: date | None
    status: TaskStatus
    status_by: str | None
    status_at: datetime | None
    note: str | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"deal": self.deal_id, "task": self.key, "week": self.week, "owner": self.owner,
                "title": self.title, "touchpoint": self.touchpoint, "repeat": list(self.repeat),
                "until_week": self.until_week,
                "due": self.due_on.isoformat() if self.due_on else None, "status": self.status,
                "by": self.status_by,
                "at": self.status_at.isoformat() if self.status_at else None, "note": self.note}


def _task(row: Any) -> Task:
    return Task(deal_id=row.deal_id, key=row.task_key, week=row.week, owner=row.owner,
                title=row.title, touchpoint=bool(row.touchpoint),
                repeat=tuple((row.repeat or "").split()), until_week=row.until_week,
                due_on=row.due_on, status=row.status, status_by=row.status_by,
                status_at=row.status_at, note=row.note)


def _plan_values(t: PlannedTask) -> dict[str, Any]:
    return {"week": t.week, "owner": t.owner, "title": t.title, "touchpoint": t.touchpoint,
            "repeat": " ".join(t.repeat) or None, "until_week": t.until_week, "due_on": t.due_on}


class TaskBook:
    """The onboarding tasks of deals in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sync(self, deal_id: str, planned: Sequence[PlannedTask], *,
             now: datetime | None = None) -> None:
        """Make the deal's tasks follow the plan: new tasks are added (open); the plan's data
        (owner, title, due date, recurrence) is brought up to date; statuses are kept."""
        now = now or datetime.now(UTC)
        with self.store._write() as conn:  # noqa: SLF001
            for t in planned:
                values = {"deal_id": deal_id, "task_key": t.key, **_plan_values(t),
                          "status": "open", "created_at": now}
                if not self.store._insert_ignore(conn, _T, values,  # noqa: SLF001
                                                 ("deal_id", "task_key")):
                    conn.execute(update(_T).where(_T.c.deal_id == deal_id,
                                                  _T.c.task_key == t.key)
                                 .values(**_plan_values(t)))

    def tasks(self, deal_id: str) -> list[Task]:
        """The deal's tasks, by due date (undated last), then week and key."""
        q = select(_T).where(_T.c.deal_id == deal_id).order_by(_T.c.week, _T.c.id)
        with self.store._read() as conn:  # noqa: SLF001
            return [_task(r) for r in conn.execute(q)]

    def set_status(self, deal_id: str, key: str, status: TaskStatus, *, by: str | None,
                   note: str | None, now: datetime | None = None) -> tuple[Task, bool]:
        """Set a task's status; returns the task and False when it already had that status
        (then nothing changes: the first who and when stay)."""
        now = now or datetime.now(UTC)
        with self.store._write() as conn:  # noqa: SLF001
            row = conn.execute(select(_T).where(_T.c.deal_id == deal_id, _T.c.task_key == key)
                               .with_for_update()).one()
            if row.status == status:
                return _task(row), False
            conn.execute(update(_T).where(_T.c.id == row.id).values(
                status=status, status_by=None if status == "open" else by,
                status_at=None if status == "open" else now, note=note))
            row = conn.execute(select(_T).where(_T.c.id == row.id)).one()
        return _task(row), True

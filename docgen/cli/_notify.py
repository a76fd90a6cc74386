"""``docgen notify`` and ``docgen tasks`` (SPEC §5, §11)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any, Literal

import click

from docgen.cli._approvals import _parse_now
from docgen.cli._common import EXIT_OK, Text, err, session

__all__ = ["notify", "tasks"]

EXIT_FAILED_SENDS = 1


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@click.command()
@click.argument("deals", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--now", "now", metavar="T", default=None,
              help="The clock for what is due, ISO 8601 (without a zone: UTC); default: now.")
@click.option("--list", "as_list", is_flag=True,
              help="List the recorded notifications instead of sending (with --deal: one deal's).")
@click.option("--deal", "deal_id", metavar="ID", default=None, help="With --list: one deal only.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def notify(ctx: click.Context, deals: tuple[str, ...], now: str | None, as_list: bool,
           deal_id: str | None, as_json: bool) -> None:
    """Send the notifications that are due: run it from cron (e.g. every 15 minutes).

    Reminders at the policy's warn_hours and escalations at sla_hours (business hours) for every
    open approval request; the go-live notice of each DEAL given; and every send that failed
    before. Each notification is sent once, however often this runs. Without DOCGEN_SMTP_URL
    notifications are recorded only. Exit 1 when a send failed (it is retried next run).
    """
    if as_list:
        with session(ctx, locked=False) as s:
            found = s.notifications(deal_id)
        if as_json:
            click.echo(json.dumps({"notifications": [n.to_json() for n in found]}, indent=2,
                                  ensure_ascii=False))
            return
        if not found:
            click.echo("no notifications recorded")
        for n in found:
            why = f"  ({n.last_error})" if n.status == "failed" and n.last_error else ""
            click.echo(f"{_when(n.created_at)}  {n.status:<8} {n.kind:<18} {n.deal_id} "
                       f"{n.about} -> {n.recipient}{why}")
        return
    with session(ctx) as s:
        run = s.notify(deals, now=_parse_now(now))
    if as_json:
        click.echo(json.dumps({
            "recorded": [n.to_json() for n in run.recorded],
            "sent": [n.to_json() for n in run.sent],
            "failed": [{**n.to_json(), "error": why} for n, why in run.failed],
            "record_only": run.record_only}, indent=2, ensure_ascii=False))
    else:
        for n in run.sent:
            click.echo(f"sent {n.kind} {n.deal_id} {n.about} -> {n.recipient}")
        for n, why in run.failed:
            err(f"failed {n.kind} {n.deal_id} {n.about} -> {n.recipient}: {why} "
                "(retried next run)")
        tail = " (no DOCGEN_SMTP_URL: recorded only)" if run.record_only else ""
        click.echo(f"{len(run.recorded)} notification(s) recorded, {len(run.sent)} sent, "
                   f"{len(run.failed)} failed{tail}")
    sys.exit(EXIT_FAILED_SENDS if run.failed else EXIT_OK)


class _DefaultList(click.Group):
    """``docgen tasks DEAL`` lists; ``docgen tasks done|skip|reopen DEAL TASK`` changes one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultList)
def tasks() -> None:
    """The onboarding tasks of a deal: 'docgen tasks DEAL' lists them with owner, due date and
    status; 'docgen tasks done DEAL TASK' marks one done ('skip' and 'reopen' likewise).

    DEAL is the deal file (its tasks follow the policy's onboarding plan and the contract start)
    or, once they are recorded, its id. TASK is the task's number in the listing, its key, or a
    unique start of its key.
    """


@tasks.command("list")
@click.argument("deal")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_tasks(ctx: click.Context, deal: str, as_json: bool) -> None:
    """List the onboarding tasks of DEAL."""
    with session(ctx) as s:
        found = s.tasks(deal)
    if as_json:
        click.echo(json.dumps({"deal": found.deal_id, "tasks": [
            {"number": i, **t.to_json()} for i, t in enumerate(found.tasks, 1)]},
            indent=2, ensure_ascii=False))
        return
    if not found.tasks:
        click.echo(f"{found.deal_id}: no onboarding tasks (the policy has no onboarding_plan, "
                   "or give the deal file)")
        return
    done = sum(1 for t in found.tasks if t.status != "open")
    click.echo(f"{found.deal_id}: {len(found.tasks)} task(s), {done} closed")
    for i, t in enumerate(found.tasks, 1):
        click.echo(_task_line(i, t))


def _task_line(i: int, t: Any) -> str:
    due = t.due_on.isoformat() if t.due_on else "no date (no contract start)"
    rep = f", every {'/'.join(d.title() for d in t.repeat)}" if t.repeat else ""
    until = f" until week {t.until_week}" if t.repeat and t.until_week is not None else ""
    state = t.status
    if t.status != "open":
        by = f" by {t.status_by}" if t.status_by else ""
        at = f" {_when(t.status_at)}" if t.status_at else ""
        note = f": {t.note}" if t.note else ""
        state = f"{t.status}{by}{at}{note}"
    mark = " *" if t.touchpoint else ""
    return (f"  {i:>2}. {due}{rep}{until}  [{t.owner}]  {t.title}{mark}  — {state}\n"
            f"      key: {t.key}")


def _change(ctx: click.Context, deal: str, task: str, status: Literal["open", "done", "skipped"],
            note: str | None) -> None:
    with session(ctx) as s:  # who: the person whose token is in DOCGEN_TOKEN
        change = s.set_task_status(deal, task, status=status, note=note)
    t = change.task
    if not change.changed:
        click.echo(f"{change.deal_id}: task {change.number} is {t.status} already; nothing "
                   "changed")
    else:
        click.echo(f"{change.deal_id}: task {change.number} {t.status}: {t.title}")
    click.echo(_task_line(change.number, t))


def _task_args(fn: Any) -> Any:
    for opt in reversed([
        click.argument("deal", type=Text()),
        click.argument("task", type=Text()),
    ]):
        fn = opt(fn)
    return fn


@tasks.command("done")
@_task_args
@click.option("--note", default=None, type=Text(), help="What was done (optional).")
@click.pass_context
def done(ctx: click.Context, deal: str, task: str, note: str | None) -> None:
    """Mark TASK of DEAL done (as the person whose token is in DOCGEN_TOKEN)."""
    _change(ctx, deal, task, "done", note)


@tasks.command("skip")
@_task_args
@click.option("--note", required=True, type=Text(), help="Why it is skipped.")
@click.pass_context
def skip(ctx: click.Context, deal: str, task: str, note: str) -> None:
    """Mark TASK of DEAL skipped (with a note saying why)."""
    _change(ctx, deal, task, "skipped", note)


@tasks.command("reopen")
@_task_args
@click.pass_context
def reopen(ctx: click.Context, deal: str, task: str) -> None:
    """Open TASK of DEAL again."""
    _change(ctx, deal, task, "open", None)

"""``docgen submit``, ``approve``, ``reject``, ``approvals`` and ``report`` (SPEC §5).

The store (SQLAlchemy) and the report renderers are imported inside the commands, so that other
commands, ``docgen validate`` above all, never pay for them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import click

from docgen.cli._common import workspace
from docgen.errors import InputError, Problem

__all__ = ["approvals", "approve", "reject", "report", "submit"]


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _validated(ws: Any, paths: tuple[str, ...] | list[str]) -> list[Any]:
    """Deals as they are now, *without* recorded approvals applied (what approvals bind to)."""
    from docgen import api

    return api.validate_files(ws, list(paths))


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--by", "by", metavar="WHO", default=None,
              help="Who submits (recorded with each request).")
@click.pass_context
def submit(ctx: click.Context, deals: tuple[str, ...], by: str | None) -> None:
    """Record an approval request for each approval finding of each DEAL (starts the SLA clock).

    Submitting again is harmless: a finding whose line has not changed keeps its first request
    and its SLA clock; a changed line is a new request.
    """
    from docgen.approvals import submit as submit_deal
    from docgen.store import open_store

    ws = workspace(ctx)
    results = _validated(ws, deals)
    store = open_store(ws)
    try:
        for r in results:
            recorded = submit_deal(store, r, by=by)
            if not recorded:
                click.echo(f"{r.deal.deal}: no approval findings, nothing to submit")
                continue
            new = sum(1 for _, created in recorded if created)
            click.echo(f"{r.deal.deal}: {new} new request(s), {len(recorded) - new} already "
                       f"submitted")
            for req, created in recorded:
                state = "requested" if created else f"already requested {_when(req.requested_at)}"
                click.echo(f"  {req.code} {req.where}: {state} (needs: {', '.join(req.approvers)})")
    finally:
        store.close()


def _decision_options(fn: Any) -> Any:
    for opt in reversed([
        click.argument("deal", type=click.Path(dir_okay=False)),
        click.option("--code", required=True, help="Rule code of the finding, e.g. CAT002."),
        click.option("--where", "where", required=True, help="Location of the finding, e.g. "
                     "lines[3]."),
        click.option("--role", required=True, help="Approver role from the policy, e.g. cs."),
        click.option("--by", "by", metavar="WHO", required=True,
                     help="Who decides; must hold --role in the policy's approvers."),
    ]):
        fn = opt(fn)
    return fn


def _decide(ctx: click.Context, deal: str, code: str, where: str, role: str, by: str,
            note: str | None, kind: Literal["approve", "reject"]) -> None:
    from docgen.approvals import decide, resolve
    from docgen.store import open_store

    ws = workspace(ctx)
    (result,) = _validated(ws, [deal])
    code = code.strip().upper()
    store = open_store(ws)
    try:
        outcome = decide(store, ws.policy, result, code=code, where=where.strip(),
                         role=role.strip(), by=by.strip(), decision=kind, note=note)
        d = outcome.decision
        if outcome.status == "duplicate" and outcome.existing is not None:
            e = outcome.existing
            click.echo(f"{d.deal_id} {d.code} {d.where}: already {e.decision}d by {e.by} "
                       f"({e.role}) {_when(e.decided_at)}; nothing recorded")
            return
        verb = "approved" if kind == "approve" else "rejected"
        click.echo(f"{d.deal_id} {d.code} {d.where}: {verb} as {d.role} by {d.by}")
        finding = next(f for f in result.findings if f.code == d.code and f.where == d.where)
        left = resolve([finding], store.decisions_for(d.deal_id))
        if not left:
            click.echo("  every approval it needs is recorded: the finding no longer blocks")
        elif kind == "reject":
            click.echo("  the finding is now an error until the line changes")
        else:
            click.echo(f"  still needs: {', '.join(left[0].approvers)}")
    finally:
        store.close()


@click.command()
@_decision_options
@click.option("--note", default=None, help="Why (optional for an approval).")
@click.pass_context
def approve(ctx: click.Context, deal: str, code: str, where: str, role: str, by: str,
            note: str | None) -> None:
    """Approve finding CODE at WHERE of DEAL as ROLE; binds to the line as it is now."""
    _decide(ctx, deal, code, where, role, by, note, "approve")


@click.command()
@_decision_options
@click.option("--note", required=True, help="Why it is rejected (shown in the finding).")
@click.pass_context
def reject(ctx: click.Context, deal: str, code: str, where: str, role: str, by: str,
           note: str) -> None:
    """Reject finding CODE at WHERE of DEAL as ROLE: an error until the line changes."""
    _decide(ctx, deal, code, where, role, by, note, "reject")


_DEAL_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,63}$")


@click.command()
@click.argument("deal")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def approvals(ctx: click.Context, deal: str, as_json: bool) -> None:
    """The history of approval requests and decisions of DEAL (a deal file or a deal id).

    Given the file, each entry says whether it still matches the line as it is now.
    """
    from docgen.approvals import history
    from docgen.store import open_existing_store

    result = None
    if Path(deal).is_file():
        ws = workspace(ctx)
        (result,) = _validated(ws, [deal])
        deal_id = result.deal.deal
    elif _DEAL_ID.match(deal):
        ws = workspace(ctx, locked=False)
        deal_id = deal
    else:
        raise InputError([Problem(deal, None, "", "no such deal file, and not a deal id")])
    store = open_existing_store(ws)
    entries = []
    if store is not None:
        try:
            entries = history(store, deal_id, result)
        finally:
            store.close()
    if as_json:
        click.echo(json.dumps({"deal": deal_id, "history": [e.to_json() for e in entries]},
                              indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo(f"{deal_id}: no approval requests or decisions recorded")
        return
    click.echo(f"{deal_id}: {len(entries)} event(s)")
    for e in entries:
        stale = {True: "", False: "  [stale: the line changed since]", None: ""}[e.current]
        if e.event == "requested":
            who = f" by {e.who}" if e.who else ""
            click.echo(f"  {_when(e.at)}  requested {e.code} {e.where}{who} "
                       f"(needs: {', '.join(e.needs)}){stale}")
        else:
            note = f": {e.note}" if e.note else ""
            click.echo(f"  {_when(e.at)}  {e.event} {e.code} {e.where} as {e.role} by "
                       f"{e.who}{note}{stale}")


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError([Problem("--now", None, "", f"{value!r} is not an ISO 8601 time, e.g. "
                                  "2026-11-20T09:30:00Z or 2026-11-20")]) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="FILE.html, FILE.pdf, FILE.csv or FILE.json (the suffix chooses).")
@click.option("--now", "now", metavar="T", default=None,
              help="The clock for ages and SLA states, ISO 8601 (without a zone: UTC); "
                   "default: the current time.")
@click.pass_context
def report(ctx: click.Context, deals: tuple[str, ...], output: str, now: str | None) -> None:
    """The CS exception report of DEALs: status, amount at stake, age and SLA state."""
    from docgen.report import FORMATS, build_report, write_report
    from docgen.store import open_existing_store

    out = Path(output)
    if out.suffix.lower().lstrip(".") not in FORMATS:
        raise InputError([Problem(output, None, "", "name the report file .html, .pdf, .csv or "
                                  ".json (the suffix chooses the format)")])
    clock = _parse_now(now)
    ws = workspace(ctx)
    results = _validated(ws, deals)
    store = open_existing_store(ws)
    try:
        rep = build_report(results, store, ws.policy.exceptions, clock)
    finally:
        if store is not None:
            store.close()
    fmt = write_report(rep, out, ws.templates_dir)
    counts = ", ".join(f"{v} {k}" for k, v in rep.by_status.items() if v) or "no exceptions"
    click.echo(f"wrote {out} ({fmt}): {len(rep.rows)} exception(s): {counts}")

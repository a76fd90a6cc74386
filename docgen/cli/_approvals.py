"""``docgen submit``, ``approve``, ``reject``, ``approvals`` and ``report`` (SPEC §5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import click

from docgen import api
from docgen.cli._common import Text, check_day, session
from docgen.errors import InputError, Problem

__all__ = ["approvals", "approve", "reject", "report", "submit"]


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def submit(ctx: click.Context, deals: tuple[str, ...]) -> None:
    """Record an approval request for each approval finding of each DEAL (starts the SLA clock).

    Recorded as the person whose API token is in DOCGEN_TOKEN. Submitting again is harmless: a
    finding whose line has not changed keeps its first request and its SLA clock; a changed line
    is a new request.
    """
    with session(ctx) as s:
        submitted = s.submit(deals)
    for sub in submitted:
        if not sub.requests:
            click.echo(f"{sub.deal_id}: no approval findings, nothing to submit")
            continue
        click.echo(f"{sub.deal_id}: {sub.created} new request(s), "
                   f"{len(sub.requests) - sub.created} already submitted")
        for req, created in sub.requests:
            state = "requested" if created else f"already requested {_when(req.requested_at)}"
            click.echo(f"  {req.code} {req.where}: {state} (needs: {', '.join(req.approvers)})")


def _decision_options(fn: Any) -> Any:
    for opt in reversed([
        click.argument("deal", type=click.Path(dir_okay=False)),
        click.option("--code", required=True, type=Text(16),
                     help="Rule code of the finding, e.g. CAT002."),
        click.option("--where", "where", required=True, type=Text(),
                     help="Location of the finding, e.g. lines[3]."),
        click.option("--role", required=True, type=Text(),
                     help="Approver role from the policy, e.g. cs; the person whose token is "
                          "in DOCGEN_TOKEN must hold it."),
    ]):
        fn = opt(fn)
    return fn


def _decide(ctx: click.Context, deal: str, code: str, where: str, role: str,
            note: str | None, kind: Literal["approve", "reject"]) -> None:
    with session(ctx) as s:
        result = s.decide(deal, decision=kind, code=code, where=where, role=role, note=note)
    d, outcome = result.decision, result.outcome
    if outcome.status == "duplicate" and outcome.existing is not None:
        e = outcome.existing
        click.echo(f"{d.deal_id} {d.code} {d.where}: already {e.decision}d by {e.by} "
                   f"({e.role}) {_when(e.decided_at)}; nothing recorded")
        return
    verb = "approved" if kind == "approve" else "rejected"
    click.echo(f"{d.deal_id} {d.code} {d.where}: {verb} as {d.role} by {d.by}")
    if result.remaining is None:
        click.echo("  every approval it needs is recorded: the finding no longer blocks")
    elif kind == "reject":
        click.echo("  the finding is now an error until the line changes")
    else:
        click.echo(f"  still needs: {', '.join(result.remaining.approvers)}")


@click.command()
@_decision_options
@click.option("--note", default=None, type=Text(), help="Why (optional for an approval).")
@click.pass_context
def approve(ctx: click.Context, deal: str, code: str, where: str, role: str,
            note: str | None) -> None:
    """Approve finding CODE at WHERE of DEAL as ROLE; binds to the line as it is now.

    Recorded as the person whose API token is in DOCGEN_TOKEN, who must hold ROLE in the
    policy (and, under separation of duties, neither sell nor have submitted the deal).
    """
    _decide(ctx, deal, code, where, role, note, "approve")


@click.command()
@_decision_options
@click.option("--note", required=True, type=Text(),
              help="Why it is rejected (shown in the finding).")
@click.pass_context
def reject(ctx: click.Context, deal: str, code: str, where: str, role: str,
           note: str) -> None:
    """Reject finding CODE at WHERE of DEAL as ROLE: an error until the line changes.

    Recorded as the person whose API token is in DOCGEN_TOKEN, who must hold ROLE.
    """
    _decide(ctx, deal, code, where, role, note, "reject")


@click.command()
@click.argument("deal", type=Text())
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def approvals(ctx: click.Context, deal: str, as_json: bool) -> None:
    """The history of approval requests and decisions of DEAL (a deal file or a deal id).

    Given the file, each entry says whether it still matches the line as it is now.
    """
    with session(ctx, locked=Path(deal).is_file()) as s:
        deal_id, entries = s.approval_history(deal)
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
            void = ("  [does not count: not vouched for by the audit log, or barred by the "
                    "policy]" if e.counts is False else "")
            click.echo(f"  {_when(e.at)}  {e.event} {e.code} {e.where} as {e.role} by "
                       f"{e.who}{note}{stale}{void}")


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError([Problem("--now", None, "", f"{value!r} is not an ISO 8601 time, e.g. "
                                  "2026-11-20T09:30:00Z or 2026-11-20")]) from None
    check_day(at.date(), "--now")  # before the zone shift: 9999-12-31T23:59-01:00 overflows
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", default=None, type=click.Path(dir_okay=False),
              help="FILE.html, FILE.pdf, FILE.csv or FILE.json (the suffix chooses); "
                   "without it the report is printed.")
@click.option("--now", "now", metavar="T", default=None, type=Text(100),
              help="The clock for ages and SLA states, ISO 8601 (without a zone: UTC); "
                   "default: the current time.")
@click.pass_context
def report(ctx: click.Context, deals: tuple[str, ...], output: str | None,
           now: str | None) -> None:
    """The CS exception report of DEALs: every exception and every error that blocks a PO,
    with status, who can act, amount at stake, age and SLA state, most urgent first."""
    out = Path(output) if output else None
    if out is not None and out.suffix.lower().lstrip(".") not in api.REPORT_FORMATS:
        raise InputError([Problem(str(out), None, "", "name the report file .html, .pdf, .csv "
                                  "or .json (the suffix chooses the format)")])
    clock = _parse_now(now)
    with session(ctx) as s:
        rep = s.report(deals, now=clock)
        fmt = s.write_report(rep, out) if out is not None else None
    counts = ", ".join(f"{v} {k}" for k, v in rep.by_status.items() if v) or "no exceptions"
    stake = rep.at_stake_text
    if out is None:
        _print_report(rep)
        click.echo(f"{len(rep.rows)} exception(s): {counts}; open at stake: {stake}")
    else:
        click.echo(f"wrote {out} ({fmt}): {len(rep.rows)} exception(s): {counts}; "
                   f"open at stake: {stake}")


def _print_report(rep: Any) -> None:
    """The report as a table on the terminal (plain text when piped)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Exception report as of {_when(rep.now)} (SLA in {rep.clock})",
                  title_justify="left", expand=False)
    for name, just in (("deal", "left"), ("code", "left"), ("where", "left"),
                       ("status", "left"), ("SLA", "left"), ("age", "right"),
                       ("at stake", "right"), ("who can act", "left")):
        table.add_column(name, justify=just)  # type: ignore[arg-type]
    for r in rep.rows:
        j = r.to_json()
        table.add_row(r.deal_id, r.code, r.where, r.status, r.sla.value,
                      f"{j['age_hours']} h" if j["age_hours"] else "", j["amount_at_stake"],
                      ", ".join(r.can_act))
    import sys

    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200).print(table)

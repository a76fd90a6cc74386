"""``docgen history`` and ``docgen documents`` (SPEC §5, §8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from docgen.cli._common import session

__all__ = ["documents", "history"]

_STATUSES = ("reserved", "issued", "superseded", "void")


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


@click.command()
@click.argument("deal")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def history(ctx: click.Context, deal: str, as_json: bool) -> None:
    """A deal's revisions, approval requests, decisions and documents, newest last.

    DEAL is a deal file (its revision is recorded and marked; stale approvals are marked) or a
    deal id.
    """
    with session(ctx, locked=Path(deal).is_file()) as s:
        hist = s.history(deal)
    if as_json:
        click.echo(json.dumps(hist.to_json(), indent=2, ensure_ascii=False))
        return
    if not hist.events:
        click.echo(f"{hist.deal_id}: nothing recorded yet")
        return
    click.echo(f"{hist.deal_id}: {len(hist.events)} event(s), newest last")
    for e in hist.events:
        click.echo(f"  {_when(e.at)}  {e.summary}")


@click.command()
@click.option("--deal", "deal", metavar="D", default=None, help="Only this deal's documents.")
@click.option("--status", type=click.Choice(_STATUSES), default=None,
              help="Only documents in this status.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def documents(ctx: click.Context, deal: str | None, status: str | None, as_json: bool) -> None:
    """Every document docgen reserved or issued, with its status, by number."""
    with session(ctx, locked=False) as s:
        docs = s.documents(deal=deal, status=status)
    if as_json:
        click.echo(json.dumps({"documents": [d.to_json() for d in docs]}, indent=2,
                              ensure_ascii=False))
        return
    if not docs:
        click.echo("no documents recorded" + (f" for {deal}" if deal else "")
                   + (f" with status {status}" if status else ""))
        return
    for d in docs:
        line = f"{d.number}  {d.status:<10}  {d.deal_id}  {d.kind}"
        if d.issued_on:
            line += f"  dated {d.issued_on.isoformat()}"
        if d.revision:
            line += f"  revision {d.revision[:12]}"
        if d.template_version:
            line += f"  templates {d.template_version[:12]}"
        if d.status == "issued" and d.path:
            line += f"  {d.path}"
        elif d.status == "superseded":
            line += f"  by {d.superseded_by}"
        elif d.status == "reserved":
            line += f"  since {_when(d.reserved_at)}" + (f" by {d.holder}" if d.holder else "")
        click.echo(line)
        if d.reason and d.status in ("void", "superseded"):
            click.echo(f"    {d.reason}")

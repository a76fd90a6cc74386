"""``docgen evidence add / list / file`` (SPEC §5, issue 15): checklist evidence with substance."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from docgen.cli._common import Text, print_findings, session
from docgen.cli._render import IssueDate

__all__ = ["evidence"]


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class _DefaultList(click.Group):
    """``docgen evidence DEAL`` lists; ``docgen evidence add …`` records."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultList)
def evidence() -> None:
    """Checklist evidence recorded by the people who received or approved it.

    'docgen evidence add DEAL ITEM [FILE]' records an item of the policy's checklists as
    received (or --status approved), as the person whose token is in DOCGEN_TOKEN, with an
    attached file kept in the database by its SHA-256; 'docgen evidence DEAL' lists what was
    recorded; 'docgen evidence file DEAL ITEM|HASH -o FILE' gets a file back.
    """


@evidence.command("add")
@click.argument("deal", type=Text())
@click.argument("item", type=Text(200))
@click.argument("file", required=False, default=None, type=Text())
@click.option("--status", type=click.Choice(["received", "approved"]), default="received",
              show_default=True, help="What the evidence says of the item.")
@click.option("--date", "on", type=IssueDate(), default=None,
              help="The day it was received or approved (YYYY-MM-DD or 'today'; default today).")
@click.pass_context
def add(ctx: click.Context, deal: str, item: str, file: str | None, status: str,
        on: date | None) -> None:
    """Record ITEM of DEAL (a deal file or id) as received or approved, with FILE attached."""
    with session(ctx) as s:  # who: the person whose token is in DOCGEN_TOKEN
        added = s.add_evidence(deal, item, file, status=status,  # type: ignore[arg-type]
                               on=on)
    r = added.record
    if added.changed:
        click.echo(f"{added.deal_id}: recorded {r.summary()}")
    else:
        click.echo(f"{added.deal_id}: {r.item} is {r.status} already (recorded {_when(r.at)} "
                   f"by {r.by}); nothing changed")
    if added.result is not None:
        standing = added.standing
        if standing:
            click.echo(f"  still standing at evidence.{r.item}:")
            print_findings(standing, indent="    ")
        else:
            click.echo(f"  nothing stands at evidence.{r.item} now")


@evidence.command("list")
@click.argument("deal", type=Text())
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_evidence(ctx: click.Context, deal: str, as_json: bool) -> None:
    """List the evidence recorded for DEAL (a deal file or id), oldest first."""
    with session(ctx, locked=Path(deal).is_file()) as s:
        found = s.evidence(deal)
    latest = {r.id for r in found.latest.values()}
    if as_json:
        click.echo(json.dumps({"deal": found.deal_id, "evidence": [
            {**r.to_json(), "counts": r.id in found.counting, "latest": r.id in latest}
            for r in found.records]}, indent=2, ensure_ascii=False))
        return
    if not found.records:
        click.echo(f"{found.deal_id}: no evidence recorded")
        return
    click.echo(f"{found.deal_id}: {len(found.records)} record(s), oldest first")
    for r in found.records:
        mark = "" if r.id in found.counting else "  [not in the audit log: does not count]"
        now = "  (latest)" if r.id in latest else ""
        click.echo(f"  {_when(r.at)}  {r.summary()}{now}{mark}")


@evidence.command("file")
@click.argument("deal", type=Text())
@click.argument("ref", type=Text(200))
@click.option("-o", "--output", "output", required=True, type=Text(),
              help="Where to write the file (a folder: under its recorded name); never over "
                   "an existing file.")
@click.pass_context
def get_file(ctx: click.Context, deal: str, ref: str, output: str) -> None:
    """Write the file attached to DEAL's evidence REF (an item, or the file's SHA-256)."""
    with session(ctx, locked=False) as s:
        record, path = s.save_evidence_file(deal, ref, Path(output))
    click.echo(f"{record.item}: {record.file_text} -> {path}")

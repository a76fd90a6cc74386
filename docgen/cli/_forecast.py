"""``docgen forecast`` (SPEC §5): the pipeline by stage, sold and weighted per currency."""

from __future__ import annotations

import json
import sys

import click

from docgen.cli._common import session

__all__ = ["forecast"]


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the forecast as JSON.")
@click.pass_context
def forecast(ctx: click.Context, deals: tuple[str, ...], as_json: bool) -> None:
    """The pipeline of DEALs by stage: deals, sold total per currency, and the total weighted
    by each stage's probability (lost deals and deals without a stage apart)."""
    with session(ctx) as s:
        fc = s.forecast(deals)
    if as_json:
        click.echo(json.dumps(fc.to_json(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Pipeline forecast (sold before tax)", title_justify="left")
    for name, just in (("stage", "left"), ("probability", "right"), ("deals", "right"),
                       ("sold", "right"), ("weighted", "right")):
        table.add_column(name, justify=just)  # type: ignore[arg-type]
    for row in fc.pipeline:
        table.add_row(row.stage, f"{row.probability} %", str(len(row.deals)),
                      fc.text(row.sold), fc.text(row.weighted))
    table.add_section()
    table.add_row("pipeline", "", str(sum(len(r.deals) for r in fc.pipeline)),
                  fc.text(fc.sold), fc.text(fc.weighted))
    for row in (fc.lost, fc.unstaged):
        if row is not None and row.deals:
            table.add_row(row.stage, "", str(len(row.deals)), fc.text(row.sold), "")
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160).print(table)

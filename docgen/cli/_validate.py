"""``docgen validate`` and ``docgen rules``."""

from __future__ import annotations

import json
import sys

import click

from docgen import api
from docgen.cli._common import EXIT_BLOCKED, EXIT_OK, Progress, print_findings, session


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (SPEC §5).")
@click.pass_context
def validate(ctx: click.Context, deals: tuple[str, ...], as_json: bool) -> None:
    """Report every finding of each DEAL file; exit 1 when any finding gates an action."""
    with session(ctx) as s:
        loaded = s.load(deals)
        with Progress(len(loaded), "validating") as bar:
            results = s.validate_loaded(loaded, on_done=bar.advance)
    if as_json:
        click.echo(json.dumps({"deals": [r.to_json() for r in results]}, indent=2,
                              ensure_ascii=False))
    else:
        for r in results:
            state = "BLOCKED" if r.blocking else "ok"
            click.echo(f"{r.deal.deal} ({r.source}): {state}, {len(r.findings)} finding(s)")
            print_findings(r.findings)
    sys.exit(EXIT_BLOCKED if any(r.blocking for r in results) else EXIT_OK)


@click.command()
@click.argument("code", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def rules(code: str | None, as_json: bool) -> None:
    """List every validation rule, or explain one CODE (prefixes such as CAT select a family)."""
    explained = api.explain_rule(code) if code else None
    if explained is not None:
        r, examples = explained
        if as_json:
            click.echo(json.dumps({**r.to_json(), "examples": examples}, indent=2,
                                  ensure_ascii=False))
            return
        click.echo(f"{r.code} {r.name}  (severity: {r.severity.value}, gate: "
                   f"{r.gate.value})\n\n{r.summary}\n\n{r.explanation}")
        for kind, text in examples.items():
            click.echo(f"\n## {kind.capitalize()} example "
                       f"(docgen/rules/examples/{r.code}/{kind}.yaml)\n")
            click.echo(text.rstrip("\n"))
        return
    selected = api.list_rules(code or "")
    if as_json:
        click.echo(json.dumps([r.to_json() for r in selected], indent=2))
        return
    width = max(len(r.name) for r in selected)
    for r in selected:
        click.echo(f"{r.code}  {r.name:<{width}}  {r.severity.value:<8} {r.gate.value:<10} "
                   f"{r.summary}")

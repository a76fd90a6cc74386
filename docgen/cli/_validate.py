"""``docgen validate`` and ``docgen rules``."""

from __future__ import annotations

import json
import sys

import click

from docgen import api
from docgen.cli._common import EXIT_BLOCKED, EXIT_OK, Progress, Text, print_findings, session


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--for", "for_", type=click.Choice([*api.READINESS_KINDS, "all"]), default="po",
              show_default=True,
              help="Which documents decide the exit code: exit 1 when one of them is not ready.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (SPEC §5).")
@click.pass_context
def validate(ctx: click.Context, deals: tuple[str, ...], for_: str, as_json: bool) -> None:
    """Say which documents each DEAL is ready for, and every finding.

    The first line of each deal reads like "PO ready · SOW ready · onboarding blocked by 5";
    exit 1 when a document chosen by --for (default: the PO) is not ready.
    """
    kinds = api.READINESS_KINDS if for_ == "all" else (for_,)
    with session(ctx) as s:
        loaded = s.load(deals)
        with Progress(len(loaded), "validating") as bar:
            results = s.validate_loaded(loaded, on_done=bar.advance)
    if as_json:
        click.echo(json.dumps({"deals": [r.to_json() for r in results]}, indent=2,
                              ensure_ascii=False))
    else:
        for r in results:
            click.echo(f"{r.deal.deal} ({r.source}): {_readiness(r)}; "
                       f"{len(r.findings)} finding(s)")
            print_findings(r.findings)
    not_ready = any(not r.ready[k] for r in results for k in kinds)
    sys.exit(EXIT_BLOCKED if not_ready else EXIT_OK)


_NAMES = {"po": "PO", "sow": "SOW", "onboarding": "onboarding"}


def _readiness(result: api.DealResult) -> str:
    """``PO ready · SOW ready · onboarding blocked by 5``."""
    parts = []
    for kind, ok in result.ready.items():
        n = len(result.blockers(kind))
        parts.append(f"{_NAMES.get(kind, kind)} {'ready' if ok else f'blocked by {n}'}")
    return " · ".join(parts)


@click.command()
@click.argument("code", required=False, type=Text(40))
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

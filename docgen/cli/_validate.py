"""``docgen validate`` and ``docgen rules``."""

from __future__ import annotations

import json
import sys

import click

from docgen.cli._common import EXIT_BLOCKED, EXIT_INPUT, EXIT_OK, err, print_findings, workspace


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (SPEC §5).")
@click.pass_context
def validate(ctx: click.Context, deals: tuple[str, ...], as_json: bool) -> None:
    """Report every finding of each DEAL file; exit 1 when any finding gates an action."""
    from docgen import api
    from docgen.cli._common import progress

    ws = workspace(ctx)
    loaded = api.load_deals(ws, deals)
    resolver = api.approvals_resolver(ws)
    results = []
    for item in progress(loaded, "validating"):
        results.extend(api.validate_loaded(ws, [item], resolver=resolver))
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
    from docgen.rules import ALL_RULES, RETIRED, RULES_BY_CODE, rule_examples

    if code is not None:
        code = code.upper()
        if code in RULES_BY_CODE:
            r = RULES_BY_CODE[code]
            examples = rule_examples(r.code)
            if as_json:
                click.echo(json.dumps({**r.to_json(), "examples": examples}, indent=2,
                                      ensure_ascii=False))
            else:
                click.echo(f"{r.code} {r.name}  (severity: {r.severity.value}, gate: "
                           f"{r.gate.value})\n\n{r.summary}\n\n{r.explanation}")
                for kind, text in examples.items():
                    click.echo(f"\n## {kind.capitalize()} example "
                               f"(docgen/rules/examples/{r.code}/{kind}.yaml)\n")
                    click.echo(text.rstrip("\n"))
            return
        selected = [r for r in ALL_RULES if r.code.startswith(code)]
        if not selected:
            why = f" ({RETIRED[code]})" if code in RETIRED else ""
            err(f"error: no rule {code}{why}; 'docgen rules' lists them all")
            sys.exit(EXIT_INPUT)
    else:
        selected = list(ALL_RULES)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in selected], indent=2))
        return
    width = max(len(r.name) for r in selected)
    for r in selected:
        click.echo(f"{r.code}  {r.name:<{width}}  {r.severity.value:<8} {r.gate.value:<10} "
                   f"{r.summary}")

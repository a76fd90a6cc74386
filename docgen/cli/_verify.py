"""``docgen verify`` and ``docgen pack``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from docgen.cli._common import EXIT_BLOCKED, EXIT_OK, err, session


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def verify(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check that each PDF is a PO docgen issued and that its data, Order-X and print agree.

    Exit 0 when everything agrees, 1 naming each mismatch, 2 for a file docgen did not issue.
    """
    with session(ctx) as s:
        reports = s.verify(files)
    failed = 0
    for path, report in reports:
        title = f"{report.number or 'unnumbered'} (deal {report.deal or '?'})"
        if report.ok:
            click.echo(f"{path}: {title}: verified")
        else:
            failed += 1
            click.echo(f"{path}: {title}: MISMATCH")
        for check in report.checks:
            n = len(check.mismatches)
            said = check.summary if check.ok else f"{n} mismatch{'es' if n > 1 else ''}"
            click.echo(f"  {'ok  ' if check.ok else 'FAIL'} {check.name}: {said}")
            for m in check.mismatches:
                click.echo(f"       - {m}")
    if failed:
        # a genuine file can fail too: superseded or void in the registry, or signed by a key
        # this workspace does not trust; the FAIL lines above say which check and why
        err(f"verification failed for {failed} of {len(reports)} file(s): see the FAIL lines "
            "above")
    sys.exit(EXIT_BLOCKED if failed else EXIT_OK)


@click.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The pack to write (PDF).")
@click.pass_context
def pack(ctx: click.Context, pdfs: tuple[str, ...], out: Path) -> None:
    """Merge a PO and its SOW into one PDF that keeps the embedded data and PDF/A markers.

    Give the PO first: the pack keeps its PDF/A-3b markers and Order-X order. A pack of an
    issued PO is signed and recorded, so that `docgen verify` accepts it.
    """
    with session(ctx) as s:
        result = s.pack(pdfs, out)
    names = ", ".join(f"{p['kind']} {p['number'] or 'draft'}" for p in result.parts)
    click.echo(f"packed {names} ({result.pages} pages) -> {result.path}")

"""``docgen templates check``: the workspace's templates against the document data (SPEC §5)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from docgen.cli._common import EXIT_BLOCKED, EXIT_OK, err, session


@click.group()
def templates() -> None:
    """Check the document templates (HTML/CSS for PDF, DOCX for Word) and message catalogs."""


@templates.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["po", "sow", "onboarding", "contract"]),
              default=None,
              help="Check FILES as templates of this document kind, whatever their names "
                   "(e.g. a new po-2027.docx before it replaces po.docx).")
@click.pass_context
def check(ctx: click.Context, files: tuple[Path, ...], kind: str | None) -> None:
    """Check every template of the workspace, or just FILES (.html, .docx, .po).

    Prints one line per problem (file, line or paragraph, what is wrong): syntax errors,
    variables the data does not have, tags Word split or gave curly quotes, what a document
    kind must print but does not, and labels a catalog does not translate. Exit 0 when all pass,
    1 when a template fails a check, 2 when the input cannot be used.
    """
    with session(ctx, locked=False) as s:
        found, count = s.check_templates(files, kind=kind)
    problems = [p for p in found if not p.note]
    for p in problems:
        click.echo(str(p))
    for p in found:
        if p.note:
            err(f"note: {p}")
    if problems:
        files_hit = len({p.file for p in problems})
        err(f"{len(problems)} problem(s) in {files_hit} file(s); {count} file(s) checked")
        sys.exit(EXIT_BLOCKED)
    err(f"ok: {count} file(s) checked, no problems")
    sys.exit(EXIT_OK)

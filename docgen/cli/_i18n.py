"""``docgen i18n``: the workspace's message catalogs (extract, update, compile, init)."""

from __future__ import annotations

import sys

import click

from docgen.cli._common import EXIT_BLOCKED, EXIT_OK, err, session


@click.group()
def i18n() -> None:
    """Translate the document labels: the catalogs in templates/locale of the workspace."""


def _stats_line(s: object) -> str:
    lang, total, done = getattr(s, "lang"), getattr(s, "total"), getattr(s, "translated")
    fuzzy, left = getattr(s, "fuzzy"), getattr(s, "untranslated")
    return f"{lang}: {done} of {total} translated, {fuzzy} fuzzy, {left} untranslated"


@i18n.command()
@click.pass_context
def extract(ctx: click.Context) -> None:
    """Write templates/locale/messages.pot: every label and the policy's plan tasks."""
    with session(ctx, locked=False) as s:
        path = s.i18n_extract()
    click.echo(f"wrote {path}")


@i18n.command()
@click.pass_context
def update(ctx: click.Context) -> None:
    """Extract, then merge into every language's messages.po (new entries empty, changed fuzzy)."""
    with session(ctx, locked=False) as s:
        stats = s.i18n_update()
    for st in stats:
        click.echo(f"updated {st.path}: {_stats_line(st)}")


@i18n.command(name="init")
@click.argument("lang")
@click.pass_context
def init_lang(ctx: click.Context, lang: str) -> None:
    """Start the catalog of a new language LANG (e.g. es), then translate it."""
    with session(ctx, locked=False) as s:
        path = s.i18n_init(lang)
    click.echo(f"wrote {path}")


@i18n.command(name="compile")
@click.pass_context
def compile_(ctx: click.Context) -> None:
    """Compile every catalog (syntax) and check them and the label overrides: exit 1 on an
    untranslated or fuzzy label, a placeholder that differs, an unknown label key."""
    with session(ctx, locked=False) as s:
        stats, found = s.i18n_compile()
    for st in stats:
        click.echo(_stats_line(st))
    problems = [p for p in found if not p.note]
    for p in problems:
        click.echo(str(p))
    if problems:
        err(f"{len(problems)} problem(s)")
        sys.exit(EXIT_BLOCKED)
    sys.exit(EXIT_OK)

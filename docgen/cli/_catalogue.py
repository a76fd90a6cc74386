"""``docgen catalogue …``, ``docgen schema export`` and ``docgen init``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from docgen.cli._common import EXIT_INPUT, err, workspace


@click.group()
def catalogue() -> None:
    """Read the catalogue, re-lock it, or check it against its lock."""


@catalogue.command("list")
@click.option("--currency", default=None, help="Show list prices in this currency only.")
@click.pass_context
def list_(ctx: click.Context, currency: str | None) -> None:
    """One line per SKU: code, family, unit, list prices, name."""
    ws = workspace(ctx, locked=False)
    for s in ws.catalogue.skus:
        prices = {k: v for k, v in s.list_price.items() if currency in (None, k)}
        shown = "  ".join(f"{k} {v}" for k, v in prices.items()) or "-"
        flags = (" [CS review]" if s.requires_cs_review else "") + (
            " [auto for new customers]" if s.auto_for_new_customers else "")
        click.echo(f"{s.code:<16} {s.family:<16} {s.unit:<8} {shown:<44} {s.name}{flags}")


@catalogue.command()
@click.argument("code")
@click.pass_context
def show(ctx: click.Context, code: str) -> None:
    """Everything about one SKU."""
    import yaml

    ws = workspace(ctx, locked=False)
    sku = ws.skus.get(code.upper())
    if sku is None:
        import difflib

        close = difflib.get_close_matches(code.upper(), list(ws.skus), n=3, cutoff=0.5)
        err(f"error: no SKU {code}" + (f"; did you mean {', '.join(close)}?" if close else ""))
        sys.exit(EXIT_INPUT)
    data = sku.model_dump(mode="json", exclude_defaults=True)
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).rstrip())


@catalogue.command()
@click.pass_context
def lock(ctx: click.Context) -> None:
    """Re-lock the catalogue: write skus/catalogue.lock for review."""
    from docgen.catalogue import lock_catalogue

    ws = workspace(ctx, locked=False)
    ws.require_writable("a catalogue lock")
    data, diff = lock_catalogue(ws.catalogue, ws.lock_path)
    click.echo(f"locked catalogue {data['version']}: {len(data['skus'])} SKUs -> {ws.lock_path}")
    if diff is None:
        click.echo("  (no previous lock)")
    elif not diff:
        click.echo("  no change")
    else:
        for label, codes in (("changed", diff.changed), ("added", diff.added),
                             ("removed", diff.removed)):
            for c in codes:
                click.echo(f"  {label}: {c}")
        if diff.header_changed:
            click.echo("  changed: catalogue header (version, vendor or currencies)")
        click.echo("  have the diff of catalogue.lock reviewed before committing it")


@catalogue.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the catalogue against its lock (exit 2 naming each changed SKU)."""
    ws = workspace(ctx, locked=True)
    click.echo(f"catalogue {ws.catalogue.catalogue.version} matches its lock "
               f"({len(ws.catalogue.skus)} SKUs)")


@click.group()
def schema() -> None:
    """JSON Schemas of the input formats."""


@schema.command("export")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False), default=None,
              help="Folder to write to (default: the workspace's schemas/).")
@click.pass_context
def export(ctx: click.Context, out: str | None) -> None:
    """Write JSON Schemas of the deal, catalogue and policy formats."""
    from docgen.schemas import export_schemas

    target = Path(out) if out else _default_schema_dir(ctx)
    for path in export_schemas(target):
        click.echo(f"wrote {path}")


def _default_schema_dir(ctx: click.Context) -> Path:
    from docgen.workspace import find_workspace

    obj = ctx.find_root().obj or {}
    return find_workspace(obj.get("workspace")).root / "schemas"


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Start a new workspace in DIRECTORY from the bundled sample."""
    from docgen.workspace import init_workspace

    ws = init_workspace(Path(directory))
    click.echo(f"created workspace {ws.root}")
    click.echo("  next: edit skus/catalogue.yaml and skus/policy.yaml, then "
               "'docgen -w DIR catalogue lock'")

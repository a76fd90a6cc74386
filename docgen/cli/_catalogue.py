"""``docgen catalogue …``, ``docgen schema export`` and ``docgen init``."""

from __future__ import annotations

from pathlib import Path

import click

from docgen import api
from docgen.cli._common import Text, session


@click.group()
def catalogue() -> None:
    """Read the catalogue, re-lock it, or check it against its lock."""


@catalogue.command("list")
@click.option("--currency", default=None, type=Text(10),
              help="Show list prices in this currency only.")
@click.pass_context
def list_(ctx: click.Context, currency: str | None) -> None:
    """One line per SKU: code, family, unit, list prices, name."""
    with session(ctx, locked=False) as s:
        skus = s.skus()
    for sku in skus:
        prices = {k: v for k, v in sku.list_price.items() if currency in (None, k)}
        shown = "  ".join(f"{k} {v}" for k, v in prices.items()) or "-"
        flags = (" [CS review]" if sku.requires_cs_review else "") + (
            " [auto for new customers]" if sku.auto_for_new_customers else "")
        click.echo(f"{sku.code:<16} {sku.family:<16} {sku.unit:<8} {shown:<44} {sku.name}{flags}")


@catalogue.command()
@click.argument("code", type=Text(40))
@click.pass_context
def show(ctx: click.Context, code: str) -> None:
    """Everything about one SKU."""
    import yaml

    with session(ctx, locked=False) as s:
        sku = s.sku(code)
    data = sku.model_dump(mode="json", exclude_defaults=True)
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).rstrip())


@catalogue.command()
@click.pass_context
def lock(ctx: click.Context) -> None:
    """Re-lock the catalogue: write skus/catalogue.lock for review."""
    with session(ctx, locked=False) as s:
        data, diff = s.lock_catalogue()
        lock_path = s.workspace.lock_path
    click.echo(f"locked catalogue {data['version']}: {len(data['skus'])} SKUs -> {lock_path}")
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
    with session(ctx, locked=True) as s:
        cat = s.workspace.catalogue
    click.echo(f"catalogue {cat.catalogue.version} matches its lock ({len(cat.skus)} SKUs)")


@click.group()
def schema() -> None:
    """JSON Schemas of the input formats."""


@schema.command("export")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder to write to (default: the workspace's schemas/).")
@click.pass_context
def export(ctx: click.Context, out: Path | None) -> None:
    """Write JSON Schemas of the deal, catalogue and policy formats."""
    with session(ctx, locked=False) as s:
        paths = s.export_schemas(out)
    for path in paths:
        click.echo(f"wrote {path}")


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Start a new workspace in DIRECTORY from the bundled sample."""
    ws = api.init_workspace(directory)
    click.echo(f"created workspace {ws.root}")
    click.echo(f"  final POs are signed with a self-signed key for trying out, "
               f"{ws.root / '.docgen' / 'signing.p12'}; set DOCGEN_SIGNING_P12 (and "
               "DOCGEN_SIGNING_PASSWORD) to the company's own")
    click.echo("  next: edit skus/catalogue.yaml and skus/policy.yaml, put deals in deals/, then")
    click.echo(f"    docgen -w {ws.root} catalogue lock")
    click.echo(f"    docgen -w {ws.root} validate {ws.root / 'deals'}/*.yaml")

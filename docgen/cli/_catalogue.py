"""``docgen catalogue …``, ``docgen schema export`` and ``docgen init``."""

from __future__ import annotations

from pathlib import Path

import click

from docgen import api
from docgen.cli._common import session


@click.group()
def catalogue() -> None:
    """Read the catalogue, re-lock it, or check it against its lock."""


@catalogue.command("list")
@click.option("--currency", default=None, help="Show list prices in this currency only.")
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
@click.argument("code")
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
@click.option("--admin-email", "admin_email", default=None, metavar="EMAIL",
              help=f"The first administrator's e-mail (default: {api.DEFAULT_ADMIN}).")
@click.option("--admin-name", "admin_name", default=None, metavar="NAME",
              help="The first administrator's name (default: Administrator).")
def init(directory: Path, admin_email: str | None, admin_name: str | None) -> None:
    """Start a new workspace in DIRECTORY from the bundled sample.

    Also writes the audit log's secret key (.docgen/secret.key, mode 0600) and makes the first
    administrator, whose API token is printed once, alone on the last line.
    """
    made = api.init_workspace(directory, admin_email=admin_email, admin_name=admin_name)
    ws = made.workspace
    click.echo(f"created workspace {ws.root}")
    click.echo("  next: edit skus/catalogue.yaml and skus/policy.yaml, put deals in deals/, then")
    click.echo(f"    docgen -w {ws.root} catalogue lock")
    click.echo(f"    docgen -w {ws.root} validate {ws.root / 'deals'}/*.yaml")
    if made.admin is None or made.token is None:
        click.echo("  the database already has people: no administrator was made")
        return
    click.echo(f"  administrator {made.admin.email}: export DOCGEN_TOKEN=<the token below>, "
               "then add people with `docgen users add EMAIL --name N`")
    click.echo("  the administrator's API token follows; it is shown only this once:")
    click.echo(made.token)

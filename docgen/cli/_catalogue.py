"""``docgen catalogue …``, ``docgen schema export`` and ``docgen init``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

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


def effective_option(fn: Any) -> Any:
    """The ``--effective DATE`` option of the lock commands."""
    from docgen.cli._render import IssueDate

    return click.option("--effective", "effective", type=IssueDate(), default=None,
                        help="The version's effective_from date (YYYY-MM-DD or 'today'; "
                             "default: today).")(fn)


def print_lock(result: api.LockResult, what: list[tuple[str, Any]], count: str) -> None:
    """What a lock command did, and what changed since the previous lock."""
    rec = result.record
    click.echo(f"locked {result.kind} {result.version}: {count} -> {result.lock_path}")
    state = "recorded" if result.recorded_now else "already recorded"
    click.echo(f"  version {rec.version} {state}: effective from {rec.effective_from}, locked by "
               f"{rec.locked_by} at {rec.locked_at:%Y-%m-%d %H:%M} UTC, "
               f"SHA-256 {rec.sha256[:16]}…")
    diff = result.diff
    if diff is None:
        click.echo("  (no previous lock)")
    elif not diff:
        click.echo("  no change")
    else:
        for label, items in what:
            for item in items:
                click.echo(f"  {label}: {item}")
        click.echo(f"  have the diff of {result.lock_path.name} reviewed before committing it")


@catalogue.command()
@effective_option
@click.pass_context
def lock(ctx: click.Context, effective: date | None) -> None:
    """Re-lock the catalogue: record its version and write skus/catalogue.lock for review.

    Changed content needs a new catalogue.version (refused otherwise, exit 2).
    """
    with session(ctx, locked=False) as s:
        result = s.lock_catalogue(effective=effective)
    diff = result.diff
    what = [] if not diff else [("changed", diff.changed), ("added", diff.added),
                                ("removed", diff.removed),
                                ("changed", ["catalogue header (version, vendor or currencies)"]
                                 if diff.header_changed else [])]
    print_lock(result, what, f"{len(result.data['skus'])} SKUs")


@catalogue.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the catalogue against its lock (exit 2 naming each changed SKU)."""
    with session(ctx, locked=False) as s:
        cat = s.verify_catalogue()
    click.echo(f"catalogue {cat.catalogue.version} matches its lock ({len(cat.skus)} SKUs)")


@catalogue.command()
@click.argument("args", nargs=-1, metavar="[FROM] [TO]")
@click.option("--deals", "deals", multiple=True, type=click.Path(dir_okay=False),
              metavar="DEAL…", help="Deal files to re-price with both versions (every file "
                                    "named after it counts too).")
@click.pass_context
def diff(ctx: click.Context, args: tuple[str, ...], deals: tuple[str, ...]) -> None:
    """What changed between two catalogue versions, SKU by SKU and field by field.

    FROM defaults to the version before the catalogue file, TO to the file. With --deals,
    how much each deal would re-price (total due, per currency).
    """
    # `--deals a.yaml b.yaml`: click gives --deals the first file; the others arrive as
    # arguments, told apart from version labels by being files
    files = tuple(a for a in args if Path(a).is_file()) if deals else ()
    versions = tuple(a for a in args if a not in files)
    print_diff(ctx, "catalogue", versions, (*deals, *files))


def print_diff(ctx: click.Context, kind: str, versions: tuple[str, ...],
               deals: tuple[str, ...] = ()) -> None:
    """Run and print a catalogue or policy diff."""
    if len(versions) > 2:  # noqa: PLR2004 - FROM and TO
        raise click.UsageError("give at most two versions: FROM and TO")
    before, after = (*versions, None, None)[:2]
    with session(ctx, locked=False) as s:
        result = (s.catalogue_diff(before, after, deals) if kind == "catalogue"
                  else s.policy_diff(before, after))
    click.echo(f"{kind} {result.before} -> {result.after}: {len(result.changes)} change(s)")
    for change in result.changes:
        click.echo(f"  {change.describe()}")
    for r in result.repricing:
        sign = "+" if r.delta.amount >= 0 else ""
        click.echo(f"  deal {r.deal_id} ({r.currency}): total due {r.total_before.amount} -> "
                   f"{r.total_after.amount} ({sign}{r.delta.amount}); sold "
                   f"{r.sold_before.amount} -> {r.sold_after.amount}")
        for label, wheres in (("unpriced before", r.unpriced_before),
                              ("unpriced after", r.unpriced_after)):
            if wheres:
                click.echo(f"    {label}: {', '.join(wheres)}")
    for cur, delta in sorted(result.totals_by_currency().items()):
        sign = "+" if delta.amount >= 0 else ""
        click.echo(f"  total re-pricing {cur}: {sign}{delta.amount}")


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
    click.echo(f"  final POs are signed with a self-signed key for trying out, "
               f"{ws.root / '.docgen' / 'signing.p12'}; set DOCGEN_SIGNING_P12 (and "
               "DOCGEN_SIGNING_PASSWORD) to the company's own")
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

"""``docgen policy lock / verify / diff``: the policy is locked and versioned like the catalogue."""

from __future__ import annotations

from datetime import date

import click

from docgen.cli._catalogue import effective_option, print_diff, print_lock
from docgen.cli._common import session


@click.group()
def policy() -> None:
    """Lock the policy, check it against its lock, or compare two versions."""


@policy.command()
@effective_option
@click.pass_context
def lock(ctx: click.Context, effective: date | None) -> None:
    """Re-lock the policy: record its version and write skus/policy.lock for review.

    The policy needs a version, and changed content a new one (refused otherwise, exit 2).
    """
    with session(ctx, locked=False) as s:
        result = s.lock_policy(effective=effective)
    diff = result.diff
    what = [] if not diff else [("changed", diff.changed),
                                ("changed", ["version"] if diff.version_changed else [])]
    print_lock(result, what, f"{len(result.data['keys'])} keys")


@policy.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the policy against its lock (exit 2 naming each changed key)."""
    with session(ctx, locked=False) as s:
        pol = s.verify_policy()
    click.echo(f"policy {pol.version} matches its lock")


@policy.command()
@click.argument("versions", nargs=-1, metavar="[FROM] [TO]")
@click.pass_context
def diff(ctx: click.Context, versions: tuple[str, ...]) -> None:
    """What changed between two policy versions (default: the previous one and the file)."""
    print_diff(ctx, "policy", versions)

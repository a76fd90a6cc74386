"""``docgen po``, ``docgen sow`` and ``docgen onboarding`` (filled in below)."""

from __future__ import annotations

import click


@click.command()
def po() -> None:
    """Render purchase orders."""


@click.command()
def sow() -> None:
    """Render the statement of work."""


@click.command()
def onboarding() -> None:
    """Render the onboarding form."""

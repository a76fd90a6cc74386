"""What the CLI (or any program) calls: orchestration only, no printing, no exit codes.

Typical use::

    from docgen import api
    ws = api.open_workspace()                       # flag / env / cwd / sample
    results = api.validate_files(ws, ["deal.yaml"]) # InputError on unusable input
    for r in results:
        print(r.deal.deal, r.blocking, [f.code for f in r.findings])
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from docgen.errors import InputError, Problem
from docgen.models.deal import Deal
from docgen.validate import DealResult, Resolver, validate_deal
from docgen.workspace import Workspace, find_workspace, load_deal

__all__ = ["load_deals", "open_workspace", "validate_files", "validate_loaded"]


def open_workspace(flag: str | os.PathLike[str] | None = None, *, locked: bool = True) -> Workspace:
    """Find the workspace and load its catalogue and policy; `locked` also checks the lock."""
    ws = find_workspace(flag)
    ws.load_all()
    if locked:
        ws.locked_catalogue()
    return ws


def load_deals(ws: Workspace, paths: Sequence[str | Path]) -> list[tuple[str, Deal]]:
    """Load every deal file; problems of all files are reported together."""
    problems: list[Problem] = []
    deals: list[tuple[str, Deal]] = []
    seen: dict[str, str] = {}
    for p in paths:
        try:
            deal = load_deal(p, ws.policy)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if deal.deal in seen:
            problems.append(Problem(str(p), None, "deal",
                                    f"deal id {deal.deal} is also used by {seen[deal.deal]}"))
            continue
        seen[deal.deal] = str(p)
        deals.append((str(p), deal))
    if problems:
        raise InputError(problems)
    return deals


def validate_loaded(ws: Workspace, deals: Sequence[tuple[str, Deal]], *,
                    resolver: Resolver | None = None) -> list[DealResult]:
    """Price and validate already-loaded deals."""
    cat, pol = ws.load_all()
    skus = ws.skus
    return [validate_deal(d, cat, pol, source=src, skus=skus, resolver=resolver)
            for src, d in deals]


def validate_files(ws: Workspace, paths: Sequence[str | Path], *,
                   resolver: Resolver | None = None) -> list[DealResult]:
    """Load, price and validate deal files (the lock is checked by :func:`open_workspace`)."""
    return validate_loaded(ws, load_deals(ws, paths), resolver=resolver)

"""The one door: what every front end (CLI, web, JSON API, job workers) calls.

Open a :class:`Session` on a workspace and call one method per command::

    from docgen import api

    with api.Session("acme") as s:                    # flag / $DOCGEN_WORKSPACE / cwd / sample
        for r in s.validate(["deals/D-2026-0042.yaml"]):
            print(r.deal.deal, r.blocking, [f.code for f in r.findings])
        batch = s.render(api.DocumentKind.PO, ["deals/D-2026-0042.yaml"], out_dir=Path("out"),
                         issue_date=date(2026, 11, 22))

Functions that need no workspace (rules, init, pack) are module functions. Errors are those of
:mod:`docgen.errors`; findings are :class:`docgen.findings.Finding`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docgen.api._results import BatchResult, DecisionResult, IssuedFile, SubmitResult
from docgen.api._session import Session, pack
from docgen.errors import InputError, Problem
from docgen.kinds import FORMATS, DocumentKind
from docgen.report import FORMATS as REPORT_FORMATS
from docgen.validate import DealResult

if TYPE_CHECKING:
    from docgen.rules import Rule
    from docgen.workspace import Workspace

#: The documents `validate` reports readiness for, in the order it prints them.
READINESS_KINDS = ("po", "sow", "onboarding", "contract")

__all__ = ["FORMATS", "READINESS_KINDS", "REPORT_FORMATS", "BatchResult", "DealResult", "DecisionResult",
           "DocumentKind", "IssuedFile", "Session", "SubmitResult", "explain_rule",
           "init_workspace", "list_rules", "pack"]


def list_rules(prefix: str = "") -> list[Rule]:
    """Every validation rule whose code starts with `prefix` (``CAT`` selects a family)."""
    from docgen.rules import ALL_RULES, RETIRED

    prefix = prefix.upper()
    selected = [r for r in ALL_RULES if r.code.startswith(prefix)]
    if not selected:
        why = f" ({RETIRED[prefix]})" if prefix in RETIRED else ""
        raise InputError([Problem("rules", None, "",
                                  f"no rule {prefix}{why}; 'docgen rules' lists them all")])
    return selected


def explain_rule(code: str) -> tuple[Rule, dict[str, str]] | None:
    """One rule and its example deals (``{"bad": yaml, "good": yaml}``); None for a prefix."""
    from docgen.rules import RULES_BY_CODE, rule_examples

    r = RULES_BY_CODE.get(code.upper())
    return None if r is None else (r, rule_examples(r.code))


def init_workspace(directory: Path) -> Workspace:
    """Start a new workspace in `directory` from the bundled sample."""
    from docgen.workspace import init_workspace as init

    return init(Path(directory))

"""The one door: what every front end (CLI, web, JSON API, job workers) calls.

Open a :class:`Session` on a workspace and call one method per command::

    from docgen import api

    with api.Session("acme") as s:                    # flag / $DOCGEN_WORKSPACE / cwd / sample
        for r in s.validate(["deals/D-2026-0042.yaml"]):
            print(r.deal.deal, r.blocking, [f.code for f in r.findings])
        batch = s.render(api.DocumentKind.PO, ["deals/D-2026-0042.yaml"], out_dir=Path("out"),
                         issue_date=date(2026, 11, 22))

Functions that need no session (rules, init) are module functions; ``pack`` opens one (a pack
of an issued PO is signed and recorded in the workspace). Errors are those of
:mod:`docgen.errors`; findings are :class:`docgen.findings.Finding`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.api._session import Session, pack
from docgen.errors import InputError, Problem
from docgen.kinds import FORMATS, DocumentKind
from docgen.money import Money
from docgen.validate import DealResult
from docgen.workspace import Workspace, find_workspace

if TYPE_CHECKING:
    from docgen.api._results import (BatchResult, DecisionResult, IssuedFile, LockResult,
                                     Repricing, SubmitResult, VersionDiff)
    from docgen.identity import ENV_TOKEN, User
    from docgen.report import FORMATS as REPORT_FORMATS
    from docgen.rules import Rule

#: Names this module offers that live in modules ``docgen validate`` does not need: imported on
#: first use (each dataclass costs start-up time; see the validate_cold benchmark).
_LAZY = {
    "BatchResult": ("docgen.api._results", "BatchResult"),
    "DecisionResult": ("docgen.api._results", "DecisionResult"),
    "IssuedFile": ("docgen.api._results", "IssuedFile"),
    "LockResult": ("docgen.api._results", "LockResult"),
    "Repricing": ("docgen.api._results", "Repricing"),
    "SubmitResult": ("docgen.api._results", "SubmitResult"),
    "VersionDiff": ("docgen.api._results", "VersionDiff"),
    "ENV_TOKEN": ("docgen.identity", "ENV_TOKEN"),
    "User": ("docgen.identity", "User"),
    "REPORT_FORMATS": ("docgen.report", "FORMATS"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


#: The documents `validate` reports readiness for, in the order it prints them.
READINESS_KINDS = ("po", "sow", "onboarding", "contract")

#: The first administrator ``docgen init`` makes when no ``--admin-email`` is given (SPEC §1).
DEFAULT_ADMIN = "admin@localhost"

__all__ = ["DEFAULT_ADMIN", "ENV_TOKEN", "FORMATS", "READINESS_KINDS", "REPORT_FORMATS",
           "BatchResult", "DealResult", "DecisionResult", "DocumentKind", "InitResult",
           "IssuedFile", "LockResult", "Money", "Repricing", "Session", "SubmitResult", "User",
           "VersionDiff", "explain_rule", "find_workspace", "init_workspace", "list_rules",
           "money_text", "pack", "parse_text", "share_connections"]


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


@dataclass(frozen=True)
class InitResult:
    """What ``docgen init`` made: the workspace, and its first administrator and their token.

    `admin` and `token` are None when the database (``$DOCGEN_DATABASE_URL``) has people
    already: they keep acting with their own tokens.
    """

    workspace: Workspace
    admin: User | None
    token: str | None


def init_workspace(directory: Path, *, admin_email: str | None = None,
                   admin_name: str | None = None) -> InitResult:
    """Start a new workspace in `directory` from the bundled sample, with its audit key, a
    self-signed key for signing final POs (``.docgen/signing.p12``; a company sets its own,
    see :mod:`docgen.signing`) and its first administrator (whose token is returned: it is
    shown once and stored hashed)."""
    from docgen.audit import Secret
    from docgen.identity import check_email
    from docgen.signing import P12_FILE, create_self_signed
    from docgen.workspace import init_workspace as init

    email = check_email(admin_email or DEFAULT_ADMIN, "--admin-email")
    ws = init(Path(directory))
    create_self_signed(ws.state_dir / P12_FILE)  # a key for signing final POs, to try it out
    secret = Secret(ws.state_dir)
    if secret.get() is None:
        secret.create()
    with Session(ws, locked=False) as s:
        existing = s._existing_store()  # noqa: SLF001 - the session's own module family
        if existing is not None and existing.count_users():
            s.versions.record_current()
            return InitResult(ws, None, None)
        admin, token = s.add_user(email, name=admin_name or "Administrator", admin=True)
    # the sample's catalogue and policy versions are recorded in the new workspace's database,
    # so deals quoted before the next re-lock keep being priced with them
    with Session(ws) as s:
        s.versions.record_current()
    return InitResult(ws, admin, token)


def money_text(amount: Money | None, locale: str = "en_US") -> str:
    """An amount as people read it in `locale` (what the documents print); "" for None."""
    if amount is None:
        return ""
    from docgen.render.i18n import Formatter

    return Formatter(locale=locale, currency=amount.currency).money(amount)


def share_connections() -> None:
    """For a long-lived server process (``docgen serve``'s workers): every session of this
    process shares one connection pool per database, whose schema is checked once, instead of
    connecting afresh each time (see :func:`docgen.store._sql.share_engines`)."""
    from docgen.store._sql import share_engines

    share_engines()


def parse_text(text: str, name: str) -> Any:
    """The data of YAML or JSON text (JSON when `name` ends in .json), read as strictly as deal
    files are (InputError naming the line otherwise)."""
    from docgen.sources import load_text

    return load_text(text, name).data

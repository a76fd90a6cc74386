"""What the checks of ``docgen templates check`` share: the problem they report, the document
kinds and the contract each must meet, and the comparison of used paths with a context model.

The checks (``_html``, ``_docx``, ``_catalog``) import this module; it imports only ``_paths``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.templates_check._paths import Use, resolve

__all__ = ["CONTRACT", "KINDS", "TAG", "TemplateProblem", "contract_problems", "display_path",
           "variable_problems"]

KINDS = ("po", "sow", "onboarding", "contract")

#: What each kind of document must print: every entry is satisfied by printing any of its paths.
CONTRACT: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "po": (
        (("lines[].code",), "the SKU code of every line"),
        (("lines[].description",), "the catalogue description of every line"),
        (("lines[].quantity", "lines[].quantity_text"), "the quantity of every line"),
        (("lines[].list_unit_price", "lines[].list_amount"), "the list price of every line"),
        (("lines[].discount_pct",), "the discount % of every line"),
        (("lines[].discount_amount",), "the discount amount of every line"),
        (("lines[].sold_amount",), "the sold amount of every line"),
        (("totals.list_total",), "the list total"),
        (("totals.discount_total",), "the discount total"),
        (("totals.sold_subtotal",), "the sold subtotal"),
        (("totals.total_due",), "the total due"),
    ),
    "sow": (
        (("sow.scope_paragraphs[]",), "the scope"),
        (("sow.deliverables[].description",), "the catalogue description of every deliverable"),
        (("sow.deliverables[].use_by",), "the use-by date of every deliverable"),
        (("sow.acceptance",), "the acceptance terms"),
    ),
    "onboarding": (
        (("onboarding.checklist[].status", "onboarding.checklist[].evidence"),
         "the status of every checklist item"),
        (("onboarding.plan[].date",), "the date of every plan task"),
        (("onboarding.plan[].owner", "onboarding.plan[].owner_id"),
         "the owner of every plan task"),
        (("onboarding.plan[].task",), "every plan task"),
        (("deal.go_live",), "the go-live date"),
    ),
    "contract": (
        (("lines[].code",), "the SKU code of every product"),
        (("lines[].sold_amount",), "the sold amount of every product"),
        (("contract.start_date", "deal.contract_start"), "the start date"),
        (("contract.end_date",), "the end date"),
        (("contract.term", "deal.term"), "the term"),
        (("contract.renewal",), "the renewal"),
        (("contract.payment_type",), "the payment type"),
        (("contract.clauses[].paragraphs[]",), "the text of every clause"),
        (("contract.signatures[].party", "label.for_customer"), "the signature blocks"),
    ),
}

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True, order=True)
class TemplateProblem:
    """One thing wrong with a template: which file, where in it, what."""

    file: str
    where: str
    message: str
    note: bool = False  # information only (e.g. "only the syntax was checked"): not a failure

    def __str__(self) -> str:
        return f"{self.file}:{self.where}: {self.message}" if self.where else \
            f"{self.file}: {self.message}"


def display_path(path: Path, root: Path) -> str:
    """`path` relative to the workspace `root` when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def variable_problems(uses: Iterable[Use], model: Any, where: Any) -> list[TemplateProblem]:
    """One problem per path of `uses` missing from `model`; `where(use)` is (file, place)."""
    out, seen = [], set()
    for u in uses:
        if u.lenient:
            continue
        why = resolve(model, u.path)
        if why is None:
            continue
        f, at = where(u)
        key = (f, at, u.path)
        if key not in seen:
            seen.add(key)
            out.append(TemplateProblem(f, at, f"unknown variable {u.path!r}: {why}"))
    return out


def contract_problems(src: str, kind: str, uses: Iterable[Use]) -> list[TemplateProblem]:
    """One problem per entry of the `kind` contract that none of the printed `uses` meets."""
    printed = {u.path for u in uses if u.printed}
    return [TemplateProblem(src, "", f"the {kind} template does not print {what} "
                            f"({' or '.join(paths)}): every {kind} must show it")
            for paths, what in CONTRACT.get(kind, ()) if not printed.intersection(paths)]

"""A private copy of the sample workspace and deals generated from its catalogue.

Benchmarks never touch the repository's own state: the sample's ``skus/`` and ``templates/`` are
copied into a temporary folder (so no ``.docgen`` database exists and drafts read none), and every
deal is generated from that catalogue, so the figures do not depend on the example deals.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from docgen.models.catalogue import Catalogue, Sku
from docgen.workspace import Workspace, sample_root

__all__ = ["CONTRACT_START", "ISSUE_DATE", "copy_workspace", "deal_data", "eligible_skus",
           "write_deals"]

CONTRACT_START = date(2026, 12, 1)
ISSUE_DATE = date(2026, 11, 2)
_TERRITORY, _CURRENCY = "US", "USD"
_DISCOUNTS = ("0", "5", "10", "2.5")

#: Evidence of a deal that is past every checklist and stage gate (a clean US deal).
_EVIDENCE: dict[str, Any] = {
    "budget": date(2026, 8, 1), "quantity": date(2026, 8, 1), "in_hands_date": date(2026, 8, 2),
    "ship_to": date(2026, 8, 2), "po_required": date(2026, 8, 20),
    "budget_approved": {"date": date(2026, 9, 1), "by": "Priya Raman"},
    "presentation": date(2026, 9, 10), "estimate_submitted": date(2026, 9, 15),
    "sales_order_sent": date(2026, 10, 20),
    "sales_order_approved": {"date": date(2026, 10, 25), "by": "sales.manager@vendor.example"},
    "mnda_signed": date(2026, 7, 15), "pricing_sent": date(2026, 9, 15),
    "credit_application": {"date": date(2026, 9, 20), "by": "finance", "ref": "CA-2207"},
    "billing_details": date(2026, 9, 20), "onboarding_form": date(2026, 11, 2),
    "known_shipper_check": {"date": date(2026, 10, 1), "by": "compliance", "ref": "KS-5521"},
    "agreed_rates": date(2026, 10, 20),
    "signed_contract": {"date": date(2026, 11, 5), "ref": "MSA-2026-311"},
    "solution_summary": {"date": date(2026, 10, 21), "by": "M. Lee (manager)"},
    "go_live_notified": date(2026, 12, 1),
}


def copy_workspace(target: Path) -> Workspace:
    """Copy the sample workspace's catalogue, lock, policy and templates into `target`."""
    src = sample_root()
    for name in ("skus", "templates"):
        shutil.copytree(src / name, target / name,
                        ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    return Workspace(target.resolve())


def eligible_skus(catalogue: Catalogue) -> list[Sku]:
    """SKUs a clean US deal in USD may carry: priced, sellable, no CS review, no bundle."""
    return [s for s in catalogue.skus
            if _CURRENCY in s.list_price and s.available_in(_TERRITORY)
            and s.effective_on(CONTRACT_START) and not s.requires_cs_review
            and s.family != "bundle"]


def _quantity(sku: Sku, i: int) -> int:
    low = int(sku.min_quantity or 1)
    high = int(sku.max_quantity or low + 11)
    return low + i % (high - low + 1)


def deal_data(catalogue: Catalogue, deal_id: str, n_lines: int, *, seed: int = 0) -> dict[str, Any]:
    """A clean deal with `n_lines` catalogue lines cycling through :func:`eligible_skus`."""
    skus = eligible_skus(catalogue)
    if not skus:
        msg = "the sample catalogue has no SKU a US deal in USD can carry"
        raise RuntimeError(msg)
    lines = []
    for i in range(n_lines):
        sku = skus[(i + seed) % len(skus)]
        line: dict[str, Any] = {"sku": sku.code, "quantity": _quantity(sku, i + seed)}
        pct = _DISCOUNTS[(i + seed) % len(_DISCOUNTS)]
        if pct != "0":
            line["discount_pct"] = pct
        lines.append(line)
    n = seed + 1
    return {
        "deal": deal_id,
        "stage": "approval",
        "customer": {
            "name": f"Benchmark Customer {n} Inc.", "new": False, "territory": _TERRITORY,
            "locale": "en_US", "currency": _CURRENCY, "vat_id": None,
            "invoice_contact": {"name": f"Dana Whitfield {n}",
                                "email": f"ap{n}@customer{n}.example", "phone": "+1 415 555 0142"},
            "billing_address": {"street": f"{100 + n} Market Street", "postal_code": "94105",
                                "city": "San Francisco", "region": "CA", "country": "US"},
        },
        "contacts": [{"name": "Luis Ortega", "role": "onboarding",
                      "email": f"onboarding{n}@customer{n}.example"}],
        "sales_rep": {"name": "Sam Seller", "email": "sam.seller@vendor.example"},
        "contract": {"start": CONTRACT_START, "term_months": 12, "payment_terms": "30 days net"},
        "go_live": date(2026, 12, 15),
        "evidence": dict(_EVIDENCE),
        "lines": lines,
        "sow": {"scope": "Vendor trains the customer's administrators and runs the workshops "
                         "listed on the PO, scheduled with the onboarding contact.",
                "acceptance": "Accepted when each session has been held."},
    }


def write_deals(ws: Workspace, folder: Path, count: int, n_lines: int,
                prefix: str = "D-BENCH") -> list[Path]:
    """Write `count` distinct deals of `n_lines` lines each as YAML files; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        deal_id = f"{prefix}-{n_lines}-{i:05d}"
        path = folder / f"{deal_id}.yaml"
        text = yaml.safe_dump(deal_data(ws.catalogue, deal_id, n_lines, seed=i), sort_keys=False)
        path.write_text(text, "utf-8")
        paths.append(path)
    return paths

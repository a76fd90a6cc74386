"""Pricing: deal + catalogue + policy -> priced lines and totals. Pure; never raises on deal content.

Per line: ``list = q(list unit price x quantity)``, times the line's months for a recurring SKU
(``billing: monthly``: `quantity` is in the SKU's unit, `months` defaults to the contract term);
``discount = q(list x pct / 100)``, or the amount given, or the whole list amount for an
included line; ``sold = list - discount``. ``q`` rounds half-up to the currency's minor unit
(:func:`docgen.money.quantize`). Totals are sums of the rounded lines, so every printed row and
total reconciles to the cent. A line that cannot be priced (unknown SKU, no price in the deal's
currency, a recurring line with no term) is kept, unpriced, for the rules to report.

========================  ===========  ========  ==========  =======
case                      list amount  discount  sold        why
========================  ===========  ========  ==========  =======
EUR 1200.00 x 12, 15 %    14400.00     2160.00   12240.00    exact
EUR 0.05 x 1, 50 %        0.05         0.03      0.02        0.025 rounds half-up
JPY 1234 x 1, 12.5 %      1234         154       1080        154.25 -> 154 (0 decimals)
BHD 10.0005 x 1, 0 %      10.001       0.000     10.001      3 decimals, half-up
========================  ===========  ========  ==========  =======
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from docgen.models.catalogue import USE_BY_FAMILIES, Catalogue, Sku
from docgen.models.deal import CustomLine, Deal, SkuLine
from docgen.models.policy import Policy
from docgen.money import Money

__all__ = ["ComponentLine", "PricedDeal", "PricedLine", "Totals", "price_deal"]

HUNDRED = Decimal(100)
#: Percentages are shown to 2 decimals.
CENT = Decimal("0.01")
LineKind = Literal["sku", "custom"]


@dataclass(frozen=True, slots=True)
class ComponentLine:
    """A SKU inside a bundle line, with the quantity the bundle line brings."""

    code: str
    name: str
    description: str
    family: str
    quantity: Decimal
    unit: str
    use_by: date | None


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One priced row. Unpriced (unknown SKU, no price) lines have ``priced=False`` and no money."""

    index: int
    where: str
    kind: LineKind
    code: str | None
    name: str
    description: str
    family: str | None
    unit: str
    quantity: Decimal
    currency: str
    priced: bool
    list_unit_price: Money | None = None
    list_amount: Money | None = None
    discount_pct_entered: Decimal | None = None
    discount_amount_entered: Decimal | None = None
    discount_amount: Money | None = None
    discount_pct: Decimal | None = None
    sold_amount: Money | None = None
    included: bool = False
    auto_added: bool = False
    use_by: date | None = None
    sku: Sku | None = None
    components: tuple[ComponentLine, ...] = ()
    #: Recurring lines only: how many months the quantity runs, and why when not the term.
    months: int | None = None
    months_reason: str | None = None

    @property
    def recurring(self) -> bool:
        """True for a line of a recurring SKU (its amounts are per month x months)."""
        return self.sku is not None and self.sku.recurring

    @property
    def fingerprint(self) -> str:
        """SHA-256 of what an approval of this line approves: item, quantity, prices, discount."""
        return hashlib.sha256(json.dumps(self.fingerprint_data(), sort_keys=True).encode()).hexdigest()

    def fingerprint_data(self) -> dict[str, Any]:
        """The fields the fingerprint covers."""
        return {
            "kind": self.kind, "code": self.code, "description": self.description,
            "quantity": str(self.quantity), "currency": self.currency,
            "list_unit_price": _s(self.list_unit_price), "list_amount": _s(self.list_amount),
            "discount_pct_entered": _d(self.discount_pct_entered),
            "discount_amount_entered": _d(self.discount_amount_entered),
            "discount_amount": _s(self.discount_amount), "sold_amount": _s(self.sold_amount),
            "included": self.included,
        } | ({"months": self.months} if self.months is not None else {})

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (decimals as text) for embedding and ``--json`` output."""
        return {
            "where": self.where, "kind": self.kind, "code": self.code, "name": self.name,
            "description": self.description, "family": self.family, "unit": self.unit,
            "quantity": str(self.quantity), "priced": self.priced,
            "list_unit_price": _s(self.list_unit_price), "list_amount": _s(self.list_amount),
            "discount_pct": _d(self.discount_pct), "discount_amount": _s(self.discount_amount),
            "sold_amount": _s(self.sold_amount), "included": self.included,
            "auto_added": self.auto_added,
            "use_by": self.use_by.isoformat() if self.use_by else None,
            "components": [{"code": c.code, "quantity": str(c.quantity)} for c in self.components],
            "fingerprint": self.fingerprint,
        } | ({"billing": "monthly", "months": self.months} if self.recurring else {})


def _s(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


def _d(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


@dataclass(frozen=True, slots=True)
class Totals:
    """Document totals, each a sum of rounded line amounts."""

    currency: str
    list_total: Money
    discount_total: Money
    discount_pct: Decimal
    sold_subtotal: Money
    tax_rate: Decimal | None
    tax_amount: Money
    total_due: Money

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data, decimals as text."""
        return {
            "currency": self.currency, "list_total": _s(self.list_total),
            "discount_total": _s(self.discount_total), "discount_pct": str(self.discount_pct),
            "sold_subtotal": _s(self.sold_subtotal), "tax_rate": _d(self.tax_rate),
            "tax_amount": _s(self.tax_amount), "total_due": _s(self.total_due),
        }


@dataclass(frozen=True)
class PricedDeal:
    """A deal with every line priced and the totals."""

    deal: Deal
    catalogue_version: str
    currency: str
    lines: tuple[PricedLine, ...]
    totals: Totals
    starter_pack_added: tuple[str, ...] = field(default=())
    #: The version of the policy the deal was priced under (tax rates), when it has one.
    policy_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The priced deal as plain JSON data (what a PDF embeds)."""
        return {
            "format": "docgen.priced-deal/1",
            "deal": self.deal.deal,
            "catalogue_version": self.catalogue_version,
            **({"policy_version": self.policy_version} if self.policy_version else {}),
            "customer": self.deal.customer.model_dump(mode="json"),
            "currency": self.currency,
            "lines": [ln.to_json() for ln in self.lines],
            "totals": self.totals.to_json(),
            "fingerprint": self.fingerprint,
        }

    @property
    def fingerprint(self) -> str:
        """SHA-256 over the deal file's content and every priced line."""
        body = {"deal": self.deal.canonical(), "catalogue": self.catalogue_version,
                "lines": [ln.fingerprint for ln in self.lines]}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def effective_pct(discount: Money, list_amount: Money) -> Decimal:
    """Discount as a percent of the list amount, for display (2 decimals); 0 when list is 0."""
    if list_amount.is_zero():
        return Decimal("0.00")
    return (discount.amount * HUNDRED / list_amount.amount).quantize(CENT, ROUND_HALF_UP)


def _use_by(sku: Sku | None, start: date | None) -> date | None:
    if sku is None or sku.family not in USE_BY_FAMILIES or sku.consumption_days is None:
        return None
    if start is None:
        return None
    try:
        return start + timedelta(days=sku.consumption_days)
    except OverflowError:  # beyond year 9999; the models' limits keep dates far from it
        return None


def _discount(list_amount: Money, pct: Decimal | None, amount: Decimal | None,
              included: bool) -> Money:
    cur = list_amount.currency
    if included:
        return list_amount
    if pct is not None:
        return Money.of(list_amount.amount * pct / HUNDRED, cur)
    if amount is not None:
        return Money.of(amount, cur)
    return Money.zero(cur)


def _priced(index: int, kind: LineKind, code: str | None, name: str, description: str,
            family: str | None, unit: str, quantity: Decimal, unit_price: Decimal,
            currency: str, pct: Decimal | None, amount: Decimal | None, included: bool, *,
            auto_added: bool = False, sku: Sku | None = None, use_by: date | None = None,
            components: tuple[ComponentLine, ...] = (), months: int | None = None,
            months_reason: str | None = None) -> PricedLine:
    list_unit = Money(unit_price, currency)
    list_amount = Money.of(unit_price * quantity * (months or 1), currency)
    discount = _discount(list_amount, pct, amount, included)
    return PricedLine(
        index=index, where=f"lines[{index}]", kind=kind, code=code, name=name,
        description=description, family=family, unit=unit, quantity=quantity,
        currency=currency, priced=True, list_unit_price=list_unit, list_amount=list_amount,
        discount_pct_entered=pct, discount_amount_entered=amount, discount_amount=discount,
        discount_pct=HUNDRED if included else effective_pct(discount, list_amount),
        sold_amount=list_amount - discount, included=included, auto_added=auto_added,
        use_by=use_by, sku=sku, components=components, months=months,
        months_reason=months_reason)


def _components(sku: Sku, skus: dict[str, Sku], qty: Decimal,
                start: date | None) -> tuple[ComponentLine, ...]:
    if not sku.components:
        return ()
    out = []
    for comp in sku.components:
        c = skus.get(comp.sku)
        if c is None:
            continue
        out.append(ComponentLine(code=c.code, name=c.name, description=c.description_in(),
                                 family=c.family, quantity=comp.quantity * qty, unit=c.unit,
                                 use_by=_use_by(c, start)))
    return tuple(out)


def price_sku_line(index: int, sku: Sku | None, code: str, quantity: Decimal,
                   pct: Decimal | None, amount: Decimal | None, included: bool,
                   currency: str, skus: dict[str, Sku], start: date | None,
                   auto_added: bool = False, *, months: int | None = None,
                   months_reason: str | None = None,
                   term_months: int | None = None) -> PricedLine:
    """Price one catalogue line; unknown SKUs and missing prices give an unpriced line.

    A recurring SKU's line runs `months` (default `term_months`); with neither (or a term that
    is not positive, DAT002) it stays unpriced. `months` on a one-off SKU is left for PRC007
    and prices nothing.
    """
    price = sku.list_price.get(currency) if sku else None
    runs: int | None = None
    recurring = sku is not None and sku.recurring
    if recurring:
        runs = months if months is not None else term_months
        if runs is not None and runs <= 0:
            runs = None
    elif months is not None:
        price = None  # months on a one-off SKU: no honest price (PRC007)
    if sku is None or price is None or (recurring and runs is None):
        return PricedLine(index=index, where=f"lines[{index}]", kind="sku", code=code,
                          name=sku.name if sku else code,
                          description=sku.description_in() if sku else "",
                          family=sku.family if sku else None, unit=sku.unit if sku else "",
                          quantity=quantity, currency=currency, priced=False,
                          discount_pct_entered=pct, discount_amount_entered=amount,
                          included=included, sku=sku, auto_added=auto_added,
                          months=runs if months is None else months, months_reason=months_reason)
    return _priced(index, "sku", sku.code, sku.name, sku.description_in(), sku.family,
                   sku.unit, quantity, price, currency, pct, amount, included,
                   auto_added=auto_added, sku=sku, use_by=_use_by(sku, start),
                   components=_components(sku, skus, quantity, start), months=runs,
                   months_reason=months_reason)


def price_deal(deal: Deal, catalogue: Catalogue, policy: Policy,
               skus: dict[str, Sku] | None = None) -> PricedDeal:
    """Price every line of `deal`, add the starter pack for new customers, and total it."""
    skus = skus if skus is not None else catalogue.by_code()
    cur = deal.customer.currency
    start = deal.contract.start
    lines: list[PricedLine] = []
    for i, line in enumerate(deal.lines):
        match line:
            case SkuLine():
                lines.append(price_sku_line(i, skus.get(line.sku), line.sku, line.quantity,
                                            line.discount_pct, line.discount_amount,
                                            line.included, cur, skus, start,
                                            months=line.months,
                                            months_reason=line.months_reason,
                                            term_months=deal.contract.term_months))
            case CustomLine():
                c = line.custom
                lines.append(_priced(i, "custom", None, c.description, c.description, None,
                                     c.unit, c.quantity, c.unit_price, cur, line.discount_pct,
                                     line.discount_amount, line.included))
            case _:  # pragma: no cover - the model admits no other kind
                msg = f"unknown line kind {type(line).__name__}"
                raise TypeError(msg)
    added: list[str] = []
    if deal.customer.new:
        on_deal = {ln.code for ln in lines}
        for sku in catalogue.skus:
            if sku.auto_for_new_customers and sku.code not in on_deal:
                qty = sku.min_quantity or Decimal(1)
                lines.append(price_sku_line(len(lines), sku, sku.code, qty, None, None, False,
                                            cur, skus, start, auto_added=True,
                                            term_months=deal.contract.term_months))
                added.append(sku.code)
    return PricedDeal(deal=deal, catalogue_version=catalogue.catalogue.version, currency=cur,
                      lines=tuple(lines), totals=total(lines, cur, policy, deal),
                      starter_pack_added=tuple(added), policy_version=policy.version)


def total(lines: list[PricedLine], cur: str, policy: Policy, deal: Deal) -> Totals:
    """Totals of the priced lines; tax at the policy's rate for the customer's territory."""
    priced = [ln for ln in lines if ln.priced]
    list_total = Money.total((ln.list_amount for ln in priced if ln.list_amount), cur)
    discount_total = Money.total((ln.discount_amount for ln in priced if ln.discount_amount),
                                 cur)
    sold = list_total - discount_total
    rate = policy.tax_rates.get(deal.customer.territory)
    tax = Money.of(sold.amount * rate / HUNDRED, cur) if rate is not None else Money.zero(cur)
    return Totals(currency=cur, list_total=list_total, discount_total=discount_total,
                  discount_pct=effective_pct(discount_total, list_total), sold_subtotal=sold,
                  tax_rate=rate, tax_amount=tax, total_due=Money(sold.amount + tax.amount, cur))


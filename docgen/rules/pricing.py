"""PRC: discounts within policy, amounts that make sense, quantities within limits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from docgen.findings import Finding, Gate, Severity
from docgen.pricing import HUNDRED, PricedLine
from docgen.rules.catalogue import approve_hint
from docgen.rules.registry import RuleContext, rule


def exact_pct(ln: PricedLine) -> Decimal | None:
    """The line's discount as an exact percent of its list amount (None when unpriced or list 0)."""
    if not ln.priced or ln.list_amount is None or ln.discount_amount is None:
        return None
    if ln.list_amount.is_zero():
        return None
    return ln.discount_amount.amount * HUNDRED / ln.list_amount.amount


def _fmt(pct: Decimal) -> str:
    return f"{pct.quantize(Decimal('0.01')).normalize():f}"


@rule("PRC001", name="discount-needs-approval", severity=Severity.APPROVAL, gate=Gate.PO,
      summary="a line's discount reaches a band with approvers, or exceeds the SKU's "
              "max_discount_pct",
      message="Discount of {pct} % on {item} {reason} and needs approval by {roles}",
      hint="{approve}", approvers="band")
def discount_needs_approval(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Each line's discount (percent, amount or `included`, as a percent of its list amount) against
    the policy's `discount_bands`: the band it falls in names the approvers. A discount above the
    SKU's `max_discount_pct` needs approval even inside a band without approvers (then the first
    band that has approvers decides who).

    ## Why
    Discounts nobody approved erode margin and set precedents customers quote back.

    ## Example
    With bands 10 % (none), 20 % (sales_manager): `{sku: LIC-ANL-PRO, quantity: 12,
    discount_pct: "15"}` needs the sales manager. An `included: true` line is a 100 % discount.

    ## How to fix
    Lower the discount, or `docgen submit` the deal and have each named role `docgen approve` it.
    """
    bands = ctx.policy.discount_bands
    first_with = next((tuple(b.approvers) for b in bands if b.approvers), ())
    for ln in ctx.priced.lines:
        pct = exact_pct(ln)
        if pct is None or pct <= 0 or pct > HUNDRED:
            continue
        band = ctx.policy.band_for(pct)
        roles = tuple(band.approvers)
        cap = ln.sku.max_discount_pct if ln.sku else None
        over_cap = cap is not None and pct > cap
        if over_cap:
            roles = roles or first_with
        if not roles:
            continue
        reason = (f"exceeds the SKU's maximum of {_fmt(cap)} %" if over_cap and cap is not None
                  else f"reaches the band up to {_fmt(band.up_to)} %")
        item = ln.code or f"'{ln.description}'"
        yield discount_needs_approval.finding(
            ln.where, approvers=roles, pct=_fmt(pct), item=item, reason=reason,
            roles=", ".join(roles), approve=approve_hint(ctx, "PRC001", ln.where, roles),
            fingerprint=ln.fingerprint)


@rule("PRC002", name="zero-sold-amount", severity=Severity.ERROR, gate=Gate.PO,
      summary="a line's sold amount is zero without included: true",
      message="{item} sells for zero; mark it included: true if it is given away on purpose",
      hint="Set included: true (shown at list price, 100 % discount) or reduce the discount")
def zero_sold_amount(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    A priced line whose sold amount is zero but which is not marked `included: true`.

    ## Why
    A free line must say so on the PO ("Included"), so the customer sees its value and nobody
    mistakes a typo for a gift.

    ## Example
    `{sku: TRN-ADMIN, quantity: 1, discount_pct: "100"}`

    ## How to fix
    Write `included: true` instead of the 100 % discount, or correct the discount.
    """
    for ln in ctx.priced.lines:
        if ln.priced and ln.sold_amount is not None and ln.sold_amount.is_zero() \
                and not ln.included:
            yield zero_sold_amount.finding(ln.where, item=ln.code or f"'{ln.description}'")


@rule("PRC003", name="invalid-discount", severity=Severity.ERROR, gate=Gate.PO,
      summary="a discount is negative, above 100 % or above the list amount, or both kinds are "
              "given",
      message="{problem}",
      hint="Give either discount_pct (0-100) or discount_amount (0 to the list amount), not both")
def invalid_discount(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `discount_pct` lies in 0-100; `discount_amount` lies between 0 and the line's list amount;
    a line has at most one of `discount_pct`, `discount_amount` and `included: true`.

    ## Why
    docgen never clamps a discount: a negative discount is a surcharge in disguise, and one above
    the list amount would print a negative sold price.

    ## Example
    `{sku: LIC-ANL-PRO, quantity: 1, discount_pct: "120"}`

    ## How to fix
    Correct the number, or keep only one kind of discount.
    """
    for ln in ctx.priced.lines:
        kinds = [k for k, v in (("discount_pct", ln.discount_pct_entered),
                                ("discount_amount", ln.discount_amount_entered)) if v is not None]
        if ln.included and kinds:
            kinds.append("included")
        if len(kinds) > 1:
            yield invalid_discount.finding(
                ln.where, problem=f"{' and '.join(kinds)} are both given; keep one")
            continue
        pct, amount = ln.discount_pct_entered, ln.discount_amount_entered
        if pct is not None and (pct < 0 or pct > HUNDRED):
            yield invalid_discount.finding(
                ln.where, problem=f"discount_pct {pct} is outside 0-100")
        if amount is not None:
            if amount < 0:
                yield invalid_discount.finding(
                    ln.where, problem=f"discount_amount {amount} is negative")
            elif ln.list_amount is not None and amount > ln.list_amount.amount:
                yield invalid_discount.finding(
                    ln.where, problem=f"discount_amount {amount} is above the list amount "
                                      f"{ln.list_amount.amount}")


@rule("PRC004", name="quantity-out-of-range", severity=Severity.ERROR, gate=Gate.PO,
      summary="a quantity is outside the SKU's min/max, zero or negative",
      message="Quantity {quantity} of {item} {problem}",
      hint="Use a quantity {allowed}")
def quantity_out_of_range(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Every quantity is positive and within the SKU's `min_quantity` / `max_quantity`.

    ## Why
    Minimums and maximums encode what can be delivered and what the price assumes.

    ## Example
    `{sku: LIC-ANL-PRO, quantity: 48}` where the SKU allows at most 36 months.

    ## How to fix
    Change the quantity, or split the deal.
    """
    for ln in ctx.priced.lines:
        qty = ln.quantity
        lo = ln.sku.min_quantity if ln.sku else None
        hi = ln.sku.max_quantity if ln.sku else None
        if qty <= 0:
            problem = "is not positive"
        elif lo is not None and qty < lo:
            problem = f"is below the minimum {lo}"
        elif hi is not None and qty > hi:
            problem = f"is above the maximum {hi}"
        else:
            continue
        allowed = "above zero"
        if lo is not None or hi is not None:
            allowed = f"from {lo if lo is not None else 1} to {hi if hi is not None else 'any'}"
        yield quantity_out_of_range.finding(ln.where, quantity=qty, item=ln.code or
                                            f"'{ln.description}'", problem=problem,
                                            allowed=allowed)


@rule("PRC005", name="non-positive-custom-price", severity=Severity.ERROR, gate=Gate.PO,
      summary="a custom line's unit price is zero or negative (a credit is not a line)",
      message="Non-catalogue service '{description}' has the unit price {price}, which is "
              "{problem}",
      hint="Give the service its real price above zero; lower what the customer pays with a "
           "discount on a line, never with a line of its own")
def non_positive_custom_price(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    The `unit_price` of every custom (non-catalogue) line is above zero.

    ## Why
    A custom line with a negative price is a credit in disguise: an unlimited discount that no
    discount band sees, which can take a PO's total due below zero. A zero price hides what the
    service is worth. Discounts belong on lines, where bands and approvers see them (PRC001,
    PRC003).

    ## Example
    `- custom: {description: "Goodwill credit", unit_price: "-100000.00", quantity: 1}`

    ## How to fix
    Price the service at what it is worth and give a discount on it (`discount_pct` or
    `discount_amount`), or `included: true` if it is given away; remove "credit" lines.
    """
    for ln in ctx.priced.lines:
        price = ln.list_unit_price
        if ln.kind != "custom" or price is None or price.amount > 0:
            continue
        yield non_positive_custom_price.finding(
            ln.where, description=ln.description, price=f"{price.amount:f}",
            problem="zero" if price.amount == 0 else "negative")


@rule("PRC006", name="months-differ-from-term", severity=Severity.WARNING, gate=Gate.NONE,
      summary="a recurring line runs for other than the contract term (months, with its reason)",
      message="{item} runs {months} months, the contract term is {term}: {reason}",
      hint="Check that {months} months is what was agreed; leave months out to run the term")
def months_differ_from_term(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    A line of a recurring SKU (`billing: monthly`) that gives `months` different from the
    contract's `term_months`.

    ## Why
    A recurring SKU's quantity is in its unit (10 seats) and runs for the contract term unless
    the line says otherwise. A line that runs shorter or longer (a ramp, a co-terminus add-on)
    is legitimate but unusual: the reviewer should see it, with the reason the line gives in
    `months_reason`.

    ## Example
    `{sku: LIC-VIEWER, quantity: 10, months: 24, months_reason: "co-terminus with the main
    licence"}` on a 36-month contract.

    ## How to fix
    Nothing, if the months are right. Otherwise remove `months` (and its reason) to run the
    contract term.
    """
    term = ctx.deal.contract.term_months
    for ln in ctx.priced.lines:
        if ln.months is None or ln.months_reason is None or not ln.recurring:
            continue
        if term is None or ln.months != term:
            yield months_differ_from_term.finding(
                f"{ln.where}.months", item=ln.code, months=ln.months,
                term=f"{term} months" if term is not None else "not set",
                reason=ln.months_reason)


@rule("PRC007", name="months-on-one-off-sku", severity=Severity.ERROR, gate=Gate.PO,
      summary="a line gives months for a SKU that is not billed monthly",
      message="{item} is a one-off price per {unit}; months {months} cannot multiply it",
      hint="Remove months and months_reason from the line, or sell a recurring SKU")
def months_on_one_off_sku(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `months` appears only on lines of recurring SKUs (`billing: monthly` in the catalogue).

    ## Why
    A one-off SKU's list price is per unit; multiplying it by months would invent a price the
    catalogue does not have, and ignoring the months would price something else than the line
    says. The line is left unpriced until it is fixed.

    ## Example
    `{sku: SVC-AUDIT-SEC, quantity: 1, months: 12, months_reason: "..."}`

    ## How to fix
    Remove `months` and `months_reason`, or choose the recurring SKU that was meant.
    """
    lines = [ln for ln in ctx.deal.lines if getattr(ln, "months", None) is not None]
    if not lines:
        return
    for ln in ctx.priced.lines:
        if ln.kind != "sku" or ln.sku is None or ln.sku.recurring or ln.auto_added:
            continue
        months = getattr(ctx.deal.lines[ln.index], "months", None)
        if months is not None:
            yield months_on_one_off_sku.finding(f"{ln.where}.months", item=ln.code,
                                                unit=ln.unit, months=months)

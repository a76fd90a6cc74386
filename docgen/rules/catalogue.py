"""CAT: lines must come from the locked catalogue, be sellable here, now, in this currency."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from docgen.findings import Finding, Gate, Severity
from docgen.rules.registry import RuleContext, rule

# run by the approver, whose token (DOCGEN_TOKEN) says who they are
APPROVE_HINT = "docgen approve {deal} --code {code} --where {where} --role {role}"


def approve_hint(ctx: RuleContext, code: str, where: str, roles: tuple[str, ...]) -> str:
    """The command that records the approval a finding needs."""
    return APPROVE_HINT.format(deal=ctx.deal.deal, code=code, where=where,
                               role="|".join(roles) or "<role>")


@rule("CAT001", name="unknown-sku", severity=Severity.ERROR, gate=Gate.PO,
      summary="a line names an unknown SKU",
      message="Unknown SKU '{sku}'{suggestion}",
      hint="Use a code from 'docgen catalogue list'{suggestion}")
def unknown_sku(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Every catalogue line's `sku` must be a code of the locked catalogue.

    ## Why
    Descriptions, prices and included quantities come only from the catalogue; a line naming a code
    that is not there cannot be priced or described, and would reach the customer as a typo.

    ## Example
    `{sku: LIC-ANL-PRX, quantity: 12}` -> CAT001, did you mean LIC-ANL-PRO?

    ## How to fix
    Correct the code (the message suggests the closest ones), or sell it as a `custom` line, which
    needs CS approval (CAT002).
    """
    codes = list(ctx.skus)
    for ln in ctx.priced.lines:
        if ln.kind == "sku" and ln.sku is None:
            close = difflib.get_close_matches(ln.code or "", codes, n=3, cutoff=0.6)
            suggestion = f"; did you mean {', '.join(close)}?" if close else ""
            yield unknown_sku.finding(ln.where, sku=ln.code, suggestion=suggestion)


@rule("CAT002", name="non-catalogue-service", severity=Severity.APPROVAL, gate=Gate.PO,
      summary="a line is not from the catalogue (custom)",
      message="Non-catalogue service '{description}' needs CS approval before the PO is sent",
      hint="{approve}", approvers="exceptions")
def non_catalogue_service(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    A `custom` line sells something that is not in the catalogue.

    ## Why
    Customer Success must agree to deliver a service nobody has described, priced or staffed
    before a customer is promised it.

    ## Example
    `custom: {description: "On-site data migration, 3 days", unit_price: "4500.00", quantity: 1}`

    ## How to fix
    Use a catalogue SKU if one fits; otherwise `docgen submit` the deal and have an exception
    approver (the policy's `exceptions.approvers`) run `docgen approve`.
    """
    roles = ctx.exception_approvers
    for ln in ctx.priced.lines:
        if ln.kind == "custom":
            yield non_catalogue_service.finding(
                ln.where, approvers=roles, description=ln.description,
                approve=approve_hint(ctx, "CAT002", ln.where, roles), fingerprint=ln.fingerprint)


@rule("CAT003", name="sku-not-effective", severity=Severity.ERROR, gate=Gate.PO,
      summary="a SKU is not effective on the contract start date (retired or not yet available)",
      message="SKU {sku} is {state} on the contract start {start}",
      hint="Choose a SKU that is effective on {start}, or move the contract start")
def sku_not_effective(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Each SKU's `effective_from` / `effective_to` window contains the contract start date.

    ## Why
    A retired SKU has no one to deliver it at its old price; a future one is not yet sellable.

    ## Example
    A SKU with `effective_to: 2025-12-31` on a deal whose contract starts 2026-12-01.

    ## How to fix
    Replace it with its successor in the catalogue, or change the contract start.
    """
    start = ctx.deal.contract.start
    if start is None:  # DAT002 reports the missing start
        return
    for ln in ctx.sku_lines():
        sku = ln.sku
        assert sku is not None  # noqa: S101 - sku_lines() yields known SKUs only
        if not sku.effective_on(start):
            if sku.effective_from and start < sku.effective_from:
                state = f"not available until {sku.effective_from.isoformat()}"
            else:
                state = f"retired since {sku.effective_to.isoformat() if sku.effective_to else '?'}"
            yield sku_not_effective.finding(ln.where, sku=sku.code, state=state,
                                            start=start.isoformat())


@rule("CAT004", name="sku-not-sold-in-territory", severity=Severity.ERROR, gate=Gate.PO,
      summary="a SKU may not be sold in the customer's territory",
      message="SKU {sku} may not be sold in {territory} (sold in: {allowed})",
      hint="Remove the line or choose a SKU sold in {territory}")
def sku_not_sold_in_territory(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    The SKU's `territories` include the customer's territory (or `all`).

    ## Why
    Some services can only be delivered, or some licences only sold, in certain countries.

    ## Example
    A SKU with `territories: [US, CA]` on a deal for a customer in DE.

    ## How to fix
    Choose the territory's equivalent SKU.
    """
    territory = ctx.deal.customer.territory
    for ln in ctx.sku_lines():
        sku = ln.sku
        assert sku is not None  # noqa: S101
        if not sku.available_in(territory):
            yield sku_not_sold_in_territory.finding(
                ln.where, sku=sku.code, territory=territory, allowed=", ".join(sku.territories))


@rule("CAT005", name="no-price-in-currency", severity=Severity.ERROR, gate=Gate.PO,
      summary="a SKU has no list price in the deal currency",
      message="SKU {sku} has no list price in {currency} (priced in: {priced})",
      hint="Quote the deal in one of {priced}, or have the catalogue owner add a {currency} price")
def no_price_in_currency(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    The SKU's `list_price` has an entry for the deal's currency.

    ## Why
    docgen never converts currencies: a price must be set deliberately by the catalogue owner.

    ## Example
    A SKU priced in EUR and USD on a deal in JPY.

    ## How to fix
    Change the deal currency, or add the price to the catalogue and re-lock it.
    """
    cur = ctx.deal.customer.currency
    for ln in ctx.sku_lines():
        sku = ln.sku
        assert sku is not None  # noqa: S101
        if cur not in sku.list_price:
            yield no_price_in_currency.finding(ln.where, sku=sku.code, currency=cur,
                                               priced=", ".join(sorted(sku.list_price)))


@rule("CAT007", name="service-needs-cs-review", severity=Severity.APPROVAL, gate=Gate.PO,
      summary="a SKU has requires_cs_review (e.g. on-site support)",
      message="SKU {sku} ({name}) needs CS review before the PO is sent",
      hint="{approve}", approvers="exceptions")
def service_needs_cs_review(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    A SKU marked `requires_cs_review: true` in the catalogue, sold directly or inside a bundle.

    ## Why
    "Consult CS before sending the PO": some services (on-site days, managed services) depend on
    staff availability that only Customer Success can confirm.

    ## Example
    `{sku: SVC-ONSITE-DAY, quantity: 3}`

    ## How to fix
    `docgen submit` the deal; an exception approver reviews and runs `docgen approve`.
    """
    roles = ctx.exception_approvers
    for ln in ctx.sku_lines():
        sku = ln.sku
        assert sku is not None  # noqa: S101
        flagged = [sku] if sku.requires_cs_review else []
        flagged += [ctx.skus[c.code] for c in ln.components
                    if c.code in ctx.skus and ctx.skus[c.code].requires_cs_review]
        if flagged:
            yield service_needs_cs_review.finding(
                ln.where, approvers=roles, sku=", ".join(s.code for s in flagged),
                name=", ".join(s.name for s in flagged),
                approve=approve_hint(ctx, "CAT007", ln.where, roles), fingerprint=ln.fingerprint)

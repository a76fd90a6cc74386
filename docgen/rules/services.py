"""SVC: services must be deliverable: a use-by date, a SOW scope, and a visible starter pack."""

from __future__ import annotations

from collections.abc import Iterator

from docgen.findings import Finding, Gate, Severity
from docgen.models.catalogue import SERVICE_FAMILIES, USE_BY_FAMILIES, Sku
from docgen.pricing import PricedLine
from docgen.rules.registry import RuleContext, rule


def _families(ln: PricedLine, skus: dict[str, Sku]) -> list[tuple[str, str]]:
    """(code, family) of the line's SKU and, for a bundle, of each of its components.

    Components are read from the catalogue, not from the priced line: an unpriced bundle (no price
    in the deal currency) has no priced components but still delivers them.
    """
    sku = ln.sku
    if sku is None:
        return []
    out = [(sku.code, sku.family)]
    for comp in sku.components:
        c = skus.get(comp.sku)
        if c is not None:
            out.append((c.code, c.family))
    return out


def _short(text: str, width: int = 40) -> str:
    """The first line of `text`, cut to `width` characters (custom descriptions can be long)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= width else first[: width - 1] + "\u2026"


@rule("SVC001", name="service-without-use-by-date", severity=Severity.ERROR, gate=Gate.PO,
      summary="a workshop, audit or training line gets no use-by date (no contract start to "
              "count from)",
      message="{item} gets no use-by date because the deal has no contract start",
      hint="Set contract.start so that {item} gets its use-by date")
def service_without_use_by_date(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Every workshop, audit or training line, and every bundle that contains one, can be given its
    use-by date: the contract start plus the SKU's `consumption_days`.

    ## Why
    Workshops, audits and trainings must be used within a period of the contract start. A PO that
    prints no use-by date promises them forever; the customer will ask for them years later.

    ## Example
    `{sku: SVC-WS-REMOTE, quantity: 1}` on a deal without `contract.start`.

    ## How to fix
    Add `contract: {start: 2026-12-01, ...}` to the deal (DAT002 reports the missing start too).
    """
    if ctx.deal.contract.start is not None:
        return
    for ln in ctx.sku_lines():
        dated = [code for code, family in _families(ln, ctx.skus) if family in USE_BY_FAMILIES]
        if dated:
            item = ln.code if dated == [ln.code] else f"{ln.code} ({', '.join(dated)})"
            yield service_without_use_by_date.finding(ln.where, item=item)


@rule("SVC002", name="starter-pack-added", severity=Severity.INFO, gate=Gate.NONE,
      summary="the starter pack was added automatically for a new customer",
      message="{sku} ({name}) was added automatically because the customer is new",
      hint="Nothing to do; if the customer is not new, set customer.new: false")
def starter_pack_added(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Reports each SKU with `auto_for_new_customers: true` that docgen added to a new customer's
    deal (`customer.new: true`) because the deal did not already sell it.

    ## Why
    A line nobody typed appears on the PO at its list price; sales should know before the
    customer asks about it.

    ## Example
    A deal with `customer: {new: true, ...}` gets `PACK-STARTER` as its last line.

    ## How to fix
    Nothing, it is information. If the customer is not new, set `customer.new: false`.
    """
    added = set(ctx.priced.starter_pack_added)
    for ln in ctx.priced.lines:
        if ln.auto_added and ln.code in added:
            yield starter_pack_added.finding(ln.where, sku=ln.code, name=ln.name)


@rule("SVC003", name="services-without-sow-scope", severity=Severity.ERROR, gate=Gate.PO,
      summary="services (workshop, audit, training, onsite, managed_service, custom) are sold "
              "without a SOW scope",
      message="Services are sold ({items}) but the deal has no SOW scope",
      hint="Describe what will be delivered in sow.scope")
def services_without_sow_scope(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    A deal that sells a service (a workshop, audit, training, on-site or managed-service SKU, a
    bundle containing one, or any `custom` line) has a non-empty `sow.scope`.

    ## Why
    A service without a written scope is a service nobody agreed to deliver: Customer Success
    learns what was promised from the customer. The scope is printed on the statement of work.

    ## Example
    `{sku: SVC-AUDIT-SEC, quantity: 1}` on a deal without `sow:`.

    ## How to fix
    Add `sow: {scope: "..."}` describing what, where and when, in the customer's terms.
    """
    sow = ctx.deal.sow
    if sow is not None and sow.scope is not None and sow.scope.strip():
        return
    items: list[str] = []
    for ln in ctx.priced.lines:
        if ln.kind == "custom":
            items.append(f"{ln.where} '{_short(ln.description)}'")
        elif any(family in SERVICE_FAMILIES for _, family in _families(ln, ctx.skus)):
            items.append(f"{ln.where} {ln.code}")
    if items:
        yield services_without_sow_scope.finding("sow.scope", items=", ".join(items))

"""One context per document, built from a priced deal; PDF and DOCX templates get the same data.

The context is described by pydantic models, so ``docgen templates check`` can compare every
dotted path a template uses with what the data has. Templates receive ``model_dump()`` output:
plain dicts, lists and strings, never objects with methods. Every figure is already formatted for
the customer's locale by Babel; raw values sit beside them where a template needs a decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from docgen.findings import Finding
from docgen.models.deal import Address, Contact
from docgen.pricing import PricedDeal, PricedLine
from docgen.render.i18n import Formatter, translations
from docgen.render.labels import LABELS, UNIT_LABELS

__all__ = ["ApprovalView", "DocContext", "LineView", "build_context", "formatter_for"]


class View(BaseModel):
    """Base of the context models: frozen, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PartyView(View):
    """Vendor or customer block."""

    name: str
    address_lines: list[str]
    vat_id: str
    email: str
    phone: str


class ContactView(View):
    """A person."""

    name: str
    email: str
    phone: str
    role: str


class ApprovalView(View):
    """Who approved a line, as which role, when (final POs only)."""

    code: str
    by: str
    role: str
    date: str
    text: str


class ComponentView(View):
    """A SKU inside a bundle line."""

    code: str
    name: str
    description: str
    quantity: str
    unit: str
    use_by: str


class LineView(View):
    """One row of the PO: every column of SPEC §6, formatted."""

    no: int
    where: str
    code: str
    name: str
    description: str
    family: str
    quantity: str
    unit: str
    list_unit_price: str
    list_amount: str
    discount_pct: str
    discount_amount: str
    sold_amount: str
    included: bool
    custom: bool
    auto_added: bool
    use_by: str
    includes: str
    threshold: str
    overage: str
    components: list[ComponentView]
    approvals: list[ApprovalView]
    notes: list[str]
    details: list[str]


class TotalsView(View):
    """Document totals."""

    list_total: str
    discount_total: str
    discount_pct: str
    sold_subtotal: str
    has_tax: bool
    tax_label: str
    tax_amount: str
    total_due: str


class DocView(View):
    """About the document itself."""

    kind: str
    title: str
    number: str
    final: bool
    draft: bool
    blockers: list[str]
    issue_date: str
    iso_date: str
    valid_until: str
    lang: str
    locale: str
    catalogue_version: str
    footer: str


class DealView(View):
    """Deal-level facts printed in the header."""

    id: str
    currency: str
    territory: str
    sales_rep: str
    sales_rep_email: str
    contract_start: str
    term: str
    payment_terms: str
    go_live: str


class DocContext(View):
    """Everything a document template may print."""

    doc: DocView
    label: dict[str, str]
    vendor: PartyView
    customer: PartyView
    invoice_contact: ContactView
    billing_address: list[str]
    deal: DealView
    lines: list[LineView]
    totals: TotalsView
    notes: list[str]


def formatter_for(priced: PricedDeal, templates_dir: Path) -> Formatter:
    """A Formatter for the deal's locale and currency with the workspace's translations."""
    loc = priced.deal.customer.locale
    return Formatter(loc, priced.currency, translations(templates_dir / "locale", loc))


def _address_lines(addr: Address | None) -> list[str]:
    if addr is None:
        return []
    city = " ".join(p for p in (addr.postal_code, addr.city) if p)
    return [p for p in (addr.street, city, addr.region, addr.country) if p]


def _contact(c: Contact | None) -> ContactView:
    if c is None:
        return ContactView(name="", email="", phone="", role="")
    return ContactView(name=c.name, email=c.email or "", phone=c.phone or "", role=c.role or "")


def unit_label(f: Formatter, unit: str) -> str:
    """The unit, translated when the catalogs know it."""
    return f.t(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit


def _line(f: Formatter, ln: PricedLine, no: int,
          approvals: Sequence[ApprovalView]) -> LineView:
    sku = ln.sku
    includes = threshold = overage = ""
    if sku is not None and sku.included is not None and sku.included.sessions:
        hours = sku.included.hours_each
        includes = (f.t(LABELS["includes_sessions"], sessions=sku.included.sessions,
                        hours=f.number(hours)) if hours else
                    f"{sku.included.sessions} × {unit_label(f, 'session')}")
    if sku is not None and sku.threshold is not None:
        th = sku.threshold
        threshold = f.t(LABELS["includes_threshold"], quantity=f.number(th.quantity),
                        unit=th.unit, per=unit_label(f, th.per))
        if sku.overage is not None and f.currency in sku.overage.price:
            overage = f.t(LABELS["overage"], price=f.money(sku.overage.price[f.currency]),
                          per=f.number(sku.overage.per), unit=th.unit)
    notes = []
    if ln.kind == "custom":
        notes.append(f.t(LABELS["non_catalogue"]))
    if ln.auto_added:
        notes.append(f.t(LABELS["starter_pack"]))
    comps = [ComponentView(code=c.code, name=c.name, description=c.description,
                           quantity=f.number(c.quantity), unit=unit_label(f, c.unit),
                           use_by=f.t(LABELS["use_by"], date=f.date(c.use_by)) if c.use_by
                           else "")
             for c in ln.components]
    details = [*notes, includes, ln_use_by(f, ln), threshold, overage]
    details += [f"{c.quantity} × {c.code} · {c.name}" + (f" ({c.use_by})" if c.use_by else "")
                for c in comps]
    details += [a.text for a in approvals]
    return LineView(
        no=no, where=ln.where, code=ln.code or "", name=ln.name, description=ln.description,
        family=ln.family or "custom", quantity=f.number(ln.quantity),
        unit=unit_label(f, ln.unit), list_unit_price=f.money(ln.list_unit_price),
        list_amount=f.money(ln.list_amount), discount_pct=f.pct(ln.discount_pct),
        discount_amount=f.money(ln.discount_amount),
        sold_amount=f.t(LABELS["included"]) if ln.included else f.money(ln.sold_amount),
        included=ln.included, custom=ln.kind == "custom", auto_added=ln.auto_added,
        use_by=ln_use_by(f, ln), includes=includes, threshold=threshold, overage=overage,
        components=comps, approvals=list(approvals), notes=notes,
        details=[d for d in details if d])


def ln_use_by(f: Formatter, ln: PricedLine) -> str:
    """'Use by 1 June 2027' for a line with a use-by date, else ''."""
    return f.t(LABELS["use_by"], date=f.date(ln.use_by)) if ln.use_by else ""


def build_context(priced: PricedDeal, *, vendor: PartyView, templates_dir: Path, kind: str,
                  issue_date: date, valid_days: int, number: str | None = None,
                  blockers: Sequence[Finding] = (),
                  approvals: Mapping[str, Sequence[ApprovalView]] | None = None) -> DocContext:
    """The context of one document of `kind` ('po', 'sow', 'onboarding')."""
    f = formatter_for(priced, templates_dir)
    deal, cust = priced.deal, priced.deal.customer
    labels = {k: f.t(v) for k, v in LABELS.items()}
    title = labels[{"po": "purchase_order", "sow": "statement_of_work",
                    "onboarding": "onboarding_form"}[kind]]
    draft = number is None
    shown_number = number or f"{labels['draft']} ({labels['not_numbered']})"
    footer = f"{title} {shown_number} · {labels['catalogue']} {priced.catalogue_version}"
    doc = DocView(kind=kind, title=title, number=shown_number, final=not draft, draft=draft,
                  blockers=[f"{b.code} {b.where}: {b.message}" for b in blockers],
                  issue_date=f.date(issue_date, "long"), iso_date=issue_date.isoformat(),
                  valid_until=f.date(issue_date + timedelta(days=valid_days), "long"),
                  lang=f.lang, locale=cust.locale, catalogue_version=priced.catalogue_version,
                  footer=footer)
    term = deal.contract.term_months
    rep = deal.sales_rep
    dv = DealView(id=deal.deal, currency=priced.currency, territory=cust.territory,
                  sales_rep=rep.name if rep else "", sales_rep_email=(rep.email or "") if rep else "",
                  contract_start=f.date(deal.contract.start, "long"),
                  term=f.t(LABELS["term_months"], n=term) if term is not None else "",
                  payment_terms=deal.contract.payment_terms, go_live=f.date(deal.go_live, "long"))
    approvals = approvals or {}
    lines = [_line(f, ln, i + 1, approvals.get(ln.where, ())) for i, ln in enumerate(priced.lines)]
    t = priced.totals
    totals = TotalsView(
        list_total=f.money(t.list_total), discount_total=f.money(t.discount_total),
        discount_pct=f.pct(t.discount_pct), sold_subtotal=f.money(t.sold_subtotal),
        has_tax=t.tax_rate is not None,
        tax_label=f.t(LABELS["tax"], rate=f.pct(t.tax_rate)) if t.tax_rate is not None else "",
        tax_amount=f.money(t.tax_amount), total_due=f.money(t.total_due))
    customer = PartyView(name=cust.name, address_lines=_address_lines(cust.billing_address),
                         vat_id=cust.vat_id or "", email="", phone="")
    notes = [labels["starter_pack"] + ": " + ", ".join(priced.starter_pack_added)] \
        if priced.starter_pack_added else []
    return DocContext(doc=doc, label=labels, vendor=vendor, customer=customer,
                      invoice_contact=_contact(cust.invoice_contact),
                      billing_address=_address_lines(cust.billing_address), deal=dv, lines=lines,
                      totals=totals, notes=notes)


def vendor_view(vendor: object) -> PartyView:
    """The catalogue's vendor as a party block."""
    from docgen.models.catalogue import Vendor

    assert isinstance(vendor, Vendor)  # noqa: S101
    return PartyView(name=vendor.name, address_lines=[p.strip() for p in vendor.address.split(",")],
                     vat_id=vendor.vat_id or "", email=vendor.email or "", phone=vendor.phone or "")

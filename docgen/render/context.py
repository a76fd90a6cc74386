"""One context per document, built from a priced deal; PDF and DOCX templates get the same data.

The context is described by pydantic models, so ``docgen templates check`` can compare every
dotted path a template uses with what the data has (:data:`CONTEXT_MODELS`, one per document
kind). Templates receive ``model_dump()`` output: plain dicts, lists and strings, never objects
with methods. Every figure is already formatted for the customer's locale by Babel; raw values sit
beside them where a template needs a decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, create_model

from docgen.findings import Finding
from docgen.models.catalogue import SERVICE_FAMILIES, Sku
from docgen.models.deal import Address, Contact
from docgen.pricing import ComponentLine, PricedDeal, PricedLine
from docgen.render.i18n import Formatter
from docgen.render.labels import (
    CHECKLIST_LABELS,
    FAMILY_LABELS,
    LABELS,
    OWNER_LABELS,
    ROLE_LABELS,
    UNIT_LABELS,
)

if TYPE_CHECKING:
    from docgen.approvals import ApprovalRecord
    from docgen.render.documents import DocumentPolicy

__all__ = ["CONTEXT_MODELS", "ApprovalView", "DocContext", "LineView", "OnboardingContext",
           "SowContext", "build_context", "formatter_for", "vendor_view"]


class View(BaseModel):
    """Base of the context models: frozen, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


#: Every label, translated: one field per key of LABELS, so an unknown ``label.x`` is caught.
LabelView: type[View] = create_model(  # type: ignore[call-overload]
    "LabelView", __base__=View, __doc__="Every label, translated for the customer's locale.",
    **{key: (str, ...) for key in LABELS})


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
    draft_notice: str
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
    """Everything a PO template may print; the SOW and onboarding contexts add their section."""

    doc: DocView
    label: LabelView  # type: ignore[valid-type]
    vendor: PartyView
    customer: PartyView
    invoice_contact: ContactView
    billing_address: list[str]
    contacts: list[ContactView]
    deal: DealView
    lines: list[LineView]
    totals: TotalsView
    notes: list[str]


# --- statement of work ----------------------------------------------------------------------

class DeliverableView(View):
    """One service the SOW commits to: a service line, or a service inside a bundle."""

    no: int
    where: str
    code: str
    name: str
    description: str
    family: str
    family_label: str
    quantity: str
    unit: str
    includes: list[str]
    use_by: str
    part_of: str
    custom: bool
    included: bool
    notes: list[str]


class SignatureView(View):
    """One signature block: for whom, which company."""

    heading: str
    party: str


class SowView(View):
    """The SOW's own content."""

    scope_paragraphs: list[str]
    has_scope: bool
    deliverables: list[DeliverableView]
    assumptions: list[str]
    acceptance: str
    acceptance_is_default: bool
    signatures: list[SignatureView]


class SowContext(DocContext):
    """Everything a SOW template may print."""

    sow: SowView


# --- onboarding form ------------------------------------------------------------------------

class ChecklistItemView(View):
    """One item of the policy's onboarding checklist and its evidence."""

    item: str
    label: str
    done: bool
    status: str
    date: str
    by: str
    ref: str
    evidence: str


class PlanTaskView(View):
    """One task of the onboarding plan, dated contract start + 7 x week days."""

    week: int
    week_label: str
    date: str
    iso_date: str
    owner_id: str
    owner: str
    task: str
    touchpoint: bool


class OnboardingView(View):
    """The onboarding form's own content."""

    checklist: list[ChecklistItemView]
    done_count: int
    missing_count: int
    complete: bool
    summary: str
    plan: list[PlanTaskView]


class OnboardingContext(DocContext):
    """Everything an onboarding-form template may print."""

    onboarding: OnboardingView


#: The context model of each document kind: what ``templates check`` compares templates with.
CONTEXT_MODELS: dict[str, type[DocContext]] = {"po": DocContext, "sow": SowContext,
                                               "onboarding": OnboardingContext}
_TITLES = {"po": "purchase_order", "sow": "statement_of_work", "onboarding": "onboarding_form"}


# --- building -------------------------------------------------------------------------------

def formatter_for(priced: PricedDeal, templates_dir: Path) -> Formatter:
    """A Formatter for the deal's locale and currency with the workspace's translations."""
    loc = priced.deal.customer.locale
    # with the catalogs' plural forms too: a recurring line prints "10 Benutzer × 36 Monate"
    return Formatter.for_locale(loc, priced.currency, templates_dir / "locale")


def _address_lines(addr: Address | None) -> list[str]:
    if addr is None:
        return []
    city = " ".join(p for p in (addr.postal_code, addr.city) if p)
    return [p for p in (addr.street, city, addr.region, addr.country) if p]


def _contact(f: Formatter | None, c: Contact | None) -> ContactView:
    if c is None:
        return ContactView(name="", email="", phone="", role="")
    role = c.role or ""
    if f is not None and role in ROLE_LABELS:
        role = f.t(ROLE_LABELS[role])
    return ContactView(name=c.name, email=c.email or "", phone=c.phone or "", role=role)


def unit_label(f: Formatter, unit: str) -> str:
    """The unit, translated when the catalogs know it."""
    return f.t(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit


def _humanise(item: str) -> str:
    return item.replace("_", " ").strip().capitalize()


def _whole(q: Decimal) -> int | None:
    """`q` as an int when it is a whole number (a count of sessions can be multiplied by it)."""
    return int(q) if q == q.to_integral_value() else None


def included_texts(f: Formatter, sku: Sku | None, quantity: Decimal) -> list[str]:
    """What a SKU's quantity includes: sessions (and their length), days, seats.

    The catalogue gives the inclusions of one unit; for a whole quantity they are multiplied
    (2 trainings of 1 session = 2 sessions), otherwise printed per unit.
    """
    if sku is None or sku.included is None:
        return []
    inc, n = sku.included, _whole(quantity) or 1
    out = []
    if inc.sessions:
        sessions = f.number(Decimal(inc.sessions * n))
        out.append(f.t(LABELS["includes_sessions"], sessions=sessions, hours=f.number(inc.hours_each))
                   if inc.hours_each else f.t(LABELS["includes_sessions_only"], sessions=sessions))
    if inc.days:
        out.append(f.t(LABELS["includes_days"], days=f.number(inc.days * n)))
    if inc.seats:
        out.append(f.t(LABELS["includes_seats"], seats=f.number(Decimal(inc.seats * n))))
    return out


def _line(f: Formatter, ln: PricedLine, no: int,
          approvals: Sequence[ApprovalView]) -> LineView:
    sku = ln.sku
    threshold = overage = ""
    includes = " · ".join(included_texts(f, sku, ln.quantity))
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
        family=ln.family or "custom", **_quantity_cells(f, ln),
        list_unit_price=f.money(ln.list_unit_price),
        list_amount=f.money(ln.list_amount), discount_pct=f.pct(ln.discount_pct),
        discount_amount=f.money(ln.discount_amount),
        sold_amount=f.t(LABELS["included"]) if ln.included else f.money(ln.sold_amount),
        included=ln.included, custom=ln.kind == "custom", auto_added=ln.auto_added,
        use_by=ln_use_by(f, ln), includes=includes, threshold=threshold, overage=overage,
        components=comps, approvals=list(approvals), notes=notes,
        details=[d for d in details if d])


def _quantity_cells(f: Formatter, ln: PricedLine) -> dict[str, str]:
    """The quantity and unit cells: ``12`` ``month``, or for a recurring line one cell
    ``10 seats × 36 months`` (plural forms from the catalogs) and an empty unit."""
    if ln.recurring and ln.months is not None:
        return {"quantity": f"{f.quantity(ln.quantity, ln.unit)} × "
                            f"{f.quantity(ln.months, 'month')}", "unit": ""}
    return {"quantity": f.number(ln.quantity), "unit": unit_label(f, ln.unit)}


def ln_use_by(f: Formatter, ln: PricedLine) -> str:
    """'Use by 1 June 2027' for a line with a use-by date, else ''."""
    return f.t(LABELS["use_by"], date=f.date(ln.use_by)) if ln.use_by else ""


def _services(priced: PricedDeal) -> Iterator[tuple[PricedLine, ComponentLine | None]]:
    """Service lines (and services inside bundles), in line order: what a SOW must cover."""
    for ln in priced.lines:
        if ln.kind == "custom" or ln.family in SERVICE_FAMILIES:
            yield ln, None
        elif ln.family == "bundle":
            for comp in ln.components:
                if comp.family in SERVICE_FAMILIES:
                    yield ln, comp


def _deliverables(f: Formatter, priced: PricedDeal,
                  skus: Mapping[str, Sku]) -> list[DeliverableView]:
    out = []
    for ln, comp in _services(priced):
        # a custom line's type already says "Non-catalogue service"
        notes = [f.t(LABELS["included_at_no_charge"])] if ln.included else []
        if comp is None:
            family = ln.family or "custom"
            out.append(DeliverableView(
                no=len(out) + 1, where=ln.where, code=ln.code or "", name=ln.name,
                description=ln.description, family=family,
                family_label=f.t(FAMILY_LABELS[family]) if family in FAMILY_LABELS else family,
                quantity=f.number(ln.quantity), unit=unit_label(f, ln.unit),
                includes=included_texts(f, ln.sku, ln.quantity), use_by=ln_use_by(f, ln),
                part_of="", custom=ln.kind == "custom", included=ln.included, notes=notes))
            continue
        idx = ln.components.index(comp)
        out.append(DeliverableView(
            no=len(out) + 1, where=f"{ln.where}.components[{idx}]", code=comp.code,
            name=comp.name, description=comp.description, family=comp.family,
            family_label=f.t(FAMILY_LABELS.get(comp.family, comp.family)),
            quantity=f.number(comp.quantity), unit=unit_label(f, comp.unit),
            includes=included_texts(f, skus.get(comp.code), comp.quantity),
            use_by=f.t(LABELS["use_by"], date=f.date(comp.use_by)) if comp.use_by else "",
            part_of=f.t(LABELS["part_of"], code=ln.code or "", name=ln.name), custom=False,
            included=ln.included, notes=notes))
    return out


def _paragraphs(text: str | None) -> list[str]:
    """Free text -> paragraphs (split at blank lines), line breaks inside a paragraph kept."""
    if not text or not text.strip():
        return []
    lines = [ln.rstrip() for ln in text.strip().splitlines()]
    paras = re.split(r"\n\s*\n", "\n".join(lines))
    return [p.strip("\n") for p in paras if p.strip()]


def _sow(f: Formatter, priced: PricedDeal, skus: Mapping[str, Sku], labels: Mapping[str, str],
         vendor: PartyView) -> SowView:
    sow = priced.deal.sow
    scope = _paragraphs(sow.scope if sow else None)
    acceptance = (sow.acceptance or "").strip() if sow else ""
    return SowView(
        scope_paragraphs=scope, has_scope=bool(scope),
        deliverables=_deliverables(f, priced, skus),
        assumptions=[a.strip() for a in (sow.assumptions if sow else []) if a.strip()],
        acceptance=acceptance or labels["acceptance_default"],
        acceptance_is_default=not acceptance,
        signatures=[SignatureView(heading=labels["for_vendor"], party=vendor.name),
                    SignatureView(heading=labels["for_customer"],
                                  party=priced.deal.customer.name)])


def _onboarding(f: Formatter, priced: PricedDeal, policy: DocumentPolicy | None,
                labels: Mapping[str, str]) -> OnboardingView:
    deal = priced.deal
    items = policy.onboarding_checklist if policy else ()
    checklist = []
    for item in items:
        ev = deal.evidence.get(item)
        # a yes/no question answered `false` is answered (Policy.has_evidence says the same)
        done = ev is not None and (ev.done or item in (policy.questions if policy else ()))
        when = f.date(ev.date) if done and ev is not None and ev.date else ""
        by = (ev.by or "") if done and ev is not None else ""
        ref = (ev.ref or "") if done and ev is not None else ""
        status = labels["done"] if done else labels["missing"]
        checklist.append(ChecklistItemView(
            item=item, label=f.t(CHECKLIST_LABELS[item]) if item in CHECKLIST_LABELS
            else _humanise(item), done=done, status=status, date=when, by=by, ref=ref,
            evidence=" · ".join(p for p in (when, by, ref) if p) if done else status))
    start = deal.contract.start
    plan = []
    for task in policy.onboarding_plan if policy else []:
        day = start + timedelta(days=7 * task.week) if start else None
        plan.append(PlanTaskView(
            week=task.week, week_label=f.t(LABELS["week_n"], n=task.week),
            date=f.date(day) if day else labels["no_contract_start"],
            iso_date=day.isoformat() if day else "", owner_id=task.owner,
            owner=f.t(OWNER_LABELS[task.owner]) if task.owner in OWNER_LABELS
            else _humanise(task.owner),
            task=f.t(task.task), touchpoint=task.touchpoint))
    done_count = sum(1 for c in checklist if c.done)
    return OnboardingView(
        checklist=checklist, done_count=done_count, missing_count=len(checklist) - done_count,
        complete=done_count == len(checklist),
        summary=f.t(LABELS["evidence_count"], done=done_count, total=len(checklist)), plan=plan)


def build_context(priced: PricedDeal, *, vendor: PartyView, templates_dir: Path, kind: str,
                  issue_date: date, valid_days: int, number: str | None = None,
                  blockers: Sequence[Finding] = (),
                  approvals: Mapping[str, Sequence[ApprovalRecord]] | None = None,
                  policy: DocumentPolicy | None = None,
                  skus: Mapping[str, Sku] | None = None) -> DocContext:
    """The context of one document of `kind` ('po', 'sow', 'onboarding').

    The onboarding form needs `policy` (its checklist and plan); a SOW uses `skus` for what the
    services inside a bundle include; a final PO prints each line's `approvals`.
    """
    f = formatter_for(priced, templates_dir)
    deal, cust = priced.deal, priced.deal.customer
    labels = {k: f.t(v) for k, v in LABELS.items()}
    title = labels[_TITLES[kind]]
    draft = number is None
    shown_number = number or f"{labels['draft']} ({labels['not_numbered']})"
    footer = f"{title} {shown_number} · {labels['catalogue']} {priced.catalogue_version}"
    doc = DocView(kind=kind, title=title, number=shown_number, final=not draft, draft=draft,
                  draft_notice=labels["draft_notice" if kind == "po" else "draft_notice_doc"],
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
                  term="" if term is None else labels["term_one_month"] if term == 1
                  else f.t(LABELS["term_months"], n=term),
                  payment_terms=deal.contract.payment_terms, go_live=f.date(deal.go_live, "long"))
    records = approvals or {}
    lines = [_line(f, ln, i + 1, [_approval(f, a) for a in records.get(ln.where, ())])
             for i, ln in enumerate(priced.lines)]
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
    common: dict[str, Any] = {
        "doc": doc, "label": LabelView(**labels), "vendor": vendor, "customer": customer,
        "invoice_contact": _contact(None, cust.invoice_contact),
        "billing_address": _address_lines(cust.billing_address),
        "contacts": [_contact(f, c) for c in deal.contacts], "deal": dv, "lines": lines,
        "totals": totals, "notes": notes}
    if kind == "sow":
        return SowContext(**common, sow=_sow(f, priced, skus or {}, labels, vendor))
    if kind == "onboarding":
        return OnboardingContext(**common, onboarding=_onboarding(f, priced, policy, labels))
    return DocContext(**common)


def _approval(f: Formatter, a: ApprovalRecord) -> ApprovalView:
    when = f.date(a.at.date())
    return ApprovalView(code=a.code, by=a.by, role=a.role, date=when,
                        text=f.t(LABELS["approved_by"], by=a.by, role=a.role, date=when))


def vendor_view(vendor: object) -> PartyView:
    """The catalogue's vendor as a party block."""
    from docgen.models.catalogue import Vendor

    assert isinstance(vendor, Vendor)  # noqa: S101
    return PartyView(name=vendor.name, address_lines=[p.strip() for p in vendor.address.split(",")],
                     vat_id=vendor.vat_id or "", email=vendor.email or "", phone=vendor.phone or "")

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

from docgen.evidence import short_hash
from docgen.findings import Finding
from docgen.models.catalogue import SERVICE_FAMILIES, Sku
from docgen.models.deal import Address, Contact
from docgen.pricing import ComponentLine, PricedDeal, PricedLine
from docgen.render.i18n import Formatter, workspace_formatter
from docgen.render.labels import (
    APPROVER_ROLE_LABELS,
    BLOCKER_LABELS,
    CHECKLIST_LABELS,
    FAMILY_LABELS,
    LABELS,
    OWNER_LABELS,
    PAYMENT_LABELS,
    ROLE_LABELS,
    UNIT_LABELS,
)

if TYPE_CHECKING:
    from docgen.approvals import ApprovalRecord
    from docgen.evidence import EvidenceRecord
    from docgen.render.documents import DocumentPolicy

__all__ = ["CONTEXT_MODELS", "ApprovalView", "ContractContext", "DocContext", "LineView", "OnboardingContext",
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
    """An approved exception of a line (final POs and internal copies).

    The customer's copy shows only ``reference`` (``text`` is "Approved exception EX-…"); the
    internal copy fills ``by``, ``role`` and ``date`` and ``text`` tells who approved, as which
    role, when.
    """

    code: str
    reference: str
    by: str
    role: str
    date: str
    text: str
    #: ``text`` around the reference, so a template can keep the reference on one line
    lead: str
    tail: str


class BlockerView(View):
    """What blocks a document, in the document's language (internal copies only)."""

    code: str
    where: str
    text: str
    approvers: str


class ComponentView(View):
    """A SKU inside a bundle line."""

    code: str
    name: str
    description: str
    quantity: str
    unit: str
    #: quantity and unit, plural by the language's rules: "2 sessions", "1 séance"
    quantity_text: str
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
    #: quantity and unit, plural by the language's rules: "12 months", "360 utilisateurs"
    quantity_text: str
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
    #: a draft PO for the customer: a quotation, not an order
    quotation: bool
    #: the internal copy (``--internal``): blockers and the approval trail
    internal: bool
    #: the word across every page ("QUOTATION", "DRAFT", "INTERNAL"), empty on a final copy
    watermark: str
    #: the running header's notice (empty on a customer's final copy)
    header_notice: str
    draft_notice: str
    #: what blocks the document, one text each (internal copies only)
    blockers: list[str]
    blocker_items: list[BlockerView]
    issue_date: str
    iso_date: str
    valid_until: str
    lang: str
    locale: str
    catalogue_version: str
    footer: str
    #: the workspace's logo (``templates/assets/logo.svg`` or ``.png``), relative to templates/
    logo: str


class DealView(View):
    """Deal-level facts printed in the header."""

    id: str
    currency: str
    territory: str
    #: the territory's name in the document's language ("Allemagne")
    territory_name: str
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
    #: quantity and unit, plural by the language's rules
    quantity_text: str
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
    #: recorded with ``docgen evidence add``: "received" or "approved" ("" when not recorded)
    recorded: str = ""
    #: the recorded evidence's attached file: its name and the start of its SHA-256
    file_name: str = ""
    file_hash: str = ""


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


# --- contract (order form) ------------------------------------------------------------------

class ClauseView(View):
    """One clause the clause library selected for the deal, in the document's language."""

    no: int
    id: str
    title: str
    paragraphs: list[str]


class ContractView(View):
    """The contract's own content: term, renewal, payment, clauses and signatures."""

    start_date: str
    end_date: str
    iso_end_date: str
    term: str
    renewal: str
    auto_renewal: bool
    notice_days: int
    payment_type: str
    payment_type_id: str
    payment_terms: str
    clauses: list[ClauseView]
    signatures: list[SignatureView]


class ContractContext(DocContext):
    """Everything a contract template may print."""

    contract: ContractView


#: The context model of each document kind: what ``templates check`` compares templates with.
CONTEXT_MODELS: dict[str, type[DocContext]] = {"po": DocContext, "sow": SowContext,
                                               "onboarding": OnboardingContext,
                                               "contract": ContractContext}
_TITLES = {"po": "purchase_order", "sow": "statement_of_work", "onboarding": "onboarding_form",
           "contract": "order_form"}


# --- building -------------------------------------------------------------------------------

def formatter_for(priced: PricedDeal, templates_dir: Path) -> Formatter:
    """A Formatter for the deal's locale and currency with the workspace's translations."""
    return workspace_formatter(templates_dir, priced.deal.customer.locale, priced.currency)


def _address_lines(addr: Address | None, locale: str) -> list[str]:
    from docgen.render.addresses import address_lines

    return address_lines(addr, locale)


def _described(f: Formatter, code: str | None, fallback: str,
               skus: Mapping[str, Sku]) -> str:
    """A SKU's catalogue description in the document's language (English when it has none)."""
    sku = skus.get(code) if code else None
    return sku.description_in(f.locale) if sku is not None else fallback


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
          approvals: Sequence[ApprovalView], skus: Mapping[str, Sku]) -> LineView:
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
    comps = [ComponentView(code=c.code, name=c.name,
                           description=_described(f, c.code, c.description, skus),
                           quantity=f.number(c.quantity), unit=unit_label(f, c.unit),
                           quantity_text=f.quantity(c.quantity, c.unit),
                           use_by=f.t(LABELS["use_by"], date=f.date(c.use_by)) if c.use_by
                           else "")
             for c in ln.components]
    details = [*notes, includes, ln_use_by(f, ln), threshold, overage]
    details += [f"{c.quantity_text} × {c.code} · {c.name}" + (f" ({c.use_by})" if c.use_by
                                                                else "")
                for c in comps]
    details += [a.text for a in approvals]
    return LineView(
        no=no, where=ln.where, code=ln.code or "", name=ln.name,
        description=ln.sku.description_in(f.locale) if ln.sku else ln.description,
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
    """The quantity and unit cells (``12`` ``month``) and the quantity as one text
    (``12 months``); for a recurring line ``10 seats × 36 months`` (plural forms from the
    catalogs) in the quantity cell and the text, and an empty unit."""
    if ln.recurring and ln.months is not None:
        text = f"{f.quantity(ln.quantity, ln.unit)} × {f.quantity(ln.months, 'month')}"
        return {"quantity": text, "unit": "", "quantity_text": text}
    return {"quantity": f.number(ln.quantity), "unit": unit_label(f, ln.unit),
            "quantity_text": f.quantity(ln.quantity, ln.unit)}


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
                description=ln.sku.description_in(f.locale) if ln.sku else ln.description,
                family=family,
                family_label=f.t(FAMILY_LABELS[family]) if family in FAMILY_LABELS else family,
                quantity=f.number(ln.quantity), unit=unit_label(f, ln.unit),
                quantity_text=f.quantity(ln.quantity, ln.unit),
                includes=included_texts(f, ln.sku, ln.quantity), use_by=ln_use_by(f, ln),
                part_of="", custom=ln.kind == "custom", included=ln.included, notes=notes))
            continue
        idx = ln.components.index(comp)
        out.append(DeliverableView(
            no=len(out) + 1, where=f"{ln.where}.components[{idx}]", code=comp.code,
            name=comp.name, description=_described(f, comp.code, comp.description, skus),
            family=comp.family,
            family_label=f.t(FAMILY_LABELS.get(comp.family, comp.family)),
            quantity=f.number(comp.quantity), unit=unit_label(f, comp.unit),
            quantity_text=f.quantity(comp.quantity, comp.unit),
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
                labels: Mapping[str, str], evidence: Mapping[str, EvidenceRecord] | None = None,
                unmet: frozenset[str] | None = None) -> OnboardingView:
    """The form's checklist and plan. An item's recorded evidence (`evidence`) is shown with
    its status, date, who recorded it and its file; `unmet` (what validation found unmet) says
    which items are done, else the deal file's evidence does."""
    deal = priced.deal
    items = policy.onboarding_checklist if policy else ()
    recorded = evidence or {}
    checklist = []
    for item in items:
        ev = deal.evidence.get(item)
        rec = recorded.get(item)
        # a yes/no question answered `false` is answered (Policy.evidence_in says the same)
        in_deal = ev is not None and (ev.done or item in (policy.questions if policy else ()))
        done = item not in unmet if unmet is not None else in_deal or rec is not None
        label = f.t(CHECKLIST_LABELS[item]) if item in CHECKLIST_LABELS else _humanise(item)
        if rec is not None:
            status = labels[f"evidence_{rec.status}"] if done else labels["evidence_not_approved"]
            when, by = f.date(rec.on), rec.by
            ref = f"{rec.file_name} (SHA-256 {short_hash(rec.file_sha256)})" \
                if rec.file_sha256 else ""
            checklist.append(ChecklistItemView(
                item=item, label=label, done=done, status=status, date=when, by=by, ref=ref,
                evidence=" · ".join(p for p in (status, when, by, ref) if p),
                recorded=rec.status, file_name=rec.file_name or "",
                file_hash=short_hash(rec.file_sha256) if rec.file_sha256 else ""))
            continue
        shown = in_deal  # the deal file's evidence, printed even when it awaits approval
        when = f.date(ev.date) if shown and ev is not None and ev.date else ""
        by = (ev.by or "") if shown and ev is not None else ""
        ref = (ev.ref or "") if shown and ev is not None else ""
        status = labels["done"] if done else (
            labels["evidence_not_approved"] if in_deal else labels["missing"])
        checklist.append(ChecklistItemView(
            item=item, label=label, done=done, status=status, date=when, by=by, ref=ref,
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
                  skus: Mapping[str, Sku] | None = None, internal: bool = False,
                  draft: bool | None = None,
                  evidence: Mapping[str, EvidenceRecord] | None = None,
                  checklist_unmet: frozenset[str] | None = None) -> DocContext:
    """The context of one document of `kind` ('po', 'sow', 'onboarding').

    The onboarding form needs `policy` (its checklist and plan); a SOW uses `skus` for what the
    services inside a bundle include. What the customer sees and the internal copy differ
    (SPEC §6): a customer's draft PO is a quotation without blockers or approvers; a customer's
    final PO names each approved exception by its reference only; the `internal` copy lists the
    `blockers` and the full approval trail, in the document's language.
    """
    f = formatter_for(priced, templates_dir)
    deal, cust = priced.deal, priced.deal.customer
    labels = {k: f.t(v) for k, v in LABELS.items()}
    draft = number is None if draft is None else draft
    quotation = draft and kind == "po" and not internal
    title = labels["quotation"] if quotation else labels[_TITLES[kind]]
    shown_number = number or labels["not_numbered"]
    footer = f"{title} {shown_number} · {labels['catalogue']} {priced.catalogue_version}"
    if internal:
        watermark = labels["internal_mark"]
    elif draft:
        watermark = labels["quotation_mark" if quotation else "draft"]
    else:
        watermark = ""
    notices = []
    if draft:
        notices.append(labels["quotation_notice" if kind == "po" else "draft_doc_notice"])
    if internal:
        notices.append(labels["internal_notice"])
    items = [_blocker(f, b, priced) for b in blockers] if internal else []
    doc = DocView(kind=kind, title=title, number=shown_number, final=not draft, draft=draft,
                  quotation=quotation, internal=internal, watermark=watermark,
                  header_notice=" · ".join(notices),
                  draft_notice=notices[0] if notices else "",
                  blockers=[b.text for b in items], blocker_items=items,
                  issue_date=f.date(issue_date, "long"), iso_date=issue_date.isoformat(),
                  valid_until=f.date(issue_date + timedelta(days=valid_days), "long"),
                  lang=f.lang, locale=cust.locale, catalogue_version=priced.catalogue_version,
                  footer=footer, logo=find_logo(templates_dir))
    term = deal.contract.term_months
    rep = deal.sales_rep
    from docgen.render.addresses import country_name

    dv = DealView(id=deal.deal, currency=priced.currency, territory=cust.territory,
                  territory_name=country_name(cust.territory, cust.locale),
                  sales_rep=rep.name if rep else "", sales_rep_email=(rep.email or "") if rep else "",
                  contract_start=f.date(deal.contract.start, "long"),
                  term="" if term is None else f.quantity(term, "month"),
                  payment_terms=deal.contract.payment_terms, go_live=f.date(deal.go_live, "long"))
    records = approvals or {}
    lines = [_line(f, ln, i + 1, _approvals(f, deal.deal, i + 1, records.get(ln.where, ()),
                                            internal=internal), skus or {})
             for i, ln in enumerate(priced.lines)]
    t = priced.totals
    totals = TotalsView(
        list_total=f.money(t.list_total), discount_total=f.money(t.discount_total),
        discount_pct=f.pct(t.discount_pct), sold_subtotal=f.money(t.sold_subtotal),
        has_tax=t.tax_rate is not None,
        tax_label=f.t(LABELS["tax"], rate=f.pct(t.tax_rate)) if t.tax_rate is not None else "",
        tax_amount=f.money(t.tax_amount), total_due=f.money(t.total_due))
    customer = PartyView(name=cust.name,
                         address_lines=_address_lines(cust.billing_address, cust.locale),
                         vat_id=cust.vat_id or "", email="", phone="")
    notes = [labels["starter_pack"] + ": " + ", ".join(priced.starter_pack_added)] \
        if priced.starter_pack_added else []
    common: dict[str, Any] = {
        "doc": doc, "label": LabelView(**labels), "vendor": vendor, "customer": customer,
        "invoice_contact": _contact(None, cust.invoice_contact),
        "billing_address": _address_lines(cust.billing_address, cust.locale),
        "contacts": [_contact(f, c) for c in deal.contacts], "deal": dv, "lines": lines,
        "totals": totals, "notes": notes}
    if kind == "sow":
        return SowContext(**common, sow=_sow(f, priced, skus or {}, labels, vendor))
    if kind == "onboarding":
        return OnboardingContext(**common, onboarding=_onboarding(
            f, priced, policy, labels, evidence, checklist_unmet))
    if kind == "contract":
        return ContractContext(**common, contract=_contract(f, priced, labels, vendor, dv,
                                                            templates_dir))
    return DocContext(**common)


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    import calendar

    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _families(priced: PricedDeal) -> frozenset[str]:
    fams = {ln.family or "custom" for ln in priced.lines}
    fams |= {c.family for ln in priced.lines for c in ln.components}
    return frozenset(fams)


def _contract(f: Formatter, priced: PricedDeal, labels: Mapping[str, str], vendor: PartyView,
              dv: DealView, templates_dir: Path) -> ContractView:
    """Term, end date (start + term), renewal, payment and the clauses legal's library selects."""
    from docgen.render.clauses import DealFacts, fill, load_index, selected, texts_for

    deal = priced.deal
    c = deal.contract
    end = add_months(c.start, c.term_months) if c.start and c.term_months else None
    values = {"customer": deal.customer.name, "vendor": vendor.name, "start": dv.contract_start,
              "end": f.date(end, "long"), "term": dv.term, "notice_days": f.number(
                  c.renewal_notice_days), "payment_terms": c.payment_terms}
    facts = DealFacts(territory=deal.customer.territory, families=_families(priced),
                      payment_type=c.payment_type, renewal=c.renewal,
                      new_customer=deal.customer.new)
    chosen = selected(load_index(templates_dir), facts)
    clauses = []
    for i, (clause, text) in enumerate(zip(chosen, texts_for(templates_dir, chosen,
                                                             deal.customer.locale),
                                           strict=True)):
        where = f"clause {clause.id}"
        clauses.append(ClauseView(no=i + 1, id=clause.id, title=fill(text.title, values, where),
                                  paragraphs=[fill(p, values, where) for p in text.paragraphs]))
    auto = c.renewal == "auto"
    renewal = f.t(LABELS["renewal_auto"], term=dv.term, days=values["notice_days"]) if auto \
        else labels["renewal_none"]
    return ContractView(
        start_date=dv.contract_start, end_date=values["end"],
        iso_end_date=end.isoformat() if end else "", term=dv.term, renewal=renewal,
        auto_renewal=auto, notice_days=c.renewal_notice_days,
        payment_type=f.t(PAYMENT_LABELS[c.payment_type]), payment_type_id=c.payment_type,
        payment_terms=c.payment_terms, clauses=clauses,
        signatures=[SignatureView(heading=labels["for_vendor"], party=vendor.name),
                    SignatureView(heading=labels["for_customer"], party=deal.customer.name)])


#: Where a workspace's logo may be, in order (SVG scales without blur, PNG as drawn).
LOGO_NAMES = ("assets/logo.svg", "assets/logo.png", "assets/logo.jpg")


def find_logo(templates_dir: Path) -> str:
    """The logo's path relative to the templates folder, or '' when the workspace has none."""
    for name in LOGO_NAMES:
        if (templates_dir / name).is_file():
            return name
    return ""


def exception_reference(deal_id: str, code: str, line_no: int) -> str:
    """The reference a customer's PO gives an approved exception: ``EX-D-2026-0042-PRC001-L1``.

    It names the deal, the rule and the line, so the vendor finds the decisions behind it with
    ``docgen approvals DEAL`` without the customer's copy naming people or roles.
    """
    return f"EX-{deal_id}-{code}-L{line_no}"


def _role(f: Formatter, role: str) -> str:
    return f.t(APPROVER_ROLE_LABELS[role]) if role in APPROVER_ROLE_LABELS else _humanise(role)


def _approvals(f: Formatter, deal_id: str, line_no: int, records: Sequence[ApprovalRecord], *,
               internal: bool) -> list[ApprovalView]:
    """The approved exceptions of one line: the full trail (internal) or one reference per code."""
    out: list[ApprovalView] = []
    if internal:
        for a in records:
            when = f.date(a.at.date())
            role = _role(f, a.role)
            ref = exception_reference(deal_id, a.code, line_no)
            text = f"{ref}: " + f.t(LABELS["approved_by"], by=a.by, role=role, date=when)
            lead, _, tail = text.partition(ref)
            out.append(ApprovalView(code=a.code, reference=ref, by=a.by, role=role, date=when,
                                    text=text, lead=lead, tail=tail))
        return out
    for code in dict.fromkeys(a.code for a in records):
        ref = exception_reference(deal_id, code, line_no)
        text = f.t(LABELS["approved_exception"], ref=ref)
        lead, _, tail = text.partition(ref)
        out.append(ApprovalView(code=code, reference=ref, by="", role="", date="", text=text,
                                lead=lead, tail=tail))
    return out


def _blocker(f: Formatter, b: Finding, priced: PricedDeal) -> BlockerView:
    """A finding as the internal copy lists it: code, the line it is about, what it means."""
    where = b.where
    m = re.fullmatch(r"lines\[(\d+)\](.*)", where)
    if m and int(m.group(1)) < len(priced.lines):
        ln = priced.lines[int(m.group(1))]
        where = f.t(LABELS["line_n"], n=int(m.group(1)) + 1) + (f" ({ln.code})" if ln.code else "")
    meaning = f.t(BLOCKER_LABELS[b.code]) if b.code in BLOCKER_LABELS else b.message
    roles = ", ".join(_role(f, r) for r in b.approvers)
    text = f"{b.code} · {where}: {meaning}" if where else f"{b.code}: {meaning}"
    if roles:
        text += " · " + f.t(LABELS["needs_approval_by"], roles=roles)
    return BlockerView(code=b.code, where=where, text=text, approvers=roles)


def vendor_view(vendor: object, locale: str = "en_US") -> PartyView:
    """The catalogue's vendor as a party block, its country named in `locale`'s language."""
    from docgen.models.catalogue import Vendor
    from docgen.render.addresses import vendor_address_lines

    assert isinstance(vendor, Vendor)  # noqa: S101
    return PartyView(name=vendor.name,
                     address_lines=vendor_address_lines(vendor.address, None, locale),
                     vat_id=vendor.vat_id or "", email=vendor.email or "", phone=vendor.phone or "")

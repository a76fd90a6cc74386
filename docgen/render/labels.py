"""Every label a document prints, in English; translations live in the workspace's message catalogs.

Templates print ``{{ label.quantity }}``; the context builder translates each msgid for the
customer's locale from ``templates/locale/<lang>/LC_MESSAGES/messages.po``. ``N_`` only marks a
string for extraction (``docgen i18n extract``, :mod:`docgen.render.catalogs`).

Labels avoid plural forms ("Sessions included: 3", not "3 sessions") except ``UNIT_FORMS``: a
msgid/msgid_plural pair per unit, translated per CLDR plural category (``Formatter.quantity``).
Placeholders in braces (``{date}``) must appear unchanged in every translation;
``docgen templates check`` verifies that.

Besides the labels, :func:`extract_policy` lets ``pybabel extract`` collect the onboarding-plan
task texts of ``skus/policy.yaml``, so that a translator can translate those too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

__all__ = ["APPROVER_ROLE_LABELS", "BLOCKER_LABELS", "CHECKLIST_LABELS", "FAMILY_LABELS", "LABELS",
           "N_", "OWNER_LABELS", "PAYMENT_LABELS", "ROLE_LABELS", "TABLE_PREFIXES", "UNIT_FORMS", "UNIT_LABELS",
           "Nn_", "all_msgids", "extract_policy", "override_keys"]


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark `msgid` for extraction; returns it unchanged."""
    return msgid


LABELS: dict[str, str] = {
    # documents
    "purchase_order": N_("Purchase order"),
    "statement_of_work": N_("Statement of work"),
    "onboarding_form": N_("Onboarding form"),
    "draft": N_("DRAFT"),
    "draft_notice": N_("Draft: not valid for ordering"),
    "draft_notice_doc": N_("Draft: not valid until issued"),
    "blocked_by": N_("Blocked by"),
    "not_numbered": N_("not numbered"),
    # customer copy and internal copy (SPEC §6)
    "quotation": N_("Quotation"),
    # TRANSLATORS: the watermark across every page of a quotation (a draft PO for the customer)
    "quotation_mark": N_("QUOTATION"),
    "quotation_notice": N_("Not an order"),
    "draft_doc_notice": N_("Not valid until issued"),
    # TRANSLATORS: the watermark across every page of an internal copy
    "internal_mark": N_("INTERNAL"),
    "internal_notice": N_("Internal copy: not for the customer"),
    "approval_trail": N_("Approval trail"),
    # TRANSLATORS: on the customer's PO, instead of who approved: {ref} is e.g. EX-D-2026-0042-PRC001-L1
    "approved_exception": N_("Approved exception {ref}"),
    "needs_approval_by": N_("needs approval by {roles}"),
    "line_n": N_("Line {n}"),
    # header
    "po_number": N_("PO number"),
    "reference": N_("Reference"),
    "issue_date": N_("Issue date"),
    "valid_until": N_("Valid until"),
    "currency": N_("Currency"),
    "territory": N_("Territory"),
    "sales_rep": N_("Sales representative"),
    "contract_start": N_("Contract start"),
    "term": N_("Term"),
    # TRANSLATORS: {n} is 2 or more; "1 month" is its own label
    "term_months": N_("{n} months"),
    "term_one_month": N_("1 month"),
    "payment_terms": N_("Payment terms"),
    "deal": N_("Deal"),
    "go_live": N_("Go-live date"),
    # parties
    "parties": N_("Parties"),
    "vendor": N_("Vendor"),
    "customer": N_("Customer"),
    "vat_id": N_("VAT ID"),
    "invoice_contact": N_("Invoice contact"),
    "billing_address": N_("Billing address"),
    "billing_details": N_("Billing details"),
    "contacts": N_("Contacts"),
    "name": N_("Name"),
    "role": N_("Role"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    # lines
    "line_no": N_("No."),
    "sku": N_("SKU"),
    "description": N_("Description"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "list_unit_price": N_("List unit price"),
    "list_amount": N_("List amount"),
    "discount_pct": N_("Discount %"),
    "discount_amount": N_("Discount amount"),
    "sold_amount": N_("Sold amount"),
    "included": N_("Included"),
    # TRANSLATORS: {date} becomes a date already in the customer's format, e.g. "30 mai 2027"
    "use_by": N_("Use by {date}"),
    "includes_sessions": N_("Sessions included: {sessions}, {hours} h each"),
    "includes_sessions_only": N_("Sessions included: {sessions}"),
    "includes_days": N_("Days included: {days}"),
    "includes_seats": N_("Seats included: {seats}"),
    "includes_threshold": N_("Includes {quantity} {unit} per {per}"),
    "overage": N_("Overage: {price} per {per} {unit}"),
    "contains": N_("Contains"),
    "non_catalogue": N_("Non-catalogue service"),
    "approved_by": N_("Approved by {by} as {role} on {date}"),
    "starter_pack": N_("Added automatically: starter pack for new customers"),
    # totals
    "list_total": N_("List total"),
    "discount_total": N_("Discount"),
    "sold_subtotal": N_("Subtotal"),
    "tax": N_("Tax ({rate})"),
    "total_due": N_("Total due"),
    # statement of work
    "scope": N_("Scope"),
    "no_scope": N_("No scope has been written for this deal yet."),
    "deliverables": N_("Deliverables"),
    "deliverable": N_("Deliverable"),
    "service_type": N_("Type"),
    "no_services": N_("This deal sells no services."),
    "part_of": N_("Part of {code} · {name}"),
    "included_at_no_charge": N_("Included at no charge"),
    "assumptions": N_("Assumptions"),
    "no_assumptions": N_("None stated."),
    "acceptance": N_("Acceptance"),
    # TRANSLATORS: printed on the SOW when the deal gives no acceptance terms; a legal text
    "acceptance_default": N_("Each deliverable is accepted when the customer confirms it in "
                             "writing, or ten working days after its delivery without a written "
                             "objection."),
    "signatures": N_("Signatures"),
    "for_vendor": N_("For the vendor"),
    "for_customer": N_("For the customer"),
    "signature": N_("Signature"),
    "job_title": N_("Title"),
    "date": N_("Date"),
    # contract (order form)
    "order_form": N_("Order form"),
    "contract_terms": N_("Contract"),
    "products": N_("Products and services"),
    "terms_and_conditions": N_("Terms and conditions"),
    "end_date": N_("End date"),
    "renewal": N_("Renewal"),
    # TRANSLATORS: {term} is e.g. "12 months", {days} a number
    "renewal_auto": N_("Renews automatically for {term} unless cancelled at least {days} days "
                       "before the end date"),
    "renewal_none": N_("No automatic renewal: the contract ends on the end date"),
    "payment_type": N_("Payment type"),
    # onboarding form
    "checklist": N_("Onboarding checklist"),
    "item": N_("Item"),
    "status": N_("Status"),
    "evidence": N_("Evidence"),
    "evidence_by": N_("By"),
    "evidence_ref": N_("Reference"),
    "done": N_("Done"),
    "missing": N_("Missing"),
    "evidence_received": N_("Received"),
    "evidence_approved": N_("Approved"),
    "evidence_not_approved": N_("Not approved yet"),
    "evidence_count": N_("{done} of {total} items have evidence"),
    "plan": N_("Onboarding plan"),
    "week": N_("Week"),
    "week_n": N_("Week {n}"),
    "task": N_("Task"),
    "owner": N_("Owner"),
    "touchpoint": N_("Customer touchpoint"),
    "no_contract_start": N_("no contract start"),
    "none": N_("none"),
    # footer
    "page": N_("Page"),
    "of": N_("of"),
    "catalogue": N_("Catalogue"),
}

#: Approver roles of the policy (``approvers``), as the internal copy prints them.
APPROVER_ROLE_LABELS: dict[str, str] = {
    "sales_manager": N_("Sales manager"),
    "finance": N_("Finance"),
    "cs": N_("Customer Success"),
    "legal": N_("Legal"),
}

#: What each rule code means, as an internal copy lists a blocker in the document's language
#: (the finding's own message is English, for sales at the command line).
BLOCKER_LABELS: dict[str, str] = {
    "CAT001": N_("Unknown SKU"),
    "CAT002": N_("Non-catalogue service needs approval"),
    "CAT003": N_("SKU not available on the contract start date"),
    "CAT004": N_("SKU not sold in the customer's territory"),
    "CAT005": N_("SKU has no list price in the deal currency"),
    "CAT007": N_("Service needs Customer Success review"),
    "CHK001": N_("Pricing sent before the MNDA was signed"),
    "CHK002": N_("Evidence missing before the PO"),
    "CHK003": N_("Onboarding evidence missing"),
    "CUS001": N_("Invoice contact missing or invalid"),
    "CUS002": N_("Billing address incomplete"),
    "CUS003": N_("Territory not in the policy"),
    "CUS005": N_("Text that cannot be printed"),
    "DAT001": N_("Go-live date too soon"),
    "DAT002": N_("Contract start or term missing"),
    "DAT003": N_("Go-live before the contract signature"),
    "PRC001": N_("Discount needs approval"),
    "PRC002": N_("Sold amount is zero"),
    "PRC003": N_("Invalid discount"),
    "PRC004": N_("Quantity out of range"),
    "PRC005": N_("Custom price is zero or negative"),
    "STG001": N_("Pipeline stage skipped"),
    "STG002": N_("Deal lost"),
    "SVC001": N_("Service without a use-by date"),
    "SVC003": N_("Services sold without a SOW scope"),
}

#: How the customer pays (deal ``contract.payment_type``).
PAYMENT_LABELS: dict[str, str] = {
    "invoice": N_("Invoice"),
    "direct_debit": N_("Direct debit"),
    "card": N_("Credit card"),
    "prepayment": N_("Prepayment"),
}

#: Units the sample catalogue uses; an unknown unit prints as written in the catalogue.
UNIT_LABELS: dict[str, str] = {
    "each": N_("each"),
    "month": N_("month"),
    "seat": N_("seat"),
    "day": N_("day"),
    "session": N_("session"),
    "package": N_("package"),
    "pack": N_("pack"),
    "year": N_("year"),
    "hour": N_("hour"),
}

#: SKU families, as a deliverable's type on the SOW.
FAMILY_LABELS: dict[str, str] = {
    "licence": N_("Licence"),
    "workshop": N_("Workshop"),
    "audit": N_("Audit"),
    "training": N_("Training"),
    "onsite": N_("On-site service"),
    "managed_service": N_("Managed service"),
    "support": N_("Support"),
    "usage": N_("Usage"),
    "bundle": N_("Bundle"),
    "custom": N_("Non-catalogue service"),
}

#: Checklist and stage evidence items of the sample policy; an unknown item prints humanised
#: ("known_shipper_check" -> "Known shipper check").
CHECKLIST_LABELS: dict[str, str] = {
    "onboarding_form": N_("Onboarding form received"),
    "credit_application": N_("Credit application"),
    "known_shipper_check": N_("Known-shipper check"),
    "billing_details": N_("Billing details"),
    "mnda_signed": N_("MNDA signed"),
    "agreed_rates": N_("Agreed rates"),
    "signed_contract": N_("Signed contract"),
    "solution_summary": N_("Solution summary"),
    "pricing_sent": N_("Pricing sent"),
    "go_live_notified": N_("Go-live notified"),
}

#: Owners of onboarding-plan tasks (policy ``onboarding_plan[].owner``).
OWNER_LABELS: dict[str, str] = {
    "sales": N_("Sales"),
    "onboarding": N_("Onboarding team"),
    "support": N_("Support"),
    "cs": N_("Customer Success"),
    "finance": N_("Finance"),
    "legal": N_("Legal"),
}

#: Roles of the customer's contacts (deal ``contacts[].role``).
ROLE_LABELS: dict[str, str] = {
    "onboarding": N_("Onboarding contact"),
    "sponsor": N_("Sponsor"),
    "billing": N_("Billing contact"),
    "technical": N_("Technical contact"),
}


def extract_policy(fileobj: IO[bytes], keywords: Any, comment_tags: Any,  # noqa: ARG001
                   options: Any) -> Iterator[tuple[int, str, str, list[str]]]:  # noqa: ARG001
    """A ``pybabel extract`` method: the task texts of ``onboarding_plan`` in a policy file.

    Used from ``templates/locale/babel.cfg`` as ``[docgen.render.labels:extract_policy: ...]``;
    yields (line, funcname, message, comments) as Babel expects.
    """
    import yaml

    root = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if key.value != "onboarding_plan" or not isinstance(value, yaml.SequenceNode):
            continue
        for task in value.value:
            if not isinstance(task, yaml.MappingNode):
                continue
            for k, v in task.value:
                if k.value == "task" and isinstance(v, yaml.ScalarNode) and v.value:
                    yield v.start_mark.line + 1, "N_", v.value, ["onboarding plan task"]


def all_msgids() -> list[str]:
    """Every label msgid a document may print, in table order, without repeats."""
    tables = (LABELS, UNIT_LABELS, FAMILY_LABELS, CHECKLIST_LABELS, OWNER_LABELS, ROLE_LABELS,
              APPROVER_ROLE_LABELS, BLOCKER_LABELS, PAYMENT_LABELS)
    return list(dict.fromkeys(m for table in tables for m in table.values()))


#: Prefixes of the override keys of the smaller tables (``templates/labels/<locale>.yaml``):
#: ``unit.seat``, ``family.workshop``, ``checklist.mnda_signed`` …; LABELS keys stand alone.
TABLE_PREFIXES: dict[str, dict[str, str]] = {
    "unit": UNIT_LABELS, "family": FAMILY_LABELS, "checklist": CHECKLIST_LABELS,
    "owner": OWNER_LABELS, "role": ROLE_LABELS, "approver": APPROVER_ROLE_LABELS,
    "blocker": BLOCKER_LABELS, "payment": PAYMENT_LABELS,
}


def override_keys() -> dict[str, str]:
    """Every key a workspace may override, with the English msgid it replaces.

    ``acceptance_default`` (a LABELS key) or ``unit.seat`` (a table prefix and its key).
    """
    out = dict(LABELS)
    for prefix, table in TABLE_PREFIXES.items():
        out.update({f"{prefix}.{k}": v for k, v in table.items()})
    return out


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - like N_
    """Mark a msgid/msgid_plural pair for extraction (``pybabel extract -k Nn_:1,2``)."""
    return singular, plural


#: A quantity with its unit, by the catalogue's unit name: (singular, plural), each with {n}, the
#: number as the locale prints it. The catalogs give one form per CLDR plural category (French
#: one/many/other, German one/other); English uses these two. The keys are the sample
#: catalogue's ``unit:`` values, its threshold unit and the units of UNIT_LABELS; an unknown
#: unit prints as written ("12 widgets").
UNIT_FORMS: dict[str, tuple[str, str]] = {
    # TRANSLATORS: a count of items sold by the unit ("each" in the catalogue)
    "each": Nn_("{n} unit", "{n} units"),
    "month": Nn_("{n} month", "{n} months"),
    # TRANSLATORS: a licence seat: one named user
    "seat": Nn_("{n} seat", "{n} seats"),
    "day": Nn_("{n} day", "{n} days"),
    "session": Nn_("{n} session", "{n} sessions"),
    # TRANSLATORS: a service package (e.g. a workshop sold as one package)
    "package": Nn_("{n} package", "{n} packages"),
    "pack": Nn_("{n} pack", "{n} packs"),
    "year": Nn_("{n} year", "{n} years"),
    "hour": Nn_("{n} hour", "{n} hours"),
    "page views": Nn_("{n} page view", "{n} page views"),
}

"""Every label a document prints, in English; translations live in the workspace's message catalogs.

Templates print ``{{ label.quantity }}``; the context builder translates each msgid for the
customer's locale from ``templates/locale/<lang>/LC_MESSAGES/messages.po``. ``N_`` only marks a
string for ``pybabel extract`` (see the Makefile's ``i18n-extract`` target).
"""

from __future__ import annotations

__all__ = ["LABELS", "N_", "UNIT_LABELS"]


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
    "blocked_by": N_("Blocked by"),
    "not_numbered": N_("not numbered"),
    # header
    "po_number": N_("PO number"),
    "issue_date": N_("Issue date"),
    "valid_until": N_("Valid until"),
    "currency": N_("Currency"),
    "territory": N_("Territory"),
    "sales_rep": N_("Sales representative"),
    "contract_start": N_("Contract start"),
    "term": N_("Term"),
    "term_months": N_("{n} months"),
    "payment_terms": N_("Payment terms"),
    "deal": N_("Deal"),
    "go_live": N_("Go-live date"),
    # parties
    "vendor": N_("Vendor"),
    "customer": N_("Customer"),
    "vat_id": N_("VAT ID"),
    "invoice_contact": N_("Invoice contact"),
    "billing_address": N_("Billing address"),
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
    "use_by": N_("Use by {date}"),
    "includes_sessions": N_("{sessions} sessions of {hours} hours"),
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
    # footer
    "page": N_("Page"),
    "of": N_("of"),
    "catalogue": N_("Catalogue"),
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

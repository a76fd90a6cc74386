"""A deal file: the customer, the lines sold, the evidence gathered."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Tag,
    field_validator,
    model_serializer,
    model_validator,
)

from docgen.limits import MAX_LINES
from docgen.models._base import (Amount, Code, CurrencyCode, Day, Input, LocaleCode, Pct,
                                 Quantity, Text, Word)

#: Most months one recurring line may run (20 years).
MAX_MONTHS = 240
#: Keys added after deals were first issued: a deal's canonical form leaves them out while they
#: are unset, so that the fingerprints of deals that do not use them stay what they were.
_LATER_DEAL_KEYS = ("quote_date", "catalogue_version")
_LATER_LINE_KEYS = ("months", "months_reason")

__all__ = ["MAX_LINES", "MAX_MONTHS", "Address", "Contact", "Contract", "CustomLine",
           "CustomService", "Customer", "Deal", "Evidence", "Line", "PaymentType", "SalesRep",
           "Sow", "SkuLine"]


class Contact(Input):
    """A person at the customer."""

    name: Word
    email: Word | None = None
    phone: Word | None = None
    role: Word | None = None


class Address(Input):
    """A postal address. Missing parts are CUS002 findings, not schema errors."""

    street: Word | None = None
    postal_code: Word | None = None
    city: Word | None = None
    region: Word | None = None
    country: Word | None = None


class Customer(Input):
    """The buying company."""

    name: Word
    new: bool = False
    territory: Word
    locale: LocaleCode = "en_US"
    currency: CurrencyCode
    vat_id: Word | None = None
    invoice_contact: Contact | None = None
    billing_address: Address | None = None


    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        from babel.numbers import is_currency

        if not is_currency(value):
            msg = f"{value!r} is not an ISO 4217 currency code"
            raise ValueError(msg)
        return value


class SalesRep(Input):
    """The vendor's sales representative."""

    name: Word
    email: Word | None = None
    phone: Word | None = None


#: How the customer pays (the contract's clause library selects clauses by it).
PaymentType = Literal["invoice", "direct_debit", "card", "prepayment"]


class Contract(Input):
    """Contract dates and terms. A missing start is DAT002, not a schema error.

    The end date is not written: it is the start plus the term (the contract prints it).
    """

    start: Day | None = None
    term_months: int | None = None
    payment_terms: Word = "30 days net"
    payment_type: PaymentType = "invoice"
    #: ``auto``: the contract renews for another term unless cancelled before its end
    renewal: Literal["auto", "none"] = "none"
    #: days before the end date by which a party must cancel an automatic renewal
    renewal_notice_days: int = Field(default=90, ge=0, le=3650)

    @model_serializer(mode="wrap")
    def _without_unset_terms(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave the contract terms added for the contract document out of a dump when they
        hold their defaults, so that a deal that does not use them dumps (and fingerprints) as
        it did before they existed: POs issued earlier still verify and re-issue unchanged."""
        data: dict[str, Any] = handler(self)
        for name in _CONTRACT_TERMS:
            if name in data and getattr(self, name) == type(self).model_fields[name].default:
                del data[name]
        return data


#: Fields of Contract left out of a dump at their default (see Contract._without_unset_terms).
_CONTRACT_TERMS = ("payment_type", "renewal", "renewal_notice_days")


class Evidence(Input):
    """Evidence that a checklist or stage item is done: when, by whom, with what reference."""

    date: Day | None = None
    by: Word | None = None
    ref: Word | None = None
    done: bool = True


#: Words a deal may write for true or false. docgen reads YAML booleans as YAML 1.2 does (only
#: true and false), so `yes` reaches the model as text; a true/false field still takes it.
_YES_NO = frozenset({"yes", "no", "on", "off"})


def _evidence(value: Any) -> Any:
    """`2026-10-01`, `true`, `false` (or yes/no) or `{date, by, ref}` -> Evidence fields."""
    if isinstance(value, bool) or (isinstance(value, str) and value.lower() in _YES_NO):
        return {"done": value}
    if isinstance(value, date):
        return {"date": value}
    if isinstance(value, str):
        return {"date": value}
    return value


class SkuLine(Input):
    """A line that sells a catalogue SKU; description and prices come from the catalogue.

    For a recurring SKU (``billing: monthly``) `quantity` is in the SKU's unit (10 seats) and
    `months` how long it runs (default: the contract term); `months` needs `months_reason`.
    """

    sku: Word
    quantity: Quantity
    months: int | None = Field(default=None, ge=1, le=MAX_MONTHS)
    months_reason: Text | None = Field(default=None, min_length=1, max_length=500)
    discount_pct: Pct | None = None
    discount_amount: Amount | None = None
    included: bool = False

    @model_validator(mode="after")
    def _months_need_a_reason(self) -> SkuLine:
        if self.months is not None and self.months_reason is None:
            msg = ("months: a line that runs for other than the contract term needs "
                   "months_reason (say why), or leave months out to use the term")
            raise ValueError(msg)
        if self.months_reason is not None and self.months is None:
            raise ValueError("months_reason: give months too, or remove the reason")
        return self


class CustomService(Input):
    """A service that is not in the catalogue; it needs CS approval (CAT002)."""

    description: Text = Field(min_length=1, max_length=2000)
    unit_price: Amount
    quantity: Quantity
    unit: Word = "each"


class CustomLine(Input):
    """A non-catalogue line."""

    custom: CustomService
    discount_pct: Pct | None = None
    discount_amount: Amount | None = None
    included: bool = False


def _line_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "<custom line>" if "custom" in value else "<catalogue line>"
    return "<custom line>" if isinstance(value, CustomLine) else "<catalogue line>"


Line = Annotated[
    Annotated[SkuLine, Tag("<catalogue line>")] | Annotated[CustomLine, Tag("<custom line>")],
    Discriminator(_line_kind),
]


class Sow(Input):
    """Statement-of-work content; `scope` is the only free text that reaches a document."""

    scope: Text | None = None
    assumptions: list[Text] = Field(default_factory=list)
    acceptance: Text | None = None


class Deal(Input):
    """The whole deal file."""

    deal: Code
    stage: Word | None = None
    #: The day the deal was quoted: it picks the catalogue version in force (default: today).
    quote_date: Day | None = None
    #: A recorded catalogue version to price with, whatever the quote date.
    catalogue_version: Word | None = None
    customer: Customer
    contacts: list[Contact] = Field(default_factory=list)
    sales_rep: SalesRep | None = None
    contract: Contract = Field(default_factory=Contract)
    go_live: Day | None = None
    evidence: dict[Word, Evidence] = Field(default_factory=dict)
    lines: list[Line] = Field(min_length=1, max_length=MAX_LINES)
    sow: Sow | None = None
    #: Set by the loader when the file was plain ASCII without escapes (every text is ASCII);
    #: lets CUS005 skip its walk. Never part of the data, the schema or the revision.
    _ascii_only: bool = PrivateAttr(default=False)

    @field_validator("evidence", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _evidence(v) for k, v in value.items()}
        return value

    def canonical(self) -> dict[str, Any]:
        """The deal as plain JSON data, the form fingerprints cover (later keys left out unset)."""
        data = self.model_dump(mode="json")
        for key in _LATER_DEAL_KEYS:
            if data.get(key) is None:
                data.pop(key, None)
        for line in data["lines"]:
            for key in _LATER_LINE_KEYS:
                if key in line and line[key] is None:
                    del line[key]
        return data

    def has_evidence(self, item: str) -> bool:
        """True when `item` has evidence recorded (a date, true, or a record)."""
        ev = self.evidence.get(item)
        return ev is not None and ev.done

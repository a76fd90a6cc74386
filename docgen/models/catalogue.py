"""The locked SKU catalogue (``skus/catalogue.yaml``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from docgen.limits import MAX_CONSUMPTION_DAYS
from docgen.models._base import (Amount, Code, CurrencyCode, Day, Input, Pct, Quantity, Text,
                                 Word)

__all__ = ["SERVICE_FAMILIES", "USE_BY_FAMILIES", "Billing", "Catalogue", "CatalogueMeta",
           "Component", "Family", "Included", "Overage", "Sku", "Threshold", "Vendor"]

Family = Literal["licence", "workshop", "audit", "training", "onsite", "managed_service",
                 "support", "usage", "bundle"]
#: How a SKU's list price recurs: ``monthly`` is a price per unit per month (SPEC §3).
Billing = Literal["monthly"]

#: Families that must be used within `consumption_days` of the contract start.
USE_BY_FAMILIES = frozenset({"workshop", "audit", "training"})
#: Families that are services and need a SOW scope (custom lines count too).
SERVICE_FAMILIES = frozenset({"workshop", "audit", "training", "onsite", "managed_service"})


class Vendor(Input):
    """The selling company, printed on every document."""

    name: Word
    address: Text
    vat_id: Word | None = None
    email: Word | None = None
    phone: Word | None = None


class CatalogueMeta(Input):
    """Version, vendor and the currencies the catalogue prices in."""

    version: Word
    vendor: Vendor
    currencies: list[CurrencyCode] = Field(min_length=1)


class Included(Input):
    """What a SKU includes (printed on PO and SOW)."""

    sessions: int | None = Field(default=None, ge=1)
    hours_each: Quantity | None = None
    days: Quantity | None = None
    seats: int | None = Field(default=None, ge=1)


class Threshold(Input):
    """Included usage of a usage SKU, e.g. 1,000,000 page views per month."""

    quantity: int = Field(ge=1)
    unit: Word
    per: Word


class Overage(Input):
    """Price of usage above the threshold: `price` per `per` units."""

    per: int = Field(ge=1)
    price: dict[CurrencyCode, Amount]


class Component(Input):
    """One SKU inside a bundle."""

    sku: Code
    quantity: Quantity = Field(gt=0)


class Sku(Input):
    """One catalogue entry. Its description is the only one a document may print for it."""

    code: Code
    name: Word
    family: Family
    description: Text
    unit: Word
    #: None (absent): a one-off price per unit; ``monthly``: per unit per month, and a deal
    #: line's quantity is multiplied by its months (default: the contract term).
    billing: Billing | None = None
    list_price: dict[CurrencyCode, Amount] = Field(min_length=1)
    min_quantity: Quantity | None = None
    max_quantity: Quantity | None = None
    max_discount_pct: Pct | None = Field(default=None, ge=0, le=100)
    territories: list[Word] = Field(default_factory=lambda: ["all"], min_length=1)
    effective_from: Day | None = None
    effective_to: Day | None = None
    included: Included | None = None
    consumption_days: int | None = Field(default=None, ge=1, le=MAX_CONSUMPTION_DAYS)
    threshold: Threshold | None = None
    overage: Overage | None = None
    requires_cs_review: bool = False
    components: list[Component] = Field(default_factory=list)
    auto_for_new_customers: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Sku:
        if any(p < 0 for p in self.list_price.values()):
            raise ValueError("list_price: a list price cannot be negative")
        if self.min_quantity is not None and self.max_quantity is not None \
                and self.min_quantity > self.max_quantity:
            raise ValueError("min_quantity is above max_quantity")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        if self.family == "bundle" and not self.components:
            raise ValueError("a bundle needs components")
        if self.family != "bundle" and self.components:
            raise ValueError(f"components are only for bundles, not {self.family}")
        if self.family == "usage" and self.threshold is None:
            raise ValueError("a usage SKU needs a threshold")
        if self.billing is not None and self.family == "bundle":
            raise ValueError("billing: a bundle is priced as one item, it cannot recur")
        if self.family in USE_BY_FAMILIES and self.consumption_days is None:
            raise ValueError(f"a {self.family} SKU needs consumption_days (its use-by period)")
        return self

    @property
    def recurring(self) -> bool:
        """True when the list price is per unit per month (``billing: monthly``)."""
        return self.billing == "monthly"

    def canonical(self) -> dict[str, Any]:
        """The SKU as plain JSON data, the form its lock hash covers.

        ``billing`` is left out while unset, so that adding the field changed no existing hash.
        """
        data = self.model_dump(mode="json")
        if data.get("billing") is None:
            data.pop("billing", None)
        return data

    def available_in(self, territory: str) -> bool:
        """True when the SKU may be sold in `territory`."""
        return "all" in self.territories or territory in self.territories

    def effective_on(self, day: date) -> bool:
        """True when the SKU may be sold on `day`."""
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day > self.effective_to)


class Catalogue(Input):
    """The whole catalogue file."""

    catalogue: CatalogueMeta
    skus: list[Sku] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        seen: set[str] = set()
        for sku in self.skus:
            if sku.code in seen:
                raise ValueError(f"SKU code {sku.code} appears twice")
            seen.add(sku.code)
        for sku in self.skus:
            for comp in sku.components:
                if comp.sku not in seen:
                    raise ValueError(f"{sku.code}: component {comp.sku} is not in the catalogue")
                if comp.sku == sku.code:
                    raise ValueError(f"{sku.code}: a bundle cannot contain itself")
        return self

    def by_code(self) -> dict[str, Sku]:
        """Map of code to SKU."""
        return {s.code: s for s in self.skus}

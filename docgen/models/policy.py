"""The commercial policy (``skus/policy.yaml``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from docgen.models._base import Input, Pct, Text, Word

__all__ = ["Band", "ExceptionPolicy", "PlanTask", "Policy", "Stage"]


class Band(Input):
    """Discounts up to `up_to` percent need these approvers."""

    up_to: Pct = Field(ge=0, le=100)
    approvers: list[Word] = Field(default_factory=list)


class ExceptionPolicy(Input):
    """Who approves exceptions, and the service level for doing it."""

    approvers: list[Word] = Field(min_length=1)
    warn_hours: int = Field(default=24, ge=0)
    sla_hours: int = Field(default=48, ge=1)


class Stage(Input):
    """A pipeline stage and what must be done before a deal moves past it."""

    id: Word
    probability: int = Field(ge=0, le=100)
    requires: list[Word] = Field(default_factory=list)


class PlanTask(Input):
    """A task of the onboarding plan, dated contract start + 7 x week days."""

    week: int = Field(ge=-52, le=260)
    owner: Word
    task: Text
    touchpoint: bool = False


class Checklists(Input):
    """Evidence that must exist before an action."""

    pricing: list[Word] = Field(default_factory=list)
    po: list[Word] = Field(default_factory=list)
    onboarding: list[Word] = Field(default_factory=list)


class Policy(Input):
    """The whole policy file."""

    territories: list[Word] = Field(min_length=1)
    tax_rates: dict[Word, Pct] = Field(default_factory=dict)
    discount_bands: list[Band] = Field(min_length=1)
    exceptions: ExceptionPolicy
    approvers: dict[Word, list[Word]] = Field(default_factory=dict)
    checklists: Checklists = Field(default_factory=Checklists)
    go_live_notice_hours: int = Field(default=72, ge=0)
    po_valid_days: int = Field(default=30, ge=1)
    po_number_prefix: Word = "PO"
    stages: list[Stage] = Field(default_factory=list)
    onboarding_plan: list[PlanTask] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        ups = [b.up_to for b in self.discount_bands]
        if ups != sorted(ups) or len(set(ups)) != len(ups):
            raise ValueError("discount_bands: up_to must rise strictly from band to band")
        if ups[-1] != 100:
            raise ValueError("discount_bands: the last band must reach up_to 100")
        roles = set(self.approvers)
        needed = {r for b in self.discount_bands for r in b.approvers} | set(
            self.exceptions.approvers)
        missing = sorted(needed - roles)
        if missing:
            raise ValueError(f"approvers: no one holds the role(s) {', '.join(missing)}")
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError("stages: a stage id appears twice")
        unknown = sorted(set(self.tax_rates) - set(self.territories))
        if unknown:
            raise ValueError(f"tax_rates: {', '.join(unknown)} not in territories")
        return self

    def band_for(self, pct: Pct) -> Band:
        """The band a discount of `pct` percent falls in (the first whose up_to reaches it)."""
        for band in self.discount_bands:
            if pct <= band.up_to:
                return band
        return self.discount_bands[-1]

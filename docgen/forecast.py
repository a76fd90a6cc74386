"""The pipeline forecast (SPEC §5 ``docgen forecast``; seed 001's stage probabilities).

For the given deals: per pipeline stage of the policy, in pipeline order, how many deals are in
it, their sold total per currency (the subtotal before tax: tax is not revenue) and that total
weighted by the stage's probability. Deals in the policy's lost stage are counted apart and
never weighted; deals with no stage are listed apart too (nobody can say how likely they are).
Weighted amounts are rounded half-up to the currency's minor unit per stage, and the totals of
the whole pipeline are the sums of the stage rows (so the printed columns add up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from docgen.money import Money

if TYPE_CHECKING:
    from docgen.models.policy import Policy
    from docgen.validate import DealResult

__all__ = ["Forecast", "StageRow", "build_forecast"]

NO_STAGE = "(no stage)"


@dataclass(frozen=True)
class StageRow:
    """One stage of the pipeline: its deals, sold total and weighted total per currency."""

    stage: str
    probability: int | None          # None: the lost stage, or deals without a stage
    deals: tuple[str, ...] = ()
    sold: dict[str, Money] = field(default_factory=dict)
    weighted: dict[str, Money] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data, amounts as decimal text keyed by currency."""
        return {"stage": self.stage, "probability": self.probability, "deals": list(self.deals),
                "count": len(self.deals), "sold": _amounts(self.sold),
                "weighted": _amounts(self.weighted)}


@dataclass(frozen=True)
class Forecast:
    """The pipeline (open stages in order), the lost deals and the deals without a stage."""

    pipeline: tuple[StageRow, ...]
    lost: StageRow | None
    unstaged: StageRow

    @property
    def sold(self) -> dict[str, Money]:
        """Sold total of the open pipeline per currency."""
        return _sum(r.sold for r in self.pipeline)

    @property
    def weighted(self) -> dict[str, Money]:
        """Weighted total of the open pipeline per currency."""
        return _sum(r.weighted for r in self.pipeline)

    @staticmethod
    def text(amounts: dict[str, Money]) -> str:
        """Amounts per currency as one line for people (``€1,200.00 · £300.00``)."""
        from docgen.render.i18n import Formatter

        return " · ".join(Formatter(locale="en_US", currency=c).money(m)
                          for c, m in amounts.items())

    def to_json(self) -> dict[str, Any]:
        """The ``forecast --json`` object."""
        return {"format": "docgen.forecast/1",
                "stages": [r.to_json() for r in self.pipeline],
                "pipeline": {"sold": _amounts(self.sold), "weighted": _amounts(self.weighted)},
                "lost": self.lost.to_json() if self.lost else None,
                "no_stage": self.unstaged.to_json()}


def build_forecast(results: Sequence[DealResult], policy: Policy) -> Forecast:
    """The forecast of validated deals under `policy`'s stages."""
    by_stage: dict[str, list[DealResult]] = {}
    for r in results:
        by_stage.setdefault(r.deal.stage or NO_STAGE, []).append(r)
    pipeline = tuple(_row(s.id, s.probability, by_stage.get(s.id, [])) for s in policy.stages)
    lost = (_row(policy.lost_stage, None, by_stage.get(policy.lost_stage, []))
            if policy.lost_stage else None)
    return Forecast(pipeline=pipeline, lost=lost,
                    unstaged=_row(NO_STAGE, None, by_stage.get(NO_STAGE, [])))


def _row(stage: str, probability: int | None, results: list[DealResult]) -> StageRow:
    sold = _sum({r.priced.totals.currency: r.priced.totals.sold_subtotal} for r in results)
    weighted = {} if probability is None else {
        c: Money.of(m.amount * Decimal(probability) / 100, c) for c, m in sold.items()}
    return StageRow(stage=stage, probability=probability,
                    deals=tuple(sorted(r.deal.deal for r in results)), sold=sold,
                    weighted=weighted)


def _sum(parts: Any) -> dict[str, Money]:
    out: dict[str, Money] = {}
    for part in parts:
        for cur, m in part.items():
            out[cur] = out[cur] + m if cur in out else m
    return dict(sorted(out.items()))


def _amounts(amounts: dict[str, Money]) -> dict[str, str]:
    return {c: str(m.amount) for c, m in amounts.items()}

"""Running the rules over a priced deal; fail closed when a rule crashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from docgen.errors import InternalRuleError
from docgen.findings import ACTION_GATES, Finding, Severity, sort_findings
from docgen.models.catalogue import Catalogue, Sku
from docgen.models.deal import Deal
from docgen.models.policy import Policy
from docgen.pricing import PricedDeal, price_deal
from docgen.rules import ALL_RULES, Rule, RuleContext

if TYPE_CHECKING:
    from docgen.evidence import EvidenceRecord

__all__ = ["DealResult", "run_rules", "validate_deal"]

#: Adjusts findings after the rules ran, e.g. removes approval findings whose approvals are
#: recorded. Supplied by the approvals store; identity when there is none.
Resolver = Callable[[PricedDeal, list[Finding]], list[Finding]]


@dataclass(frozen=True)
class DealResult:
    """A priced deal and its sorted findings."""

    source: str
    priced: PricedDeal
    findings: tuple[Finding, ...]
    #: (code, where, fingerprint) of every approval finding the rules raised, before recorded
    #: decisions cleared any: what a recorded revision remembers, so that the SLA clock of a
    #: finding starts when it first appeared (see :mod:`docgen.sightings`)
    approval_keys: tuple[tuple[str, str, str], ...] = ()

    @property
    def deal(self) -> Deal:
        """The deal as loaded."""
        return self.priced.deal

    def blockers(self, action: str) -> list[Finding]:
        """Findings that block `action` ('po', 'sow' or 'onboarding')."""
        return [f for f in self.findings if f.blocks(action)]

    @property
    def blocking(self) -> bool:
        """True when anything gated (po or onboarding) blocks."""
        return any(f.blocking for f in self.findings)

    @property
    def ready(self) -> dict[str, bool]:
        """Per document kind: True when no finding gated to it is an error or an unmet approval."""
        return {action: not self.blockers(action) for action in ACTION_GATES}

    @cached_property
    def canonical(self) -> str:
        """The deal's canonical content: sorted, compact JSON (what a revision records)."""
        return json.dumps(self.deal.model_dump(mode="json"), sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)

    @property
    def revision(self) -> str:
        """SHA-256 of the deal's canonical content (what was validated)."""
        return hashlib.sha256(self.canonical.encode()).hexdigest()

    def to_json(self) -> dict[str, object]:
        """SPEC §5 ``--json`` entry for this deal."""
        return {"deal": self.deal.deal, "file": self.source, "revision": self.revision,
                "ready": self.ready, "blocking": self.blocking,
                "findings": [f.to_json() for f in self.findings],
                # what the deal was priced with and how (a recurring line carries its months)
                "catalogue_version": self.priced.catalogue_version,
                "lines": [ln.to_json() for ln in self.priced.lines],
                "totals": self.priced.totals.to_json()}


def run_rules(ctx: RuleContext, rules: Sequence[Rule] = ALL_RULES) -> list[Finding]:
    """Every finding of every rule, sorted. A crashing rule raises InternalRuleError."""
    findings: list[Finding] = []
    for r in rules:
        try:
            findings.extend(r.check(ctx))
        except Exception as exc:
            raise InternalRuleError(r.code, ctx.deal.deal, exc) from exc
    return sort_findings(findings)


def validate_deal(deal: Deal, catalogue: Catalogue, policy: Policy, *, source: str = "",
                  skus: dict[str, Sku] | None = None, resolver: Resolver | None = None,
                  rules: Sequence[Rule] = ALL_RULES,
                  recorded: Mapping[str, EvidenceRecord] | None = None) -> DealResult:
    """Price `deal` and run every rule over it; `recorded` is the evidence recorded for it
    (each item's latest record that counts, :func:`docgen.evidence.latest`)."""
    skus = skus if skus is not None else catalogue.by_code()
    priced = price_deal(deal, catalogue, policy, skus)
    ctx = RuleContext(deal=deal, priced=priced, catalogue=catalogue, policy=policy, skus=skus,
                      recorded=recorded or {})
    findings = run_rules(ctx, rules)
    keys = tuple((f.code, f.where, f.fingerprint) for f in findings
                 if f.severity is Severity.APPROVAL and f.fingerprint)
    if resolver is not None:
        findings = sort_findings(resolver(priced, findings))
    return DealResult(source=source, priced=priced, findings=tuple(findings),
                      approval_keys=keys)

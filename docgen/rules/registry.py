"""Rule metadata and the ``@rule`` decorator. Rules themselves live in one module per family."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from docgen.findings import Finding, Gate, Severity

if TYPE_CHECKING:
    from docgen.evidence import EvidenceRecord
    from docgen.models.catalogue import Catalogue, Sku
    from docgen.models.deal import Deal, Evidence
    from docgen.models.policy import Policy
    from docgen.pricing import PricedDeal, PricedLine

__all__ = ["RETIRED", "Rule", "RuleContext", "rule"]

CODE_RE = re.compile(r"^[A-Z]{3}\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

#: Codes that must never be (re)used. SPEC §4 skips CAT006: record the gap, do not fill it.
RETIRED: dict[str, str] = {"CAT006": "reserved: never assigned, kept out of use"}


@dataclass(frozen=True)
class RuleContext:
    """What a rule may look at: the deal, its pricing, the catalogue and the policy, and the
    evidence recorded for the deal (``docgen evidence add``: each item's latest record that the
    audit chain vouches for)."""

    deal: Deal
    priced: PricedDeal
    catalogue: Catalogue
    policy: Policy
    skus: dict[str, Sku]
    recorded: Mapping[str, EvidenceRecord] = field(default_factory=dict)

    @cached_property
    def in_deal(self) -> frozenset[str]:
        """The items the deal file has evidence for (:meth:`Policy.evidence_in`): several rules
        ask about each item, so the deal's evidence is read once."""
        return self.policy.evidence_in(self.deal)

    def has_evidence(self, item: str) -> bool:
        """True when `item` has evidence: in the deal file (:meth:`Policy.evidence_in`) or
        recorded."""
        return item in self.in_deal or item in self.recorded

    def evidence(self, item: str) -> Evidence | None:
        """The evidence of `item` the dated rules read: the deal file's when it counts, else
        the recorded one (its date, who recorded it, the file's name), else whatever the deal
        file says (``false``) or None."""
        ev = self.deal.evidence.get(item)
        if item in self.in_deal:
            return ev
        rec = self.recorded.get(item)
        return rec.as_evidence() if rec is not None else ev

    @cached_property
    def exception_approvers(self) -> tuple[str, ...]:
        """Roles that approve exceptions (CAT002, CAT007)."""
        return tuple(self.policy.exceptions.approvers)

    def sku_lines(self) -> tuple[PricedLine, ...]:
        """Catalogue lines whose SKU exists."""
        return self._sku_lines

    @cached_property
    def _sku_lines(self) -> tuple[PricedLine, ...]:
        # several rules walk them: picked out once per deal
        return tuple(ln for ln in self.priced.lines if ln.kind == "sku" and ln.sku is not None)


RuleFn = Callable[[RuleContext], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A validation rule's metadata and its check function."""

    code: str
    name: str
    severity: Severity
    gate: Gate
    summary: str
    message: str
    hint: str
    approvers: str  # who approves: "", "band", "exceptions", or a fixed role list
    check: RuleFn
    #: A milder severity some findings take where the policy says so (CHK003: info before the
    #: policy's onboarding_from stage); None when every finding has `severity`.
    relaxed: Severity | None = None

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity this rule's findings may have: its own, then the relaxed one."""
        return (self.severity,) if self.relaxed is None else (self.severity, self.relaxed)

    @property
    def explanation(self) -> str:
        """The check function's docstring: what it checks, why, an example, how to fix."""
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def family(self) -> str:
        """The code's three-letter family, e.g. CAT."""
        return self.code[:3]

    def finding(self, where: str, *, approvers: tuple[str, ...] = (), hint: str | None = None,
                fingerprint: str | None = None, relaxed: bool = False,
                **fields: Any) -> Finding:
        """A finding of this rule at `where`, its message formatted from `fields`.

        With `relaxed`, the finding takes the rule's milder severity (a rule without one raises
        ValueError: that is a bug in the rule, not in the deal).
        """
        if relaxed and self.relaxed is None:
            msg = f"rule {self.code} has no relaxed severity"
            raise ValueError(msg)
        severity = self.relaxed if relaxed and self.relaxed is not None else self.severity
        return Finding(code=self.code, severity=severity, gate=self.gate, where=where,
                       message=self.message.format(where=where, **fields), approvers=approvers,
                       hint=(hint if hint is not None else self.hint.format(where=where, **fields)),
                       fingerprint=fingerprint)

    def to_json(self) -> dict[str, Any]:
        """Metadata as JSON (``docgen rules --json``)."""
        return {"code": self.code, "name": self.name, "severity": self.severity.value,
                "gate": self.gate.value, "summary": self.summary, "approvers": self.approvers,
                "hint": self.hint, "explanation": self.explanation}


def rule(code: str, *, name: str, severity: Severity, gate: Gate, summary: str, message: str,
         hint: str, approvers: str = "", relaxed: Severity | None = None,
         ) -> Callable[[Callable[..., Iterator[Finding]]], Rule]:
    """Turn a check function into a :class:`Rule` carrying its metadata."""
    if not CODE_RE.match(code):
        msg = f"rule code {code!r} must look like ABC123"
        raise ValueError(msg)
    if code in RETIRED:
        msg = f"rule code {code} is retired and cannot be reused"
        raise ValueError(msg)
    if not NAME_RE.match(name):
        msg = f"rule name {name!r} must be kebab-case"
        raise ValueError(msg)

    def wrap(fn: Callable[..., Iterator[Finding]]) -> Rule:
        if not fn.__doc__:
            msg = f"rule {code} needs a docstring (its explanation)"
            raise ValueError(msg)
        return Rule(code=code, name=name, severity=severity, gate=gate, summary=summary,
                    message=message, hint=hint, approvers=approvers, check=fn, relaxed=relaxed)

    return wrap

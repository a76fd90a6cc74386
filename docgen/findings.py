"""Findings: what the validator says about a deal, as data (SPEC §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["Finding", "Gate", "Severity", "sort_findings"]


class Severity(str, Enum):
    """How serious a finding is; the order is the sort order."""

    ERROR = "error"
    APPROVAL = "approval"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for error, 3 for info."""
        return list(Severity).index(self)


class Gate(str, Enum):
    """What a finding blocks."""

    PO = "po"
    ONBOARDING = "onboarding"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for po, 2 for none."""
        return list(Gate).index(self)


#: The gates each action must pass. A PO needs a clean po gate; onboarding needs both.
ACTION_GATES: dict[str, frozenset[Gate]] = {
    "po": frozenset({Gate.PO}),
    "sow": frozenset({Gate.PO}),
    "onboarding": frozenset({Gate.PO, Gate.ONBOARDING}),
    # the contract sells what the PO orders: the same gate
    "contract": frozenset({Gate.PO}),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or notice about a deal, with its rule code and location."""

    code: str
    severity: Severity
    gate: Gate
    where: str
    message: str
    approvers: tuple[str, ...] = ()
    hint: str = ""
    fingerprint: str | None = field(default=None, compare=False)

    @property
    def blocking(self) -> bool:
        """True when the finding blocks its gate (errors and unapproved approvals)."""
        return self.gate is not Gate.NONE and self.severity in (Severity.ERROR, Severity.APPROVAL)

    def blocks(self, action: str) -> bool:
        """True when the finding blocks `action` ('po', 'sow' or 'onboarding')."""
        return self.blocking and self.gate in ACTION_GATES[action]

    def to_json(self) -> dict[str, Any]:
        """The SPEC §4 JSON form."""
        out: dict[str, Any] = {"code": self.code, "severity": self.severity.value,
                               "gate": self.gate.value, "where": self.where,
                               "message": self.message}
        if self.approvers:
            out["approvers"] = list(self.approvers)
        if self.hint:
            out["hint"] = self.hint
        return out

    def __str__(self) -> str:
        who = f" [needs: {', '.join(self.approvers)}]" if self.approvers else ""
        return f"{self.code} {self.severity.value:<8} {self.where}: {self.message}{who}"


_NUM = re.compile(r"(\d+)")


def _where_key(where: str) -> tuple[Any, ...]:
    # "lines[10]" sorts after "lines[9]"
    return tuple(int(p) if p.isdigit() else p for p in _NUM.split(where))


def sort_key(f: Finding) -> tuple[Any, ...]:
    """(gate, severity, code, where) with numeric indices compared as numbers."""
    return (f.gate.rank, f.severity.rank, f.code, _where_key(f.where))


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in the SPEC's order: gate, severity, code, where."""
    return sorted(findings, key=sort_key)

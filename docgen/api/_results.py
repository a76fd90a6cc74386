"""What the session's methods return: plain, frozen data that every front end presents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docgen.findings import Finding
    from docgen.kinds import DocumentKind
    from docgen.money import Money
    from docgen.store import ApprovalRequest, Decision, DecisionOutcome, VersionRecord
    from docgen.versions import FieldChange
    from docgen.validate import DealResult

__all__ = ["BatchResult", "DecisionResult", "IssuedFile", "LockResult", "Repricing",
           "SubmitResult", "VersionDiff"]


@dataclass(frozen=True)
class IssuedFile:
    """One document a render wrote: its deal, kind, number (None for a draft) and files."""

    deal_id: str
    kind: DocumentKind
    number: str | None
    paths: dict[str, Path]
    sha256: dict[str, str]
    issue_date: date | None = None
    #: True when this revision was issued before: the same number, date and bytes came back
    reissued: bool = False
    #: the deal's earlier documents this one superseded
    superseded: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    """What a render batch did: documents written, deals refused, deals whose render failed."""

    rendered: list[IssuedFile]
    blocked: list[DealResult]
    failed: list[tuple[str, str]]  # (deal id, message)

    @property
    def ok(self) -> bool:
        """True when every deal was rendered."""
        return not self.blocked and not self.failed


@dataclass(frozen=True)
class SubmitResult:
    """The approval requests of one deal: each request, and whether this call created it."""

    deal_id: str
    requests: list[tuple[ApprovalRequest, bool]]

    @property
    def created(self) -> int:
        """How many requests this call recorded."""
        return sum(1 for _, new in self.requests if new)


@dataclass(frozen=True)
class DecisionResult:
    """A decision as recorded (or the earlier one that made it a duplicate), and what is left.

    ``remaining`` is the finding as it stands after the decision (None when it no longer blocks).
    """

    outcome: DecisionOutcome
    remaining: Finding | None

    @property
    def decision(self) -> Decision:
        """The decision asked for."""
        return self.outcome.decision


@dataclass(frozen=True)
class LockResult:
    """What ``catalogue lock`` / ``policy lock`` did: the lock written, what changed since the
    previous lock (None: there was none), and the version as recorded in the database."""

    kind: str                      # catalogue | policy
    version: str
    lock_path: Path
    data: dict[str, Any]
    diff: Any                      # LockDiff / PolicyLockDiff, or None
    record: VersionRecord
    recorded_now: bool             # False: this version was recorded before (same content)


@dataclass(frozen=True)
class Repricing:
    """How one deal's figures move from one catalogue version to another (its own currency)."""

    deal_id: str
    currency: str
    sold_before: Money
    sold_after: Money
    total_before: Money
    total_after: Money
    unpriced_before: tuple[str, ...]   # lines that cannot be priced (e.g. a SKU not there yet)
    unpriced_after: tuple[str, ...]

    @property
    def delta(self) -> Money:
        """Change of the total due (after - before)."""
        return self.total_after - self.total_before


@dataclass(frozen=True)
class VersionDiff:
    """What changed between two versions of the catalogue or the policy, and each deal's
    re-pricing (catalogue only), with the sum of the changes per currency."""

    kind: str
    before: str                    # version label (the file's label + " (file)" when unlocked)
    after: str
    changes: list[FieldChange]
    repricing: list[Repricing]

    def totals_by_currency(self) -> dict[str, Money]:
        """Sum of the deals' total-due changes, per currency."""
        out: dict[str, Money] = {}
        for r in self.repricing:
            out[r.currency] = out[r.currency] + r.delta if r.currency in out else r.delta
        return out

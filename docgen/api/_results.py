"""What the session's methods return: plain, frozen data that every front end presents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docgen.findings import Finding
    from docgen.kinds import DocumentKind
    from docgen.store import ApprovalRequest, Decision, DecisionOutcome
    from docgen.validate import DealResult

__all__ = ["BatchResult", "DecisionResult", "IssuedFile", "SubmitResult"]


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

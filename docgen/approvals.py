"""Approvals: requests and decisions bound to what was approved, and the SLA clock.

An approval finding (CAT002, CAT007, PRC001) names a deal, a code, a location (``where``) and,
through its ``fingerprint``, the exact content of the line it is about (item, quantity, prices,
discount: :meth:`docgen.pricing.PricedLine.fingerprint`). A decision binds to all four, so:

- once every role the finding names has approved that fingerprint, the finding is resolved
  (:func:`resolve` drops it);
- a rejection of that fingerprint turns the finding into an **error** saying who rejected it and
  why; it stands until the line changes;
- change the line and its fingerprint changes: the old decisions no longer match and the finding
  comes back; a change to another line leaves this one's decisions matching.

The session (:mod:`docgen.api`) reads a deal's decisions once and hands them to :func:`resolver`
and :func:`line_approvals`; this module never opens a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from docgen.errors import InputError, Problem
from docgen.findings import Finding, Severity
from docgen.sla import SlaClock
from docgen.store import ApprovalRequest, Decision, DecisionOutcome

if TYPE_CHECKING:
    from docgen.models.policy import ExceptionPolicy, Policy
    from docgen.money import Money
    from docgen.pricing import PricedDeal, PricedLine
    from docgen.store import Store
    from docgen.validate import DealResult, Resolver

__all__ = ["ApprovalRecord", "HistoryEntry", "SlaState", "amount_at_stake", "approval_findings",
           "decide",
           "history", "line_approvals", "resolve", "resolver", "sla_deadline", "sla_state",
           "submit"]

Key = tuple[str, str, str]  # (code, where, fingerprint) within one deal


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """Who approved a line, as which role, when, for which finding code (printed on the PO)."""

    code: str
    role: str
    by: str
    at: datetime
    note: str | None = None


class SlaState(str, Enum):
    """Where an exception stands against the policy's service level (``exceptions``)."""

    BREACHED = "breached"          # open, older than sla_hours
    DUE_SOON = "due soon"          # open, older than warn_hours
    ON_TIME = "on time"            # open, younger than warn_hours
    NOT_STARTED = "not started"    # never submitted: no clock yet
    MISSED = "missed"              # decided, but after sla_hours
    MET = "met"                    # decided within sla_hours

    @property
    def rank(self) -> int:
        """0 = most urgent."""
        return list(SlaState).index(self)


def sla_deadline(requested_at: datetime, policy: ExceptionPolicy,
                 clock: SlaClock | None = None) -> datetime:
    """When the SLA of a request runs out (`clock`: calendar hours when None)."""
    return (clock or SlaClock()).add(requested_at, policy.sla_hours)


def sla_state(requested_at: datetime | None, now: datetime, policy: ExceptionPolicy, *,
              closed_at: datetime | None = None, clock: SlaClock | None = None) -> SlaState:
    """The SLA state of an exception requested at `requested_at`, as of `now`.

    Open: *on time* until ``warn_hours``, then *due soon*, *breached* from ``sla_hours`` on.
    Closed (every needed decision in, or a rejection): *met* or *missed* by the decision time.
    Hours are service hours of `clock` (business hours when the policy sets them).
    """
    if requested_at is None:
        return SlaState.NOT_STARTED
    clock = clock or SlaClock()
    limit = timedelta(hours=policy.sla_hours)
    if closed_at is not None:
        return (SlaState.MET if clock.elapsed(requested_at, closed_at) <= limit
                else SlaState.MISSED)
    age = clock.elapsed(requested_at, now)
    if age >= limit:
        return SlaState.BREACHED
    if age >= timedelta(hours=policy.warn_hours):
        return SlaState.DUE_SOON
    return SlaState.ON_TIME


# -- matching decisions to findings -------------------------------------------------------------

def approval_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The findings an approval can clear: severity approval, bound to a line fingerprint."""
    return [f for f in findings if f.severity is Severity.APPROVAL and f.fingerprint]


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _by_key(decisions: Iterable[Decision]) -> dict[Key, list[Decision]]:
    out: dict[Key, list[Decision]] = defaultdict(list)
    for d in decisions:
        out[(d.code, d.where, d.fingerprint)].append(d)
    return out


def resolve(findings: Sequence[Finding], decisions: Iterable[Decision]) -> list[Finding]:
    """Apply one deal's decisions to its findings (see the module docstring)."""
    by_key = _by_key(decisions)
    out: list[Finding] = []
    for f in findings:
        if f.severity is not Severity.APPROVAL or not f.fingerprint:
            out.append(f)
            continue
        ds = by_key.get((f.code, f.where, f.fingerprint), [])
        reject = next((d for d in ds if d.decision == "reject"), None)
        if reject is not None:
            why = f": {reject.note}" if reject.note else ""
            out.append(replace(
                f, severity=Severity.ERROR, approvers=(),
                message=f"Rejected by {reject.by} ({reject.role}) on {_when(reject.decided_at)}"
                        f"{why}. The finding was: {f.message}",
                hint="Change or remove the line; a changed line needs a new approval "
                     "(docgen submit)"))
            continue
        approved = {d.role: d for d in ds if d.decision == "approve"}
        missing = tuple(r for r in f.approvers if r not in approved)
        if not missing:
            continue  # every role it names approved this exact line
        done = [approved[r] for r in f.approvers if r in approved]
        if done:
            so_far = "; ".join(f"{d.role} by {d.by}" for d in done)
            out.append(replace(
                f, approvers=missing, message=f"{f.message} (approved so far: {so_far})",
                hint=f.hint.replace("--role " + "|".join(f.approvers),
                                    "--role " + "|".join(missing))))
        else:
            out.append(f)
    return out


# -- applying decisions ---------------------------------------------------------------------------

def resolver(decisions_for: Callable[[str], Sequence[Decision]]) -> Resolver:
    """The resolver validation applies: recorded decisions clear (or reject) approval findings."""

    def resolve_deal(priced: PricedDeal, findings: list[Finding]) -> list[Finding]:
        if not any(f.severity is Severity.APPROVAL for f in findings):
            return findings
        return resolve(findings, decisions_for(priced.deal.deal))

    return resolve_deal


def line_approvals(priced: PricedDeal, decisions: Iterable[Decision]
                   ) -> dict[str, tuple[ApprovalRecord, ...]]:
    """Per line (``where``): the approve decisions bound to its current content, oldest first."""
    current = {ln.where: ln.fingerprint for ln in priced.lines}
    out: dict[str, list[ApprovalRecord]] = {}
    for d in decisions:
        if d.decision == "approve" and current.get(d.where) == d.fingerprint:
            out.setdefault(d.where, []).append(
                ApprovalRecord(code=d.code, role=d.role, by=d.by, at=d.decided_at, note=d.note))
    return {where: tuple(recs) for where, recs in out.items()}


# -- recording -----------------------------------------------------------------------------------

def _line(priced: PricedDeal, where: str) -> PricedLine | None:
    return next((ln for ln in priced.lines if ln.where == where), None)


def amount_at_stake(code: str, line: PricedLine | None) -> Money | None:
    """What an exception puts at stake: the discount conceded for a discount approval (PRC001),
    else the revenue of the line (a non-catalogue or CS-review service)."""
    if line is None:
        return None
    return line.discount_amount if code == "PRC001" else line.sold_amount


def _request(result: DealResult, f: Finding, *, now: datetime, by: str | None) -> ApprovalRequest:
    stake = amount_at_stake(f.code, _line(result.priced, f.where))
    return ApprovalRequest(deal_id=result.deal.deal, code=f.code, where=f.where,
                           fingerprint=f.fingerprint or "", approvers=f.approvers,
                           message=f.message, amount=stake.amount if stake else None,
                           currency=stake.currency if stake else None, requested_at=now,
                           requested_by=by)


def submit(store: Store, result: DealResult, *, by: str | None = None,
           now: datetime | None = None) -> list[tuple[ApprovalRequest, bool]]:
    """Record a request per approval finding; an unchanged finding keeps its first request."""
    now = now or datetime.now(UTC)
    reqs = [_request(result, f, now=now, by=by) for f in approval_findings(result.findings)]
    return store.add_requests(reqs)


def _holder(policy: Policy, role: str, who: str) -> str | None:
    """The policy's spelling of `who` when they hold `role` (e-mails compare case-blind)."""
    return next((p for p in policy.approvers.get(role, []) if p.casefold() == who.casefold()),
                None)


def decide(store: Store, policy: Policy, result: DealResult, *, code: str, where: str, role: str,
           by: str, decision: Literal["approve", "reject"], note: str | None = None,
           now: datetime | None = None) -> DecisionOutcome:
    """Record an approve or reject decision; InputError (nothing recorded) when it is not allowed.

    Refused: a role the policy does not have, a person who does not hold the role, a finding
    the deal does not have now, a role the finding does not need, a rejection without a note,
    a decision on a line version that was rejected already, or a role reversing its decision.
    """
    src = result.source or result.deal.deal
    problems: list[Problem] = []
    holder = None
    if role not in policy.approvers:
        problems.append(Problem(src, None, "--role", f"{role!r} is not an approver role of the "
                                f"policy (roles: {', '.join(sorted(policy.approvers))})"))
    else:
        holder = _holder(policy, role, by)
        if holder is None:
            problems.append(Problem(src, None, "--by", f"{by} does not hold the role {role} in "
                                    f"the policy's approvers"))
    wanted = [f for f in approval_findings(result.findings) if f.code == code and f.where == where]
    if not wanted:
        have = ", ".join(f"{f.code} {f.where}" for f in approval_findings(result.findings))
        problems.append(Problem(src, None, "--code/--where",
                                f"{result.deal.deal} has no {code} approval finding at {where}"
                                + (f" (it has: {have})" if have else " (it needs no approval)")))
    elif role not in wanted[0].approvers:
        problems.append(Problem(src, None, "--role", f"{code} at {where} needs "
                                f"{', '.join(wanted[0].approvers)}, not {role}"))
    if decision == "reject" and not (note and note.strip()):
        problems.append(Problem(src, None, "--note", "a rejection needs a --note saying why"))
    if problems:
        raise InputError(problems)
    f = wanted[0]
    now = now or datetime.now(UTC)
    assert holder is not None and f.fingerprint
    d = Decision(deal_id=result.deal.deal, code=code, where=where, fingerprint=f.fingerprint,
                 role=role, by=holder, decision=decision, note=(note or "").strip() or None,
                 decided_at=now)
    outcome = store.add_decision(d, _request(result, f, now=now, by=None))
    prior = outcome.existing
    if outcome.status == "rejected" and prior is not None:
        raise InputError([Problem(src, None, f"{code} {where}", (
            f"this version of the line was rejected by {prior.by} ({prior.role}) on "
            f"{_when(prior.decided_at)}; a rejection stands until the line changes"))])
    if outcome.status == "duplicate" and prior is not None and prior.decision != decision:
        raise InputError([Problem(src, None, f"{code} {where}", (
            f"{role} already decided this version of the line: {prior.decision} by {prior.by} "
            f"on {_when(prior.decided_at)}; a role decides once per version of a line"))])
    return outcome


# -- history -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event of a deal's approval history."""

    at: datetime
    event: Literal["requested", "approved", "rejected"]
    code: str
    where: str
    fingerprint: str
    who: str | None
    role: str | None            # the deciding role (decisions)
    note: str | None            # the decision's note (decisions)
    needs: tuple[str, ...]      # the roles the finding needs (requests)
    about: str | None           # the finding's message when requested (requests)
    #: True when it is bound to the line as it is now, False when the line changed since,
    #: None when the deal file was not given
    current: bool | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"at": self.at.isoformat(), "event": self.event, "code": self.code,
                "where": self.where, "fingerprint": self.fingerprint, "who": self.who,
                "role": self.role, "note": self.note, "needs": list(self.needs),
                "about": self.about, "current": self.current}


def history(store: Store, deal_id: str, result: DealResult | None = None) -> list[HistoryEntry]:
    """Requests and decisions of a deal in time order, marked current or stale if `result`."""
    current: dict[str, str] | None = None
    if result is not None:
        current = {ln.where: ln.fingerprint for ln in result.priced.lines}

    def cur(where: str, fp: str) -> bool | None:
        return None if current is None else current.get(where) == fp

    out = [HistoryEntry(r.requested_at, "requested", r.code, r.where, r.fingerprint,
                        r.requested_by, None, None, r.approvers, r.message,
                        cur(r.where, r.fingerprint))
           for r in store.requests([deal_id])]
    out += [HistoryEntry(d.decided_at, "approved" if d.decision == "approve" else "rejected",
                         d.code, d.where, d.fingerprint, d.by, d.role, d.note, (), None,
                         cur(d.where, d.fingerprint))
            for d in store.decisions([deal_id])]
    order = {"requested": 0, "approved": 1, "rejected": 1}
    return sorted(out, key=lambda e: (e.at, order[e.event]))

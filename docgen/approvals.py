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

Which recorded decisions **count** (:func:`counted`), at validate and at issue time alike:

- only those the audit chain vouches for (the session drops the others before they get here: a
  row forged into the database is not a decision);
- an approval only while the current policy names its approver for the role;
- with the policy's ``separation_of_duties`` (on by default), not an approval by the deal's
  sales rep or by anyone who submitted the deal, and one person counts for one role per finding
  (a finding that needs three roles needs three people).

Rejections always stand: they fail closed.

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

from docgen.errors import AuthError, InputError, Problem
from docgen.findings import Finding, Severity
from docgen.identity import holds, normalise_email
from docgen.sla import SlaClock
from docgen.store import ApprovalRequest, Decision, DecisionOutcome

if TYPE_CHECKING:
    from docgen.identity import User
    from docgen.models.deal import Deal
    from docgen.models.policy import ExceptionPolicy, Policy
    from docgen.money import Money
    from docgen.pricing import PricedDeal, PricedLine
    from docgen.store import Store
    from docgen.validate import DealResult, Resolver

__all__ = ["ApprovalRecord", "HistoryEntry", "SlaState", "amount_at_stake", "approval_findings",
           "counted", "decide", "history", "line_approvals", "resolve", "resolver",
           "sla_deadline", "sla_state", "submit"]

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
        if not missing and f.approvers:  # a finding naming no role is never cleared
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


# -- which decisions count -------------------------------------------------------------------------

def sales_rep_email(deal: Deal) -> str | None:
    """The deal's sales rep's e-mail, normalised (None when the deal names none)."""
    rep = deal.sales_rep
    return normalise_email(rep.email) if rep is not None and rep.email else None


def counted(decisions: Iterable[Decision], policy: Policy, deal: Deal,
            submitters: Iterable[str] = ()) -> list[Decision]:
    """The decisions that count now (see the module docstring), in their order."""
    sod = policy.separation_of_duties
    barred = {normalise_email(s) for s in submitters}
    rep = sales_rep_email(deal)
    if rep is not None:
        barred.add(rep)
    people: dict[Key, set[str]] = defaultdict(set)
    out: list[Decision] = []
    for d in sorted(decisions, key=lambda d: d.decided_at):
        if d.decision != "approve":
            out.append(d)
            continue
        who = normalise_email(d.by)
        if not holds(policy, d.role, who):
            continue  # the policy no longer names them for this role
        if sod:
            key = (d.code, d.where, d.fingerprint)
            if who in barred or who in people[key]:
                continue
            people[key].add(who)
        out.append(d)
    return out


# -- applying decisions ---------------------------------------------------------------------------

def resolver(decisions_for: Callable[[Deal], Sequence[Decision]]) -> Resolver:
    """The resolver validation applies: the decisions that count clear (or reject) findings.

    `decisions_for` gives a deal's decisions that count (:func:`counted`).
    """

    def resolve_deal(priced: PricedDeal, findings: list[Finding]) -> list[Finding]:
        if not any(f.severity is Severity.APPROVAL for f in findings):
            return findings
        return resolve(findings, decisions_for(priced.deal))

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


def submit(store: Store, result: DealResult, *, by: User | str | None = None,
           now: datetime | None = None) -> list[tuple[ApprovalRequest, bool]]:
    """Record a request per approval finding; an unchanged finding keeps its first request."""
    now = now or datetime.now(UTC)
    who = by if by is None or isinstance(by, str) else by.email
    reqs = [_request(result, f, now=now, by=who) for f in approval_findings(result.findings)]
    return store.add_requests(reqs)


def decide(store: Store, policy: Policy, result: DealResult, *, code: str, where: str, role: str,
           by: User, decision: Literal["approve", "reject"], note: str | None = None,
           now: datetime | None = None) -> DecisionOutcome:
    """Record an approve or reject decision by the authenticated person `by`.

    Refused with nothing recorded (InputError; AuthError for who may not): a role the policy
    does not have, a person the policy does not name for the role, a finding the deal does not
    have now, a role the finding does not need, a rejection without a note, a decision on a line
    version that was rejected already, a role reversing its decision, and, under the policy's
    separation of duties, an approval of a deal the person sells or submitted, or of a finding
    they already decided in another role.
    """
    src = result.source or result.deal.deal
    problems: list[Problem] = []
    who = normalise_email(by.email)
    refused: list[Problem] = []
    if role not in policy.approvers:
        problems.append(Problem(src, None, "--role", f"{role!r} is not an approver role of the "
                                f"policy (roles: {', '.join(sorted(policy.approvers))})"))
    elif not holds(policy, role, who):
        refused.append(Problem(src, None, "--role", f"{who} does not hold the role {role} in "
                               f"the policy's approvers"))
    if policy.separation_of_duties and decision == "approve":
        if sales_rep_email(result.deal) == who:
            refused.append(Problem(src, None, "sales_rep", (
                f"{who} is the sales rep of {result.deal.deal}: separation of duties bars "
                "approving one's own deal")))
        elif who in store.requesters_for(result.deal.deal):
            refused.append(Problem(src, None, "submit", (
                f"{who} submitted {result.deal.deal} for approval: separation of duties bars "
                "approving a deal one submitted")))
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
        raise InputError(problems + refused)
    if refused:
        raise AuthError(refused)
    f = wanted[0]
    now = now or datetime.now(UTC)
    assert f.fingerprint  # noqa: S101 - approval findings carry one
    d = Decision(deal_id=result.deal.deal, code=code, where=where, fingerprint=f.fingerprint,
                 role=role, by=who, decision=decision, note=(note or "").strip() or None,
                 decided_at=now)
    outcome = store.add_decision(d, _request(result, f, now=now, by=None),
                                 distinct_people=policy.separation_of_duties)
    prior = outcome.existing
    if outcome.status == "same_person" and prior is not None:
        raise AuthError([Problem(src, None, f"{code} {where}", (
            f"{who} already decided this version of the line as {prior.role}: separation of "
            f"duties needs a different person for each role ({', '.join(f.approvers)})"))])
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
    #: decisions: False when it does not count (the audit chain does not vouch for it, or the
    #: policy no longer lets it count: see :func:`counted`); None for requests, or when unknown
    counts: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"at": self.at.isoformat(), "event": self.event, "code": self.code,
                "where": self.where, "fingerprint": self.fingerprint, "who": self.who,
                "role": self.role, "note": self.note, "needs": list(self.needs),
                "about": self.about, "current": self.current, "counts": self.counts}


def history(store: Store, deal_id: str, result: DealResult | None = None,
            counting: Iterable[Decision] | None = None) -> list[HistoryEntry]:
    """Requests and decisions of a deal in time order, marked current or stale if `result`,
    and each decision marked whether it counts if `counting` (the decisions that do) is given."""
    good = set(counting) if counting is not None else None
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
                         cur(d.where, d.fingerprint), None if good is None else d in good)
            for d in store.decisions([deal_id])]
    order = {"requested": 0, "approved": 1, "rejected": 1}
    return sorted(out, key=lambda e: (e.at, order[e.event]))

"""DAT: dates that make the contract and the go-live possible."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from docgen.findings import Finding, Gate, Severity
from docgen.rules.registry import RuleContext, rule

#: The evidence item that records when the customer was told the go-live date.
GO_LIVE_NOTIFIED = "go_live_notified"
#: The evidence item whose date is the day the contract was signed.
SIGNED_CONTRACT = "signed_contract"


@rule("DAT001", name="go-live-too-soon", severity=Severity.ERROR, gate=Gate.ONBOARDING,
      summary="go-live is less than the notice hours after it was notified, or before the "
              "contract starts",
      message="Go-live {go_live} {problem}",
      hint="Move go_live to {earliest} or later")
def go_live_too_soon(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    When the deal has a `go_live` date:
    - the customer was notified of it (`evidence.go_live_notified`, with a date) at least the
      policy's `go_live_notice_hours` before it (dates count from midnight: 72 hours is 3 days);
    - it is not before `contract.start`.

    A go-live that was never notified, or notified without a date, is reported at
    `evidence.go_live_notified`: the notice period cannot be shown to be met, and the rule fails
    closed. The other problems are reported at `go_live`.

    ## Why
    The customer's team must be ready (users, data sources, communication) and Customer Success
    staffed; nothing can go live before the contract that pays for it starts.

    ## Example
    `go_live: 2027-01-05` with `evidence: {go_live_notified: 2027-01-04}` -> 24 hours' notice,
    the policy asks for 72.

    ## How to fix
    Move the go-live date, or notify the customer and record it.
    """
    go_live = ctx.deal.go_live
    if go_live is None:
        return
    hours = ctx.policy.go_live_notice_hours
    start = ctx.deal.contract.start
    notified = ctx.evidence(GO_LIVE_NOTIFIED)
    problems: list[str] = []
    earliest = go_live
    if start is not None and go_live < start:
        problems.append(f"is before the contract start {start.isoformat()}")
        earliest = start
    if notified is None or not notified.done or notified.date is None:
        state = "no date" if notified is not None and notified.done else "no evidence"
        yield go_live_too_soon.finding(
            f"evidence.{GO_LIVE_NOTIFIED}", go_live=go_live.isoformat(),
            problem=f"was never notified to the customer ({GO_LIVE_NOTIFIED} has {state}), so "
                    f"the {hours} hours' notice cannot be shown", earliest=earliest.isoformat(),
            hint=f"Notify the customer of the go-live date, record evidence.{GO_LIVE_NOTIFIED} "
                 f"and keep go_live at least {hours} hours after it")
    else:
        given = (go_live - notified.date).days * 24
        if given < hours:
            problems.append(f"was notified on {notified.date.isoformat()}, {given} hours ahead; "
                            f"the policy asks for {hours}")
            need_days = -(-hours // 24)  # whole days, rounded up
            earliest = max(earliest, notified.date + timedelta(days=need_days))
    if problems:
        yield go_live_too_soon.finding("go_live", go_live=go_live.isoformat(),
                                       problem="; ".join(problems), earliest=earliest.isoformat())


@rule("DAT002", name="invalid-contract-term", severity=Severity.ERROR, gate=Gate.PO,
      summary="the contract term is not positive, or the contract start is missing",
      message="{problem}",
      hint="Set contract: {{start: YYYY-MM-DD, term_months: N}} with N of 1 or more")
def invalid_contract_term(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `contract.start` is given and `contract.term_months` is given and at least 1.

    ## Why
    The start date dates everything else: SKU availability (CAT003), the use-by dates of
    workshops and trainings (SVC001) and the onboarding plan. A term of zero months sells nothing.

    ## Example
    `contract: {term_months: 0}` -> no start, and a term that is not positive (two findings).

    ## How to fix
    Write the agreed start date and term into `contract`.
    """
    contract = ctx.deal.contract
    if contract.start is None:
        yield invalid_contract_term.finding("contract.start",
                                            problem="The contract has no start date")
    if contract.term_months is None:
        yield invalid_contract_term.finding("contract.term_months",
                                            problem="The contract has no term (term_months)")
    elif contract.term_months <= 0:
        yield invalid_contract_term.finding(
            "contract.term_months",
            problem=f"The contract term of {contract.term_months} months is not positive")


@rule("DAT003", name="go-live-before-signature", severity=Severity.ERROR, gate=Gate.ONBOARDING,
      summary="go-live is before the contract is signed, or sooner after signature than the "
              "policy's onboarding_min_days",
      message="Go-live {go_live} {problem}",
      hint="Move go_live to {earliest} or later")
def go_live_before_signature(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    When the deal has a `go_live` date, the contract was signed (the date of
    `evidence.signed_contract`) at least the policy's `onboarding_min_days` before it (default
    7; 0 only asks that go-live is not before the signing day).

    A contract not signed yet, or signed without a date, is reported at
    `evidence.signed_contract`: go-live cannot be shown to come after the signature, and the rule
    fails closed, as DAT001 does for a go-live never notified. A go-live too close to or before
    the signature is reported at `go_live`.

    ## Why
    Onboarding spends Customer Success and support time that only a signed contract pays for,
    and the onboarding plan (handover, kick-off, tenant set-up) needs days between signature and
    go-live.

    ## Example
    `go_live: 2026-11-12` with `evidence: {signed_contract: 2026-11-10}` -> two days after
    signature, the policy asks for 7.

    ## How to fix
    Move go-live to at least `onboarding_min_days` after the signature, or record the signature
    (`signed_contract: {date: ..., ref: ...}`) once the contract is signed.
    """
    go_live = ctx.deal.go_live
    if go_live is None:
        return
    days = ctx.policy.onboarding_min_days
    signed = ctx.evidence(SIGNED_CONTRACT)
    if signed is None or not signed.done or signed.date is None:
        state = "has no date" if signed is not None and signed.done else "is not signed yet"
        yield go_live_before_signature.finding(
            f"evidence.{SIGNED_CONTRACT}", go_live=go_live.isoformat(), earliest="",
            problem=f"cannot be shown to come at least {days} days after the signature: the "
                    f"contract {state} ({SIGNED_CONTRACT})",
            hint=f"Record evidence.{SIGNED_CONTRACT} with the signing date, and keep go_live at "
                 f"least {days} days after it")
        return
    earliest = signed.date + timedelta(days=days)
    if go_live >= earliest:
        return
    if go_live < signed.date:
        problem = f"is before the contract was signed on {signed.date.isoformat()}"
    else:
        gap = (go_live - signed.date).days
        problem = (f"is {gap} day{'s' if gap != 1 else ''} after the contract was signed on "
                   f"{signed.date.isoformat()}; the policy asks for {days}")
    yield go_live_before_signature.finding("go_live", go_live=go_live.isoformat(),
                                           problem=problem, earliest=earliest.isoformat())

"""CHK: the paperwork each action needs, read from the policy's checklists.

The items are the policy's (``checklists.pricing``, ``.po``, ``.onboarding``), never a list in code:
another company changes its policy file, not docgen. Each missing item is one finding at
``evidence.<item>`` with the item's name in the message. Whether an item has evidence is the
policy's to say (:meth:`Policy.evidence_in`): `false` answers a yes/no question, and is missing
evidence for any other item.
"""

from __future__ import annotations

from collections.abc import Iterator

from docgen.evidence import ItemState, approve_hint, check
from docgen.findings import Finding, Gate, Severity
from docgen.rules.registry import RuleContext, rule

#: The evidence item that records when pricing went to the customer.
PRICING_SENT = "pricing_sent"
#: The onboarding item that outranks the others (SPEC §4: "a missing signed contract is named
#: first").
SIGNED_CONTRACT = "signed_contract"


def _unmet(ctx: RuleContext, which: str) -> list[tuple[str, ItemState]]:
    """The entries of checklist `which` that are not met, each once, in the policy's order:
    no evidence (in the deal file or recorded), or not the approved evidence the entry
    requires."""
    done, recorded = ctx.in_deal, ctx.recorded
    out = []
    for entry in ctx.policy.checklists.entries(which):
        in_deal = entry.item in done
        rec = recorded.get(entry.item) if recorded else None
        if in_deal and rec is None and entry.requires != "approved":
            continue  # most entries of most deals: met by the deal file (what check() says)
        state = check(ctx.policy, entry, in_deal, rec)
        if not state.met:
            out.append((entry.item, state))
    return out


def _hint(ctx: RuleContext, which: str, item: str, state: ItemState) -> str | None:
    """The fix of an entry whose approval is missing (None: the rule's own hint)."""
    if ctx.has_evidence(item) or state.recorded is not None:
        return approve_hint(ctx.policy.checklists.entry(which, item), ctx.deal.deal)
    return None


@rule("CHK001", name="pricing-sent-before-mnda", severity=Severity.ERROR, gate=Gate.PO,
      summary="pricing was sent before the MNDA was signed, or without one",
      message="Pricing was sent{sent} {problem}",
      hint="Record evidence.{item} (signed on or before evidence.pricing_sent), and stop sending "
           "prices before it exists")
def pricing_sent_before_mnda(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    When `evidence.pricing_sent` is recorded, every item of the policy's `checklists.pricing`
    (in the sample policy: `mnda_signed`) has evidence dated on or before the day pricing was
    sent. An item without evidence, or dated after `pricing_sent`, is one finding at
    `evidence.<item>`. Evidence given as `true` (no date) cannot be compared and counts as done.

    ## Why
    Prices are confidential: sent before the mutual NDA is signed, they can be shown to a
    competitor without breach. The PO must not go out until the order is put right with legal.

    ## Example
    `evidence: {pricing_sent: 2026-10-14, mnda_signed: 2026-10-20}` -> pricing went out six
    days before the MNDA.

    ## How to fix
    Have legal confirm the exposure, record the MNDA, and correct the dates if they were wrong.
    """
    sent = ctx.evidence(PRICING_SENT)
    if sent is None or not sent.done:
        return
    sent_on = f" on {sent.date.isoformat()}" if sent.date else ""
    unmet = dict(_unmet(ctx, "pricing"))
    for item in ctx.policy.checklists.items("pricing"):
        ev = ctx.evidence(item)
        if item in unmet:
            state = unmet[item]
            approved = " approved" if ctx.has_evidence(item) or state.recorded else ""
            yield pricing_sent_before_mnda.finding(
                f"evidence.{item}", sent=sent_on, item=item, problem=f"without {item}{approved}",
                hint=_hint(ctx, "pricing", item, state))
        elif ev is not None and ev.date is not None and sent.date is not None \
                and ev.date > sent.date:
            yield pricing_sent_before_mnda.finding(
                f"evidence.{item}", sent=sent_on, item=item,
                problem=f"before {item} ({ev.date.isoformat()})")


@rule("CHK002", name="po-checklist-item-missing", severity=Severity.ERROR, gate=Gate.PO,
      summary="an item of the policy's po checklist has no evidence (one finding per item)",
      message="PO checklist item '{item}' {problem}",
      hint="Record evidence.{item}: a date, true, or {{date, by, ref}}, or docgen evidence add "
           "DEAL {item} [FILE]")
def po_checklist_item_missing(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Every item of the policy's `checklists.po` (in the sample policy: `mnda_signed`,
    `credit_application`, `billing_details`) has evidence in the deal's `evidence`: a date,
    `true`, or a record `{date, by, ref}`. `false` counts as missing, except for an item the
    policy declares among its yes/no `questions`, where `false` is the answer.

    ## Why
    A PO commits the vendor to deliver and the customer to pay; finance needs the credit
    application and billing details before it is sent, legal the MNDA.

    ## Example
    A deal whose `evidence` has no `credit_application` -> `evidence.credit_application`.

    Evidence recorded with `docgen evidence add DEAL ITEM [FILE]` counts too. An item the
    checklist writes `{item: credit_application, requires: approved}` needs its latest recorded
    evidence to be `approved` (by one of the entry's `approvers`, when it names them): evidence
    in the deal file, or recorded only as `received`, leaves a finding saying the approval is
    missing.

    ## How to fix
    Collect the item and record it, e.g. `credit_application: {date: 2026-10-20, by: finance,
    ref: "CA-1182"}`, or `docgen evidence add D-2026-0042 credit_application ca.pdf`; an item
    that requires approval, with `--status approved` by whoever approves it.
    """
    for item, state in _unmet(ctx, "po"):
        yield po_checklist_item_missing.finding(f"evidence.{item}", item=item,
                                                problem=state.problem,
                                                hint=_hint(ctx, "po", item, state))


@rule("CHK003", name="onboarding-checklist-item-missing", severity=Severity.ERROR,
      gate=Gate.ONBOARDING, relaxed=Severity.INFO,
      summary="an item of the onboarding checklist has no evidence (one per item; a missing "
              "signed contract is named first); info before the policy's onboarding_from stage",
      message="{text}",
      hint="Record evidence.{item} before onboarding starts")
def onboarding_checklist_item_missing(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Every item of the policy's `checklists.onboarding` has evidence, one finding per missing item
    at `evidence.<item>`.

    The findings are errors, except while the deal's `stage` comes before the policy's
    `onboarding_from` stage (in the sample policy: `won`): then the items are "to do" and the
    findings are `info`, blocking nothing. A deal without a stage, or in the `lost_stage`, cannot
    be shown to be early, so its findings stay errors.

    A missing signed contract is named first: findings are sorted by location, so
    `evidence.signed_contract` cannot be moved to the top of the list; instead, while it is
    missing, *every* CHK003 message opens with "No signed contract", so whichever onboarding
    finding a reader meets first names it first. The rule also yields it first.

    ## Why
    Onboarding spends Customer Success time; it must not start before the contract is signed,
    the credit application approved and the billing details known.

    ## Example
    A deal without `signed_contract` -> "No signed contract: onboarding checklist item
    'signed_contract' has no evidence", and "No signed contract yet, and onboarding checklist
    item 'agreed_rates' has no evidence either" for each other missing item.

    Evidence recorded with `docgen evidence add` counts too, and an item written
    `{item: ..., requires: approved}` needs its approval recorded (see CHK002).

    ## How to fix
    Record each item in `evidence` as it is done (or `docgen evidence add DEAL ITEM [FILE]`);
    the onboarding form shows what is missing.
    """
    to_do = ctx.policy.is_before(ctx.deal.stage, ctx.policy.onboarding_from)
    unmet = _unmet(ctx, "onboarding")
    # "no signed contract" only when there is none at all (one awaiting approval is signed)
    contract_missing = any(item == SIGNED_CONTRACT for item, _ in unmet) \
        and not ctx.has_evidence(SIGNED_CONTRACT)
    if contract_missing:  # named first: yielded first, and named in every message
        unmet.sort(key=lambda pair: pair[0] != SIGNED_CONTRACT)
    for item, state in unmet:
        hint = (f"Record evidence.{item}: a 'to do' now, it blocks onboarding from stage "
                f"'{ctx.policy.onboarding_from}' on") if to_do else None
        yield onboarding_checklist_item_missing.finding(
            f"evidence.{item}", item=item, relaxed=to_do,
            hint=_hint(ctx, "onboarding", item, state) or hint,
            text=_onboarding_text(item, state.problem, contract_missing=contract_missing))


def _onboarding_text(item: str, problem: str = "has no evidence", *,
                     contract_missing: bool) -> str:
    """CHK003's message: while the signed contract is missing, every message opens with it."""
    if not contract_missing:
        return f"Onboarding checklist item '{item}' {problem}"
    if item == SIGNED_CONTRACT:
        return f"No signed contract: onboarding checklist item '{item}' {problem}"
    either = " either" if problem == "has no evidence" else ""
    return f"No signed contract yet, and onboarding checklist item '{item}' {problem}{either}"

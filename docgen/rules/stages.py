"""STG: a deal moves through the policy's pipeline stages in order, none skipped, and a lost deal
takes no document.

Every stage id these rules compare with comes from the policy (``stages``, ``po_from``,
``lost_stage``); the model checks that those name real stages, and the loader that a deal's
``stage`` is one of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from docgen.findings import Finding, Gate, Severity
from docgen.rules.registry import RuleContext, rule


@rule("STG001", name="stage-skipped", severity=Severity.ERROR, gate=Gate.PO,
      summary="the deal is in a stage, but an item required by an earlier stage has no evidence: "
              "the gate was skipped (one per item); or it is before the policy's po_from stage",
      message="The deal is in stage '{stage}' {problem}",
      hint="Record evidence.{item}, or move the deal back to stage '{earlier}'")
def stage_skipped(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    With `stage` set to a pipeline stage, every item that an *earlier* stage of the policy's
    `stages` requires has evidence: a stage's `requires` is what must be done before a deal
    moves past it. The current stage's own items are not due yet. One finding per missing item,
    at `evidence.<item>`, naming the first stage that required it. `false` is missing evidence,
    except for the policy's yes/no `questions` (e.g. `po_required: false` answers "no").

    When the policy sets `po_from`, a deal in a stage before it is also reported once, at
    `stage`: a final PO is what a deal sends in that stage (the sample policy's `approval`
    stage requires `sales_order_sent`), so issuing one earlier skips the stages in between.

    A deal without `stage`, or in the policy's `lost_stage` (STG002), is not checked here: it
    has no place in the order.

    ## Why
    Stages drive the forecast (each has a probability) and hold the commercial gates: budget
    approved, estimate submitted, sales order approved. A deal in `approval` that never had its
    budget approved is forecast at 90 % on a guess and must not get a PO. The rule gates the PO
    (and so the SOW and the onboarding form).

    ## Example
    `stage: proposal` with no `budget_approved` in `evidence` -> the funding stage requires it.
    `stage: qualification` under `po_from: approval` -> a final PO is issued from `approval` on.

    ## How to fix
    Record the missing evidence, or set `stage` to the stage the deal really is in. Before
    `po_from`, send a quotation (`docgen po --draft`) instead of a PO.
    """
    stage = ctx.deal.stage
    at = ctx.policy.stage_position(stage)
    if stage is None or at is None:  # no stage, or the lost stage: no place in the order
        return
    po_from = ctx.policy.po_from
    if ctx.policy.is_before(stage, po_from):
        yield stage_skipped.finding(
            "stage", stage=stage, item="", earlier="",
            problem=f"(probability {ctx.policy.stages[at].probability} %): a "
                    f"final PO is issued from stage '{po_from}' on",
            hint=f"Record what the stages up to '{po_from}' require and move the deal on, or "
                 "send a quotation (docgen po --draft)")
    for item, earlier in ctx.policy.required_before(stage):
        if not ctx.has_evidence(item):
            yield stage_skipped.finding(
                f"evidence.{item}", stage=stage, item=item, earlier=earlier,
                problem=f"but '{item}', required to leave stage '{earlier}', has no evidence")


@rule("STG002", name="deal-lost", severity=Severity.ERROR, gate=Gate.PO,
      summary="the deal is in the policy's lost_stage: no final document may be issued",
      message="The deal is in the lost stage '{stage}': no final document may be issued",
      hint="If the deal was reopened, set stage to the pipeline stage it is in now")
def deal_lost(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    The deal's `stage` is not the policy's `lost_stage` (in the sample policy: `closed_lost`).
    A deal may move to the lost stage from any stage. One finding, at `stage`.

    ## Why
    A lost deal must not be sold by accident: a PO, SOW or onboarding form for it would commit
    the vendor to deliver and Customer Success to staff a customer who said no. The rule gates
    the PO, and so every document that needs the PO's gate.

    ## Example
    `stage: closed_lost` -> no final PO, SOW or onboarding form, however complete the deal is.

    ## How to fix
    Nothing, if the deal is lost. If the customer came back, set `stage` to the pipeline stage
    the deal is in now (its earlier stages' evidence is then checked again, STG001).
    """
    lost = ctx.policy.lost_stage
    if lost is not None and ctx.deal.stage == lost:
        yield deal_lost.finding("stage", stage=lost)

"""STG: a deal moves through the policy's pipeline stages in order, none skipped."""

from __future__ import annotations

from collections.abc import Iterator

from docgen.findings import Finding, Gate, Severity
from docgen.rules.registry import RuleContext, rule


@rule("STG001", name="stage-skipped", severity=Severity.ERROR, gate=Gate.NONE,
      summary="the deal is in a stage, but an item required by an earlier stage has no evidence: "
              "the gate was skipped (one per item)",
      message="The deal is in stage '{stage}' but '{item}', required to leave stage "
              "'{earlier}', has no evidence",
      hint="Record evidence.{item}, or move the deal back to stage '{earlier}'")
def stage_skipped(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    With `stage` set, every item that an *earlier* stage of the policy's `stages` requires has
    evidence: a stage's `requires` is what must be done before a deal moves past it. The current
    stage's own items are not due yet. One finding per missing item, at `evidence.<item>`,
    naming the first stage that required it.

    ## Why
    Stages drive the forecast (each has a probability). A deal in `approval` that never had its
    budget approved is forecast at 90 % on a guess. It gates nothing by itself (gate `none`):
    the checklists (CHK002, CHK003) are what block documents.

    ## Example
    `stage: proposal` with no `credit_application` in `evidence` -> the funding stage requires it.

    ## How to fix
    Record the missing evidence, or set `stage` to the stage the deal really is in.
    """
    stage = ctx.deal.stage
    if stage is None:
        return
    ids = [s.id for s in ctx.policy.stages]
    if stage not in ids:  # the loader refuses unknown stages; nothing to compare against here
        return
    seen: set[str] = set()
    for earlier in ctx.policy.stages[: ids.index(stage)]:
        for item in earlier.requires:
            if item in seen:
                continue
            seen.add(item)
            if not ctx.deal.has_evidence(item):
                yield stage_skipped.finding(f"evidence.{item}", stage=stage, item=item,
                                            earlier=earlier.id)

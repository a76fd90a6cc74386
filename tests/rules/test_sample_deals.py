"""The sample deals show the findings their stories (the comment atop each file) call for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from docgen.findings import Severity
from docgen.validate import DealResult, validate_deal
from docgen.workspace import Workspace, load_deal, sample_root

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "deals"


@pytest.fixture(scope="module")
def sample() -> Workspace:
    """The bundled sample workspace, loaded once (read only)."""
    ws = Workspace(sample_root())
    ws.load_all()
    return ws


def _validate(sample: Workspace, prefix: str) -> DealResult:
    (path,) = EXAMPLES.glob(f"{prefix}*.yaml")
    deal = load_deal(path, sample.policy)
    return validate_deal(deal, sample.catalogue, sample.policy, skus=sample.skus)


def _pairs(result: DealResult) -> Counter[tuple[str, str]]:
    return Counter((f.code, f.where) for f in result.findings)


@pytest.mark.parametrize("prefix", ["D-2026-0101", "D-2026-0105", "D-2026-0120"])
def test_clean_samples_have_no_finding_at_all(sample: Workspace, prefix: str) -> None:
    # when
    result = _validate(sample, prefix)
    # then
    assert not result.blocking
    assert result.findings == (), [str(f) for f in result.findings]


def test_approvals_sample_needs_approvals_only(sample: Workspace) -> None:
    # when
    result = _validate(sample, "D-2026-0042")
    # then
    assert result.blocking
    assert {f.severity for f in result.findings} == {Severity.APPROVAL}
    assert _pairs(result) == Counter({("CAT002", "lines[3]"): 1, ("CAT007", "lines[4]"): 1,
                                      ("PRC001", "lines[0]"): 1, ("PRC001", "lines[1]"): 1})


def test_missing_evidence_sample_misses_its_paperwork(sample: Workspace) -> None:
    # when
    result = _validate(sample, "D-2026-0077")
    # then: pricing before the MNDA, the PO and onboarding checklists, short notice, a go-live
    # with no signed contract, a skipped stage, and a PO asked for at the proposal stage
    missing_onboarding = ["agreed_rates", "billing_details", "credit_application",
                          "known_shipper_check", "signed_contract", "solution_summary"]
    assert _pairs(result) == Counter({
        ("CHK001", "evidence.mnda_signed"): 1,
        ("CHK002", "evidence.billing_details"): 1,
        ("CHK002", "evidence.credit_application"): 1,
        **{("CHK003", f"evidence.{item}"): 1 for item in missing_onboarding},
        ("DAT001", "go_live"): 1,
        ("DAT003", "evidence.signed_contract"): 1,
        ("STG001", "evidence.credit_application"): 1,
        ("STG001", "stage"): 1,
    })
    assert result.blockers("po")
    assert result.blockers("onboarding")


def test_missing_evidence_sample_lists_onboarding_items_as_to_do(sample: Workspace) -> None:
    # when: the deal is at proposal, before the policy's onboarding_from stage (won)
    result = _validate(sample, "D-2026-0077")
    # then: its onboarding items are "to do" (info); onboarding is blocked by the dates instead
    chk003 = [f for f in result.findings if f.code == "CHK003"]
    assert chk003
    assert {f.severity for f in chk003} == {Severity.INFO}
    assert {f.code for f in result.blockers("onboarding")} >= {"DAT001", "DAT003"}


def test_missing_evidence_sample_names_signed_contract_first(sample: Workspace) -> None:
    # when
    result = _validate(sample, "D-2026-0077")
    # then: whichever CHK003 finding is read first, it names the signed contract first
    chk003 = [f for f in result.findings if f.code == "CHK003"]
    assert all(f.message.startswith("No signed contract") for f in chk003)


def test_new_customer_sample_reports_starter_pack(sample: Workspace) -> None:
    # when
    result = _validate(sample, "D-2026-0110")
    # then
    assert not result.blocking
    assert _pairs(result) == Counter({("SVC002", "lines[3]"): 1})


def test_skipped_gate_sample_blocks_its_po(sample: Workspace) -> None:
    # when: the deal moved from proposal to won without the approval stage's sales order
    result = _validate(sample, "D-2026-0125")
    # then: every checklist is complete, but the skipped stage blocks the PO (and what needs it);
    # po_required: false answers a yes/no question and is not missing
    assert _pairs(result) == Counter({("STG001", "evidence.sales_order_sent"): 1,
                                      ("STG001", "evidence.sales_order_approved"): 1})
    assert {f.code for f in result.blockers("po")} == {"STG001"}
    assert {f.code for f in result.blockers("onboarding")} == {"STG001"}


def test_lost_sample_takes_no_document(sample: Workspace) -> None:
    # when
    result = _validate(sample, "D-2026-0130")
    # then: the lost stage blocks the PO and so every document; its unfinished onboarding items
    # stay errors (a lost deal is not "before" any stage)
    assert _pairs(result) == Counter({("STG002", "stage"): 1,
                                      ("CHK003", "evidence.signed_contract"): 1,
                                      ("CHK003", "evidence.onboarding_form"): 1})
    assert [f.code for f in result.blockers("po")] == ["STG002"]
    assert [f.code for f in result.blockers("sow")] == ["STG002"]
    assert {f.code for f in result.blockers("onboarding")} == {"STG002", "CHK003"}
    assert all(f.severity is Severity.ERROR for f in result.findings)


def test_every_sample_stage_is_a_policy_stage(sample: Workspace) -> None:
    # given
    stages = {load_deal(p).stage for p in EXAMPLES.glob("*.yaml")}
    # then: the samples use only the policy's stage ids, the lost stage among them
    assert stages <= set(sample.policy.deal_stages)
    assert sample.policy.lost_stage in stages


def test_recurring_sample_warns_only_about_the_shorter_line(sample: Workspace) -> None:
    # when
    result = _validate(sample, "D-2026-0140")
    # then: 10 seats run the 36-month term; 5 seats run 24 months, with the reason, for review
    assert not result.blocking
    assert _pairs(result) == Counter({("PRC006", "lines[2].months"): 1})
    viewer = [ln for ln in result.priced.lines if ln.code == "LIC-VIEWER"]
    assert [(ln.quantity, ln.months, ln.list_amount.amount) for ln in viewer] == [
        (10, 36, 5400), (5, 24, 1800)]

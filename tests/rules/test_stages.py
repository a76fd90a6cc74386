"""Stage gates that hold (issue 11 item 8): STG001 and STG002 gate the PO, CHK003 is "to do"
before the policy's onboarding_from stage, DAT003 keeps go-live after the signature, and yes/no
questions take `false` as an answer. The stage ids all come from the policy.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen.errors import InputError
from docgen.findings import Finding, Severity
from docgen.models.deal import Deal
from docgen.models.policy import Policy
from docgen.validate import DealResult, validate_deal
from docgen.workspace import Workspace, load_deal, sample_root
from tests.conftest import assert_no_traceback, example, example_data

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def sample() -> Workspace:
    """The bundled sample workspace, loaded once (read only)."""
    ws = Workspace(sample_root())
    ws.load_all()
    return ws


def _policy_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((sample_root() / "skus" / "policy.yaml").read_text())
    return data


def _policy(**changes: Any) -> Policy:
    """The sample policy with top-level fields changed (a value of None removes the field)."""
    data = _policy_data()
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return Policy.model_validate(data)


def _clean(**changes: Any) -> Deal:
    """The clean sample deal (stage approval, every item recorded) with fields changed."""
    data = example_data("D-2026-0101")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return Deal.model_validate(data)


def _without(deal: Deal, *items: str, **evidence: Any) -> Deal:
    """`deal` with evidence items removed and others set (e.g. po_required=False)."""
    data = deal.model_dump(mode="json", exclude_none=True)
    for item in items:
        data["evidence"].pop(item)
    data["evidence"].update(evidence)
    return Deal.model_validate(data)


def _run(sample: Workspace, deal: Deal, policy: Policy | None = None) -> DealResult:
    return validate_deal(deal, sample.catalogue, policy or sample.policy, skus=sample.skus)


def _of(result: DealResult, code: str) -> list[Finding]:
    return [f for f in result.findings if f.code == code]


# -- STG001: a skipped gate, and a PO asked for too early, block the PO -------------------------

def test_stage_skipped_blocks_the_po_and_onboarding(sample: Workspace) -> None:
    # given: a won deal whose approval stage left no sales order behind
    deal = _without(_clean(stage="won"), "sales_order_sent")
    # when
    result = _run(sample, deal)
    # then
    assert [(f.code, f.where) for f in result.blockers("po")] == [
        ("STG001", "evidence.sales_order_sent")]
    assert [f.code for f in result.blockers("onboarding")] == ["STG001"]


def test_first_stage_deal_cannot_take_a_final_po(sample: Workspace) -> None:
    # given: the clean deal, everything recorded, but at the 5 % stage
    deal = _clean(stage="qualification")
    # when
    result = _run(sample, deal)
    # then: one finding at `stage`, naming the policy's po_from stage
    (finding,) = result.blockers("po")
    assert (finding.code, finding.where) == ("STG001", "stage")
    assert "'approval'" in finding.message
    assert "docgen po --draft" in finding.hint


def test_po_from_stage_and_later_may_take_a_po(sample: Workspace) -> None:
    # given / when
    results = [_run(sample, _clean(stage=s)) for s in ("approval", "won")]
    # then
    assert all(not r.blockers("po") for r in results)


def test_without_po_from_an_early_stage_is_not_reported(sample: Workspace) -> None:
    # given: a policy that lets any stage take a PO
    policy = _policy(po_from=None)
    # when
    result = _run(sample, _clean(stage="qualification"), policy)
    # then
    assert result.findings == ()


def test_deal_without_stage_is_not_placed_in_the_order(sample: Workspace) -> None:
    # when
    result = _run(sample, _clean(stage=None))
    # then
    assert _of(result, "STG001") == []


# -- STG002: the lost stage -----------------------------------------------------------------------

def test_lost_deal_is_blocked_from_any_stage_it_came_from(sample: Workspace) -> None:
    # given: a complete deal moved to the lost stage
    deal = _clean(stage="closed_lost")
    # when
    result = _run(sample, deal)
    # then: one STG002 at stage; STG001 does not apply (the lost stage has no place in the order)
    assert [(f.code, f.where, f.severity) for f in result.findings] == [
        ("STG002", "stage", Severity.ERROR)]
    for action in ("po", "sow", "onboarding"):
        assert [f.code for f in result.blockers(action)] == ["STG002"]


def test_policy_without_lost_stage_refuses_closed_lost_deals(tmp_path: Path) -> None:
    # given: a workspace whose policy has no lost stage
    root = _workspace_with_policy(tmp_path, lost_stage=None)
    ws = Workspace(root)
    # when / then: the deal names a stage the policy does not have (exit 2 at the CLI)
    with pytest.raises(InputError) as err:
        load_deal(example("D-2026-0130"), ws.policy)
    (problem,) = err.value.problems
    assert problem.path == "stage"
    assert "'closed_lost' is not a stage of the policy" in problem.message


def test_unknown_stage_message_lists_the_lost_stage(sample: Workspace,
                                                   write_deal: Callable[..., Path]) -> None:
    # given
    path = write_deal({**example_data("D-2026-0101"), "stage": "lost"})
    # when
    with pytest.raises(InputError) as err:
        load_deal(path, sample.policy)
    # then: the message lists every stage a deal may be in, the lost stage too
    assert "closed_lost" in err.value.problems[0].message
    assert load_deal(example("D-2026-0130"), sample.policy).stage == "closed_lost"


# -- CHK003: "to do" before onboarding_from --------------------------------------------------

@pytest.mark.parametrize(("stage", "severity"), [
    ("qualification", Severity.INFO), ("proposal", Severity.INFO), ("approval", Severity.INFO),
    ("won", Severity.ERROR), ("closed_lost", Severity.ERROR), (None, Severity.ERROR)])
def test_onboarding_items_are_to_do_before_onboarding_from(sample: Workspace, stage: str | None,
                                                           severity: Severity) -> None:
    # given: the agreed rates are missing
    deal = _without(_clean(stage=stage), "agreed_rates")
    # when
    result = _run(sample, deal)
    # then
    (finding,) = _of(result, "CHK003")
    assert finding.severity is severity
    assert bool(finding in result.blockers("onboarding")) is (severity is Severity.ERROR)


def test_to_do_item_names_the_stage_it_blocks_from(sample: Workspace) -> None:
    # when
    result = _run(sample, _without(_clean(stage="approval"), "agreed_rates"))
    # then
    (finding,) = _of(result, "CHK003")
    assert "'won'" in finding.hint


def test_without_onboarding_from_items_always_block(sample: Workspace) -> None:
    # given
    policy = _policy(onboarding_from=None)
    # when
    result = _run(sample, _without(_clean(stage="qualification"), "agreed_rates"), policy)
    # then
    (finding,) = _of(result, "CHK003")
    assert finding.severity is Severity.ERROR


def test_po_readiness_ignores_to_do_onboarding_items(sample: Workspace) -> None:
    # given: an approval-stage deal whose onboarding paperwork is still open
    deal = _without(_clean(stage="approval"), "agreed_rates", "known_shipper_check")
    # when
    result = _run(sample, deal)
    # then
    assert not result.blockers("po")
    assert not result.blocking


# -- DAT003: go-live after the signature ---------------------------------------------------------

@pytest.mark.parametrize(("min_days", "go_live", "on_time"), [
    (7, "2026-11-12", True),   # 7 days after the 2026-11-05 signature: on time
    (7, "2026-11-11", False),  # 6 days: too soon
    (0, "2026-11-05", True),   # 0: the signing day itself is allowed
    (0, "2026-11-04", False),  # ... the day before is not
])
def test_go_live_respects_onboarding_min_days(sample: Workspace, min_days: int, go_live: str,
                                              on_time: bool) -> None:
    # given: the clean deal is signed on 2026-11-05 and notified in time
    policy = _policy(onboarding_min_days=min_days)
    deal = _clean(go_live=go_live, contract={"start": "2026-11-01", "term_months": 12},
                  evidence={**example_data("D-2026-0101")["evidence"],
                            "go_live_notified": "2026-10-01"})
    # when
    result = _run(sample, deal, policy)
    # then
    assert [f.where for f in _of(result, "DAT003")] == ([] if on_time else ["go_live"])


def test_go_live_without_signature_blocks_onboarding_only(sample: Workspace) -> None:
    # given: an approval-stage deal with a go-live date but no signed contract yet
    deal = _without(_clean(stage="approval"), "signed_contract")
    # when
    result = _run(sample, deal)
    # then: onboarding waits for the signature; the PO does not
    assert [(f.code, f.where) for f in result.blockers("onboarding")] == [
        ("DAT003", "evidence.signed_contract")]
    assert not result.blockers("po")


def test_onboarding_min_days_defaults_to_seven() -> None:
    # then
    assert _policy(onboarding_min_days=None).onboarding_min_days == 7


# -- yes/no questions ------------------------------------------------------------------------

def test_false_answers_a_question_but_is_missing_for_other_items(sample: Workspace) -> None:
    # given: po_required (a question) and presentation (an ordinary item) both false
    deal = _without(_clean(stage="won"), po_required=False, presentation=False)
    # when
    result = _run(sample, deal)
    # then
    assert [f.where for f in _of(result, "STG001")] == ["evidence.presentation"]


def test_without_questions_false_is_missing_evidence(sample: Workspace) -> None:
    # given: a policy that declares no questions
    policy = _policy(questions=None)
    deal = _without(_clean(stage="won"), po_required=False)
    # when
    result = _run(sample, deal, policy)
    # then
    assert [f.where for f in _of(result, "STG001")] == ["evidence.po_required"]


def test_a_question_in_a_checklist_takes_false_too(sample: Workspace) -> None:
    # given: a company that asks "known shipper?" as a yes/no question
    policy = _policy(questions=["po_required", "known_shipper_check"])
    deal = _without(_clean(stage="won"), known_shipper_check=False)
    # when
    result = _run(sample, deal, policy)
    # then
    assert result.findings == ()


# -- the policy's stage fields name real stages -----------------------------------------------

def _workspace_with_policy(tmp_path: Path, **changes: Any) -> Path:
    root = tmp_path / "ws"
    (root / "skus").mkdir(parents=True)
    for name in ("catalogue.yaml", "catalogue.lock"):
        (root / "skus" / name).write_bytes((sample_root() / "skus" / name).read_bytes())
    data = _policy_data()
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    (root / "skus" / "policy.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return root


@pytest.mark.parametrize(("changes", "needle"), [
    ({"onboarding_from": "signed"}, "onboarding_from: 'signed' is not a stage of the policy"),
    ({"po_from": "closed_lost"}, "po_from: 'closed_lost' is not a stage of the policy"),
    ({"lost_stage": "won"}, "lost_stage: 'won' is also a pipeline stage"),
    ({"questions": ["po_requried"]}, "questions: po_requried: not an item of any stage"),
    ({"onboarding_min_days": -1}, "onboarding_min_days: "),
])
def test_policy_stage_fields_are_checked(tmp_path: Path, changes: dict[str, Any],
                                         needle: str) -> None:
    # given
    ws = Workspace(_workspace_with_policy(tmp_path, **changes))
    # when
    with pytest.raises(InputError) as err:
        _ = ws.policy
    # then: docgen's own message, naming the policy file
    messages = [f"{p.path}: {p.message}" for p in err.value.problems]
    assert any(needle in m for m in messages), messages
    assert all(p.file.endswith("policy.yaml") for p in err.value.problems)


def test_every_stage_the_sample_policy_names_is_one_of_its_stages(sample: Workspace) -> None:
    # given
    policy = sample.policy
    # then
    assert policy.stage_ids == ["qualification", "funding", "proposal", "approval", "won"]
    assert [s.probability for s in policy.stages] == [5, 25, 50, 90, 100]
    assert policy.lost_stage == "closed_lost"
    assert {policy.po_from, policy.onboarding_from} <= set(policy.stage_ids)


# -- through the command line: the final documents are refused -----------------------------------

@pytest.mark.parametrize(("deal", "kind", "code"), [
    ("D-2026-0125", "po", "STG001"),         # skipped the approval stage
    ("D-2026-0125", "onboarding", "STG001"),
    ("D-2026-0130", "po", "STG002"),         # lost
    ("D-2026-0130", "onboarding", "STG002"),
])
def test_cli_refuses_final_documents_past_a_stage_gate(run_cli: RunCli, ws_path: Path,
                                                       tmp_path: Path, deal: str, kind: str,
                                                       code: str) -> None:
    # given
    path = next((ws_path / "examples" / "deals").glob(f"{deal}*.yaml"))
    out = tmp_path / "out"
    # when
    proc = run_cli(kind, path, "-o", out, "--date", "2026-11-22")
    # then
    assert proc.returncode == 1, proc.stderr
    assert code in proc.stdout + proc.stderr
    assert not out.exists() or not any(out.iterdir())
    assert_no_traceback(proc)


def test_cli_refuses_a_po_at_the_first_stage(run_cli: RunCli, write_deal: Callable[..., Path],
                                             tmp_path: Path) -> None:
    # given: the clean sample deal at the 5 % stage
    path = write_deal({**example_data("D-2026-0101"), "stage": "qualification"})
    # when
    proc = run_cli("po", path, "-o", tmp_path / "out", "--date", "2026-11-22")
    # then
    assert proc.returncode == 1, proc.stderr
    assert "STG001" in proc.stdout + proc.stderr
    assert_no_traceback(proc)


def test_each_policy_answers_with_its_own_stage_order_and_checklists() -> None:
    """Stage order and checklist entries are worked out once per policy object and kept: two
    policies in one process (a web app serving two workspaces) never answer with the other's."""
    first = _policy()
    data = _policy_data()
    data["stages"] = list(reversed(data["stages"]))
    data["checklists"]["po"] = ["billing_details"]
    second = Policy.model_validate(data)
    ids = first.stage_ids
    for _ in range(2):  # the second time from what was kept
        assert first.stage_position(ids[0]) == 0
        assert second.stage_position(ids[0]) == len(ids) - 1
        assert first.is_before(ids[0], ids[-1]) and not second.is_before(ids[0], ids[-1])
        assert first.checklists.items("po") != second.checklists.items("po") == [
            "billing_details"]
        assert first.required_before(ids[0]) == () == second.required_before(ids[-1])
        items = [i for s in first.stages[:-1] for i in s.requires]
        assert [i for i, _ in first.required_before(ids[-1])] == list(dict.fromkeys(items))
        assert {e for _, e in first.required_before(ids[-1])} <= set(ids[:-1])
    assert first.stage_position(None) is None and first.stage_position("nowhere") is None
    assert first.required_before("nowhere") == () == first.required_before(first.lost_stage)
    assert first.lost_stage and first.stage_position(first.lost_stage) is None
    assert not first.is_before(first.lost_stage, ids[-1])


def test_the_items_with_evidence_are_those_the_deal_records_a_yes_or_no_answered() -> None:
    """RuleContext reads a deal's evidence once (Policy.evidence_in): every item the deal file
    records counts, and `false` counts only as the answer to one of the policy's questions."""
    policy = _policy()
    question = policy.questions[0]
    other = next(i for i in policy.checklists.all_items if i not in policy.questions)
    clean = _clean()
    assert policy.evidence_in(clean) == set(clean.evidence)
    assert policy.evidence_in(_without(clean, other)) == set(clean.evidence) - {other}
    answered = _without(clean, **{question: False, other: False})
    assert question in policy.evidence_in(answered) and other not in policy.evidence_in(answered)
    assert policy.evidence_in(answered) == set(clean.evidence) - {other}

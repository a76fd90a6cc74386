"""``docgen validate`` and ``docgen rules`` as a user runs them: exit codes, text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from docgen.errors import InternalRuleError
from docgen.findings import Finding, Gate, Severity, sort_key
from docgen.rules import ALL_RULES, RULES_BY_CODE, rule
from docgen.validate import validate_deal
from docgen.workspace import Workspace, load_deal

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

RunCli = Callable[..., subprocess.CompletedProcess[str]]
HEAVY = ("weasyprint", "docxtpl", "jinja2", "sqlalchemy")


def _deal(ws_path: Path, prefix: str) -> Path:
    (path,) = (ws_path / "examples" / "deals").glob(f"{prefix}*.yaml")
    return path


def _no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr


def test_validate_exits_0_on_a_clean_deal(run_cli: RunCli, ws_path: Path) -> None:
    # when
    proc = run_cli("validate", _deal(ws_path, "D-2026-0101"))
    # then
    assert proc.returncode == 0, proc.stderr
    assert "D-2026-0101" in proc.stdout
    assert "PO ready · SOW ready · onboarding ready" in proc.stdout


@pytest.mark.parametrize(("for_", "code"), [(None, 0), ("po", 0), ("sow", 0),
                                             ("onboarding", 1), ("all", 1)])
def test_validate_exit_code_answers_the_document_asked_for(
        run_cli: RunCli, ws_path: Path, write_deal: Callable[..., Path], for_: str | None,
        code: int) -> None:
    # given: a won deal whose PO can be issued while onboarding paperwork is missing
    data = yaml.safe_load(_deal(ws_path, "D-2026-0101").read_text("utf-8"))
    data["stage"] = "won"
    del data["evidence"]["solution_summary"]
    path = write_deal(data)
    # when
    proc = run_cli("validate", *(["--for", for_] if for_ else []), path)
    # then: the first line says what is ready, and the exit code follows --for (default: po)
    assert proc.returncode == code, proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.endswith("PO ready · SOW ready · onboarding blocked by 1 · contract ready; "
                          "1 finding(s)"), first


def test_validate_json_has_revision_and_readiness(run_cli: RunCli, ws_path: Path,
                                                  write_deal: Callable[..., Path]) -> None:
    # given: the same won deal twice, once with a changed quantity
    data = yaml.safe_load(_deal(ws_path, "D-2026-0101").read_text("utf-8"))
    data["stage"] = "won"
    del data["evidence"]["solution_summary"]
    first = write_deal(data)
    data["lines"][0]["quantity"] += 1
    data["deal"] = "D-2026-0102"
    second = write_deal(data)
    # when
    proc = run_cli("validate", "--json", first, second)
    # then
    a, b = json.loads(proc.stdout)["deals"]
    assert a["ready"] == {"po": True, "sow": True, "onboarding": False,
                          "contract": True}
    assert len(a["revision"]) == 64 and a["revision"] != b["revision"]


def test_validate_exits_0_when_findings_are_info_or_warnings(
        run_cli: RunCli, ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: a starter pack (info) and a VAT id with a wrong check digit (warning)
    data = yaml.safe_load(_deal(ws_path, "D-2026-0110").read_text("utf-8"))
    data["customer"]["vat_id"] = "DE123456789"
    path = write_deal(data)
    # when
    proc = run_cli("validate", "--json", path)
    # then
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (entry,) = json.loads(proc.stdout)["deals"]
    assert entry["blocking"] is False
    assert {f["code"] for f in entry["findings"]} == {"CUS004", "SVC002"}


def test_validate_exits_1_when_blocked_and_reports_all_deals(run_cli: RunCli,
                                                             ws_path: Path) -> None:
    # when
    proc = run_cli("validate", _deal(ws_path, "D-2026-0101"), _deal(ws_path, "D-2026-0077"))
    # then
    assert proc.returncode == 1
    assert "D-2026-0101" in proc.stdout
    assert "D-2026-0077" in proc.stdout
    assert "CHK002" in proc.stdout
    assert "evidence.credit_application" in proc.stdout
    _no_traceback(proc)


def test_validate_exits_2_on_unusable_input(run_cli: RunCli,
                                            write_deal: Callable[..., Path]) -> None:
    # given: one file that does not parse, one that fails the schema
    broken = write_deal("deal: [unclosed\n", name="broken.yaml")
    typo = write_deal({"deal": "D-1", "customer": {"name": "X", "territory": "DE",
                                                   "currency": "EUR"},
                       "lines": [{"sku": "LIC-ANL-PRO", "quantity": 1, "discont_pct": "5"}]},
                      name="typo.yaml")
    # when
    proc = run_cli("validate", broken, typo)
    # then
    assert proc.returncode == 2
    assert "broken.yaml" in proc.stderr
    assert "typo.yaml" in proc.stderr
    assert "discont_pct" in proc.stderr
    assert proc.stdout == ""
    _no_traceback(proc)


def test_validate_json_has_spec_shape_and_sorted_findings(run_cli: RunCli,
                                                          ws_path: Path) -> None:
    # when
    proc = run_cli("validate", "--json", _deal(ws_path, "D-2026-0077"),
                   _deal(ws_path, "D-2026-0042"))
    # then
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert [d["deal"] for d in out["deals"]] == ["D-2026-0077", "D-2026-0042"]
    for entry in out["deals"]:
        assert entry["blocking"] is True
        assert isinstance(entry["findings"], list)
        assert entry["findings"]
        for f in entry["findings"]:
            assert {"code", "severity", "gate", "where", "message"} <= set(f)
            assert f["code"] in RULES_BY_CODE
            r = RULES_BY_CODE[f["code"]]
            assert f["severity"] in [s.value for s in r.severities]
            assert f["gate"] == r.gate.value
        findings = [Finding(code=f["code"], severity=Severity(f["severity"]),
                            gate=Gate(f["gate"]), where=f["where"], message=f["message"])
                    for f in entry["findings"]]
        assert findings == sorted(findings, key=sort_key)
    approvals = [f for f in out["deals"][1]["findings"] if f["severity"] == "approval"]
    assert all(f["approvers"] and f["hint"].startswith("docgen approve") for f in approvals)


def test_rules_lists_every_code(run_cli: RunCli) -> None:
    # when
    proc = run_cli("rules", workspace=False)
    # then
    assert proc.returncode == 0
    for r in ALL_RULES:
        assert r.code in proc.stdout
        assert r.name in proc.stdout


def test_rules_explains_a_code_with_its_examples(run_cli: RunCli) -> None:
    # when
    proc = run_cli("rules", "chk003", workspace=False)
    # then
    assert proc.returncode == 0
    assert "onboarding-checklist-item-missing" in proc.stdout
    assert "## How to fix" in proc.stdout
    assert "deal: EX-CHK003-BAD" in proc.stdout
    assert "deal: EX-CHK003-GOOD" in proc.stdout


def test_rules_json_includes_examples(run_cli: RunCli) -> None:
    # when
    proc = run_cli("rules", "SVC002", "--json", workspace=False)
    # then
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["code"] == "SVC002"
    assert data["severity"] == "info"
    assert data["gate"] == "none"
    assert set(data["examples"]) == {"bad", "good"}
    assert yaml.safe_load(data["examples"]["bad"])["customer"]["new"] is True


def test_rules_selects_a_family_by_prefix(run_cli: RunCli) -> None:
    # when
    proc = run_cli("rules", "CUS", "--json", workspace=False)
    # then
    assert [r["code"] for r in json.loads(proc.stdout)] == ["CUS001", "CUS002", "CUS003",
                                                            "CUS004", "CUS005"]


def test_rules_refuses_retired_and_unknown_codes(run_cli: RunCli) -> None:
    # when
    retired = run_cli("rules", "CAT006", workspace=False)
    unknown = run_cli("rules", "ZZZ999", workspace=False)
    # then
    assert retired.returncode == 2
    assert "reserved" in retired.stderr
    assert unknown.returncode == 2
    _no_traceback(retired)


def test_validate_never_imports_the_renderers(ws_path: Path) -> None:
    # given
    deal = _deal(ws_path, "D-2026-0042")
    code = (
        "import sys\n"
        "from docgen.cli import main\n"
        "try:\n"
        f"    main(['-w', {str(ws_path)!r}, 'validate', {str(deal)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
        "print('OTHER', sorted(m for m in sys.modules if m.startswith('docgen.cli._')))\n")
    # when
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    # then: no renderer, no database driver, and no other command's module
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
    assert "OTHER ['docgen.cli._common', 'docgen.cli._validate']" in proc.stdout, proc.stdout


@rule("ZZZ999", name="always-crashes", severity=Severity.ERROR, gate=Gate.PO, summary="test",
      message="never", hint="never")
def _crashing(ctx: Any) -> Any:  # noqa: ARG001 - a rule takes its context
    """## What it checks / ## Why / ## Example / ## How to fix: a rule with a bug."""
    raise KeyError("boom")


def test_crashing_rule_stops_the_run(ws: Workspace, ws_path: Path) -> None:
    # given
    deal = load_deal(_deal(ws_path, "D-2026-0101"), ws.policy)
    # when / then
    with pytest.raises(InternalRuleError, match="internal error in rule ZZZ999"):
        validate_deal(deal, ws.catalogue, ws.policy, rules=(*ALL_RULES, _crashing))


def test_crashing_rule_exits_non_zero_with_a_message(ws_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the email check that CUS001 relies on has a bug
    import docgen.rules.customer as customer
    from docgen.cli import cli

    def broken(address: str) -> str | None:  # noqa: ARG001 - same signature as the original
        raise RuntimeError("bug in the email check")

    monkeypatch.setattr(customer, "email_problem", broken)
    # when
    result = CliRunner().invoke(cli, ["-w", str(ws_path), "validate",
                                      str(_deal(ws_path, "D-2026-0101"))])
    # then
    assert result.exit_code not in (0, 1, 2)
    assert "internal error in rule CUS001" in result.stderr
    assert "Traceback" not in result.stderr
    assert "D-2026-0101" not in result.stdout  # nothing is reported as checked

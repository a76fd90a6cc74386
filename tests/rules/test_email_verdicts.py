"""CUS001's email verdicts are remembered in the workspace's cache, and only trusted when they
come from the same email-validator version (docgen.email_verdicts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from docgen.email_verdicts import CACHE_FILE

_PROBE = (
    "import sys\n"
    "from docgen.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print('EMAIL_VALIDATOR', 'email_validator' in sys.modules, 'EXIT', code)\n")


def _validate(ws: Path, deal: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _PROBE, "-w", str(ws), "validate", str(deal)],
                          capture_output=True, text=True, check=False, timeout=120)


def _deal_with_invoice_email(ws_path: Path, email: str) -> Path:
    src = ws_path / "examples" / "deals" / "D-2026-0101-clean.yaml"
    data = yaml.safe_load(src.read_text("utf-8"))
    data["customer"]["invoice_contact"]["email"] = email
    out = ws_path / "deal.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return out


def test_a_second_validation_reuses_the_verdicts_and_gives_the_same_answer(ws_path: Path) -> None:
    # given: a workspace with its state folder, and a deal whose invoice email is invalid
    (ws_path / ".docgen").mkdir()
    deal = _deal_with_invoice_email(ws_path, "billing@example..com")
    # when
    first = _validate(ws_path, deal)
    second = _validate(ws_path, deal)
    # then: the same finding both times; the second run never imported email-validator
    assert "CUS001" in first.stdout and "CUS001" in second.stdout, first.stdout + first.stderr
    assert "EMAIL_VALIDATOR True EXIT 1" in first.stdout
    assert "EMAIL_VALIDATOR False EXIT 1" in second.stdout
    cached = json.loads((ws_path / ".docgen" / CACHE_FILE).read_text("utf-8"))
    assert cached["verdicts"]["billing@example..com"]  # the reason is kept
    assert set(cached["verdicts"]) >= {"billing@example..com"}


def test_verdicts_of_another_library_version_are_not_trusted(ws_path: Path) -> None:
    # given: a cache claiming the bad address is fine, written by another email-validator
    (ws_path / ".docgen" / "cache").mkdir(parents=True)
    deal = _deal_with_invoice_email(ws_path, "billing@example..com")
    (ws_path / ".docgen" / CACHE_FILE).write_text(json.dumps(
        {"email_validator": "0.0.1", "verdicts": {"billing@example..com": None}}), "utf-8")
    # when
    run = _validate(ws_path, deal)
    # then: the library was asked and the address refused
    assert "CUS001" in run.stdout
    assert "EMAIL_VALIDATOR True EXIT 1" in run.stdout


def test_an_unreadable_cache_is_ignored_and_replaced(ws_path: Path) -> None:
    # given
    (ws_path / ".docgen" / "cache").mkdir(parents=True)
    (ws_path / ".docgen" / CACHE_FILE).write_text("{not json", "utf-8")
    deal = _deal_with_invoice_email(ws_path, "ap@example.com")
    # when
    run = _validate(ws_path, deal)
    # then
    assert "CUS001" not in run.stdout, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    cached = json.loads((ws_path / ".docgen" / CACHE_FILE).read_text("utf-8"))
    assert cached["verdicts"]["ap@example.com"] is None


def test_validating_creates_no_state_folder(ws_path: Path) -> None:
    # given: a workspace without .docgen
    deal = _deal_with_invoice_email(ws_path, "ap@example.com")
    # when
    run = _validate(ws_path, deal)
    # then
    assert "EXIT" in run.stdout, run.stderr
    assert not (ws_path / ".docgen").exists()

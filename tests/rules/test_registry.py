"""The rule registry equals the SPEC §4 table, and every rule carries its full metadata."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from docgen.findings import Gate, Severity
from docgen.rules import (ALL_RULES, EXAMPLE_KINDS, EXTENSIONS, RETIRED, RULES_BY_CODE, Rule,
                          rule, rule_examples)
from docgen.rules.registry import NAME_RE

REPO = Path(__file__).resolve().parents[2]
#: Where the SPEC may be: $DOCGEN_SPEC, the repository, or the shared folder beside the checkout.
SPEC_CANDIDATES = [Path(p) for p in (os.environ.get("DOCGEN_SPEC"),) if p] + [
    REPO / "SPEC.md", REPO / "docs" / "SPEC.md", REPO.parent / "shared" / "SPEC.md"]

#: A copy of the SPEC §4 table (code | severity | gate), used when no SPEC.md is at hand.
#: Keep it in step with the SPEC: when both exist, a test checks that they agree.
SPEC_TABLE_COPY = """
| CAT001 | error | po |
| CAT002 | approval (exception approvers) | po |
| CAT003 | error | po |
| CAT004 | error | po |
| CAT005 | error | po |
| CAT007 | approval (exception approvers) | po |
| PRC001 | approval (band approvers) | po |
| PRC002 | error | po |
| PRC003 | error | po |
| PRC004 | error | po |
| PRC005 | error | po |
| SVC001 | error | po |
| SVC002 | info | none |
| SVC003 | error | po |
| CUS001 | error | po |
| CUS002 | error | po |
| CUS003 | error | po |
| CUS005 | error | po |
| CHK001 | error | po |
| CHK002 | error | po |
| CHK003 | error (info before the policy's `onboarding_from` stage) | onboarding |
| DAT001 | error | onboarding |
| DAT002 | error | po |
| STG001 | error | po |
| STG002 | error | po |
| DAT003 | error | onboarding |
"""

ROW = re.compile(r"^\|\s*([A-Z]{3}\d{3})\s*\|\s*([a-z]+)[^|]*\|\s*([a-z]+)\s*\|", re.MULTILINE)


def parse_table(text: str) -> dict[str, tuple[str, str]]:
    """code -> (severity, gate) of every row of a SPEC-style rule table."""
    rows: dict[str, tuple[str, str]] = {}
    for code, severity, gate in ROW.findall(text):
        assert code not in rows, f"{code} appears twice in the table"
        rows[code] = (severity, gate)
    return rows


def spec_rows() -> dict[str, tuple[str, str]]:
    """The SPEC §4 table: parsed from SPEC.md when present, else the copy above."""
    for path in SPEC_CANDIDATES:
        if path.is_file():
            text = path.read_text("utf-8")
            section = text[text.index("## 4."):text.index("## 5.")]
            return parse_table(section)
    return parse_table(SPEC_TABLE_COPY)


def test_registry_is_sorted_and_unique() -> None:
    # given
    codes = [r.code for r in ALL_RULES]
    # then
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert set(RULES_BY_CODE) == set(codes)


def test_registry_equals_spec_table_exactly() -> None:
    # given
    spec = spec_rows()
    # when
    ours = {r.code: (r.severity.value, r.gate.value) for r in ALL_RULES if r.code not in EXTENSIONS}
    # then
    assert ours == spec


def test_spec_table_copy_agrees_with_spec() -> None:
    # given
    spec = spec_rows()
    # then: the fallback copy is not allowed to drift from the real table
    assert parse_table(SPEC_TABLE_COPY) == spec


def test_extensions_are_registered_and_outside_spec() -> None:
    # given
    spec = spec_rows()
    # then
    assert EXTENSIONS.issubset(RULES_BY_CODE)
    assert not EXTENSIONS & set(spec)
    assert RULES_BY_CODE["CUS004"].severity is Severity.WARNING
    assert RULES_BY_CODE["CUS004"].gate is Gate.NONE


def test_retired_codes_stay_unused() -> None:
    # then
    assert "CAT006" in RETIRED
    assert not set(RETIRED) & set(RULES_BY_CODE)
    with pytest.raises(ValueError, match="retired"):
        rule("CAT006", name="x", severity=Severity.ERROR, gate=Gate.PO, summary="", message="",
             hint="")


@pytest.mark.parametrize("r", ALL_RULES, ids=lambda r: r.code)
def test_rule_has_full_metadata(r: Rule) -> None:
    # then
    assert NAME_RE.match(r.name), r.name
    assert r.summary.strip()
    assert r.hint.strip()
    assert r.message.strip()
    for section in ("## What it checks", "## Why", "## Example", "## How to fix"):
        assert section in r.explanation, f"{r.code} explanation lacks {section}"
    positions = [r.explanation.index(s) for s in ("## What", "## Why", "## Example", "## How")]
    assert positions == sorted(positions), "sections in ruff's order"
    if r.severity is Severity.APPROVAL:
        assert r.approvers in ("band", "exceptions") or r.approvers


def test_rule_names_are_unique() -> None:
    # given
    names = [r.name for r in ALL_RULES]
    # then
    assert len(names) == len(set(names))


@pytest.mark.parametrize("r", ALL_RULES, ids=lambda r: r.code)
def test_rule_examples_are_package_data(r: Rule) -> None:
    # when
    examples = rule_examples(r.code)
    # then
    assert tuple(examples) == EXAMPLE_KINDS
    assert all("# expect:" in text for text in examples.values())


def test_spec_table_parser_reads_severity_word_and_gate() -> None:
    # given
    text = "| CAT002 | approval (exception approvers) | po | a line is custom |\n"
    # then
    assert parse_table(text) == {"CAT002": ("approval", "po")}


def test_only_chk003_relaxes_its_severity_and_only_to_info() -> None:
    # then: the SPEC table's "error (info before the policy's onboarding_from stage)"
    assert {r.code: r.relaxed for r in ALL_RULES if r.relaxed is not None} == {
        "CHK003": Severity.INFO}
    assert RULES_BY_CODE["CHK003"].severities == (Severity.ERROR, Severity.INFO)
    assert RULES_BY_CODE["STG001"].severities == (Severity.ERROR,)


def test_relaxed_finding_of_a_rule_without_one_is_a_bug() -> None:
    # given
    r = RULES_BY_CODE["STG002"]
    # then
    assert r.finding("stage", relaxed=False, stage="x").severity is Severity.ERROR
    with pytest.raises(ValueError, match="no relaxed severity"):
        r.finding("stage", relaxed=True, stage="x")

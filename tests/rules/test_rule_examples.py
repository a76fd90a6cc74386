"""Every rule against its shipped bad/good examples and the edge-case fixtures.

Each file carries its expected findings inline, as bugbear's eval files do::

    # expect: PRC003 lines[1]
    # expect: none

The test asserts the exact multiset of (code, where) the validator reports, never message text.
On top of that, a rule's ``bad.yaml`` must fire the rule and its ``good.yaml`` must not.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from docgen.rules import ALL_RULES, EXAMPLE_KINDS, RETIRED, RULES_BY_CODE
from docgen.validate import validate_deal
from docgen.workspace import Workspace, load_deal, sample_root

EXAMPLES = Path(__file__).resolve().parents[2] / "docgen" / "rules" / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECT = re.compile(r"^#\s*expect:\s*(.+?)\s*$")
CODE_DIR = re.compile(r"^[A-Z]{3}\d{3}$")


def _cases() -> list[pytest.param]:
    cases = [pytest.param(p, id=f"example-{p.parent.name}-{p.stem}")
             for p in sorted(EXAMPLES.glob("*/*.yaml"))]
    cases += [pytest.param(p, id=f"fixture-{p.parent.name}-{p.stem}")
              for p in sorted(FIXTURES.glob("*/*.yaml"))]
    return cases


def expectations(path: Path) -> Counter[tuple[str, str]]:
    """The (code, where) pairs a file's ``# expect:`` lines announce."""
    found: Counter[tuple[str, str]] = Counter()
    declared = False
    for line in path.read_text("utf-8").splitlines():
        m = EXPECT.match(line.strip())
        if not m:
            continue
        declared = True
        if m.group(1) == "none":
            continue
        code, where = m.group(1).split(maxsplit=1)
        found[(code, where)] += 1
    assert declared, f"{path} has no '# expect:' line ('# expect: none' if nothing fires)"
    return found


@pytest.fixture(scope="module")
def sample() -> Workspace:
    """The bundled sample workspace, loaded once (read only)."""
    ws = Workspace(sample_root())
    ws.load_all()
    return ws


@pytest.mark.parametrize("path", _cases())
def test_rule_file_reports_exactly_its_expectations(sample: Workspace, path: Path) -> None:
    # given
    expected = expectations(path)
    deal = load_deal(path, sample.policy)
    # when
    result = validate_deal(deal, sample.catalogue, sample.policy, skus=sample.skus)
    # then
    got = Counter((f.code, f.where) for f in result.findings)
    assert got == expected, [str(f) for f in result.findings]
    code = path.parent.name
    if path.parent.parent == EXAMPLES and path.stem == "bad":
        assert any(f.code == code for f in result.findings), f"{code} bad example does not fire"
    if path.parent.parent == EXAMPLES and path.stem == "good":
        assert all(f.code != code for f in result.findings), f"{code} good example fires"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_a_bad_and_a_good_example(rule: object) -> None:
    # given / when
    folder = EXAMPLES / rule.code  # type: ignore[attr-defined]
    # then
    for kind in EXAMPLE_KINDS:
        assert (folder / f"{kind}.yaml").is_file(), f"missing {folder}/{kind}.yaml"


def test_example_and_fixture_folders_name_existing_rules() -> None:
    # given
    folders = [p for p in (*EXAMPLES.iterdir(), *FIXTURES.iterdir()) if p.is_dir()]
    # then
    for folder in folders:
        assert CODE_DIR.match(folder.name), folder
        assert folder.name in RULES_BY_CODE, f"{folder} names no rule"
        assert folder.name not in RETIRED

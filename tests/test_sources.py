"""Loading input files: exact decimals, lines for every field, every problem at once, exit 2."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from docgen.errors import InputError
from docgen.sources import load_text, validate_model
from docgen.models.deal import Deal
from docgen.workspace import load_deal
from tests.conftest import assert_no_traceback, example, example_data


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_deal(path)
    return [str(p) for p in info.value.problems]


def test_sources_numbers_are_decimals_from_their_text() -> None:
    # given a price written as a plain YAML number
    src = load_text("a: 4500.10\nb: 0.1\nc: 12\nd: '7.50'\n", "x.yaml")
    # then it is the exact decimal of its text, never a float
    assert src.data == {"a": Decimal("4500.10"), "b": Decimal("0.1"), "c": 12, "d": "7.50"}
    assert isinstance(src.data["a"], Decimal)


def test_sources_json_numbers_are_decimals_too() -> None:
    src = load_text('{"a": 4500.10, "b": [1, 2.5]}', "x.json")
    assert src.data == {"a": Decimal("4500.10"), "b": [1, Decimal("2.5")]}
    assert src.line_of(("b", 1)) == 1


def test_sources_record_the_line_of_each_field() -> None:
    src = load_text("deal: X\nlines:\n  - sku: A\n    quantity: 1\n  - sku: B\n", "x.yaml")
    assert src.line_of(("lines", 1, "sku")) == 5
    assert src.line_of(("lines", 0, "quantity")) == 4
    assert src.line_of(("lines", 7)) == 2  # falls back to the nearest known parent


def test_loading_a_sample_deal_gives_exact_decimals() -> None:
    deal = load_deal(example("D-2026-0042"))
    assert deal.lines[2].discount_amount == Decimal("300.00")  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "expected"), [
    ("deal: [unclosed\n", ":2: not valid YAML"),
    ("", ":1: the file is empty"),
    ("deal: A\ndeal: B\n", ":2: deal: key appears twice"),
    ("a: .nan\n", "is not a finite number"),
    ("a: .inf\n", "is not a finite number"),
])
def test_loading_bad_yaml_names_file_and_line(write_deal, text: str, expected: str) -> None:
    path = write_deal(text)
    msgs = problems_of(path)
    assert any(expected in m for m in msgs), msgs
    assert all(m.startswith(str(path)) for m in msgs)


def test_loading_bad_json_names_the_line(write_deal) -> None:
    path = write_deal('{\n  "deal": "X",\n  "lines": [1,,]\n}', suffix=".json")
    assert any(":3: not valid JSON" in m for m in problems_of(path))


def test_loading_non_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_bytes(b"deal: D-1\ncustomer: {name: M\xfcller}\n")
    assert problems_of(path) == [f"{path}:2: not UTF-8 text"]


def test_loading_a_missing_file_or_folder_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]
    assert "is a folder" in problems_of(tmp_path)[0]


def test_loading_reports_every_schema_problem_at_once(write_deal) -> None:
    # given a deal with four different mistakes
    data = example_data("D-2026-0101")
    data["customer"]["teritory"] = "US"            # typo: unknown key
    data["lines"][0]["quantity"] = "twelve"        # wrong type
    del data["customer"]["name"]                    # missing field
    data["lines"][1]["discount_pct"] = "abc"        # not a number
    path = write_deal(data)
    # when it is loaded
    msgs = problems_of(path)
    # then each is reported with its line and field path
    joined = "\n".join(msgs)
    assert "customer.teritory: unknown field" in joined
    assert "lines[0].quantity:" in joined
    assert "customer.name: required field is missing" in joined
    assert "lines[1].discount_pct:" in joined
    assert len(msgs) == 4
    text = path.read_text()
    line_of_typo = text.splitlines().index("  teritory: US") + 1
    assert f"{path}:{line_of_typo}: customer.teritory" in joined


def test_loading_refuses_control_characters_naming_the_field(write_deal) -> None:
    data = example_data("D-2026-0101")
    data["customer"]["name"] = "Acme\x0bCorp"
    msgs = problems_of(write_deal(data))
    assert len(msgs) == 1
    assert "customer.name: contains the control character U+000B" in msgs[0]


def test_loading_refuses_unknown_locale_and_currency(write_deal) -> None:
    data = example_data("D-2026-0101")
    data["customer"]["locale"] = "xx_YY"
    data["customer"]["currency"] = "EUX"
    joined = "\n".join(problems_of(write_deal(data)))
    assert "customer.locale: 'xx_YY' is not a locale" in joined
    assert "customer.currency: 'EUX' is not an ISO 4217 currency code" in joined


def test_loading_refuses_a_binary_float_from_python() -> None:
    # a program handing docgen a float (not text) gets an error, never an inexact price
    data = example_data("D-2026-0101")
    data["lines"][0]["discount_pct"] = 5.1
    src = load_text("{}", "api.json")
    src.data = data
    with pytest.raises(InputError) as info:
        validate_model(Deal, src)
    assert "lines[0].discount_pct: must be an exact decimal" in str(info.value)


def test_loading_refuses_a_line_with_both_sku_and_custom_fields(write_deal) -> None:
    data = example_data("D-2026-0101")
    data["lines"][0]["custom"] = {"description": "x", "unit_price": "1", "quantity": 1}
    joined = "\n".join(problems_of(write_deal(data)))
    assert "lines[0]" in joined and "unknown field" in joined


def test_loading_refuses_too_many_lines(write_deal) -> None:
    data = example_data("D-2026-0101")
    data["lines"] = [{"sku": "SUP-STD", "quantity": 1}] * 10_001
    joined = "\n".join(problems_of(write_deal(data)))
    assert "lines: List should have at most 10000 items" in joined


def test_loading_refuses_an_unknown_stage(ws, write_deal) -> None:
    data = example_data("D-2026-0101")
    data["stage"] = "negotiation"
    with pytest.raises(InputError) as info:
        load_deal(write_deal(data), ws.policy)
    assert "stage: 'negotiation' is not a stage of the policy" in str(info.value)


def test_cli_bad_deal_exits_2_with_one_line_per_problem(run_cli, write_deal) -> None:
    data = example_data("D-2026-0101")
    data["customer"]["teritory"] = "US"
    data["lines"][0]["quantity"] = "twelve"
    path = write_deal(data)
    proc = run_cli("validate", path)
    assert proc.returncode == 2
    assert_no_traceback(proc)
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 2
    assert all(str(path) in e for e in errors)


def test_cli_reports_problems_of_every_file(run_cli, write_deal) -> None:
    bad1 = write_deal("deal: [\n")
    bad2 = write_deal({"deal": "D-1"})
    proc = run_cli("validate", bad1, bad2)
    assert proc.returncode == 2
    assert str(bad1) in proc.stderr and str(bad2) in proc.stderr


def test_cli_duplicate_deal_ids_are_refused(run_cli) -> None:
    proc = run_cli("validate", example("D-2026-0101"), example("D-2026-0101"))
    assert proc.returncode == 2
    assert "also used by" in proc.stderr

"""``docgen forecast`` (issue 15 item 6): deals per stage, sold per currency, weighted by the
stage's probability; lost deals and deals without a stage apart."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, assert_no_traceback, example_data

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_forecast_json_of_the_sample_pipeline(run_cli: Run, write_deal: Callable[..., Path]
                                              ) -> None:
    # given: the sample deals, plus a copy of the won deal with no stage at all
    data = example_data("D-2026-0125")
    data["deal"] = "D-2026-9001"
    data.pop("stage")
    unstaged = write_deal(data)

    proc = run_cli("forecast", "--json", *sorted(EXAMPLES.glob("*.yaml")), unstaged)

    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    fc = json.loads(proc.stdout)
    stages = {s["stage"]: s for s in fc["stages"]}
    assert list(stages) == ["qualification", "funding", "proposal", "approval", "won"]
    in_approval = [p for p in EXAMPLES.glob("*.yaml")
                   if yaml.safe_load(p.read_text("utf-8")).get("stage") == "approval"]
    assert stages["approval"]["count"] == len(in_approval) >= 5
    assert stages["qualification"]["count"] == 0
    assert stages["proposal"]["deals"] == ["D-2026-0077"]
    for s in fc["stages"]:
        for cur, sold in s["sold"].items():
            exact = Decimal(sold) * s["probability"] / 100
            weighted = Decimal(s["weighted"][cur])
            assert abs(weighted - exact) <= Decimal("0.005"), (s["stage"], cur)
            assert weighted.as_tuple().exponent == Decimal(sold).as_tuple().exponent
    eur = [Decimal(s["sold"].get("EUR", "0")) for s in fc["stages"]]
    assert Decimal(fc["pipeline"]["sold"]["EUR"]) == sum(eur)
    assert fc["lost"]["stage"] == "closed_lost" and fc["lost"]["deals"] == ["D-2026-0130"]
    assert fc["lost"]["weighted"] == {} and "D-2026-0130" not in str(fc["stages"])
    assert fc["no_stage"]["deals"] == ["D-2026-9001"] and fc["no_stage"]["weighted"] == {}


def test_forecast_table_on_the_terminal(run_cli: Run) -> None:
    proc = run_cli("forecast", *sorted(EXAMPLES.glob("*.yaml")))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    won = next(ln for ln in lines if " won " in ln)
    assert "100 %" in won and won.count("€15,480.00") == 2   # sold and weighted are equal
    assert any("closed_lost" in ln and "€74,832.00" in ln for ln in lines)


def test_forecast_of_a_bad_file_is_exit_2(run_cli: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("deal: [\n", "utf-8")
    proc = run_cli("forecast", bad)
    assert_no_traceback(proc)
    assert proc.returncode == 2 and "bad.yaml" in proc.stderr

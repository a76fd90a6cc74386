"""The policy's ``notify`` block (SPEC §2.3): names resolve to addresses, unknown names are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen import api
from docgen.errors import InputError
from tests.conftest import relock_policy


def set_notify(ws_path: Path, notify: dict[str, Any]) -> None:
    policy = ws_path / "skus" / "policy.yaml"
    data = yaml.safe_load(policy.read_text("utf-8"))
    data["notify"] = notify
    policy.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def test_notify_names_resolve_team_before_role(ws_path: Path) -> None:
    # given: finance is a team (billing) and an approver role (the CFO)
    with api.Session(ws_path) as s:
        deal = s.load([next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))])[0][1]
        # when
        found = s.notifier.resolve(["sales_rep", "finance", "cs", "legal@brightfield.example"],
                                   deal)
    # then
    assert found == ["sam.seller@brightfield.example", "billing@brightfield.example",
                     "cs.lead@brightfield.example", "cs.deputy@brightfield.example",
                     "legal@brightfield.example"]


def test_notify_unknown_name_is_refused(ws_path: Path) -> None:
    # given
    set_notify(ws_path, {"teams": {"ops": ["ops@x.example"]}, "on_po_issued": ["opps"]})
    # when / then
    with pytest.raises(InputError) as err:
        api.Session(ws_path)
    assert any("opps" in p.message for p in err.value.problems)


def test_notify_unknown_locale_is_refused(ws_path: Path) -> None:
    # given
    set_notify(ws_path, {"locale": "xx_YY"})
    # when / then
    with pytest.raises(InputError) as err:
        api.Session(ws_path)
    assert any("notify" in str(p) for p in err.value.problems)


def test_policy_without_notify_block_tells_nobody_of_a_po(ws_path: Path) -> None:
    # given
    policy = ws_path / "skus" / "policy.yaml"
    data = yaml.safe_load(policy.read_text("utf-8"))
    del data["notify"]
    policy.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    relock_policy(ws_path)
    # when
    with api.Session(ws_path) as s:
        found = s.notifier.resolve(s.workspace.policy.notify.on_po_issued, None)
    # then
    assert found == []

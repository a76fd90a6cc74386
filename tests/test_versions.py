"""Catalogue and policy versions: recorded on lock, never changed, chosen by quote date or pin,
compared with `diff`; the policy lock (SPEC §2.2, §2.3, §8)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen import api
from docgen.errors import InputError, LockMismatchError
from docgen.versions import content_sha256
from tests.conftest import (admin_token_for, assert_no_traceback, example, example_data,
                            people_tokens)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def _catalogue(ws_path: Path, old: str, new: str) -> None:
    _edit(ws_path / "skus" / "catalogue.yaml", old, new)


def _policy(ws_path: Path, old: str, new: str) -> None:
    _edit(ws_path / "skus" / "policy.yaml", old, new)


def _as(ws_path: Path, email: str | None = None) -> api.Session:
    """A session acting as `email` (made a person on first use), else as the administrator."""
    token = people_tokens(ws_path, email)[email] if email else admin_token_for(ws_path)
    return api.Session(ws_path, locked=False, token=token)


def _relock_with_new_viewer_price(ws_path: Path, *, effective: date) -> None:
    """2026.12 (the sample, recorded effective 2026-01-01), then 2027.01 with EUR 16.00."""
    with _as(ws_path, "first@vendor.example") as s:
        s.lock_catalogue(effective=date(2026, 1, 1))
    _catalogue(ws_path, 'version: "2026.12"', 'version: "2027.01"')
    _catalogue(ws_path, 'list_price: {EUR: "15.00"', 'list_price: {EUR: "16.00"')
    with _as(ws_path, "second@vendor.example") as s:
        s.lock_catalogue(effective=effective)


def _viewer_deal(write_deal: Any, **extra: Any) -> Path:
    data = example_data("D-2026-0140")
    data.update(extra)
    return write_deal(data)


# -- catalogue lock records the version ------------------------------------------------------

def test_lock_records_content_hash_effective_date_who_and_when(ws_path: Path) -> None:
    # given / when
    with _as(ws_path, "cat.owner@vendor.example") as s:
        result = s.lock_catalogue(effective=date(2026, 12, 1))
        content = s.versions._content("catalogue", "2026.12")  # noqa: SLF001
    # then
    rec = result.record
    assert result.recorded_now
    assert (rec.version, rec.effective_from, rec.locked_by) == (
        "2026.12", date(2026, 12, 1), "cat.owner@vendor.example")
    assert rec.locked_at.tzinfo is not None
    assert content is not None and rec.sha256 == content_sha256(content)
    assert {s["code"] for s in content["skus"]} >= {"LIC-ANL-PRO", "LIC-VIEWER"}
    lock = json.loads((ws_path / "skus" / "catalogue.lock").read_text())
    assert lock["version"] == "2026.12" and lock["effective_from"] == "2026-12-01"


def test_lock_is_by_the_authenticated_person_effective_today(ws_path: Path) -> None:
    # given / when
    with _as(ws_path) as s:
        rec = s.lock_catalogue().record
    # then
    assert rec.locked_by == "admin@localhost"
    assert rec.effective_from == date.today()


def test_lock_without_a_token_is_refused(ws_path: Path) -> None:
    from docgen.errors import AuthError

    before = (ws_path / "skus" / "catalogue.lock").read_bytes()
    with api.Session(ws_path, locked=False) as s, pytest.raises(AuthError):
        s.lock_catalogue()
    assert (ws_path / "skus" / "catalogue.lock").read_bytes() == before


def test_database_refuses_a_recorded_label_with_other_content(ws_path: Path) -> None:
    # given: 2026.12 is recorded; then the lock file goes and a price changes under that label
    with _as(ws_path) as s:
        s.lock_catalogue()
    (ws_path / "skus" / "catalogue.lock").unlink()
    _catalogue(ws_path, 'list_price: {EUR: "15.00"', 'list_price: {EUR: "16.00"')
    # when / then: the database remembers what 2026.12 was
    with _as(ws_path) as s, pytest.raises(InputError, match="new version"):
        s.lock_catalogue()
    assert not (ws_path / "skus" / "catalogue.lock").exists()


def test_recorded_versions_are_never_changed_or_deleted(ws_path: Path) -> None:
    # given
    with _as(ws_path) as s:
        s.lock_catalogue()
        s.lock_policy()
    db = sqlite3.connect(ws_path / ".docgen" / "docgen.db")
    # when / then: the database itself refuses, whoever asks
    for table in ("catalogue_versions", "policy_versions"):
        with pytest.raises(sqlite3.DatabaseError, match="never changed"):
            db.execute(f"UPDATE {table} SET sha256 = 'x'")  # noqa: S608
        with pytest.raises(sqlite3.DatabaseError, match="never changed"):
            db.execute(f"DELETE FROM {table}")  # noqa: S608
    db.close()


def test_effective_date_of_a_recorded_version_cannot_change(ws_path: Path) -> None:
    # given
    with _as(ws_path) as s:
        s.lock_catalogue(effective=date(2026, 12, 1))
    # when / then
    with _as(ws_path) as s, pytest.raises(InputError, match="effective"):
        s.lock_catalogue(effective=date(2027, 1, 1))


@pytest.mark.postgres
def test_postgres_records_versions_and_refuses_edits(ws_path: Path, postgres_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    monkeypatch.setenv("DOCGEN_DATABASE_URL", postgres_url)
    _catalogue(ws_path, 'version: "2026.12"', 'version: "2026.12-pg"')
    _catalogue(ws_path, 'list_price: {EUR: "15.00"', 'list_price: {EUR: "15.50"')
    # when
    with _as(ws_path) as s:
        rec = s.lock_catalogue().record
    # then
    assert rec.version == "2026.12-pg"
    engine = create_engine(postgres_url)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="never changed"):
        conn.execute(text("DELETE FROM catalogue_versions"))
    engine.dispose()


# -- which version prices a deal -------------------------------------------------------------

def _viewer_price(ws_path: Path, deal: Path) -> D:
    with api.Session(ws_path) as s:
        (result,) = s.validate([deal])
    line = next(ln for ln in result.priced.lines if ln.code == "LIC-VIEWER")
    return line.list_unit_price.amount


def test_deal_is_priced_with_the_version_in_force_on_its_quote_date(ws_path: Path,
                                                                   write_deal: Any) -> None:
    # given: 2027.01 raises the viewer price from 2027-01-01
    _relock_with_new_viewer_price(ws_path, effective=date(2027, 1, 1))
    # when / then
    assert _viewer_price(ws_path, _viewer_deal(write_deal, quote_date="2026-11-20")) == D("15.00")
    assert _viewer_price(ws_path, _viewer_deal(write_deal, quote_date="2027-01-01")) == D("16.00")
    # before the first version's effective date, the first version applies
    assert _viewer_price(ws_path, _viewer_deal(write_deal, quote_date="2025-06-01")) == D("15.00")


def test_deal_pinning_a_version_is_priced_with_it(ws_path: Path, write_deal: Any) -> None:
    # given
    _relock_with_new_viewer_price(ws_path, effective=date(2027, 1, 1))
    deal = _viewer_deal(write_deal, quote_date="2027-02-01", catalogue_version="2026.12")
    # when
    with api.Session(ws_path) as s:
        (result,) = s.validate([deal])
    # then
    assert result.priced.catalogue_version == "2026.12"
    assert _viewer_price(ws_path, deal) == D("15.00")


def test_cli_deal_pinning_an_unknown_version_exits_2(run_cli, write_deal: Any) -> None:
    # given
    deal = _viewer_deal(write_deal, catalogue_version="1999.01")
    # when
    proc = run_cli("validate", deal)
    # then
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert "catalogue_version" in proc.stderr and "1999.01" in proc.stderr


def test_without_a_database_deals_use_the_locked_file(ws_path: Path, write_deal: Any) -> None:
    # given / when
    price = _viewer_price(ws_path, _viewer_deal(write_deal, quote_date="2020-01-01"))
    # then
    assert price == D("15.00")
    assert not (ws_path / ".docgen").exists()


# -- an earlier PO still verifies after a re-lock ---------------------------------------------

@pytest.mark.slow
def test_cli_earlier_po_still_verifies_after_a_relock(run_cli, ws_path: Path, tmp_path: Path,
                                                      admin_token: str) -> None:
    # given: a final PO issued with 2026.12, then a price change locked as 2027.01
    out = tmp_path / "out"
    proc = run_cli("po", example("D-2026-0101"), "-o", out, "--date", "2026-11-22",
                   token=admin_token)
    assert proc.returncode == 0, proc.stderr
    (pdf,) = out.glob("*.pdf")
    _catalogue(ws_path, 'version: "2026.12"', 'version: "2027.01"')
    _catalogue(ws_path, 'USD: "1300.00"', 'USD: "1350.00"')
    assert run_cli("catalogue", "lock", token=admin_token).returncode == 0
    # when
    proc = run_cli("verify", pdf)
    # then: recomputed with the PO's own catalogue version, it verifies
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2026.12" in proc.stdout


# -- catalogue diff --------------------------------------------------------------------------

def test_cli_catalogue_diff_names_fields_and_repricing_per_currency(run_cli, ws_path: Path,
                                                                   write_deal: Any) -> None:
    # given
    _relock_with_new_viewer_price(ws_path, effective=date(2027, 1, 1))
    usd = example_data("D-2026-0140")
    usd["deal"] = "D-2026-0141"
    usd["customer"].update(currency="USD", territory="US")
    usd["customer"]["billing_address"].update(country="US", postal_code="94105")
    # when
    proc = run_cli("catalogue", "diff", "2026.12", "2027.01", "--deals",
                   example("D-2026-0140"), write_deal(usd), example("D-2026-0101"))
    # then: 10 x 36 + 5 x 24 seat-months, EUR 1.00 more each, plus 19 % tax
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "catalogue 2026.12 -> 2027.01" in out
    assert 'LIC-VIEWER list_price.EUR: "15.00" -> "16.00"' in out
    assert 'catalogue version: "2026.12" -> "2027.01"' in out
    assert "deal D-2026-0140 (EUR): total due 57405.60 -> 57976.80 (+571.20)" in out
    assert "deal D-2026-0141 (USD)" in out and "(+0.00)" in out
    assert "total re-pricing EUR: +571.20" in out
    assert "total re-pricing USD: +0.00" in out


def test_catalogue_diff_defaults_to_the_locked_version_and_the_edited_file(ws_path: Path
                                                                          ) -> None:
    # given: 2026.12 recorded, then the file edited (not yet locked)
    with _as(ws_path) as s:
        s.lock_catalogue()
    _catalogue(ws_path, "name: Premium support", "name: Premium support plus")
    # when
    with api.Session(ws_path, locked=False) as s:
        result = s.catalogue_diff()
    # then
    assert (result.before, result.after) == ("2026.12", "2026.12 (file, not locked)")
    assert [(c.item, c.field) for c in result.changes] == [("SUP-PREM", "name")]


def test_catalogue_diff_without_history_is_refused(ws_path: Path) -> None:
    with api.Session(ws_path, locked=False) as s, pytest.raises(InputError, match="FROM"):
        s.catalogue_diff()


# -- the policy lock -------------------------------------------------------------------------

def test_sample_policy_matches_its_committed_lock() -> None:
    from docgen.policy_lock import verify_policy_lock
    from docgen.workspace import Workspace, sample_root

    ws = Workspace(sample_root())
    verify_policy_lock(ws.policy, ws.policy_lock_path)


def test_cli_policy_that_differs_from_its_lock_is_refused_naming_keys(run_cli,
                                                                     ws_path: Path) -> None:
    # given: a band's approvers and the tax rates changed after the lock
    _policy(ws_path, '{up_to: "20", approvers: [sales_manager]}',
            '{up_to: "20", approvers: [finance]}')
    _policy(ws_path, 'DE: "19"', 'DE: "16"')
    # when
    for args in (("validate", example("D-2026-0101")), ("policy", "verify")):
        proc = run_cli(*args)
        # then
        assert proc.returncode == 2, proc.stdout
        assert_no_traceback(proc)
        assert "policy.yaml: discount_bands: changed since the policy was locked" in proc.stderr
        assert "policy.yaml: tax_rates: changed since the policy was locked" in proc.stderr


def test_cli_policy_relock_needs_a_new_version(run_cli, ws_path: Path, admin_token: str) -> None:
    # given: the sample policy recorded (as `docgen init` does), then a notice period changed
    assert run_cli("policy", "lock", token=admin_token).returncode == 0
    _policy(ws_path, "go_live_notice_hours: 72", "go_live_notice_hours: 48")
    # when: locked under the same label
    same = run_cli("policy", "lock", token=admin_token)
    # then
    assert same.returncode == 2
    assert "go_live_notice_hours" in same.stderr and "version" in same.stderr
    # when: with a new one
    _policy(ws_path, 'version: "2026.12"', 'version: "2027.01"')
    relock = run_cli("policy", "lock", "--effective", "2026-12-01", token=admin_token)
    # then
    assert relock.returncode == 0, relock.stderr
    assert "changed: go_live_notice_hours" in relock.stdout
    assert run_cli("policy", "verify").returncode == 0
    diff = run_cli("policy", "diff", "2026.12", "2027.01")
    assert diff.returncode == 0, diff.stderr
    assert "go_live_notice_hours: 72 -> 48" in diff.stdout


def test_policy_without_a_version_cannot_be_locked(ws_path: Path) -> None:
    # given
    _policy(ws_path, 'version: "2026.12"\n', "")
    # when / then
    with api.Session(ws_path, locked=False) as s, pytest.raises(InputError, match="no version"):
        s.lock_policy()


def test_missing_policy_lock_is_refused(ws_path: Path) -> None:
    # given
    (ws_path / "skus" / "policy.lock").unlink()
    # when / then
    with pytest.raises(LockMismatchError, match="policy lock"):
        api.Session(ws_path)


# -- init --------------------------------------------------------------------------------------

def test_init_records_the_sample_versions(tmp_path: Path) -> None:
    # given / when
    ws = api.init_workspace(tmp_path / "new").workspace
    # then
    with api.Session(ws) as s:
        cats = [r.version for r in s.versions.records("catalogue")]
        pols = [r.version for r in s.versions.records("policy")]
    sample = yaml.safe_load((ws.root / "skus" / "catalogue.yaml").read_text())
    assert cats == [sample["catalogue"]["version"]]
    assert pols == ["2026.12"]

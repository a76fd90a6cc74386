"""The session's contract (SPEC §5, issue 10): one door that owns the workspace, opens the store
lazily and once, reads each deal's decisions once, returns data and raises only docgen's errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from docgen import api
from docgen.errors import DocgenError, InputError
from docgen.kinds import DocumentKind
from tests.conftest import admin_token_for, example, example_data, people_tokens

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_validating_creates_no_database(ws_path: Path) -> None:
    """Reading never creates state: the store is opened only for a write."""
    with api.Session(ws_path) as s:
        (result,) = s.validate([example("D-2026-0101")])
        assert result.deal.deal == "D-2026-0101"
        assert s._store is None
    assert not (ws_path / ".docgen").exists()


def test_store_is_opened_once_and_released(ws_path: Path) -> None:
    with api.Session(ws_path) as s:
        first = s.store
        assert s.store is first
    assert s._store is None, "closing the session releases the store"
    assert (ws_path / ".docgen").is_dir()


def test_decisions_are_read_once_per_deal(ws_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validating and rendering a deal reads its decisions once, not once per step."""
    deal = example("D-2026-0042")
    with api.Session(ws_path, token=admin_token_for(ws_path)) as s:
        s.submit([deal], now=NOW)          # creates the database
    with api.Session(ws_path) as s:
        reader = s._decision_reader()
        assert reader is not None
        calls: list[str] = []
        real = reader.decisions_for

        def counting(deal_id: str) -> list:
            calls.append(deal_id)
            return real(deal_id)

        monkeypatch.setattr(reader, "decisions_for", counting)
        (result,) = s.validate([deal])
        s.document_input(result, "po", issue_date=date(2026, 11, 22), number="PO-2026-000001")
        s.validate([deal])
    assert calls == ["D-2026-0042"]


def test_a_decision_refreshes_what_the_session_knows(ws_path: Path) -> None:
    deal = example("D-2026-0042")
    cs = people_tokens(ws_path, "cs.lead@brightfield.example")["cs.lead@brightfield.example"]
    with api.Session(ws_path, token=cs) as s:
        (before,) = s.validate([deal])
        finding = next(f for f in before.findings if f.approvers == ("cs",))
        done = s.approve(deal, code=finding.code, where=finding.where, role="cs", now=NOW)
        assert done.decision.by == "cs.lead@brightfield.example" and done.remaining is None
        (after,) = s.validate([deal])
    assert (finding.code, finding.where) not in {(f.code, f.where) for f in after.findings if f.blocking}


def test_render_returns_what_it_wrote(shared_ws_path: Path, tmp_path: Path) -> None:
    with api.Session(shared_ws_path) as s:
        batch = s.render(DocumentKind.PO, [example("D-2026-0101")], out_dir=tmp_path,
                         formats=("pdf", "html"), draft=True, issue_date=date(2026, 11, 22),
                         jobs=1)
    assert batch.ok
    (doc,) = batch.rendered
    assert doc.kind is DocumentKind.PO and doc.number is None
    assert sorted(doc.paths) == ["html", "pdf"]
    for fmt, path in doc.paths.items():
        assert path.parent == tmp_path and path.read_bytes()
        assert len(doc.sha256[fmt]) == 64


def test_a_blocked_deal_is_listed_and_the_rest_of_the_batch_renders(
        ws_path: Path, tmp_path: Path, write_deal: Callable[..., Path]) -> None:
    data = example_data("D-2026-0101")
    data["deal"] = "D-2026-9999"
    data["lines"][0]["discount_pct"] = "60"      # needs approvals nobody gave
    blocked = write_deal(data)
    with api.Session(ws_path, token=admin_token_for(ws_path)) as s:
        batch = s.render("po", [example("D-2026-0101"), blocked], out_dir=tmp_path / "out",
                         issue_date=date(2026, 11, 22), jobs=1)
    assert [r.deal.deal for r in batch.blocked] == ["D-2026-9999"]
    assert [d.deal_id for d in batch.rendered] == ["D-2026-0101"]
    assert batch.rendered[0].number is not None and not batch.ok


@pytest.mark.parametrize("call", [
    lambda s, tmp: s.validate([tmp / "missing.yaml"]),
    lambda s, tmp: s.render("po", [], out_dir=tmp, formats=("odt",)),
    lambda s, tmp: s.render("invoice", [], out_dir=tmp),
    lambda s, tmp: s.sku("NOPE"),
    lambda s, tmp: s.approval_history("not a deal id!"),
], ids=["missing-file", "unknown-format", "unknown-kind", "unknown-sku", "bad-deal-ref"])
def test_bad_arguments_raise_docgens_own_errors(shared_ws_path: Path, tmp_path: Path,
                                                call: Callable) -> None:
    with api.Session(shared_ws_path) as s, pytest.raises(DocgenError):
        call(s, tmp_path)


def test_the_bundled_sample_refuses_writes_and_still_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)                  # no workspace here: the bundled sample is used
    with api.Session(None) as s:
        assert s.workspace.read_only
        assert s.validate([example("D-2026-0101")])[0].deal.deal == "D-2026-0101"
        with pytest.raises(InputError) as err:
            s.store  # noqa: B018 - opening the store is the write being refused
    assert "docgen init" in str(err.value)

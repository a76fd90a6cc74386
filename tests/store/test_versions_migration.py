"""Migration 0004_versions: a database made at 0001 upgrades keeping its approvals and numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from docgen.store import SCHEMA_REVISION
from docgen.store._sql import MIGRATIONS, Store


def _database_at_0001(path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        now = datetime(2026, 11, 20, 9, 0)
        conn.execute(text("INSERT INTO po_sequences VALUES ('PO', 2026, 7)"))
        conn.execute(text(
            "INSERT INTO issued_documents (number, prefix, year, seq, deal_id, fingerprint, "
            "status, file_sha256, path, issued_on, reserved_at, updated_at) VALUES "
            "('PO-2026-000007', 'PO', 2026, 7, 'D-1', 'f' || hex(randomblob(31)), 'issued', "
            "'abc', 'x.pdf', '2026-11-20', :t, :t)"), {"t": now})
        conn.execute(text(
            "INSERT INTO approval_decisions (deal_id, code, location, fingerprint, role, "
            "decided_by, decision, note, decided_at) VALUES ('D-1', 'PRC001', 'lines[0]', 'fp', "
            "'finance', 'cfo@x', 'approve', NULL, :t)"), {"t": now})
    engine.dispose()


def test_upgrade_from_0001_keeps_numbers_and_decisions_and_adds_versions(tmp_path: Path) -> None:
    # given: a database made by the previous docgen
    db = tmp_path / "docgen.db"
    _database_at_0001(db)
    # when: this docgen opens it
    with Store.open(db) as store:
        # then
        assert store.schema_revision() == SCHEMA_REVISION
        assert store.issued("PO-2026-000007").status == "issued"
        assert [d.role for d in store.decisions_for("D-1")] == ["finance"]
        assert store.reserve_po_numbers([("D-2", "g" * 64)], year=2026, prefix="PO") == [
            "PO-2026-000008"]
        record, created = store.record_version(
            "catalogue", "2026.12", content="{}", sha256="0" * 64,
            effective_from=date(2026, 12, 1), locked_by="me",
            locked_at=datetime(2026, 11, 30, tzinfo=UTC))
        assert created and [r.version for r in store.versions("catalogue")] == ["2026.12"]
        assert store.version_content("catalogue", "2026.12") == "{}"

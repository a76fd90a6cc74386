"""Recorded evidence and its files; the approval findings of each recorded deal revision.

``evidence_files`` keeps each attached file once, by its SHA-256; ``deal_evidence`` records who
recorded which item of a deal as received or approved, when, for which date, with which file.
Neither table's rows are ever changed or deleted: triggers refuse UPDATE and DELETE on both
backends. ``deal_revisions`` gains ``findings``: the approval findings (code, where,
fingerprint) of the content when it was first recorded, so that an SLA clock starts when its
finding first appeared (NULL for revisions recorded before this migration).

Revision ID: 0008_evidence
Revises: 0009_template_versions (rechained after main's 0009, which was merged first)
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_evidence"
down_revision = "0009_template_versions"
branch_labels = None
depends_on = None

TABLES = ("evidence_files", "deal_evidence")


def _immutable(name: str, dialect: str) -> None:
    """Refuse UPDATE and DELETE of `name`'s rows in the database itself."""
    message = f"{name}: recorded evidence is never changed or deleted"
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {name}_no_{event.lower()} BEFORE {event} ON {name} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    elif dialect == "postgresql":
        op.execute(f"CREATE FUNCTION {name}_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$")
        op.execute(f"CREATE TRIGGER {name}_immutable BEFORE UPDATE OR DELETE ON {name} "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}_immutable()")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_files")),
    )
    op.create_table(
        "deal_evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("evidence_date", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(254), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("file_size", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_evidence")),
        sa.ForeignKeyConstraint(["file_sha256"], ["evidence_files.sha256"],
                                name="fk_deal_evidence_file_sha256"),
        sa.CheckConstraint("status IN ('received', 'approved')",
                           name=op.f("ck_deal_evidence_status")),
    )
    op.create_index(op.f("ix_deal_evidence_deal_id"), "deal_evidence", ["deal_id"])
    for name in TABLES:
        _immutable(name, dialect)
    op.add_column("deal_revisions", sa.Column("findings", sa.Text, nullable=True))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("deal_revisions") as batch:
        batch.drop_column("findings")
    for name in reversed(TABLES):
        op.drop_table(name)
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}_immutable()")

"""History: deal revisions, issue once per revision, superseded documents, holders, issued bytes.

Revision ID: 0006_hist
Revises: 0005_sign
Create Date: 2026-11-30

Every approval and every PO number of a 0001 database is kept. ``issued_documents`` gains the
document kind (``po`` for every existing row; final SOW and onboarding forms are recorded too,
numbered by their reference ``SOW-<deal>``, so ``number`` widens to 80 characters), the deal revision it was issued for (unknown,
NULL, for existing rows), the reserving process (``holder``), the issue time, and what superseded
it. Before 0002 several POs of one deal could be ``issued`` at once; now one is valid per deal and
kind, so the newest of them stays issued and each older one becomes ``superseded`` by it, with
the reason saying this migration did it. Nothing is deleted and no number changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_hist"
down_revision = "0005_sign"
branch_labels = None
depends_on = None

_LIVE = "status IN ('reserved', 'issued')"
_ISSUED = "status = 'issued'"
_STATUS = "status IN ('reserved', 'issued', 'superseded', 'void')"
_OLD_COLUMNS = ("number", "prefix", "year", "seq", "deal_id", "fingerprint", "status",
                "file_sha256", "path", "issued_on", "void_reason", "reserved_at", "updated_at")
_REASON = "superseded by {number} when migrating to 0006_hist: only one PO per deal stays valid"


def _new_columns() -> list[sa.Column]:
    return [sa.Column("kind", sa.String(16), nullable=False, server_default="po"),
            sa.Column("revision", sa.String(64), nullable=True),
            sa.Column("holder", sa.Text, nullable=True),
            sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("superseded_by", sa.String(80), nullable=True),
            sa.Column("superseded_reason", sa.Text, nullable=True)]


def _recreate_on_sqlite() -> None:
    """SQLite cannot change a column or a CHECK in place: copy into a new table."""
    op.drop_index(op.f("ix_issued_documents_deal_id_fingerprint"), table_name="issued_documents")
    op.rename_table("issued_documents", "issued_documents_0001")
    op.create_table(
        "issued_documents",
        sa.Column("number", sa.String(80), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("path", sa.Text, nullable=True),
        sa.Column("issued_on", sa.Date, nullable=True),
        sa.Column("void_reason", sa.Text, nullable=True),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_new_columns(),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("prefix", "year", "seq", name=op.f("uq_issued_documents_prefix_year_seq")),
        sa.CheckConstraint(_STATUS, name=op.f("ck_issued_documents_status")),
    )
    cols = ", ".join(_OLD_COLUMNS)
    op.execute(f"INSERT INTO issued_documents ({cols}) SELECT {cols} FROM issued_documents_0001")  # noqa: S608 - constant names
    op.drop_table("issued_documents_0001")
    op.create_index(op.f("ix_issued_documents_deal_id_fingerprint"), "issued_documents",
                    ["deal_id", "fingerprint"])


def _alter_in_place() -> None:
    """PostgreSQL (and other servers) change the table where it is."""
    op.drop_constraint(op.f("ck_issued_documents_status"), "issued_documents", type_="check")
    op.alter_column("issued_documents", "status", type_=sa.String(12),
                    existing_type=sa.String(8), existing_nullable=False)
    op.create_check_constraint(op.f("ck_issued_documents_status"), "issued_documents", _STATUS)
    # room for references of long deal ids (SOW-<deal>.<n>)
    op.alter_column("issued_documents", "number", type_=sa.String(80),
                    existing_type=sa.String(64), existing_nullable=False)
    for col in _new_columns():
        op.add_column("issued_documents", col)


def _one_issued_per_deal() -> None:
    """Keep the newest issued PO of each deal issued; supersede the older ones by it."""
    conn = op.get_bind()
    docs = sa.table("issued_documents", sa.column("number"), sa.column("deal_id"),
                    sa.column("year"), sa.column("seq"), sa.column("status"),
                    sa.column("superseded_by"), sa.column("superseded_reason"),
                    sa.column("updated_at", sa.DateTime(timezone=True)))
    rows = conn.execute(sa.select(docs.c.number, docs.c.deal_id)
                        .where(docs.c.status == "issued")
                        .order_by(docs.c.deal_id, docs.c.year.desc(), docs.c.seq.desc())).all()
    newest: dict[str, str] = {}
    now = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for number, deal_id in rows:
        if deal_id not in newest:
            newest[deal_id] = number
            continue
        keep = newest[deal_id]
        conn.execute(sa.update(docs).where(docs.c.number == number).values(
            status="superseded", superseded_by=keep,
            superseded_reason=_REASON.format(number=keep), updated_at=now))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate_on_sqlite()
    else:
        _alter_in_place()
    _one_issued_per_deal()
    op.create_index(op.f("uq_issued_documents_live_revision"), "issued_documents",
                    ["deal_id", "kind", "revision"], unique=True,
                    sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE))
    op.create_index(op.f("uq_issued_documents_one_issued"), "issued_documents", ["deal_id", "kind"],
                    unique=True, sqlite_where=sa.text(_ISSUED), postgresql_where=sa.text(_ISSUED))

    op.create_table(
        "deal_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_revisions")),
        sa.UniqueConstraint("deal_id", "revision", name=op.f("uq_deal_revisions_deal_id_revision")),
    )
    op.create_index(op.f("ix_deal_revisions_deal_id"), "deal_revisions", ["deal_id"])

    op.create_table(
        "document_files",
        sa.Column("number", sa.String(80), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("number", "format", name=op.f("pk_document_files")),
        sa.ForeignKeyConstraint(["number"], ["issued_documents.number"],
                                name=op.f("fk_document_files_number")),
    )


def downgrade() -> None:
    msg = "0006_hist cannot be downgraded: superseded and void documents would lose their state"
    raise NotImplementedError(msg)

"""Approval requests and decisions, the PO number sequence, issued documents.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:
    return [sa.Column("deal_id", sa.String(64), nullable=False),
            sa.Column("code", sa.String(16), nullable=False),
            sa.Column("location", sa.String(64), nullable=False),
            sa.Column("fingerprint", sa.String(64), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_key(),
        sa.Column("approvers", sa.String(400), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("amount", sa.String(40), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
        sa.UniqueConstraint("deal_id", "code", "location", "fingerprint",
                            name=op.f("uq_approval_requests_deal_id_code_location_fingerprint")),
    )
    op.create_index(op.f("ix_approval_requests_deal_id"), "approval_requests", ["deal_id"])

    op.create_table(
        "approval_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_key(),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_decisions")),
        sa.UniqueConstraint("deal_id", "code", "location", "fingerprint", "role",
                            name=op.f("uq_approval_decisions_deal_id_code_location_fingerprint_role")),
        sa.CheckConstraint("decision IN ('approve', 'reject')",
                           name=op.f("ck_approval_decisions_decision")),
    )
    op.create_index(op.f("ix_approval_decisions_deal_id"), "approval_decisions", ["deal_id"])

    op.create_table(
        "po_sequences",
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_po_sequences")),
    )

    op.create_table(
        "issued_documents",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("path", sa.Text, nullable=True),
        sa.Column("issued_on", sa.Date, nullable=True),
        sa.Column("void_reason", sa.Text, nullable=True),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("prefix", "year", "seq", name=op.f("uq_issued_documents_prefix_year_seq")),
        sa.CheckConstraint("status IN ('reserved', 'issued', 'void')",
                           name=op.f("ck_issued_documents_status")),
    )
    op.create_index(op.f("ix_issued_documents_deal_id_fingerprint"), "issued_documents",
                    ["deal_id", "fingerprint"])


def downgrade() -> None:
    op.drop_table("issued_documents")
    op.drop_table("po_sequences")
    op.drop_table("approval_decisions")
    op.drop_table("approval_requests")

"""Signed files besides the issued PO (a pack of it), found by the SHA-256 of their bytes.

Revision ID: 0005_sign
Revises: 0004_versions
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sign"
down_revision = "0004_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signed_files",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("deal_id", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_signed_files")),
    )
    op.create_index(op.f("ix_signed_files_number"), "signed_files", ["number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signed_files_number"), table_name="signed_files")
    op.drop_table("signed_files")

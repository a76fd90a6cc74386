"""Template versions: staged uploads and activations in the database; each document's templates.

Revision ID: 0009_template_versions
Revises: 0007_notify
Create Date: 2026-12-01

Legal's staged templates move from a folder of one server (``.docgen/staged-templates/``) into
the database, as content-addressed blobs, so that every server sharing the database sees them;
each activation is recorded (never changed). ``issued_documents`` gains ``template_version``: the
SHA-256 of the templates folder that rendered the document (unknown, NULL, for existing rows).
Files still staged in the old folder are not moved: stage them again.

After this migration the store gives every deal revision and signed pack recorded before the
audit log covered them their audit row (see ``Store._adopt_unaudited``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_template_versions"
down_revision = "0007_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column without constraints: SQLite adds it in place (no table copy, so the
    # partial unique indexes of 0006 stay as they are)
    op.add_column("issued_documents", sa.Column("template_version", sa.String(64), nullable=True))
    op.create_table(
        "template_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_template_blobs")),
    )
    op.create_table(
        "staged_templates",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("staged_by", sa.String(254), nullable=True),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_staged_templates")),
        sa.ForeignKeyConstraint(["sha256"], ["template_blobs.sha256"],
                                name="fk_staged_templates_sha256"),
    )
    op.create_table(
        "template_activations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("previous_sha256", sa.String(64), nullable=True),
        sa.Column("templates_version", sa.String(64), nullable=False),
        sa.Column("activated_by", sa.String(254), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_activations")),
        sa.ForeignKeyConstraint(["sha256"], ["template_blobs.sha256"],
                                name="fk_template_activations_sha256"),
    )
    op.create_index(op.f("ix_template_activations_name"), "template_activations", ["name"])


def downgrade() -> None:
    op.drop_table("template_activations")
    op.drop_table("staged_templates")
    op.drop_table("template_blobs")
    with op.batch_alter_table("issued_documents") as batch:
        batch.drop_column("template_version")

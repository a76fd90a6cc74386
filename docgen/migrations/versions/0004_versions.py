"""Recorded catalogue and policy versions (issue 11): content, hash, effective date, who, when.

Rows are never changed or deleted: triggers refuse UPDATE and DELETE on both backends.

Revision ID: 0004_versions
Revises: 0003_web
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_versions"
down_revision = "0003_web"
branch_labels = None
depends_on = None

TABLES = ("catalogue_versions", "policy_versions")


def _create(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("locked_by", sa.String(200), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("version", name=op.f(f"uq_{name}_version")),
    )


def _immutable(name: str, dialect: str) -> None:
    """Refuse UPDATE and DELETE of recorded versions in the database itself."""
    message = f"{name}: recorded versions are never changed or deleted"
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
    for name in TABLES:
        _create(name)
        _immutable(name, dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in TABLES:
        op.drop_table(name)
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}_immutable()")

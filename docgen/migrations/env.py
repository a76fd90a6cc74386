"""Alembic environment of docgen's store, run programmatically by :meth:`docgen.store.Store.migrate`.

The caller passes an open connection already inside its write transaction (``BEGIN IMMEDIATE``
on SQLite, an advisory lock on PostgreSQL) as ``config.attributes["connection"]``, so migrations
of concurrent processes never interleave, and on both backends the DDL commits or rolls back
as one.
"""

from __future__ import annotations

from alembic import context

from docgen.store._tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - docgen never runs Alembic without a connection
    msg = "docgen migrations run only through docgen.store (no alembic.ini, no offline mode)"
    raise RuntimeError(msg)

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()

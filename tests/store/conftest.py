"""Fixtures of the store tests: every test that takes `backend` runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from docgen.workspace import Workspace


@dataclass(frozen=True)
class Backend:
    """Which database a test runs on, and the environment that selects it."""

    name: str
    url: str | None
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """SQLite in the workspace's .docgen/, or a fresh PostgreSQL database via DOCGEN_DATABASE_URL."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("DOCGEN_DATABASE_URL", url)
        return Backend("postgresql", url, {"DOCGEN_DATABASE_URL": url})
    return Backend("sqlite", None, {})


@pytest.fixture
def store(ws: Workspace, backend: Backend) -> Iterator[object]:
    """The workspace's store on the chosen backend, migrated."""
    from docgen.store import open_store

    s = open_store(ws)
    try:
        yield s
    finally:
        s.close()


def person(store: Any, email: str, *, admin: bool = False) -> Any:
    """The store's user with this e-mail, added (with an administrator first) if missing."""
    found = store.user(email)
    if found is not None:
        return found
    if store.count_users() == 0:
        store.add_user("admin@localhost", name="Administrator", is_admin=True, actor=None)
    return store.add_user(email, name=email.split("@")[0], is_admin=admin,
                          actor="admin@localhost")[0]

"""Fixtures of the web tests: the application over a private workspace, in process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgen import api


@pytest.fixture
def web_init(tmp_path: Path) -> api.InitResult:
    """A workspace made by ``docgen init`` (sample deals, an empty deals/ folder, a first
    administrator and their token)."""
    return api.init_workspace(tmp_path / "acme", admin_email="admin@acme.example")


@pytest.fixture
def web_ws(web_init: api.InitResult) -> Path:
    """The workspace's folder."""
    return web_init.workspace.root


@pytest.fixture
def web_admin(web_init: api.InitResult) -> str:
    """The first administrator's API token."""
    assert web_init.token
    return web_init.token


@pytest.fixture
def client(web_ws: Path) -> Iterator[object]:
    """A test client of the application over `web_ws`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    from docgen.web import create_app

    with TestClient(create_app(web_ws)) as c:
        yield c

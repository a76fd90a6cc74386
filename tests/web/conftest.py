"""Fixtures of the web tests: the application over a private workspace, in process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgen import api


@pytest.fixture
def web_ws(tmp_path: Path) -> Path:
    """A workspace made by ``docgen init`` (sample deals, an empty deals/ folder)."""
    root = tmp_path / "acme"
    api.init_workspace(root)
    return root


@pytest.fixture
def client(web_ws: Path) -> Iterator[object]:
    """A test client of the application over `web_ws`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    from docgen.web import create_app

    with TestClient(create_app(web_ws)) as c:
        yield c

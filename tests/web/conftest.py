"""Fixtures of the web tests: the application over a private workspace, in process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


ADMIN = "admin@acme.example"
PASSWORD = "correct horse battery staple"


def set_password(ws: Path, token: str, email: str, password: str = PASSWORD) -> None:
    with api.Session(ws, token=token) as s:
        s.set_password(email, password)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, as a browser does (the form's CSRF token and its cookie)."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf": token,
                                       "next": "/deals"}, follow_redirects=False)


@pytest.fixture
def anonymous(web_ws: Path) -> Iterator[Any]:
    """A test client of the application over `web_ws`, nobody signed in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    from docgen.web import create_app

    with TestClient(create_app(web_ws), base_url="https://testserver") as c:
        yield c


@pytest.fixture
def client(anonymous: Any, web_ws: Path, web_admin: str) -> Any:
    """The test client signed in as the workspace's first administrator."""
    set_password(web_ws, web_admin, ADMIN)
    r = sign_in(anonymous, ADMIN)
    assert r.status_code == 303, r.text
    return anonymous


def csrf_of(client: Any) -> str:
    """The signed-in session's CSRF token, as every page's forms carry it."""
    import re

    return re.search(r'name="csrf" value="([^"]+)"', client.get("/deals").text).group(1)

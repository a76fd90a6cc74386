"""Several ``docgen serve`` processes on one database act as one application (issue 13: several
workers safe; issue 16: many web servers share sessions, CSRF tokens and sign-in limits through
the database, not process memory). Real processes on loopback ports, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from docgen import api
from tests.web.servers import PASSWORD, login_csrf, serve, sign_in

pytestmark = pytest.mark.slow

ADMIN = "admin@acme.example"
SELLER = "sam.seller@brightfield.example"
#: People whose sign-ins are guessed at (each test its own, so their limits do not mix).
TARGETS = ("victim.one@brightfield.example", "victim.two@brightfield.example")


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[list[str]]:
    """Two ``docgen serve`` processes (one uvicorn worker each) on the same workspace and
    database, each on its own loopback port."""
    env: dict[str, str] = {}
    if request.param == "postgresql":
        from tests.store.pgserver import create_schema

        env["DOCGEN_DATABASE_URL"] = create_schema(
            request.getfixturevalue("postgres_database_url"))
    root = tmp_path_factory.mktemp(f"servers-{request.param}") / "acme"
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        made = api.init_workspace(root, admin_email=ADMIN)
        with api.Session(root, token=made.token) as s:
            for who in (SELLER, *TARGETS):
                s.add_user(who, name=who.split("@")[0], password=PASSWORD)
    with serve(root, root.parent / "logs", count=2, env=env) as urls:
        yield urls


def _client(url: str) -> Any:
    import httpx

    return httpx.Client(base_url=url, timeout=60)


def test_a_session_signed_in_on_one_server_works_on_the_other(two_servers: list[str]) -> None:
    a_url, b_url = two_servers
    with _client(a_url) as a, _client(b_url) as b:
        # given: signed in on server A (with the sign-in form B handed out)
        done = sign_in(a, SELLER, form_from=b)
        assert done.status_code == 303, done.text
        cookie = a.cookies["docgen_session"]
        # when: the same cookie goes to server B
        b.cookies.set("docgen_session", cookie)
        page = b.get("/deals")
        # then: B knows who it is
        assert page.status_code == 200
        assert "sam.seller" in page.text and 'action="/logout"' in page.text
        # and signing out on B ends the session on A too
        assert b.post("/logout", data={"csrf": login_csrf(page.text)}).status_code == 303
        after = a.get("/deals")
        assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_the_csrf_token_of_one_server_is_checked_by_the_other(two_servers: list[str]) -> None:
    a_url, b_url = two_servers
    with _client(a_url) as a, _client(b_url) as b:
        assert sign_in(a, SELLER).status_code == 303
        b.cookies.set("docgen_session", a.cookies["docgen_session"])
        editor = a.get("/deals/D-2026-0101")
        token = login_csrf(editor.text)
        form = {"csrf": token, "base": "", "deal": "D-2026-0101"}
        # the token A's page carries is accepted by B …
        ok = b.post("/deals/check", data=form, headers={"HX-Request": "true"})
        assert ok.status_code == 200 and 'id="check"' in ok.text
        # … a post without it, or with another, is refused by either
        for c in (a, b):
            assert c.post("/deals/check", data={**form, "csrf": ""}).status_code == 403
            assert c.post("/deals/check", data={**form, "csrf": token[::-1]}).status_code == 403


def test_failed_sign_ins_on_both_servers_count_together(two_servers: list[str]) -> None:
    a_url, b_url = two_servers
    who = TARGETS[0]
    with _client(a_url) as a, _client(b_url) as b:
        # given: five wrong passwords, spread over both servers
        for c in (a, b, a, b, a):
            r = sign_in(c, who, "not the password at all")
            assert r.status_code == 401 and "wrong e-mail or password" in r.text
        # when: the right password, on the server that saw only two of them
        r = sign_in(b, who)
        # then: refused all the same, until the window passes
        assert r.status_code == 401 and "too many failed sign-ins" in r.text
        assert "docgen_session" not in b.cookies


def test_guesses_sent_at_once_to_both_servers_are_limited_together(
        two_servers: list[str]) -> None:
    a_url, b_url = two_servers
    who = TARGETS[1]

    def guess(i: int) -> str:
        with _client((a_url, b_url)[i % 2]) as c:
            r = sign_in(c, who, f"guess number {i:02d} of many")
            assert r.status_code == 401, r.text
            return "checked" if "wrong e-mail or password" in r.text else "refused"

    # when: 16 wrong passwords arrive together, half on each server
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(guess, range(16)))
    # then: no more than the limit (5) were ever checked against the password
    assert answers.count("checked") <= 5, answers
    assert answers.count("refused") >= 11
    with _client(a_url) as a:
        assert "too many failed sign-ins" in sign_in(a, who).text


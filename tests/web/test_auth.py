"""Sign-in, sessions, CSRF and bearer tokens (issue 13 item 2, SPEC §10): every way round a
control gets a test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docgen import api
from tests.web.conftest import ADMIN, PASSWORD, csrf_of, set_password, sign_in


def test_a_page_without_a_session_redirects_to_login(anonymous: Any) -> None:
    for url in ("/deals", "/deals/D-2026-0042", "/inbox", "/report", "/templates",
                "/report.csv", "/deals/D-2026-0101/draft/po.pdf"):
        r = anonymous.get(url, follow_redirects=False)
        assert r.status_code == 303, url
        assert r.headers["location"].startswith("/login?next=%2F"), url
    assert anonymous.get("/healthz").text == "ok"


def test_wrong_password_and_unknown_email_get_the_same_answer(anonymous: Any, web_ws: Path,
                                                              web_admin: str) -> None:
    set_password(web_ws, web_admin, ADMIN)
    wrong = sign_in(anonymous, ADMIN, "not the password at all")
    unknown = sign_in(anonymous, "nobody@acme.example", PASSWORD)
    for r in (wrong, unknown):
        assert r.status_code == 401 and "wrong e-mail or password" in r.text
        assert "docgen_session" not in r.headers.get("set-cookie", "")


def test_session_cookie_is_httponly_samesite_and_secure(anonymous: Any, web_ws: Path,
                                                        web_admin: str) -> None:
    set_password(web_ws, web_admin, ADMIN)
    r = sign_in(anonymous, ADMIN)
    cookie = next(c for c in r.headers.get_list("set-cookie")
                  if c.startswith("docgen_session="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "secure"} <= flags
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) >= 43                    # at least 256 random bits
    with api.Session(web_ws) as s:             # stored hashed: the value is nowhere in the db
        assert value.encode() not in (web_ws / ".docgen" / "docgen.db").read_bytes()
        assert s.web_session(value) is not None


def test_sign_in_is_rate_limited(anonymous: Any, web_ws: Path, web_admin: str) -> None:
    set_password(web_ws, web_admin, ADMIN)
    for _ in range(5):
        assert sign_in(anonymous, ADMIN, "guess guess guess").status_code == 401
    # the right password no longer helps until the window has passed
    r = sign_in(anonymous, ADMIN)
    assert r.status_code == 401 and "too many failed sign-ins" in r.text


def test_login_form_needs_its_csrf_token(anonymous: Any, web_ws: Path, web_admin: str) -> None:
    set_password(web_ws, web_admin, ADMIN)
    anonymous.get("/login")
    r = anonymous.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf": "forged"},
                       follow_redirects=False)
    assert r.status_code == 403 and "docgen_session" not in r.headers.get("set-cookie", "")


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(client: Any,
                                                                     web_ws: Path) -> None:
    page = client.get("/deals/new").text
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields.update({"deal": "D-2026-6666", "customer.name": "Forged"})
    for csrf in (None, "", "x" * 43):
        data = {k: v for k, v in fields.items() if k != "csrf"}
        if csrf is not None:
            data["csrf"] = csrf
        r = client.post("/deals/save", data=data, follow_redirects=False)
        assert r.status_code == 403, csrf
    assert not (web_ws / "deals" / "D-2026-6666.yaml").exists()
    r = client.post("/deals/D-2026-0042/submit", follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/templates/staged/html/po.html/activate", follow_redirects=False)
    assert r.status_code == 403
    # the htmx header works as the form field does
    r = client.post("/deals/D-2026-0042/submit", headers={"X-CSRF-Token": csrf_of(client)},
                    follow_redirects=False)
    assert r.status_code == 303


def test_sign_out_revokes_the_session_on_the_server(client: Any, web_ws: Path) -> None:
    cookie = client.cookies.get("docgen_session")
    assert client.post("/logout", data={"csrf": csrf_of(client)},
                       follow_redirects=False).status_code == 303
    client.cookies.set("docgen_session", cookie)     # a copy of the old cookie
    r = client.get("/deals", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_disabled_person_is_signed_out(client: Any, web_ws: Path, web_admin: str) -> None:
    with api.Session(web_ws, token=web_admin) as s:
        s.add_user("second.admin@acme.example", name="Second", admin=True)
    assert client.get("/deals", follow_redirects=False).status_code == 200
    with api.Session(web_ws, token=web_admin) as s:
        s.disable_user(ADMIN)
    r = client.get("/deals", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_login_never_redirects_off_site(anonymous: Any, web_ws: Path, web_admin: str) -> None:
    set_password(web_ws, web_admin, ADMIN)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        page = anonymous.get("/login", params={"next": target})
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = anonymous.post("/login", data={"email": ADMIN, "password": PASSWORD,
                                           "csrf": token, "next": target},
                           follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/deals", target
        anonymous.cookies.clear()


def test_api_needs_a_valid_bearer_token(anonymous: Any, web_ws: Path, web_admin: str) -> None:
    body = {"content": "deal: D-1\n", "headers": {"content-type": "application/yaml"}}
    assert anonymous.post("/api/v1/validate", **body).status_code == 401
    for bad in ("Bearer", "Bearer dgt_forged", "Basic YWRtaW46YWRtaW4=", f"Token {web_admin}"):
        r = anonymous.get("/api/v1/deals", headers={"Authorization": bad})
        assert r.status_code == 401, bad
        assert r.headers["www-authenticate"] == "Bearer"
    ok = anonymous.get("/api/v1/deals", headers={"Authorization": f"Bearer {web_admin}"})
    assert ok.status_code == 200 and ok.json()["deals"]


def test_a_session_cookie_is_not_an_api_token(client: Any) -> None:
    assert client.get("/api/v1/deals").status_code == 401


def test_every_answer_carries_the_security_headers(client: Any) -> None:
    answers = [client.get("/deals"), client.get("/healthz"), client.get("/deals/NO-SUCH-DEAL"),
               client.post("/deals/check", data={"csrf": "wrong"}),
               client.get("/static/app.css"), client.get("/api/v1/deals")]
    assert [r.status_code for r in answers] == [200, 200, 400, 403, 200, 401]
    for r in answers:
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
        assert len(r.headers.get_list("content-security-policy")) == 1

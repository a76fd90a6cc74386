"""Who is using the web app: sign-in sessions in a cookie, CSRF tokens, bearer tokens.

- Pages need a sign-in session: the ``docgen_session`` cookie (random, stored hashed in the
  database, revocable; HttpOnly, SameSite=Lax, Secure when the request came over HTTPS). A page
  asked for without one redirects to ``/login``.
- Every form that changes something carries the session's CSRF token (``csrf`` field, or the
  ``X-CSRF-Token`` header htmx sends); a POST without the right one gets 403. The sign-in form
  itself uses a double-submit cookie, as there is no session yet.
- The JSON API takes ``Authorization: Bearer <API token>`` (401 without a valid one).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import HTTPException, Request

from docgen import api
from docgen.errors import AuthError

__all__ = ["COOKIE", "LOGIN_CSRF_COOKIE", "NeedsSignIn", "api_session", "page_session",
           "set_cookie"]

COOKIE = "docgen_session"
LOGIN_CSRF_COOKIE = "docgen_login_csrf"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class NeedsSignIn(Exception):  # noqa: N818 - a signal to the application, not an error
    """Raised by :func:`page_session` when nobody is signed in (answered with a redirect)."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def _web(request: Request) -> Any:
    return request.app.state.web


async def page_session(request: Request) -> AsyncIterator[api.Session]:
    """The request's session, acting as the signed-in person; checks CSRF on changes."""
    web = _web(request)
    s = web.session()
    try:
        cookie = request.cookies.get(COOKIE, "")
        csrf = s.web_session(cookie) if cookie else None
        if csrf is None:
            raise NeedsSignIn(str(request.url.path) + (f"?{request.url.query}"
                                                        if request.url.query else ""))
        request.state.csrf = csrf
        request.state.user = s.actor
        web.sync_templates(s)
        if request.method not in _SAFE:
            sent = request.headers.get("X-CSRF-Token")
            if sent is None:
                form = await request.form()
                value = form.get("csrf")
                sent = value if isinstance(value, str) else ""
            if not hmac.compare_digest(sent.encode(), csrf.encode()):
                raise HTTPException(403, "This form is out of date or not from docgen: "
                                         "reload the page and try again.")
        yield s
    finally:
        web.keep_renderer(s)
        s.close()


def api_session(request: Request) -> Iterator[api.Session]:
    """The request's session, acting as the bearer token's person (401 without one)."""
    web = _web(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "an API token is needed: Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    s = web.session()
    try:
        try:
            s.authenticate(token.strip())
        except AuthError:
            raise HTTPException(401, "not a valid API token of this workspace",
                                headers={"WWW-Authenticate": "Bearer"}) from None
        web.sync_templates(s)
        yield s
    finally:
        web.keep_renderer(s)
        s.close()


def set_cookie(response: Any, request: Request, name: str, value: str, *,
               max_age: int | None) -> None:
    """Set a cookie the way docgen's cookies are: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def new_login_csrf() -> str:
    """The sign-in form's double-submit token."""
    return secrets.token_urlsafe(24)

"""Signing in and out (SPEC §10): e-mail and password, a server-side session in a cookie."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from docgen.errors import AuthError
from docgen.web._auth import COOKIE, LOGIN_CSRF_COOKIE, new_login_csrf, set_cookie

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only a path of this site (never another host: no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/deals"
    return target


def _form(request: Request, *, next_url: str, email: str = "", problem: str = "",
          status: int = 200) -> Response:
    token = new_login_csrf()
    page = request.app.state.web.render("login.html", request, http_status=status,
                                        login_csrf=token, next_url=_safe_next(next_url),
                                        email=email, problem=problem)
    set_cookie(page, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return page


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/deals") -> Response:  # noqa: A002
    return _form(request, next_url=next)


@router.post("/login")
def login(request: Request, email: str = Form(""), password: str = Form(""),
          csrf: str = Form(""), next: str = Form("/deals")) -> Response:  # noqa: A002
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
        return _form(request, next_url=next, email=email, status=403,
                     problem="This form is out of date: sign in again.")
    web: Any = request.app.state.web
    s = web.session()
    try:
        client = request.client.host if request.client else "unknown"
        _, cookie, _ = s.sign_in(email.strip(), password, client=client)
    except AuthError as exc:
        return _form(request, next_url=next, email=email, status=401,
                     problem=exc.problems[0].message)
    finally:
        s.close()
    done = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(done, request, COOKIE, cookie, max_age=12 * 3600)
    done.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return done


@router.post("/logout")
async def logout(request: Request) -> Response:
    web: Any = request.app.state.web
    cookie = request.cookies.get(COOKIE, "")
    s = web.session()
    try:
        csrf = s.web_session(cookie) if cookie else None
        form = await request.form()
        sent = form.get("csrf")
        if csrf is not None and isinstance(sent, str) and hmac.compare_digest(
                sent.encode(), csrf.encode()):
            s.sign_out(cookie)
        elif csrf is not None:
            return web.render("error.html", request, http_status=403,
                              problems=["This form is out of date: reload and sign out again."])
    finally:
        s.close()
    done = RedirectResponse("/login", status_code=303)
    done.delete_cookie(COOKIE, path="/")
    return done

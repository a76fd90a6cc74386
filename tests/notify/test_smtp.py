"""DOCGEN_SMTP_URL: the forms docgen takes, a login, and an unusable URL as an input error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docgen import api
from docgen.errors import InputError
from docgen.notify import smtp_target
from tests.conftest import act
from tests.notify.conftest import _Handler, free_port


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:1025", ("127.0.0.1", 1025, "plain", None, None)),
    ("smtp://mail.example", ("mail.example", 25, "plain", None, None)),
    ("smtp+starttls://bot%40x.example:p%40ss@mail.example:587",
     ("mail.example", 587, "starttls", "bot@x.example", "p@ss")),
    ("smtps://bot:secret@mail.example", ("mail.example", 465, "tls", "bot", "secret")),
])
def test_smtp_url_forms(url: str, expected: tuple[Any, ...]) -> None:
    # given / when
    t = smtp_target(url)
    # then
    assert t is not None
    assert (t.host, t.port, t.security, t.user, t.password) == expected
    assert "secret" not in t.shown() and "p@ss" not in t.shown()


def test_smtp_url_sender_from_query_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("DOCGEN_MAIL_FROM", "robot@env.example")
    # when / then
    assert smtp_target("smtp://h?from=cs@q.example").sender == "cs@q.example"  # type: ignore[union-attr]
    assert smtp_target("smtp://h").sender == "robot@env.example"  # type: ignore[union-attr]
    assert smtp_target("") is None


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://h:port"])
def test_smtp_url_unusable_is_an_input_error(url: str) -> None:
    # given / when / then
    with pytest.raises(InputError) as err:
        smtp_target(url)
    assert err.value.problems[0].file == "DOCGEN_SMTP_URL"


@pytest.fixture
def auth_sink() -> Iterator[tuple[int, _Handler]]:
    """An SMTP server that wants AUTH LOGIN/PLAIN as bot / s3cret (without TLS, on loopback)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", b"s3cret")
        # handled=False: the server answers 535 itself (a bare failure leaves the client waiting)
        return AuthResult(success=ok, handled=False)

    handler = _Handler()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, authenticator=check,
                     auth_required=True, auth_require_tls=False, ready_timeout=30)
    ctl.start()
    try:
        yield port, handler
    finally:
        ctl.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize(("password", "delivered"), [("s3cret", 10), ("wrong", 0)])
def test_smtp_login_with_user_and_password(ws_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           auth_sink: tuple[int, _Handler], password: str,
                                           delivered: int) -> None:
    # given
    port, handler = auth_sink
    monkeypatch.setenv("DOCGEN_SMTP_URL", f"smtp://bot:{password}@127.0.0.1:{port}")
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0042*.yaml"))
    # when
    with api.Session(ws_path) as s:
        act(ws_path, "sam.seller@brightfield.example", "submit", [deal])
        found = s.notifications()
    # then: delivered after logging in; a refused login is a failure to retry, not a crash
    assert len(handler.mails) == delivered
    assert {n.status for n in found} == ({"sent"} if delivered else {"failed"})

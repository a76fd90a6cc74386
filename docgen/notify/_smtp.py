"""The mail server: ``DOCGEN_SMTP_URL`` parsed, and messages handed to it (standard library).

``smtp://host:port`` (plain, port 25 by default), ``smtp+starttls://user:password@host:587``
(STARTTLS before logging in) and ``smtps://user:password@host:465`` (TLS from the start). User
and password are percent-decoded; the sender is ``?from=ADDRESS`` in the URL, else
``$DOCGEN_MAIL_FROM``, else ``docgen@localhost``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    import smtplib

__all__ = ["ENV_FROM", "ENV_SMTP", "SmtpTarget", "build_message", "smtp_target"]

ENV_SMTP = "DOCGEN_SMTP_URL"
ENV_FROM = "DOCGEN_MAIL_FROM"
#: Seconds to wait for the mail server to answer.
TIMEOUT_S = 20
_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to send mail."""

    host: str
    port: int
    security: str  # plain, starttls, tls
    user: str | None
    password: str | None
    sender: str

    def shown(self) -> str:
        """The URL without its password, for messages."""
        scheme = next(k for k, (sec, _) in _SCHEMES.items() if sec == self.security)
        user = f"{self.user}@" if self.user else ""
        return f"{scheme}://{user}{self.host}:{self.port}"

    @contextmanager
    def connect(self) -> Iterator[smtplib.SMTP]:
        """An open, logged-in connection (closed at the end)."""
        import smtplib
        import ssl

        conn: smtplib.SMTP
        if self.security == "tls":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S,
                                    context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        try:
            conn.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if self.user:
                conn.login(self.user, self.password or "")
            yield conn
        finally:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def smtp_target(url: str | None = None) -> SmtpTarget | None:
    """The mail server of `url` (default ``$DOCGEN_SMTP_URL``); None when none is set.

    Raises InputError for a URL docgen cannot use (the password is never shown).
    """
    raw = (os.environ.get(ENV_SMTP, "") if url is None else url).strip()
    if not raw:
        return None

    def bad(why: str) -> InputError:
        return InputError([Problem(ENV_SMTP, None, "", f"cannot use the mail server URL: {why} "
                                   "(e.g. smtp://127.0.0.1:1025 or "
                                   "smtp+starttls://user:password@mail.example:587)")])

    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise bad(str(exc)) from None
    if parts.scheme.lower() not in _SCHEMES:
        raise bad(f"unknown scheme {parts.scheme!r}; use smtp, smtp+starttls or smtps")
    if not parts.hostname:
        raise bad("no host")
    security, default_port = _SCHEMES[parts.scheme.lower()]
    query = parse_qs(parts.query)
    sender = (query.get("from") or [os.environ.get(ENV_FROM, "")])[0].strip() \
        or "docgen@localhost"
    return SmtpTarget(host=parts.hostname, port=port or default_port, security=security,
                      user=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password else None,
                      sender=sender)


def build_message(*, sender: str, recipient: str, subject: str, text: str, html: str,
                  key: str, language: str) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) whose Message-ID derives from `key`."""
    from email.policy import SMTP

    # RFC 5322 allows 998 characters a line: a long subject stays on its line instead of being
    # folded before its first word, which some readers show with a leading space
    msg = EmailMessage(policy=SMTP.clone(max_line_length=998))
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2] or "docgen.invalid"
    msg["Message-ID"] = f"<{key[:40]}@{domain}>" if key else make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a robot
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # after the bodies: setting content drops the Content-* headers set before
    msg["Content-Language"] = language.replace("_", "-")
    return msg

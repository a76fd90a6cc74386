"""A local SMTP sink (aiosmtpd on 127.0.0.1, a free port) that keeps every message it accepts."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest


def free_port() -> int:
    """A TCP port nobody listens on right now (on the loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mail:
    """One delivered message: envelope recipients and the parsed message."""

    rcpt: list[str]
    msg: EmailMessage

    @property
    def to(self) -> str:
        return str(self.msg["To"])

    @property
    def subject(self) -> str:
        return str(self.msg["Subject"])

    def body(self, kind: str = "plain") -> str:
        part = self.msg.get_body(preferencelist=(kind,))
        assert part is not None, f"no text/{kind} part"
        return str(part.get_content())


@dataclass
class _Handler:
    mails: list[Mail] = field(default_factory=list)
    #: SMTP reply to DATA while set (e.g. "451 4.3.0 try again later"): the message is refused
    refuse: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse:
            return self.refuse
        msg = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class SmtpSink:
    """The sink's URL for DOCGEN_SMTP_URL and what it received."""

    url: str
    handler: _Handler

    @property
    def mails(self) -> list[Mail]:
        with self.handler.lock:
            return list(self.handler.mails)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.mails.clear()

    def to(self, recipient: str) -> list[Mail]:
        return [m for m in self.mails if m.to == recipient]


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A running SMTP sink; DOCGEN_SMTP_URL points at it for the test."""
    from aiosmtpd.controller import Controller

    handler = _Handler()
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=30)
    ctl.start()
    sink = SmtpSink(f"smtp://127.0.0.1:{ctl.port}?from=docgen@brightfield.example", handler)
    monkeypatch.setenv("DOCGEN_SMTP_URL", sink.url)
    try:
        yield sink
    finally:
        ctl.stop()


@pytest.fixture(autouse=True)
def _no_smtp_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never send to a mail server of the developer's environment."""
    monkeypatch.delenv("DOCGEN_SMTP_URL", raising=False)
    monkeypatch.delenv("DOCGEN_MAIL_FROM", raising=False)

"""The web app's part of the store: server-side sign-in sessions and sign-in attempts.

A sign-in session is a random cookie value (at least 256 bits) stored only as its SHA-256, with
its own CSRF token, an expiry and a revocation time; signing out, disabling the person or
expiry ends it. Sign-in attempts are counted per e-mail and per client in the database, so the
rate limit holds across web workers and machines (SPEC §10, issue 16).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update

from docgen.identity import token_digest
from docgen.store._tables import sign_in_attempts, users, web_sessions

if TYPE_CHECKING:
    from docgen.identity import User

__all__ = ["WebSessions"]

_SES, _ATT, _USR = web_sessions, sign_in_attempts, users
#: Key of the PostgreSQL advisory lock that serialises counting sign-in attempts ("signin").
_SIGN_IN_LOCK = 0x7369676E696E
#: Prefix of a sign-in session's cookie value (tells it apart from an API token in logs).
SESSION_PREFIX = "dgs_"


class WebSessions:
    """Mixed into :class:`docgen.store._sql.Store`."""

    _write: Any
    _read: Any
    _append: Any

    def open_web_session(self, user: User, *, now: datetime, lifetime: timedelta
                         ) -> tuple[str, str]:
        """A new sign-in session of `user`: (cookie value, CSRF token), stored hashed."""
        cookie = SESSION_PREFIX + secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(insert(_SES).values(
                token_sha256=token_digest(cookie), user_id=user.id, csrf=csrf,
                created_at=now, expires_at=now + lifetime, revoked_at=None))
        return cookie, csrf

    def web_session(self, cookie: str, *, now: datetime) -> tuple[User, str] | None:
        """(person, CSRF token) of a live session: not expired, not revoked, person active."""
        from docgen.store._sql import _user

        if not cookie.startswith(SESSION_PREFIX) or len(cookie) > 200:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(_USR, _SES.c.csrf).join(_SES, _SES.c.user_id == _USR.c.id).where(
                    _SES.c.token_sha256 == token_digest(cookie), _SES.c.revoked_at.is_(None),
                    _SES.c.expires_at > now)).first()
        if row is None:
            return None
        user = _user(row)
        return (user, row.csrf) if user.active else None

    def close_web_session(self, cookie: str, *, now: datetime) -> None:
        """Revoke a session (signing out)."""
        with self._write() as conn:
            conn.execute(update(_SES).where(_SES.c.token_sha256 == token_digest(cookie),
                                            _SES.c.revoked_at.is_(None)).values(revoked_at=now))

    def close_sessions_of(self, user: User, *, now: datetime) -> int:
        """Revoke every session of a person (e.g. disabled, or a new password)."""
        with self._write() as conn:
            return int(conn.execute(update(_SES).where(
                _SES.c.user_id == user.id, _SES.c.revoked_at.is_(None)).values(
                revoked_at=now)).rowcount or 0)

    def password_of(self, email: str) -> tuple[User, str | None] | None:
        """A person and their password hash (None: no password set), or None if unknown."""
        from docgen.identity import normalise_email
        from docgen.store._sql import _user

        with self._read() as conn:
            row = conn.execute(select(_USR).where(
                _USR.c.email == normalise_email(email))).first()
        return (_user(row), row.password_hash) if row else None

    def set_password(self, user: User, password_hash: str, *, actor: str, now: datetime
                     ) -> None:
        """Set a person's password (hashed) and end their sign-in sessions."""
        with self._write() as conn:
            conn.execute(update(_USR).where(_USR.c.id == user.id).values(
                password_hash=password_hash))
            conn.execute(update(_SES).where(_SES.c.user_id == user.id,
                                            _SES.c.revoked_at.is_(None)).values(revoked_at=now))
            self._append(conn, "user.password", actor=actor, subject=user.email, at=now,
                         detail={"email": user.email})

    def claim_sign_in(self, limits: dict[str, int], *, since: datetime, now: datetime,
                      keep: timedelta = timedelta(days=1)) -> list[int] | None:
        """Count a sign-in attempt as failed under each key of `limits` *before* its password is
        checked, unless a key already had its limit of failures since `since`: then None, and
        nothing is recorded. :meth:`settle_sign_in` marks a good one afterwards.

        Counting and recording are one write transaction, serialised across processes and
        machines (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so guesses sent at
        once to several web servers are counted one after the other: no more than the limit
        are ever checked. Attempts older than `keep` are forgotten.
        """
        from sqlalchemy import text

        keys = list(limits)
        with self._write() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SIGN_IN_LOCK})
            rows = conn.execute(select(_ATT.c.key, func.count()).where(
                _ATT.c.key.in_(keys), _ATT.c.at >= since, _ATT.c.ok.is_(False)).group_by(
                _ATT.c.key)).all()
            failed = {r[0]: int(r[1]) for r in rows}
            if any(failed.get(k, 0) >= limit for k, limit in limits.items()):
                return None
            conn.execute(delete(_ATT).where(_ATT.c.at < now - keep))
            return [int(conn.execute(insert(_ATT).values(key=k, at=now, ok=False)
                                     .returning(_ATT.c.id)).scalar_one()) for k in keys]

    def settle_sign_in(self, claim: list[int]) -> None:
        """The attempt `claim` (from :meth:`claim_sign_in`) was good: it no longer counts."""
        with self._write() as conn:
            conn.execute(update(_ATT).where(_ATT.c.id.in_(claim)).values(ok=True))

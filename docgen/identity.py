"""People and their API tokens: e-mail addresses, token making and hashing, roles from the policy.

A person is a row of the store's ``users`` table (e-mail, name, admin flag, active). They act
through a personal API token (``DOCGEN_TOKEN`` for the CLI): ``dgt_`` followed by 43 characters
of :func:`secrets.token_urlsafe` (256 random bits). The store keeps only the token's SHA-256 —
a token is random, not a password, so a fast hash is enough to make the stored value useless —
and the first characters as a hint for listings. Passwords (for the web application) are hashed
with argon2id.

Roles are not stored: they are whatever the policy's ``approvers`` grant the person's e-mail
(compared trimmed and in lower case), so changing the policy changes who may approve.

This module is pure: no database, no printing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    from docgen.models.policy import Policy

__all__ = ["ENV_TOKEN", "TOKEN_PREFIX", "User", "check_email", "hash_password", "holds",
           "new_token", "normalise_email", "roles_of", "token_digest", "token_hint",
           "verify_password"]

#: Environment variable the CLI reads the person's API token from.
ENV_TOKEN = "DOCGEN_TOKEN"
#: Every docgen token starts with this, so that a leaked one is recognisable (secret scanners).
TOKEN_PREFIX = "dgt_"
#: Characters of a token kept in the clear, to tell a person's tokens apart in a listing.
_HINT_CHARS = 10

# deliberately simple: one @, something on both sides, a dot in the domain (or the domain
# localhost, for a single machine's administrator), no space or control character
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@([^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+"
                    r"|localhost)")


@dataclass(frozen=True, slots=True)
class User:
    """A person who can act in docgen."""

    id: int
    email: str
    name: str
    is_admin: bool
    active: bool
    created_at: datetime

    def to_json(self, policy: Policy | None = None) -> dict[str, Any]:
        """Plain JSON data; with `policy`, the roles it grants."""
        out: dict[str, Any] = {"email": self.email, "name": self.name, "admin": self.is_admin,
                               "active": self.active, "created_at": self.created_at.isoformat()}
        if policy is not None:
            out["roles"] = list(roles_of(policy, self.email))
        return out


def normalise_email(text: str) -> str:
    """The form e-mails are stored and compared in: trimmed, lower case."""
    return text.strip().lower()


def check_email(text: str, where: str = "EMAIL") -> str:
    """`text` normalised, or InputError when it is not an e-mail address."""
    email = normalise_email(text)
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InputError([Problem(where, None, "", f"{text!r} is not an e-mail address")])
    return email


def new_token() -> str:
    """A fresh API token: the prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def token_hint(token: str) -> str:
    """The token's first characters, shown in listings."""
    return token.strip()[:_HINT_CHARS]


def roles_of(policy: Policy, email: str) -> tuple[str, ...]:
    """The approver roles the policy grants `email`, in policy order."""
    me = normalise_email(email)
    return tuple(role for role, people in policy.approvers.items()
                 if any(normalise_email(p) == me for p in people))


def holds(policy: Policy, role: str, email: str) -> bool:
    """True when the policy names `email` among the approvers of `role`."""
    me = normalise_email(email)
    return any(normalise_email(p) == me for p in policy.approvers.get(role, []))


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (argon2-cffi's recommended parameters)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when `password` matches the argon2 hash `stored`."""
    from argon2 import PasswordHasher
    from argon2.exceptions import Argon2Error, InvalidHashError

    try:
        return PasswordHasher().verify(stored, password)
    except (Argon2Error, InvalidHashError):
        return False


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))

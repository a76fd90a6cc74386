"""The audit log: every state change is a row, chained with HMAC-SHA256 under the workspace secret.

Row ``n`` carries ``mac_n = HMAC(key, [n, at, actor, action, deal, subject, detail, mac_{n-1}])``
(``mac_0`` is 64 zeros), so that without the key nobody can write a row that verifies, and:

- an **edited** row no longer matches its own MAC;
- an **inserted**, **deleted** or **reordered** row breaks the sequence (1, 2, 3 … without gaps)
  or the link to the previous row's MAC;
- deleting the **newest** rows shows against the chain's head (its last seq and MAC, itself
  MACed), which every append updates in the same transaction.

The key is ``$DOCGEN_SECRET_KEY`` when set (every machine sharing a PostgreSQL database sets the
same one), else ``WORKSPACE/.docgen/secret.key`` (32 random bytes, hex, mode 0600), written by
``docgen init`` or, for an older workspace, by the first write that needs it.

An approval counts only if the chain vouches for it (:func:`vouched`): a decision row of the
store whose content no authentic audit row states — an ``INSERT`` made outside docgen — is
ignored. This module is pure apart from reading and writing the key file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docgen.errors import InputError, Problem

__all__ = ["ENV_SECRET", "GENESIS", "PACK_ACTION", "REVISION_ACTION", "SECRET_FILE", "AuditEntry",
           "ChainProblem", "Secret", "canonical", "chain_key", "compute_mac", "decision_detail",
           "entry_ok", "head_mac", "next_entry", "revision_detail", "verify_chain", "vouched"]

#: Environment variable holding the secret (overrides the file).
ENV_SECRET = "DOCGEN_SECRET_KEY"
#: The secret's file inside the workspace's state folder.
SECRET_FILE = "secret.key"
#: The "previous MAC" of the first row.
GENESIS = "0" * 64
#: Shortest secret accepted from the environment, in characters.
MIN_ENV_SECRET = 32
#: Actions whose rows state a decision (what :func:`vouched` looks for).
DECISION_ACTIONS = ("approve", "reject")
#: The action of the row that records a new deal revision (subject: its SHA-256).
REVISION_ACTION = "revision.recorded"
#: The action of the row that records a signed pack (subject: the pack file's SHA-256).
PACK_ACTION = "pack.recorded"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log, as stored."""

    seq: int
    at: datetime
    actor: str | None
    action: str
    deal_id: str | None
    subject: str
    detail: str          # canonical JSON text, MACed exactly as stored
    prev_mac: str
    mac: str

    @property
    def data(self) -> dict[str, Any]:
        """The detail as a dict ({} when it is not JSON: an edited row)."""
        try:
            value = json.loads(self.detail)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"seq": self.seq, "at": _at_text(self.at), "actor": self.actor,
                "action": self.action, "deal": self.deal_id, "subject": self.subject,
                "detail": self.data, "mac": self.mac}


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """Something wrong with the chain: the first row it shows at (None: the head) and what."""

    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"row {self.seq}: {self.message}" if self.seq is not None else self.message


def canonical(detail: Mapping[str, Any]) -> str:
    """The JSON text a detail is stored and MACed as (sorted keys, no spaces)."""
    return json.dumps(dict(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def compute_mac(key: bytes, *, seq: int, at: datetime, actor: str | None, action: str,
                deal_id: str | None, subject: str, detail: str, prev_mac: str) -> str:
    """The row's HMAC-SHA256 (hex) over its fields and the previous row's MAC."""
    message = json.dumps([seq, _at_text(at), actor, action, deal_id, subject, detail, prev_mac],
                         separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def entry_ok(key: bytes, e: AuditEntry) -> bool:
    """True when the row's MAC matches its content and its stated previous MAC."""
    want = compute_mac(key, seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                       deal_id=e.deal_id, subject=e.subject, detail=e.detail,
                       prev_mac=e.prev_mac)
    return hmac.compare_digest(want, e.mac)


def head_mac(key: bytes, seq: int, mac: str) -> str:
    """The MAC of the chain's head (its last seq and that row's MAC)."""
    return hmac.new(key, f"head:{seq}:{mac}".encode("ascii"), hashlib.sha256).hexdigest()


def next_entry(key: bytes, last: tuple[int, str] | None, action: str, *, actor: str | None,
               subject: str, deal_id: str | None, detail: Mapping[str, Any] | None,
               at: datetime) -> AuditEntry:
    """The row that follows `last` ((seq, mac) of the newest row; None: the chain is empty).

    Every writer of the chain (the store, and the standard-library SQLite path that records
    revisions for ``validate``) builds its rows here, so all of them MAC the same way.
    """
    seq, prev = (last[0] + 1, last[1]) if last is not None else (1, GENESIS)
    body = canonical(detail or {})
    mac = compute_mac(key, seq=seq, at=at, actor=actor, action=action, deal_id=deal_id,
                      subject=subject, detail=body, prev_mac=prev)
    return AuditEntry(seq=seq, at=at, actor=actor, action=action, deal_id=deal_id,
                      subject=subject, detail=body, prev_mac=prev, mac=mac)


def chain_key(secret: Secret, *, has_rows: bool) -> bytes:
    """The key to append with: the secret's, or (for a chain with no rows yet) a new one.

    InputError when rows exist but the key is gone: a new key would silently disown every row
    and approval so far.
    """
    key = secret.get()
    if key is not None:
        return key
    if has_rows:
        where = str(secret.path) if secret.path else ENV_SECRET
        raise InputError([Problem(where, None, "", (
            "the audit log was chained under a secret key that is missing here: restore "
            ".docgen/secret.key from a backup, or set DOCGEN_SECRET_KEY to it"))])
    return secret.create()  # an older workspace's first audited write


def revision_detail(revision: str, source: str | None) -> dict[str, Any]:
    """What a ``revision.recorded`` row states (the revision is the content's SHA-256)."""
    return {"revision": revision, "source": source}


def verify_chain(key: bytes, entries: Sequence[AuditEntry],
                 head: tuple[int, str, str] | None) -> list[ChainProblem]:
    """Every problem of the chain, the first one first (empty: it verifies).

    `entries` in stored order (by seq); `head` is (seq, mac, head_mac), None when absent.
    """
    problems: list[ChainProblem] = []
    prev = GENESIS
    for expected, e in enumerate(entries, start=1):
        if e.seq != expected:
            what = "deleted" if e.seq > expected else "inserted or reordered"
            problems.append(ChainProblem(e.seq, f"expected row {expected} here: a row was "
                                                f"{what} before it"))
            break
        if not hmac.compare_digest(e.prev_mac, prev):
            problems.append(ChainProblem(e.seq, "it does not follow the row before it: a row "
                                                "was inserted, deleted or reordered before it"))
            break
        if not entry_ok(key, e):
            problems.append(ChainProblem(e.seq, f"its MAC does not match ({e.action} "
                                                f"{e.subject}): the row was edited, or not "
                                                "written by docgen with this workspace's key"))
            break
        prev = e.mac
    if problems:
        return problems
    last_seq = entries[-1].seq if entries else 0
    if head is None:
        if entries:
            problems.append(ChainProblem(None, "the chain's head is missing (it was deleted)"))
        return problems
    seq, mac, hmac_text = head
    if not hmac.compare_digest(head_mac(key, seq, mac), hmac_text):
        problems.append(ChainProblem(None, "the chain's head does not match its MAC: it was "
                                           "edited"))
    elif seq != last_seq or not hmac.compare_digest(mac, prev):
        gone = f"rows {last_seq + 1}-{seq}" if seq > last_seq else "the newest rows"
        problems.append(ChainProblem(
            last_seq + 1 if seq > last_seq else None,
            f"the chain ends at row {last_seq} but its head says {seq}: {gone} were deleted"
            if seq != last_seq else "the last row is not the one the head recorded"))
    return problems


def decision_detail(*, code: str, where: str, fingerprint: str, role: str, by: str,
                    decision: str, note: str | None, decided_at: datetime) -> dict[str, Any]:
    """What an approve/reject row states: everything that makes the decision count."""
    return {"code": code, "where": where, "fingerprint": fingerprint, "role": role, "by": by,
            "decision": decision, "note": note, "decided_at": _at_text(decided_at)}


def vouched(key: bytes | None, decisions: Iterable[Any],
            entries: Iterable[AuditEntry]) -> list[Any]:
    """The decisions an authentic audit row states exactly (see the module docstring).

    `decisions` are :class:`docgen.store.Decision`; `entries` the deal's decision rows. With no
    key, nothing is vouched for.
    """
    if key is None:
        return []
    stated = {(e.deal_id, e.detail) for e in entries
              if e.action in DECISION_ACTIONS and entry_ok(key, e)}
    out = []
    for d in decisions:
        detail = canonical(decision_detail(code=d.code, where=d.where, fingerprint=d.fingerprint,
                                           role=d.role, by=d.by, decision=d.decision,
                                           note=d.note, decided_at=d.decided_at))
        if (d.deal_id, detail) in stated:
            out.append(d)
    return out


# -- the secret -------------------------------------------------------------------------------

class Secret:
    """The workspace's audit key: ``$DOCGEN_SECRET_KEY``, else ``STATE_DIR/secret.key``."""

    def __init__(self, state_dir: Path | None) -> None:
        self.state_dir = state_dir

    @property
    def path(self) -> Path | None:
        """The key file (None when the store has no workspace folder)."""
        return self.state_dir / SECRET_FILE if self.state_dir is not None else None

    def get(self) -> bytes | None:
        """The key, or None when neither the variable nor the file exists."""
        env = os.environ.get(ENV_SECRET)
        if env is not None and env.strip():
            text = env.strip()
            if len(text) < MIN_ENV_SECRET:
                raise InputError([Problem(ENV_SECRET, None, "", (
                    f"the secret must be at least {MIN_ENV_SECRET} characters (it is "
                    f"{len(text)}); e.g. python3 -c 'import secrets; "
                    "print(secrets.token_hex(32))'"))])
            return text.encode("utf-8")
        path = self.path
        if path is None or not path.is_file():
            return None
        text = path.read_text("ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < MIN_ENV_SECRET // 2:
            raise InputError([Problem(str(path), None, "", "not a docgen secret key (64 hex "
                                      "digits): restore it from a backup")])
        return key

    def create(self) -> bytes:
        """Write a new random key file (mode 0600) and return the key; never overwrites."""
        path = self.path
        if path is None:
            raise InputError([Problem(ENV_SECRET, None, "", "set DOCGEN_SECRET_KEY: this "
                                      "database has no workspace folder to keep a key in")])
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = secrets.token_hex(32)
        # written aside, then linked into place: a reader never sees a half-written key, and
        # link() refuses to replace a key another process put there first
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(text + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:  # another process made it first: use theirs
                key = self.get()
                assert key is not None  # noqa: S101 - it exists
                return key
        finally:
            tmp.unlink(missing_ok=True)
        return bytes.fromhex(text)

"""The policy lock: ``skus/policy.lock``, written only by ``docgen policy lock`` (SPEC §2.3).

Approvers, discount bands and checklists are controls, so a policy is locked and versioned like
the catalogue. The lock holds the policy's version, the SHA-256 of its canonical content
(:func:`docgen.versions.policy_content`) and one SHA-256 per top-level key, so a policy that
differs from its lock is refused (exit 2) naming each key that changed.

Like :mod:`docgen.catalogue`, every function takes a loaded policy and the lock's path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, LockMismatchError, Problem
from docgen.versions import content_json, content_sha256, policy_content

if TYPE_CHECKING:
    from pathlib import Path

    from docgen.models.policy import Policy

__all__ = ["PolicyLockDiff", "check_lockable", "diff_policy_lock", "lock_policy",
           "policy_lock_data", "policy_lock_info", "verify_policy_lock"]

LOCK_FORMAT = 1
#: The key that names the version; it is the lock's own field, not one of its key hashes.
_VERSION_KEY = "version"


def policy_lock_data(policy: Policy, effective_from: date | None = None) -> dict[str, Any]:
    """The lock file's content for `policy`."""
    content = policy_content(policy)
    data: dict[str, Any] = {
        "format": LOCK_FORMAT,
        "version": policy.version,
        "policy_sha256": content_sha256(content),
        "keys": {k: hashlib.sha256(content_json({k: v}).encode()).hexdigest()
                 for k, v in sorted(content.items()) if k != _VERSION_KEY},
    }
    if effective_from is not None:
        data["effective_from"] = effective_from.isoformat()
    return data


@dataclass(frozen=True)
class PolicyLockDiff:
    """The top-level keys of the policy that differ from its lock."""

    changed: tuple[str, ...]
    version_changed: bool

    def __bool__(self) -> bool:
        return bool(self.changed or self.version_changed)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise LockMismatchError([Problem(str(path), None, "", (
            "no policy lock: run 'docgen policy lock' and have the diff reviewed"))]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LockMismatchError([Problem(str(path), None, "",
                                         f"lock file is not valid JSON: {exc}")]) from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT or not isinstance(
            data.get("keys"), dict):
        raise LockMismatchError([Problem(str(path), None, "", "not a docgen policy lock")])
    return data


def policy_lock_info(lock_path: Path) -> tuple[str | None, date | None]:
    """(version, effective_from) the policy lock names; (None, None) without a usable lock."""
    try:
        data = _read(lock_path)
    except InputError:
        return None, None
    effective = data.get("effective_from")
    try:
        day = date.fromisoformat(effective) if isinstance(effective, str) else None
    except ValueError:
        day = None
    version = data.get("version")
    return (str(version) if version is not None else None), day


def diff_policy_lock(policy: Policy, lock_path: Path) -> PolicyLockDiff:
    """Compare `policy` with its lock (LockMismatchError when the lock is missing or unusable)."""
    now = policy_lock_data(policy)["keys"]
    locked = _read(lock_path)
    then = locked["keys"]
    changed = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
    return PolicyLockDiff(tuple(changed), locked.get("version") != policy.version)


def verify_policy_lock(policy: Policy, lock_path: Path) -> None:
    """Raise LockMismatchError naming each key of `policy` that differs from its lock."""
    diff = diff_policy_lock(policy, lock_path)
    if not diff:
        return
    file = str(lock_path.with_name("policy.yaml"))
    tail = "; re-lock with 'docgen policy lock' (a new version) and have the diff reviewed"
    problems = [Problem(file, None, key, "changed since the policy was locked" + tail)
                for key in diff.changed]
    if diff.version_changed:
        problems.append(Problem(file, None, "version",
                                "the version differs from the locked one" + tail))
    raise LockMismatchError(problems)


def check_lockable(policy: Policy, lock_path: Path) -> PolicyLockDiff | None:
    """What a re-lock would change (None: no usable lock); InputError when it may not.

    A policy needs a version to be locked, and changed content needs a new one.
    """
    file = str(lock_path.with_name("policy.yaml"))
    if policy.version is None:
        raise InputError([Problem(file, None, "version", (
            'the policy has no version: add one (e.g. version: "2026.11") to lock it'))])
    try:
        before: PolicyLockDiff | None = diff_policy_lock(policy, lock_path)
    except InputError:
        return None
    locked_version, _ = policy_lock_info(lock_path)
    if before and before.changed and locked_version == policy.version:
        raise InputError([Problem(file, None, "version", (
            f"the policy changed ({', '.join(before.changed)}) but its version is still "
            f"{policy.version!r}, the locked one: give changed content a new version, then "
            "lock again"))])
    return before


def lock_policy(policy: Policy, lock_path: Path, *, effective_from: date | None = None
                ) -> tuple[dict[str, Any], PolicyLockDiff | None]:
    """Write the lock of `policy` atomically; return it and what changed (None: no lock before)."""
    from docgen.io import write_atomic

    before = check_lockable(policy, lock_path)
    data = policy_lock_data(policy, effective_from)
    write_atomic(lock_path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
    return data, before

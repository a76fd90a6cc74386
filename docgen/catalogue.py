"""The catalogue lock: canonical SKU form, SHA-256, writing and verifying ``skus/catalogue.lock``.

A SKU's canonical form is its schema-checked content as JSON with sorted keys and decimals as text,
so reformatting the YAML changes nothing while any change of meaning changes the hash. The lock is
written only by ``docgen catalogue lock``; its diff is what a reviewer approves.

Every function takes a loaded catalogue and the lock's path, never a workspace: the workspace
calls this module (:meth:`docgen.workspace.Workspace.locked_catalogue`), not the other way round.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, LockMismatchError, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from docgen.models.catalogue import Catalogue, Sku

__all__ = ["LockDiff", "diff_lock", "lock_catalogue", "lock_info", "sku_hash", "verify_lock"]

LOCK_FORMAT = 1


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sku_hash(sku: Sku) -> str:
    """SHA-256 of the SKU's canonical form."""
    return hashlib.sha256(_canonical(sku.canonical())).hexdigest()


def meta_hash(catalogue: Catalogue) -> str:
    """SHA-256 of the catalogue header (version, vendor, currencies)."""
    return hashlib.sha256(_canonical(catalogue.catalogue.model_dump(mode="json"))).hexdigest()


def lock_data(catalogue: Catalogue, effective_from: date | None = None) -> dict[str, Any]:
    """The lock file's content for `catalogue` (with the version's effective date when known)."""
    data: dict[str, Any] = {
        "format": LOCK_FORMAT,
        "version": catalogue.catalogue.version,
        "catalogue_sha256": meta_hash(catalogue),
        "skus": {s.code: sku_hash(s) for s in sorted(catalogue.skus, key=lambda s: s.code)},
    }
    if effective_from is not None:
        data["effective_from"] = effective_from.isoformat()
    return data


def lock_info(lock_path: Path) -> tuple[str | None, date | None]:
    """(version, effective_from) the lock at `lock_path` names; (None, None) without a lock."""
    try:
        data = _read_lock(lock_path)
    except InputError:
        return None, None
    version = data.get("version")
    effective = data.get("effective_from")
    try:
        day = date.fromisoformat(effective) if isinstance(effective, str) else None
    except ValueError:
        day = None
    return (str(version) if version is not None else None), day


@dataclass(frozen=True)
class LockDiff:
    """What differs between a catalogue and its lock."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    header_changed: bool

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.header_changed)


def _read_lock(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise LockMismatchError([Problem(str(path), None, "", "no lock file: run "
                                         "'docgen catalogue lock' and have the diff reviewed")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LockMismatchError([Problem(str(path), None, "", f"lock file is not valid JSON: {exc}")]) from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT or not isinstance(
            data.get("skus"), dict):
        raise LockMismatchError([Problem(str(path), None, "", "not a docgen catalogue lock")])
    return data


def diff_lock(catalogue: Catalogue, lock_path: Path) -> LockDiff:
    """Compare `catalogue` with the lock at `lock_path` (LockMismatchError when it is unusable)."""
    current = lock_data(catalogue)
    locked = _read_lock(lock_path)
    now, then = current["skus"], locked["skus"]
    return LockDiff(
        added=tuple(sorted(set(now) - set(then))),
        removed=tuple(sorted(set(then) - set(now))),
        changed=tuple(sorted(c for c in set(now) & set(then) if now[c] != then[c])),
        header_changed=current["catalogue_sha256"] != locked.get("catalogue_sha256"),
    )


def verify_lock(catalogue: Catalogue, lock_path: Path) -> None:
    """Raise LockMismatchError naming each SKU of `catalogue` that differs from the lock.

    The problems name ``catalogue.yaml`` next to the lock, where a workspace keeps both.
    """
    diff = diff_lock(catalogue, lock_path)
    if not diff:
        return
    file = str(lock_path.with_name("catalogue.yaml"))
    tail = "; re-lock with 'docgen catalogue lock' and have the diff reviewed"
    problems = [Problem(file, None, f"skus.{c}", "changed since the catalogue was locked" + tail)
                for c in diff.changed]
    problems += [Problem(file, None, f"skus.{c}", "added since the catalogue was locked" + tail)
                 for c in diff.added]
    problems += [Problem(file, None, f"skus.{c}", "removed since the catalogue was locked" + tail)
                 for c in diff.removed]
    if diff.header_changed:
        problems.append(Problem(file, None, "catalogue",
                                "version, vendor or currencies changed since the lock" + tail))
    raise LockMismatchError(problems)


def refuse_same_label(lock_path: Path, version: str, diff: LockDiff) -> None:
    """InputError when the catalogue changed (`diff`) but keeps the locked version label."""
    locked_version, _ = lock_info(lock_path)
    if locked_version != version:
        return
    what = [f"{c} changed" for c in diff.changed] + [f"{c} added" for c in diff.added]
    what += [f"{c} removed" for c in diff.removed]
    if diff.header_changed:
        what.append("header changed")
    shown = ", ".join(what[:8]) + (f" and {len(what) - 8} more" if len(what) > 8 else "")
    raise InputError([Problem(str(lock_path.with_name("catalogue.yaml")), None,
                              "catalogue.version",
                              f"the catalogue changed ({shown}) but its version is still "
                              f"{version!r}, the locked one: give changed content a new "
                              "catalogue.version, then lock again")])


def lock_catalogue(catalogue: Catalogue, lock_path: Path, *,
                   effective_from: date | None = None) -> tuple[dict[str, Any], LockDiff | None]:
    """Write the lock of `catalogue` to `lock_path` atomically; return it and what changed.

    What changed is None when there was no usable lock before. Changed content under the
    version label the lock already names is refused (InputError, SPEC §2.2): a re-lock that a
    reviewer approves always names a new version.
    """
    from docgen.io import write_atomic

    data = lock_data(catalogue, effective_from)
    try:
        before: LockDiff | None = diff_lock(catalogue, lock_path)
    except InputError:
        before = None
    if before:
        refuse_same_label(lock_path, catalogue.catalogue.version, before)
    write_atomic(lock_path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
    return data, before

"""Catalogue and policy versions: canonical content, which version is in force, what changed.

A version is recorded (by ``docgen catalogue lock`` / ``docgen policy lock``) as the file's
canonical content: its schema-checked data as JSON with sorted keys and decimals as text, so
reformatting the YAML changes nothing and any change of meaning changes the SHA-256. The store
keeps the records (:meth:`docgen.store.Store.record_version`); this module only computes.

Which catalogue prices a deal (SPEC §2.2): the version the deal pins (`catalogue_version:`), else
the version in force on its `quote_date` (default today): among the recorded versions and the
locked file, the one with the latest ``effective_from`` on or before that day (the later lock
wins a tie). Before the first version's effective date, the first version applies: nothing older
exists to price with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docgen.models.catalogue import Catalogue
    from docgen.models.policy import Policy

__all__ = ["Candidate", "FieldChange", "catalogue_changes", "catalogue_content", "content_json",
           "content_sha256", "flatten", "in_force", "policy_changes", "policy_content"]


def content_json(content: Mapping[str, Any]) -> str:
    """The canonical JSON text of `content` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of `content`."""
    return hashlib.sha256(content_json(content).encode()).hexdigest()


def catalogue_content(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue's canonical content: its header and its SKUs in file order.

    File order is kept: it is the order a new customer's automatic SKUs are added in.
    """
    return {"catalogue": catalogue.catalogue.model_dump(mode="json"),
            "skus": [s.canonical() for s in catalogue.skus]}


def policy_content(policy: Policy) -> dict[str, Any]:
    """The policy's canonical content (every key, defaults included: they are its meaning)."""
    return policy.model_dump(mode="json")


# --------------------------------------------------------------------------------------------
# Which version is in force


@dataclass(frozen=True)
class Candidate:
    """A version a deal may be priced with: recorded, or the locked file not yet recorded."""

    version: str
    effective_from: date | None   # None: the file, unrecorded and without a date: always
    locked_at: datetime | None    # None: the file, unrecorded (counts as the latest lock)


def _order(c: Candidate) -> tuple[date, datetime]:
    return (c.effective_from or date.min, c.locked_at or datetime.max.replace(tzinfo=UTC))


def in_force(candidates: Sequence[Candidate], day: date) -> Candidate:
    """The candidate in force on `day` (see the module docstring); `candidates` is not empty."""
    ordered = sorted(candidates, key=_order)
    chosen = [c for c in ordered if (c.effective_from or date.min) <= day]
    return chosen[-1] if chosen else ordered[0]


# --------------------------------------------------------------------------------------------
# What changed


@dataclass(frozen=True)
class FieldChange:
    """One changed field: `item` (a SKU code, ``catalogue`` or a policy key) and its path."""

    item: str
    field: str          # dotted path inside the item ("" for an added or removed item)
    before: Any         # None when added
    after: Any          # None when removed
    kind: str = "changed"   # changed | added | removed

    def describe(self) -> str:
        """One line: ``LIC-ANL-PRO list_price.EUR: "1200.00" -> "1250.00"``."""
        if self.kind == "added":
            return f"{self.item}: added"
        if self.kind == "removed":
            return f"{self.item}: removed"
        where = f"{self.item} {self.field}" if self.field else self.item
        return f"{where}: {_shown(self.before)} -> {_shown(self.after)}"


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, leaf) pairs of nested mappings; lists are leaves, compared whole."""
    if isinstance(value, Mapping) and value:
        for key in sorted(value):
            yield from flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def _field_changes(item: str, before: Any, after: Any) -> list[FieldChange]:
    old, new = dict(flatten(before)), dict(flatten(after))
    return [FieldChange(item, path, old.get(path), new.get(path))
            for path in sorted(set(old) | set(new)) if old.get(path) != new.get(path)]


def catalogue_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Every changed header field and SKU field between two catalogue contents."""
    out = _field_changes("catalogue", before.get("catalogue"), after.get("catalogue"))
    old = {s["code"]: s for s in before.get("skus", [])}
    new = {s["code"]: s for s in after.get("skus", [])}
    for code in sorted(set(old) | set(new)):
        if code not in old:
            out.append(FieldChange(code, "", None, new[code], "added"))
        elif code not in new:
            out.append(FieldChange(code, "", old[code], None, "removed"))
        else:
            out += _field_changes(code, old[code], new[code])
    return out


def policy_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Every changed field between two policy contents, grouped by top-level key."""
    out: list[FieldChange] = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        for change in _field_changes(key, before.get(key), after.get(key)):
            out.append(change)
    return out

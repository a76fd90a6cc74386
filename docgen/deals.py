"""A workspace's deal files: the ones the web app lists, edits, imports and exports.

Deals stay YAML files (git users keep their files): the company's own in ``deals/``, the sample
ones in ``examples/deals/`` (read-only for the web app). A file is written only after it parsed
and passed the schema, atomically, and never over another deal's file: saving deal D writes
``deals/D.yaml``, or the file D already lives in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem
from docgen.io import write_atomic
from docgen.sources import load_text, validate_model

if TYPE_CHECKING:
    from docgen.models.deal import Deal
    from docgen.models.policy import Policy
    from docgen.workspace import Workspace

__all__ = ["DealFile", "deal_files", "find_deal_file", "parse_deal_text", "save_deal_text"]

_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class DealFile:
    """One deal file: its deal id, path, last change and whether docgen may write it."""

    deal_id: str
    path: Path
    modified: datetime
    editable: bool


def _folders(ws: Workspace) -> list[tuple[Path, bool]]:
    return [(ws.root / "deals", not ws.read_only), (ws.root / "examples" / "deals", False)]


def deal_files(ws: Workspace) -> tuple[list[DealFile], list[Problem]]:
    """Every deal file of the workspace (the company's first), and the files that do not load."""
    out: list[DealFile] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for folder, editable in _folders(ws):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file()):
            try:
                st = path.stat()
                deal_id = _deal_id(path, st)
            except (InputError, UnicodeDecodeError, OSError) as exc:
                problems += getattr(exc, "problems", [Problem(str(path), None, "", str(exc))])
                continue
            if deal_id in seen:
                continue  # the company's own file wins over a sample of the same id
            seen.add(deal_id)
            mtime = datetime.fromtimestamp(st.st_mtime, UTC)
            out.append(DealFile(deal_id, path, mtime, editable))
    return out, problems


#: The deal id of each file read before, with the file's identity and time when it was read:
#: the deal list and every page that opens a deal by id look through all the files, and reading
#: one costs a millisecond, a stat a microsecond. A file written since (docgen writes by
#: replacing, so a new inode; an editor in place, a new time or size) is read again.
_IDS: dict[str, tuple[tuple[int, int, int], str]] = {}
_IDS_MAX = 20_000


def _deal_id(path: Path, st: os.stat_result) -> str:
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    known = _IDS.get(str(path))
    if known is not None and known[0] == key:
        return known[1]
    deal_id = parse_deal_text(path.read_text("utf-8"), str(path)).deal
    if len(_IDS) >= _IDS_MAX:
        _IDS.clear()
    _IDS[str(path)] = (key, deal_id)
    return deal_id


def find_deal_file(ws: Workspace, deal_id: str) -> DealFile:
    """The file of `deal_id` (InputError when the workspace has none)."""
    files, _ = deal_files(ws)
    for f in files:
        if f.deal_id == deal_id:
            return f
    raise InputError([Problem("deals", None, "deal", f"no deal {deal_id} in this workspace")])


def parse_deal_text(text: str, name: str, policy: Policy | None = None) -> Deal:
    """Parse and schema-check deal text (YAML, or JSON when `name` ends in .json)."""
    from docgen.models.deal import Deal
    from docgen.workspace import check_deal_against_policy

    src = load_text(text, name)
    deal = validate_model(Deal, src)
    deal._ascii_only = src.ascii_only
    if policy is not None:
        check_deal_against_policy(deal, policy, src)
    return deal


def save_deal_text(ws: Workspace, text: str, *, name: str = "deal.yaml",
                   expect: str | None = None, policy: Policy | None = None) -> DealFile:
    """Write deal text to its file after checking it; `expect` is the id being edited.

    Refused (InputError, nothing written): text that does not parse or fails the schema, a
    deal id other than `expect`, a new deal whose id another file already holds, and the
    sample's read-only files.
    """
    ws.require_writable("deal files")
    deal = parse_deal_text(text, name, policy)
    if expect is not None and deal.deal != expect:
        raise InputError([Problem(name, None, "deal", f"this is deal {expect}; the text names "
                                  f"{deal.deal} (save it as a new deal instead)")])
    files, _ = deal_files(ws)
    existing = next((f for f in files if f.deal_id == deal.deal), None)
    if existing is not None and expect is None:
        raise InputError([Problem(name, None, "deal", f"deal {deal.deal} already exists "
                                  f"({existing.path.name}); open it to edit it")])
    if existing is not None and existing.editable:
        path = existing.path
    else:
        suffix = ".json" if name.endswith(".json") else ".yaml"
        path = ws.root / "deals" / f"{deal.deal}{suffix}"
    if text and not text.endswith("\n"):
        text += "\n"
    write_atomic(path, text.encode("utf-8"))
    return DealFile(deal.deal, path, datetime.fromtimestamp(path.stat().st_mtime, UTC), True)

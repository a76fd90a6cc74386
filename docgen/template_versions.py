"""New versions of legal's templates: staged, checked and previewed before they go live.

A new version of a template (an HTML page or a Word file legal edited) is first *staged* under
``.docgen/staged-templates/``, next to the live ``templates/`` folder. ``templates check`` and
previews then run on an *overlay*: a private copy of the templates folder with the staged files
in place, so legal sees the problems and the document exactly as it would be, while every
document issued meanwhile still uses the live templates. *Activating* moves the staged file into
``templates/`` atomically. The templates' version is the SHA-256 of every template file's path
and bytes (:func:`templates_version`), which each issued document can record.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem
from docgen.io import write_atomic

if TYPE_CHECKING:
    from docgen.workspace import Workspace

__all__ = ["MAX_TEMPLATE_BYTES", "activate", "discard", "overlay", "stage", "staged",
           "templates_version"]

#: The largest template accepted for upload (a Word file with a logo fits easily).
MAX_TEMPLATE_BYTES = 5_000_000
#: Folders of the templates folder legal may replace files in, and the suffixes each takes.
_EDITABLE = {"html": (".html",), "docx": (".docx",), "css": (".css",)}


def _staging(ws: Workspace) -> Path:
    return ws.state_dir / "staged-templates"


def check_name(name: str) -> PurePosixPath:
    """A template's path inside ``templates/`` (``docx/po.docx``), refused if it is anything
    else: another folder, another suffix, ``..``, an absolute path."""
    rel = PurePosixPath(name.replace("\\", "/"))
    ok = (len(rel.parts) >= 2 and not rel.is_absolute() and ".." not in rel.parts
          and rel.parts[0] in _EDITABLE and rel.suffix in _EDITABLE[rel.parts[0]]
          and all(p and not p.startswith(".") for p in rel.parts))
    if not ok:
        raise InputError([Problem(name, None, "template", "name a template inside templates/: "
                                  "html/….html, docx/….docx or css/….css")])
    return rel


def stage(ws: Workspace, name: str, blob: bytes) -> Path:
    """Stage a new version of template `name` (not yet live)."""
    ws.require_writable("templates")
    rel = check_name(name)
    if len(blob) > MAX_TEMPLATE_BYTES:
        raise InputError([Problem(name, None, "template", "larger than 5 MB")])
    if rel.suffix == ".docx" and not blob.startswith(b"PK"):
        raise InputError([Problem(name, None, "template", "not a Word (.docx) file")])
    if rel.suffix != ".docx":
        try:
            blob.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError([Problem(name, None, "template", "not UTF-8 text")]) from None
    target = _staging(ws) / rel
    write_atomic(target, blob)
    return target


def staged(ws: Workspace) -> list[str]:
    """The staged templates' names."""
    root = _staging(ws)
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@contextmanager
def overlay(ws: Workspace, names: list[str] | None = None) -> Iterator[Path]:
    """A private templates folder: the live one with the staged files (or just `names`) in
    place. Removed when the block ends."""
    chosen = staged(ws) if names is None else [check_name(n).as_posix() for n in names]
    missing = [n for n in chosen if not (_staging(ws) / n).is_file()]
    if missing:
        raise InputError([Problem(n, None, "template", "no staged version") for n in missing])
    with tempfile.TemporaryDirectory(prefix="docgen-templates-") as tmp:
        root = Path(tmp) / "templates"
        shutil.copytree(ws.templates_dir, root)
        for n in chosen:
            (root / n).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_staging(ws) / n, root / n)
        yield root


def activate(ws: Workspace, name: str) -> str:
    """Make the staged version of `name` live; returns the templates' new version."""
    ws.require_writable("templates")
    rel = check_name(name)
    src = _staging(ws) / rel
    if not src.is_file():
        raise InputError([Problem(name, None, "template", "no staged version to activate")])
    write_atomic(ws.templates_dir / rel, src.read_bytes())
    src.unlink()
    return templates_version(ws.templates_dir)


def discard(ws: Workspace, name: str) -> None:
    """Drop the staged version of `name`."""
    (_staging(ws) / check_name(name)).unlink(missing_ok=True)


def templates_version(templates_dir: Path) -> str:
    """SHA-256 over every file of the templates folder (path and bytes), in a stable order."""
    h = hashlib.sha256()
    for p in sorted(q for q in templates_dir.rglob("*") if q.is_file()):
        if "__pycache__" in p.parts or p.suffix == ".mo":
            continue
        h.update(p.relative_to(templates_dir).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()

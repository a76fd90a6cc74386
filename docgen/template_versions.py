"""New versions of legal's templates: staged, checked and previewed before they go live.

A new version of a template (an HTML page or a Word file legal edited) is first *staged*: kept
in the database as a content-addressed blob under the template's name (:mod:`docgen.store.
_templates`), so every server sharing the database sees it, whichever one received the upload.
``templates check`` and previews run on an *overlay*: a private copy of the templates folder
with the staged bytes in place, so legal sees the problems and the document exactly as it
would be, while every document issued meanwhile still uses the live templates. *Activating*
writes the file into ``templates/`` atomically and records the activation (who, when, the
bytes made live and those replaced, the folder's version afterwards) with its audit row, in one
transaction. The templates' version is the SHA-256 of every template file's path and bytes
(:func:`templates_version`); each issued document records the version that rendered it.

**Servers with their own copy of the workspace.** An activation writes the templates folder of
the process that makes it. Another checkout sharing the database is brought up to date by
:func:`sync` (the web app calls it when the database has a newer activation than it has seen;
an issuing run calls it before it takes numbers): each activation it has not looked at yet is
applied to a file that still holds the bytes the activation replaced, and never to a file that
holds anything else (an edit made there, e.g. by git, is left as it is and shown on the
templates page). ``.docgen/templates-synced`` remembers the last activation looked at, so an
activation undone by hand in a checkout is not applied again.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem
from docgen.io import write_atomic

if TYPE_CHECKING:
    from docgen.store import Store
    from docgen.store._templates import StagedTemplate, TemplateActivation
    from docgen.workspace import Workspace

__all__ = ["MAX_TEMPLATE_BYTES", "FolderVersion", "SyncResult", "activate", "check_name",
           "discard", "drifted", "overlay", "stage", "staged", "sync", "templates_version"]

#: The largest template accepted for upload (a Word file with a logo fits easily).
MAX_TEMPLATE_BYTES = 5_000_000
#: Folders of the templates folder legal may replace files in, and the suffixes each takes.
_EDITABLE = {"html": (".html",), "docx": (".docx",), "css": (".css",)}
#: The file (in the state folder) holding the id of the last activation this checkout looked at.
SYNCED_FILE = "templates-synced"


def check_name(name: str) -> PurePosixPath:
    """A template's path inside ``templates/`` (``docx/po.docx``), refused if it is anything
    else: another folder, another suffix, ``..``, an absolute path."""
    rel = PurePosixPath(name.replace("\\", "/"))
    ok = (len(rel.parts) >= 2 and not rel.is_absolute() and ".." not in rel.parts
          and rel.parts[0] in _EDITABLE and rel.suffix in _EDITABLE[rel.parts[0]]
          and all(p and not p.startswith(".") for p in rel.parts) and len(name) <= 200)
    if not ok:
        raise InputError([Problem(name, None, "template", "name a template inside templates/: "
                                  "html/….html, docx/….docx or css/….css")])
    return rel


def stage(store: Store, name: str, blob: bytes, *, actor: str | None) -> StagedTemplate:
    """Stage a new version of template `name` in the database (not yet live)."""
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
    return store.stage_template(rel.as_posix(), blob, actor=actor)


def staged(store: Store | None) -> list[str]:
    """The staged templates' names (none without a database)."""
    return [t.name for t in store.staged_templates()] if store is not None else []


@contextmanager
def overlay(ws: Workspace, store: Store | None, names: list[str] | None = None
            ) -> Iterator[Path]:
    """A private templates folder: the live one with the staged files (or just `names`) in
    place. Removed when the block ends."""
    chosen = staged(store) if names is None else [check_name(n).as_posix() for n in names]
    blobs = {n: store.staged_blob(n) if store is not None else None for n in chosen}
    missing = [n for n, b in blobs.items() if b is None]
    if missing:
        raise InputError([Problem(n, None, "template", "no staged version") for n in missing])
    with tempfile.TemporaryDirectory(prefix="docgen-templates-") as tmp:
        root = Path(tmp) / "templates"
        shutil.copytree(ws.templates_dir, root)
        for n, blob in blobs.items():
            assert blob is not None  # noqa: S101 - checked above
            (root / n).parent.mkdir(parents=True, exist_ok=True)
            (root / n).write_bytes(blob)
        yield root


def activate(ws: Workspace, store: Store, name: str, *, actor: str | None
             ) -> TemplateActivation:
    """Make the staged version of `name` live: the file is replaced atomically and the
    activation recorded (and audited) in the same step; returns it (with the templates' new
    version). If recording fails after the file was written, the file gets its bytes back."""
    ws.require_writable("templates")
    rel = check_name(name)
    target = ws.templates_dir / rel
    state: dict[str, bytes | None] = {}

    def publish(blob: bytes) -> tuple[bytes | None, str]:
        before = target.read_bytes() if target.is_file() else None
        write_atomic(target, blob)
        state["before"] = before
        return before, templates_version(ws.templates_dir)

    try:
        return store.activate_staged(rel.as_posix(), actor=actor, publish=publish)
    except BaseException:
        if "before" in state:  # written, not recorded: undo
            before = state["before"]
            if before is None:
                target.unlink(missing_ok=True)
            else:
                write_atomic(target, before)
        raise


def discard(store: Store, name: str, *, actor: str | None) -> bool:
    """Drop the staged version of `name`; False when there was none."""
    return store.discard_staged(check_name(name).as_posix(), actor=actor)


@dataclass
class SyncResult:
    """What :func:`sync` did: the templates it brought up to date, those it left as they are
    (the file holds other bytes than the activation replaced), and the newest activation."""

    applied: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    latest: int = 0


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def sync(ws: Workspace, store: Store) -> SyncResult:
    """Apply to this checkout's templates the activations it has not looked at yet (see the
    module docstring). Nothing to do costs one indexed read."""
    out = SyncResult(latest=store.latest_activation_id())
    marker = ws.state_dir / SYNCED_FILE
    try:
        seen = int(marker.read_text("ascii").strip() or 0)
    except (FileNotFoundError, ValueError):
        seen = 0
    if out.latest <= seen or ws.read_only:
        return out
    for act in store.template_activations(after=seen):
        target = ws.templates_dir / check_name(act.name)
        local = _sha(target)
        if local == act.sha256:
            continue
        blob = store.template_blob(act.sha256) if local == act.previous_sha256 else None
        try:
            if blob is None:
                raise FileExistsError(target)  # other bytes there: leave them
            write_atomic(target, blob)
        except OSError:  # changed here, or not writable: left as it is (the page shows it)
            out.left.append(act.name)
            continue
        out.applied.append(act.name)
    with contextlib.suppress(OSError):  # not remembered: looked at again next time
        write_atomic(marker, f"{out.latest}\n".encode("ascii"))
    return out


def drifted(ws: Workspace, store: Store | None) -> dict[str, TemplateActivation]:
    """The templates whose file here is not the version last activated, with that activation."""
    if store is None:
        return {}
    last: dict[str, TemplateActivation] = {}
    for act in store.template_activations():
        last[act.name] = act
    return {n: a for n, a in last.items() if _sha(ws.templates_dir / n) != a.sha256}


def templates_version(templates_dir: Path) -> str:
    """SHA-256 over every file of the templates folder (path and bytes), in a stable order."""
    h = hashlib.sha256()
    for p in sorted(q for q in templates_dir.rglob("*") if q.is_file()):
        if "__pycache__" in p.parts or p.suffix == ".mo":
            continue
        h.update(p.relative_to(templates_dir).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


class FolderVersion:
    """:func:`templates_version` of one folder, recomputed only when a file of it changed.

    A file's path, size, modification time and inode are cheap to look at (activation replaces
    a file atomically, so it gets a new inode); the bytes are read and hashed only when one of
    them differs, so an issuing run can ask before and after each document.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._stamp: tuple[tuple[str, int, int, int], ...] | None = None
        self._version = ""

    def _look(self) -> tuple[tuple[str, int, int, int], ...]:
        out = []
        for p in self.root.rglob("*"):
            try:
                st = p.stat()
            except OSError:  # removed while we looked: the next look sees it gone
                continue
            if p.is_file():
                out.append((p.as_posix(), st.st_size, st.st_mtime_ns, st.st_ino))
        return tuple(sorted(out))

    def current(self) -> str:
        """The folder's version now."""
        stamp = self._look()
        if stamp != self._stamp:
            self._version, self._stamp = templates_version(self.root), stamp
        return self._version

"""Email verdicts remembered between processes, in the workspace's ``.docgen/cache/``.

Rule CUS001 asks email-validator whether each contact address is valid. Importing that library
costs ~20 ms of a ~0.3 s ``docgen validate`` (it compiles patterns spanning all of Unicode), and
the answer for one address never changes while the library's version does not. So the verdicts a
run worked out are kept in ``.docgen/cache/emails.json``, under the email-validator version that
gave them, and the next run on the same workspace reads them instead of importing the library:
validating a deal again after an edit (the everyday case) skips the import when its addresses are
unchanged. A new address, another version of email-validator, or a missing, unreadable or
foreign file means the library is asked, as before. The cache is never the only copy of
anything: deleting it is always safe.
"""

from __future__ import annotations

import json
from pathlib import Path

from docgen.io import write_atomic
from docgen.rules import customer

__all__ = ["load", "save"]

#: Where, under the workspace's state folder.
CACHE_FILE = Path("cache") / "emails.json"
#: At most this many addresses are kept (the most recently learnt ones win).
MAX_ENTRIES = 5000


def _library_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("email-validator")
    except metadata.PackageNotFoundError:  # pragma: no cover - a declared dependency
        return None


#: (file, mtime_ns, size) of every cache file this process has read: a long-lived server opens a
#: session per request, and reads the file again only when it changed.
_READ: set[tuple[Path, int, int]] = set()


def load(state_dir: Path) -> None:
    """Add the verdicts cached under `state_dir` to the process's known verdicts."""
    path = state_dir / CACHE_FILE
    try:
        st = path.stat()
        seen = (path, st.st_mtime_ns, st.st_size)
        if seen in _READ:
            return
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return
    _READ.add(seen)
    if not isinstance(data, dict) or data.get("email_validator") != _library_version():
        return
    verdicts = data.get("verdicts")
    if not isinstance(verdicts, dict):
        return
    for address, verdict in verdicts.items():
        if isinstance(address, str) and (verdict is None or isinstance(verdict, str)):
            customer.EMAIL_VERDICTS.setdefault(address, verdict)


def save(state_dir: Path) -> None:
    """Write the known verdicts under `state_dir` when this process learnt new ones (quietly
    nothing when the folder cannot be written: the cache only saves time)."""
    if not customer.NEW_EMAIL_VERDICTS:
        return
    version = _library_version()
    if version is None:
        return
    known = customer.EMAIL_VERDICTS
    new = [a for a in known if a in customer.NEW_EMAIL_VERDICTS]
    old = [a for a in known if a not in customer.NEW_EMAIL_VERDICTS]
    keep = [*old, *new][-MAX_ENTRIES:]
    body = {"email_validator": version, "verdicts": {a: known[a] for a in keep}}
    if not state_dir.is_dir():  # validating never creates a workspace's state folder
        return
    try:
        (state_dir / CACHE_FILE).parent.mkdir(exist_ok=True)
        write_atomic(state_dir / CACHE_FILE, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    except OSError:
        return
    customer.NEW_EMAIL_VERDICTS.clear()

"""Atomic file writes: a crash never leaves a half-written document, and an issued one is never
overwritten.

:func:`write_atomic` replaces a file in one step (drafts, reports, packs). Issued documents go
through :func:`write_temp` and :func:`publish`: every format is first written in full to a
temporary file in the target folder (``.NAME.RANDOM.tmp``), and only then published under its
name with a hard link, which fails instead of replacing a file that is already there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

__all__ = ["publish", "remove_quietly", "temp_pattern", "write_atomic", "write_temp"]


def write_temp(path: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file next to `path`, flushed to disk; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file 0600; give it the mode an ordinary open() would
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        remove_quietly(Path(tmp))
        raise
    return Path(tmp)


def temp_pattern(name: str) -> str:
    """The glob of the temporary files :func:`write_temp` makes for a file called `name`."""
    return f".{name}.*.tmp"


def publish(tmp: Path, path: Path) -> None:
    """Give the finished temporary file `tmp` its name `path`; FileExistsError if one is there.

    A hard link never replaces an existing file, so two processes publishing the same name
    cannot both succeed. On a file system without hard links the check and the rename are two
    steps (a narrow race that only a second, concurrent writer of the same name could hit).
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK):
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.replace(tmp, path)
        return
    remove_quietly(tmp)


def remove_quietly(path: Path) -> None:
    """Delete `path` if it is there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

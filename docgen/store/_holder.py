"""Who holds a reserved number, and whether that process is still alive (SQLite's way).

A final PO's number is reserved before its document is rendered and written, and marked issued
(or void) afterwards. A process killed in between leaves the row ``reserved``; the next issuing
run must tell such an orphan from a reservation that another process is still working on.

On **SQLite** (one machine: the database is a local file) the reserving process records a
:class:`Holder`: its pid, the host name, the kernel's boot id (``/proc/sys/kernel/random/boot_id``)
and the process's start time (field 22 of ``/proc/PID/stat``, clock ticks since boot). The holder
is dead when, on the same host, the boot id differs (the machine rebooted), no process has that
pid, or the process with that pid started at another time (the pid was reused). Pid plus start
time names one process for the life of a boot, so a reused pid is never taken for the holder.
Where ``/proc`` is missing (not Linux), only the pid's existence is checked. A holder on another
host cannot be checked from here: it counts as alive (a SQLite file shared over a network file
system is not a supported set-up; use PostgreSQL).

On **PostgreSQL** liveness is the server's to know: see :mod:`docgen.store._sql` (a session
advisory lock the reserving connection holds until the number is issued or void). The holder is
recorded there too, for people reading ``docgen documents`` and ``docgen history``.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Holder", "current_holder"]

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def _boot_id() -> str | None:
    try:
        return _BOOT_ID.read_text("ascii").strip() or None
    except OSError:
        return None


def _start_time(pid: int) -> str | None:
    """Start time of process `pid` in clock ticks since boot, or None (no such process / no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: split after the last ')'
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None  # field 22 overall  # noqa: PLR2004


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@dataclass(frozen=True, slots=True)
class Holder:
    """The process that reserved a number (recorded as JSON in the registry row)."""

    pid: int
    host: str
    boot_id: str | None = None
    start: str | None = None

    def to_json(self) -> str:
        """The JSON text stored in the ``holder`` column."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Holder | None:
        """The holder recorded in `text`, or None when none was recorded (or it is unreadable)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(pid=int(data["pid"]), host=str(data["host"]),
                       boot_id=data.get("boot_id"), start=data.get("start"))
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        """``process 1234 on host build-1``."""
        return f"process {self.pid} on host {self.host}"

    def is_dead(self) -> bool:
        """True when this process is known to have ended (see the module docstring)."""
        me = current_holder()
        if self.host != me.host:
            return False  # cannot look into another machine: assume alive
        if self.boot_id and me.boot_id and self.boot_id != me.boot_id:
            return True  # the machine rebooted since
        if self.start is not None and me.start is not None:
            return _start_time(self.pid) != self.start  # gone, or the pid was reused
        return not _pid_exists(self.pid)


def current_holder() -> Holder:
    """This process, as a holder."""
    pid = os.getpid()
    return Holder(pid=pid, host=socket.gethostname(), boot_id=_boot_id(), start=_start_time(pid))

"""docgen on PostgreSQL with ``docgen worker`` and ``docgen serve`` processes, on the loopback.

For the queue figures (:mod:`benchmarks.queue`, :mod:`benchmarks.scale`) and their test: a
throwaway PostgreSQL server started the way the test suite starts one
(:mod:`tests.store.pgserver`; ``$DOCGEN_TEST_DATABASE_URL`` names an existing database instead,
in which each run gets a fresh schema), a workspace made by ``docgen init`` on it, and the
processes, each logging to a file, stopped (SIGTERM, then SIGKILL) when the cluster stops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from benchmarks._measure import REPO, child_env

__all__ = ["Cluster", "Skip", "free_port", "postgres"]


class Skip(Exception):  # noqa: N818 - a figure that cannot run here says why
    """The figure cannot run on this machine (the reason is the message)."""


def free_port() -> int:
    """A TCP port on the loopback that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database (or schema), dropped with its server at the end;
    :class:`Skip` when no PostgreSQL server can be had here."""
    from tests.store.pgserver import (PgServer, PgUnavailable, create_database, create_schema,
                                      find_bindir)

    given = os.environ.get("DOCGEN_TEST_DATABASE_URL")
    if given:
        yield create_schema(given)
        return
    if find_bindir() is None:
        msg = ("PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
               "scripts/setup-system.sh installs them, or set DOCGEN_TEST_DATABASE_URL")
        raise Skip(msg)
    server = PgServer()
    try:
        try:
            url = create_database(server.start())
        except PgUnavailable as exc:
            raise Skip(f"PostgreSQL did not start: {exc}") from None
        yield url
    finally:
        server.stop()


@contextlib.contextmanager
def _database(url: str) -> Iterator[None]:
    old = os.environ.get("DOCGEN_DATABASE_URL")
    os.environ["DOCGEN_DATABASE_URL"] = url
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DOCGEN_DATABASE_URL", None)
        else:
            os.environ["DOCGEN_DATABASE_URL"] = old


@dataclass
class Cluster:
    """A workspace on a PostgreSQL database and the docgen processes running over it."""

    root: Path
    url: str
    workspace: Path
    token: str
    procs: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    @classmethod
    def create(cls, root: Path, url: str) -> Cluster:
        """``docgen init`` a workspace under `root` whose state is in `url`."""
        from docgen import api

        root.mkdir(parents=True, exist_ok=True)
        with _database(url):
            made = api.init_workspace(root / "ws")
        assert made.token is not None  # noqa: S101 - a fresh database has no people yet
        return cls(root=root, url=url, workspace=made.workspace.root, token=made.token)

    @property
    def env(self) -> dict[str, str]:
        """The environment of docgen processes over this cluster."""
        return child_env(DOCGEN_DATABASE_URL=self.url, DOCGEN_TOKEN=self.token)

    def call(self, fn: Callable[[Any], Any]) -> Any:
        """`fn(session)` on the cluster's workspace and database, in this process."""
        from docgen import api

        with _database(self.url), api.Session(self.workspace) as s:
            return fn(s)

    def docgen(self, *args: str | Path, timeout: float = 3600
               ) -> subprocess.CompletedProcess[str]:
        """Run one docgen command to its end."""
        return subprocess.run([sys.executable, "-m", "docgen", "-w", str(self.workspace),
                               *map(str, args)], capture_output=True, text=True, env=self.env,
                              cwd=REPO, timeout=timeout, check=False)

    def start(self, name: str, *args: str | Path) -> subprocess.Popen[bytes]:
        """Start a long-running docgen command (its output in ``ROOT/NAME.log``)."""
        log = (self.root / f"{name}.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "docgen", "-w", str(self.workspace),
                                 *map(str, args)], stdout=log, stderr=subprocess.STDOUT,
                                env=self.env, cwd=REPO)
        self.procs.append((name, proc, log))
        return proc

    def log(self, name: str) -> str:
        """What process `name` printed so far."""
        path = self.root / f"{name}.log"
        return path.read_text("utf-8", errors="replace") if path.is_file() else ""

    def workers(self, n: int) -> list[str]:
        """Start `n` ``docgen worker`` processes and wait until each takes jobs; their names."""
        names = [f"worker{i + 1}" for i in range(n)]
        for name in names:
            self.start(name, "worker", "--reminders-every", "0")
        self._wait(lambda: all("taking jobs" in self.log(n) for n in names), "workers")
        return names

    def servers(self, n: int) -> list[int]:
        """Start `n` ``docgen serve`` processes on free ports; wait for their /healthz."""
        ports = [free_port() for _ in range(n)]
        for i, port in enumerate(ports):
            self.start(f"serve{i + 1}", "serve", "--host", "127.0.0.1", "--port", str(port))

        def up() -> bool:
            for port in ports:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                                timeout=2) as r:
                        if r.status != 200:  # noqa: PLR2004
                            return False
                except OSError:
                    return False
            return True

        self._wait(up, "web servers")
        return ports

    def _wait(self, cond: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            dead = [n for n, p, _ in self.procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                logs = "\n".join(f"--- {n}:\n{self.log(n)[-2000:]}" for n, _, _ in self.procs)
                msg = f"the {what} did not start ({', '.join(dead) or 'timed out'}):\n{logs}"
                raise RuntimeError(msg)
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM every process (a worker finishes its job), SIGKILL what is left after 30 s."""
        for _, proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for _, proc, log in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
            log.close()
        self.procs.clear()

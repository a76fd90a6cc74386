"""A throwaway PostgreSQL server for the test suite: install, initdb, start, stop.

Used by the ``postgres_url`` fixture in ``tests/conftest.py`` and by ``scripts/pg-test.sh``.

- The server binaries come from ``/usr/lib/postgresql/<version>/bin`` (Debian), ``pg_config
  --bindir`` or PATH. When none is found and we are root on a Debian-like system, the
  ``postgresql`` package is installed with apt (``scripts/setup-system.sh`` lists it too).
- ``initdb`` creates a cluster in a fresh temporary folder, owned by the ``postgres`` user when we
  run as root (PostgreSQL refuses to run as root), with trust authentication for local use only.
- The server listens on 127.0.0.1 on a free port, with its socket in the same folder, and runs
  without fsync (test data is disposable). ``stop()`` shuts it down and deletes the folder.

Set ``DOCGEN_TEST_DATABASE_URL`` to a ``postgresql+psycopg://`` URL of an existing database to use
that one instead (each test gets its own fresh schema in it, see :func:`create_schema`).

Command line, for a server to poke at by hand::

    python -m tests.store.pgserver start DIR   # prints the URL
    python -m tests.store.pgserver stop DIR
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

__all__ = ["PgServer", "PgUnavailable", "create_database", "create_schema", "find_bindir"]

SUPERUSER = "docgen"


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be installed or started."""


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first; None if absent."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name)
                        if Path(p).parent.parent.name.isdigit() else 0, reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        path = Path(out.stdout.strip())
        if (path / "initdb").is_file():
            return path
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def install() -> Path:
    """Install the ``postgresql`` package with apt (root only) and return its bin folder."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        msg = ("PostgreSQL is not installed and cannot be installed here (need root and apt): "
               "run scripts/setup-system.sh, or set DOCGEN_TEST_DATABASE_URL")
        raise PgUnavailable(msg)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise PgUnavailable(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    found = find_bindir()
    if found is None:
        raise PgUnavailable("apt-get installed postgresql, but initdb is still missing")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One throwaway cluster in `base` (created when None)."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = Path(base) if base else Path(tempfile.mkdtemp(prefix="docgen-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port: int | None = None
        self.bindir: Path | None = None
        self._as_user: list[str] = []

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the maintenance database ``postgres``."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bindir is not None
        cmd = [*self._as_user, str(self.bindir / str(args[0])), *map(str, args[1:])]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
        if check and proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.is_file() else ""
            raise PgUnavailable(f"{' '.join(cmd)} failed ({proc.returncode}): "
                                f"{proc.stderr.strip()[-1000:]}\n{log}")
        return proc

    def start(self) -> str:
        """initdb and start the server; returns :attr:`url`."""
        self.bindir = find_bindir() or install()
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # the server refuses to run as root
            runuser = shutil.which("runuser")
            try:
                import pwd

                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable("running as root, but there is no 'postgres' user to run "
                                    "the server as") from None
            if runuser is None:
                raise PgUnavailable("running as root, but runuser is missing")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            self._as_user = [runuser, "-u", "postgres", "--"]
        if not (self.data / "PG_VERSION").is_file():
            self._run("initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust",
                      "--encoding=UTF8", "--no-locale", "--no-sync")
        last: Exception | None = None
        for _ in range(3):  # a free port can be taken between probing and binding
            self.port = _free_port()
            opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    "-c max_connections=200")
            try:
                self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                          "-o", opts, "start")
                self._wait()
                return self.url
            except PgUnavailable as exc:
                last = exc
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop", check=False)
        raise PgUnavailable(f"the PostgreSQL server did not start: {last}")

    def _wait(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=3):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise PgUnavailable("the server started but accepts no connections") from None
                time.sleep(0.2)

    def dsn(self, dbname: str) -> str:
        """A libpq connection string for `dbname` on this server."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        if self.bindir is not None and (self.data / "postmaster.pid").is_file():
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop",
                      check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def _connect(url_text: str, **kw: object) -> object:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(url_text)
    conninfo = {"host": url.host or "127.0.0.1", "port": url.port or 5432,
                "user": url.username, "password": url.password, "dbname": url.database}
    return psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}, **kw)


def create_database(admin_url: str) -> str:
    """Create a fresh, uniquely named database on the server of `admin_url`; returns its URL."""
    from sqlalchemy.engine import make_url

    name = f"docgen_test_{uuid.uuid4().hex[:12]}"
    with _connect(admin_url, autocommit=True) as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name, drivername="postgresql+psycopg") \
        .render_as_string(hide_password=False)


def create_schema(db_url: str) -> str:
    """Create a fresh schema in the database of `db_url`; returns a URL whose search_path is it.

    A schema costs milliseconds where a database costs ~0.3 s and 7 MB, so each test gets one.
    """
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:16]}"
    with _connect(db_url, autocommit=True) as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE SCHEMA "{name}"')
    url = make_url(db_url).set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
        hide_password=False)


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m tests.store.pgserver start|stop DIR", file=sys.stderr)
        return 2
    base = Path(argv[1]).resolve()
    server = PgServer(base)
    if argv[0] == "start":
        server.start()
        url = create_database(server.url)
        print(url)
        (base / "url").write_text(url)
        return 0
    server.bindir = find_bindir()
    with contextlib.suppress(FileNotFoundError):
        (base / "url").unlink()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

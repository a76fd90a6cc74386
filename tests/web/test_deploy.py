"""The files of ``deploy/`` work as written (issue 16): the systemd units pass ``systemd-analyze
verify`` and start real docgen commands, and the example nginx configuration passes ``nginx -t``
and, run on loopback ports in front of two ``docgen serve`` processes, signs a person in over
HTTPS with a Secure session cookie, both servers answering."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from docgen import api
from tests.conftest import REPO
from tests.web.servers import PASSWORD, clean_env, free_port, serve, sign_in, stop, wait_for

DEPLOY = REPO / "deploy"
UNITS = ("docgen-web.service", "docgen-worker@.service")
#: Where the units expect docgen (README: "Running on several machines").
INSTALLED = "/opt/docgen/venv/bin/docgen"
DOCGEN_HERE = Path(sys.executable).parent / "docgen"
SELLER = "sam.seller@brightfield.example"


def _unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text("utf-8")


def _exec_start(unit: str) -> list[str]:
    (line,) = [ln for ln in unit.splitlines() if ln.startswith("ExecStart=")]
    return line.removeprefix("ExecStart=").split()


# -- systemd ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", UNITS)
def test_systemd_unit_passes_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    # given: the unit as shipped, docgen where this checkout has it instead of /opt/docgen
    text = _unit(name)
    assert INSTALLED in text
    unit = tmp_path / name.replace("@.", "@1.")  # a template is verified as an instance
    unit.write_text(text.replace(INSTALLED, str(DOCGEN_HERE)), "utf-8")
    # when
    proc = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                          timeout=120, check=False)
    # then: no error and no warning (an unknown or misspelt setting is only a warning)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (proc.stdout + proc.stderr).strip() == ""


@pytest.mark.parametrize("name", UNITS)
def test_systemd_unit_runs_a_docgen_command_with_options_it_has(name: str) -> None:
    # given
    program, command, *options = _exec_start(_unit(name))
    assert program == INSTALLED
    known = subprocess.run([str(DOCGEN_HERE), "--help"], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    if command == "worker" and not re.search(r"^\s+worker\b", known, re.M):
        pytest.skip("`docgen worker` is not in this build yet (the job queue brings it)")
    # when: the same command line, asking for help (an unknown option is refused, exit 2)
    proc = subprocess.run([str(DOCGEN_HERE), command, *options, "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    # then
    assert proc.returncode == 0, proc.stderr


def test_systemd_units_read_the_environment_file_the_example_shows() -> None:
    env = (DEPLOY / "docgen.env").read_text("utf-8")
    names = {ln.split("=", 1)[0].lstrip("#") for ln in env.splitlines()
             if re.match(r"#?[A-Z0-9_]+=", ln)}
    # every setting the README names for several machines is in the example
    assert {"DOCGEN_WORKSPACE", "DOCGEN_DATABASE_URL", "DOCGEN_SECRET_KEY", "DOCGEN_SMTP_URL",
            "DOCGEN_SIGNING_P12", "FORWARDED_ALLOW_IPS"} <= names
    for name in UNITS:
        unit = _unit(name)
        assert "EnvironmentFile=/etc/docgen/docgen.env" in unit
        assert "User=docgen" in unit and "ProtectSystem=strict" in unit
        assert "ReadWritePaths=/var/lib/docgen" in unit
    assert "--proxy-headers" in _exec_start(_unit("docgen-web.service"))


# -- nginx ------------------------------------------------------------------------------------

def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None)
    if found is None:
        pytest.skip("nginx is not installed (apt-get install nginx; make setup installs it)")
    return found


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (what the proxy presents in the test)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    chain, private = folder / "fullchain.pem", folder / "privkey.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return chain, private


def _nginx_conf(prefix: Path, upstreams: list[str], *, http: int, https: int) -> Path:
    """deploy/nginx/docgen.conf as shipped, with loopback ports, a test certificate and these
    upstreams, inside the main configuration Debian's nginx.conf would give it."""
    site = (DEPLOY / "nginx" / "docgen.conf").read_text("utf-8")
    chain, private = _certificate(prefix)
    servers = "".join(f"server {u};\n    " for u in upstreams)
    replaced = {
        r"server 127\.0\.0\.1:8000;[^\n]*\n    ": servers,
        r"listen \[::\]:\d+[^;]*;\n\s*": "",
        r"listen 80;": f"listen 127.0.0.1:{http};",
        r"listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        r"/etc/docgen/tls/fullchain\.pem": str(chain),
        r"/etc/docgen/tls/privkey\.pem": str(private),
    }
    for pattern, new in replaced.items():
        site, n = re.subn(pattern, new, site)
        assert n >= 1, f"deploy/nginx/docgen.conf no longer has {pattern!r}"
    (prefix / "docgen.conf").write_text(site, "utf-8")
    temp = prefix / "temp"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers may write the temp folder
    main = prefix / "nginx.conf"
    main.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log notice;\nevents {{ worker_connections 64; }}\n"
        "http {\n"
        "    log_format upstream '$status $request_method $uri $upstream_addr';\n"
        f"    access_log {prefix}/access.log upstream;\n"
        + "".join(f"    {kind}_temp_path {temp}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"    include {prefix}/docgen.conf;\n}}\n", "utf-8")
    return main


def test_nginx_accepts_the_example_configuration(tmp_path: Path) -> None:
    nginx = _nginx()
    conf = _nginx_conf(tmp_path, ["127.0.0.1:8000", "127.0.0.1:8001"], http=free_port(),
                       https=free_port())
    proc = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "test is successful" in proc.stderr


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """nginx with deploy/nginx/docgen.conf on loopback ports, in front of two
    ``docgen serve --proxy-headers`` processes on one workspace; (https URL, http URL, the
    access log)."""
    nginx = _nginx()
    root = tmp_path / "acme"
    made = api.init_workspace(root, admin_email="admin@acme.example")
    with api.Session(root, token=made.token) as s:
        s.add_user(SELLER, name="Sam Seller", password=PASSWORD)
    with serve(root, tmp_path / "logs", count=2, args=["--proxy-headers"]) as urls:
        http, https = free_port(), free_port()
        prefix = tmp_path / "nginx"
        prefix.mkdir()
        conf = _nginx_conf(prefix, [u.removeprefix("http://") for u in urls], http=http,
                           https=https)
        log = prefix / "error.log"
        proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf)], env=clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            log.touch()
            wait_for(f"https://127.0.0.1:{https}/healthz", proc, log)
            yield f"https://127.0.0.1:{https}", f"http://127.0.0.1:{http}", prefix / "access.log"
        finally:
            stop(proc)


@pytest.mark.slow
def test_nginx_in_front_of_two_servers_signs_in_over_https(
        proxied: tuple[str, str, Path]) -> None:
    import httpx

    url, plain, access = proxied
    # plain HTTP is sent to HTTPS
    moved = httpx.get(f"{plain}/login", timeout=30)
    assert moved.status_code == 301 and moved.headers["location"].startswith("https://")
    with httpx.Client(base_url=url, verify=False, timeout=60) as c:  # noqa: S501 - test cert
        # when: a person signs in through the proxy
        done = sign_in(c, SELLER)
        # then: the session cookie is Secure (the proxy said https), HttpOnly and SameSite=Lax
        assert done.status_code == 303, done.text
        cookie = next(v for k, v in done.headers.multi_items()
                      if k == "set-cookie" and v.startswith("docgen_session="))
        assert "; secure" in cookie.lower() and "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
        # and every page after it is theirs, whichever server answers
        for _ in range(6):
            page = c.get("/deals")
            assert page.status_code == 200 and "Sam Seller" in page.text
    # both docgen serve processes answered signed-in pages
    time.sleep(0.5)  # nginx writes its access log line after the answer
    answered = {ln.split()[3] for ln in access.read_text().splitlines()
                if ln.startswith("200 GET /deals ")}
    assert len(answered) == 2, access.read_text()

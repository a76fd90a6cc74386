"""``docgen serve`` (SPEC §10): the web application and JSON API, served by uvicorn."""

from __future__ import annotations

import os

import click

from docgen.cli._common import session

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface, behind a proxy).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each has its own database connections).")
@click.option("--proxy-headers/--no-proxy-headers", default=False,
              help="Trust X-Forwarded-Proto/For from the reverse proxy (for Secure cookies).")
@click.option("--forwarded-allow-ips", metavar="IPS", default=None,
              help="Comma-separated addresses of the reverse proxies whose X-Forwarded-* "
                   "headers count (default: $FORWARDED_ALLOW_IPS, else 127.0.0.1).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, proxy_headers: bool,
          forwarded_allow_ips: str | None) -> None:
    """Serve the web application for pre-sales, CS and legal, and the JSON API under /api/v1."""
    import uvicorn

    with session(ctx) as s:  # a bad workspace is refused here, with exit 2
        root = s.workspace.root
    os.environ["DOCGEN_WORKSPACE"] = str(root)  # each worker process opens the same workspace
    click.echo(f"docgen: serving {root} on http://{host}:{port} (Ctrl+C stops)")
    uvicorn.run("docgen.web:app_from_environment", factory=True, host=host, port=port,
                workers=workers, proxy_headers=proxy_headers,
                forwarded_allow_ips=forwarded_allow_ips, log_level="warning")

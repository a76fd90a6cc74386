"""The web application and JSON API (SPEC §10): ``docgen serve`` runs :func:`create_app`."""

from __future__ import annotations

import os

from fastapi import FastAPI

from docgen import api
from docgen.web._app import create_app

__all__ = ["app_from_environment", "create_app"]


def app_from_environment() -> FastAPI:
    """The application for ``$DOCGEN_WORKSPACE`` (what ``docgen serve``'s workers load): a
    server process, so its sessions share their connection pools."""
    api.share_connections()
    return create_app(os.environ.get("DOCGEN_WORKSPACE") or None)

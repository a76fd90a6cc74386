"""The tables of legal's template versions (issue 13 item 5, issue 16 item 2), on the one metadata.

A new version of a template is *staged* in the database, not in a folder of one server, so that
every ``docgen serve`` sharing the database sees, checks, previews and activates it:

- ``template_blobs``: file contents by their SHA-256 (content-addressed: the same bytes are kept
  once, whoever uploads them);
- ``staged_templates``: per template name (``html/po.html``), the blob waiting to be activated,
  who staged it and when;
- ``template_activations``: every activation, never changed: the name, the blob made live, the
  one it replaced, the templates folder's version afterwards, who and when.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from docgen.store._tables import UTCDateTime, metadata

__all__ = ["staged_templates", "template_activations", "template_blobs"]

template_blobs = Table(
    "template_blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

staged_templates = Table(
    "staged_templates", metadata,
    Column("name", String(200), primary_key=True),            # html/po.html, docx/po.docx …
    Column("sha256", String(64), ForeignKey("template_blobs.sha256",
                                            name="fk_staged_templates_sha256"), nullable=False),
    Column("staged_by", String(254), nullable=True),
    Column("staged_at", UTCDateTime(), nullable=False),
)

template_activations = Table(
    "template_activations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("sha256", String(64), ForeignKey("template_blobs.sha256",
                                            name="fk_template_activations_sha256"),
           nullable=False),
    # what the file held before (None: it did not exist); its bytes are a blob too
    Column("previous_sha256", String(64), nullable=True),
    Column("templates_version", String(64), nullable=False),   # the folder's version afterwards
    Column("activated_by", String(254), nullable=True),
    Column("activated_at", UTCDateTime(), nullable=False),
    Index(None, "name"),
)

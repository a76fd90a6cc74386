"""DOCX from Word templates (docxtpl) that legal edits in Word; same context as the PDF.

docxtpl re-parses the document with a *recovering* XML parser, so one XML-illegal character would
silently drop text (LIBRARIES.md §2): the input models refuse control characters at load time, and
autoescaping is on. Output is made byte-for-byte reproducible by fixing the core properties and
every zip entry's timestamp.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from docgen.errors import RenderError
from docgen.render.pdf import jinja_env

__all__ = ["DocxEngine", "normalize_docx"]


class DocxEngine:
    """Renders ``templates/docx/<kind>.docx`` with a context."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = Path(templates_dir).resolve()
        self.env = jinja_env(self.templates_dir)

    def render(self, name: str, context: Mapping[str, Any], *, issued: date,
               title: str = "") -> bytes:
        """Render ``templates/docx/<name>`` and return the .docx bytes."""
        from docxtpl import DocxTemplate
        from jinja2 import TemplateError

        path = self.templates_dir / "docx" / name
        if not path.is_file():
            raise RenderError(f"DOCX template {path} does not exist")
        tpl = DocxTemplate(str(path))
        try:
            tpl.render(dict(context), jinja_env=self.env, autoescape=True)
        except TemplateError as exc:
            near = getattr(exc, "docx_context", None)
            spot = f" near {' / '.join(near)!r}" if near else ""
            raise RenderError(f"template docx/{name}{spot}: {exc}") from None
        moment = datetime(issued.year, issued.month, issued.day, tzinfo=timezone.utc)
        props = tpl.docx.core_properties
        props.created = moment
        props.modified = moment
        props.last_printed = moment
        props.last_modified_by = "docgen"
        props.author = "docgen"
        props.revision = 1
        if title:
            props.title = title
        buf = io.BytesIO()
        tpl.save(buf)
        return normalize_docx(buf.getvalue(), issued)


def normalize_docx(data: bytes, issued: date) -> bytes:
    """Rewrite the zip with fixed timestamps and attributes, so equal content gives equal bytes."""
    stamp = (max(issued.year, 1980), issued.month, issued.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()

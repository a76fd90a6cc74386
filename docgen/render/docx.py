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

__all__ = ["DocxEngine", "normalize_docx", "protect_read_only"]


class DocxEngine:
    """Renders ``templates/docx/<kind>.docx`` with a context."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = Path(templates_dir).resolve()
        self.env = jinja_env(self.templates_dir)

    def render(self, name: str, context: Mapping[str, Any], *, issued: date,
               title: str = "", protect: bool = False) -> bytes:
        """Render ``templates/docx/<name>`` and return the .docx bytes.

        `protect` (a final document) marks it read-only in Word (``w:documentProtection``):
        whoever receives it reads it, and changing it takes a deliberate step.
        """
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
        if protect:
            protect_read_only(tpl.docx.settings.element)
        buf = io.BytesIO()
        tpl.save(buf)
        return normalize_docx(buf.getvalue(), issued)


#: Children of w:settings that follow w:documentProtection (ECMA-376 Part 1, CT_Settings).
_AFTER_PROTECTION = frozenset((
    "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop",
    "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
    "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr",
    "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"))
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def protect_read_only(settings: Any) -> None:
    """Add ``<w:documentProtection w:edit="readOnly" w:enforcement="1"/>`` to ``w:settings``
    in the schema's place (replacing any protection the template had)."""
    from lxml import etree

    tag = f"{{{_W}}}documentProtection"
    for old in settings.findall(tag):
        settings.remove(old)
    el = etree.Element(tag)
    el.set(f"{{{_W}}}edit", "readOnly")
    el.set(f"{{{_W}}}enforcement", "1")
    for i, child in enumerate(settings):
        if isinstance(child.tag, str) and etree.QName(child).localname in _AFTER_PROTECTION:
            settings.insert(i, el)
            return
    settings.append(el)


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

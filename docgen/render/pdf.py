"""HTML and PDF: sandboxed, autoescaped Jinja2 -> WeasyPrint, fetching nothing outside templates/.

One :class:`PdfEngine` per workspace and process: it keeps the Jinja environment, compiled
templates, parsed stylesheets and the font configuration between renders (the reuse saves ~25 % of
a one-page PO). Every ``HTML``, ``CSS`` and ``Attachment`` gets the same allow-list fetcher, and a
WeasyPrint warning (a missing glyph, a refused fetch) fails the render with RenderError instead of
producing a quietly wrong PDF.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from docgen.errors import RenderError

__all__ = ["PdfAttachment", "PdfEngine", "jinja_env"]

_LOCK = threading.Lock()


def jinja_env(templates_dir: Path, **kwargs: Any) -> Any:
    """The sandboxed, autoescaped, strict Jinja environment every document template runs in."""
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class DocSandbox(ImmutableSandboxedEnvironment):
        """No attribute starting with '_' or 'model_'; no str/list multiplication bombs."""

        intercepted_binops = frozenset({"*", "**"})

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if attr.startswith("model_"):
                return False
            return super().is_safe_attribute(obj, attr, value)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                msg = "the ** operator is not allowed in document templates"
                raise RenderError(msg)
            if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
                msg = "repeating text or lists with * is not allowed in document templates"
                raise RenderError(msg)
            return super().call_binop(context, operator, left, right)

    options = {"trim_blocks": True, "lstrip_blocks": True, **kwargs}
    env = DocSandbox(loader=FileSystemLoader(str(templates_dir)),
                     autoescape=select_autoescape(default=True, default_for_string=True),
                     undefined=StrictUndefined, bytecode_cache=_bytecode_cache(options),
                     **options)
    _bound_helpers(env)
    return env


def _bytecode_cache(options: Mapping[str, Any]) -> Any:
    """Jinja's own file cache of compiled templates, so a one-document process does not compile
    the templates again (~30 ms for the PO's).

    It lives where Jinja puts it by default: a folder of this user's under the temporary
    directory that Jinja creates with mode 0700 and refuses to use when another user owns it or
    can write to it. Entries are keyed by template name and a checksum of the source, and here
    also by this environment's configuration (sandbox, extensions, options) and the Jinja
    version, so code compiled for another environment is never run in this one's sandbox.
    """
    import hashlib

    import jinja2
    from jinja2 import FileSystemBytecodeCache

    fingerprint = hashlib.sha256(repr(("docgen-sandbox-1", jinja2.__version__,
                                        sorted((k, repr(v)) for k, v in options.items())))
                                 .encode()).hexdigest()[:16]
    try:
        return FileSystemBytecodeCache(pattern=f"__docgen_{fingerprint}_%s.cache")
    except RuntimeError:  # Jinja found the folder unsafe: no cache, templates are compiled
        return None


#: Widest padding a template may ask of center/indent/wordwrap.
MAX_WIDTH = 1000


def _bound_helpers(env: Any) -> None:
    """Keep the sandbox's few size-taking helpers from building huge strings or failing oddly.

    ``range()`` past the sandbox's limit raises OverflowError (not a template error), and
    ``center``/``indent``/``wordwrap`` take any width: a template asking for a billion would build
    a gigabyte. Documents need neither, nor ``lipsum``.
    """
    import functools

    from jinja2.exceptions import SecurityError

    sandbox_range = env.globals["range"]

    def doc_range(*args: int) -> Any:
        try:
            return sandbox_range(*args)
        except OverflowError as exc:
            raise SecurityError(str(exc)) from None

    def bounded(name: str, arg: int) -> None:
        real = env.filters[name]

        def check(*args: Any, **kwargs: Any) -> Any:
            width = args[arg] if len(args) > arg else kwargs.get("width", 0)
            if isinstance(width, int) and abs(width) > MAX_WIDTH:
                msg = f"{name}() wider than {MAX_WIDTH} is not allowed in document templates"
                raise SecurityError(msg)
            return real(*args, **kwargs)

        # keeps jinja's pass_environment marker of wordwrap
        env.filters[name] = functools.update_wrapper(check, real)

    env.globals["range"] = doc_range
    env.globals.pop("lipsum", None)
    for name, arg in (("center", 1), ("indent", 1), ("wordwrap", 2)):
        bounded(name, arg)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    description: str
    mime: str = "application/json"
    relationship: str = "Data"


def _fetcher_class() -> type:
    from docgen.render._weasy import import_weasyprint

    import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplatesOnly(URLFetcher):  # type: ignore[misc]
        """Serves data: URLs and files inside one folder; refuses everything else."""

        def __init__(self, root: Path) -> None:
            super().__init__(fail_on_errors=False)
            self.root = root.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(self.root) and path.is_file():
                    import mimetypes

                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            msg = f"blocked URL (only files inside the templates folder may be used): {url}"
            raise ValueError(msg)

    return TemplatesOnly


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _warnings_fail(what: str) -> Iterator[None]:
    """Turn WARNING records of WeasyPrint's loggers into a RenderError."""
    handler = _Collect()
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    if handler.messages:
        raise RenderError(f"{what}: the PDF renderer warned, so no PDF was written: "
                          + "; ".join(dict.fromkeys(handler.messages)))


class PdfEngine:
    """Renders document templates of one templates folder to HTML and PDF."""

    def __init__(self, templates_dir: Path) -> None:
        from docgen.render._weasy import import_weasyprint

        weasyprint = import_weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        self.templates_dir = Path(templates_dir).resolve()
        self.env = jinja_env(self.templates_dir)
        self.fetcher = _fetcher_class()(self.templates_dir)
        self.font_config = FontConfiguration()
        self._css: dict[str, Any] = {}
        self._wp = weasyprint
        self.base_url = self.templates_dir.as_uri() + "/"
        # WeasyPrint logs "Using fontTools instead of HarfBuzz-Subset" at WARNING level without
        # libharfbuzz-subset: keep that from failing every render, it only costs speed.
        logging.getLogger("weasyprint").setLevel(logging.WARNING)

    def stylesheet(self, name: str) -> Any:
        """A parsed stylesheet from templates/css/, cached."""
        css = self._css.get(name)
        if css is None:
            path = self.templates_dir / "css" / name
            try:
                text = path.read_text("utf-8")
            except FileNotFoundError:
                raise RenderError(f"stylesheet {path} does not exist") from None
            with _warnings_fail(f"stylesheet {name}"):
                css = self._wp.CSS(string=text, base_url=self.base_url, url_fetcher=self.fetcher,
                                   font_config=self.font_config)
            self._css[name] = css
        return css

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        """Render ``templates/html/<template>`` with `context` (plain data)."""
        from jinja2 import TemplateError

        try:
            return self.env.get_template(f"html/{template}").render(**context)
        except TemplateError as exc:
            where = f" line {exc.lineno}" if getattr(exc, "lineno", None) else ""
            raise RenderError(f"template html/{template}{where}: {exc}") from None

    def preview(self, html: str, stylesheets: Sequence[str]) -> str:
        """The HTML with its stylesheets inlined: the page WeasyPrint lays out, for a browser."""
        css = "\n".join((self.templates_dir / "css" / n).read_text("utf-8") for n in stylesheets)
        tag = f"<style>\n{css}\n</style>\n"
        return html.replace("</head>", tag + "</head>", 1) if "</head>" in html else tag + html

    def pdf(self, html: str, *, stylesheets: Sequence[str], issued: date, identifier: str,
            attachments: Sequence[PdfAttachment] = (), variant: str | None = None,
            xmp: bytes | None = None, what: str = "document") -> bytes:
        """Lay out `html` and write the PDF; identical inputs give identical bytes.

        `variant` is a WeasyPrint PDF variant (``"pdf/a-3b"`` for final POs); `xmp` holds extra
        ``rdf:Description`` elements for the document's XMP metadata (the Order-X declaration).
        """
        moment = datetime(issued.year, issued.month, issued.day, tzinfo=timezone.utc)
        atts = [self._wp.Attachment(string=a.data, name=a.name, description=a.description,
                                    url_fetcher=self.fetcher, created=moment, modified=moment,
                                    relationship=a.relationship)
                for a in attachments]
        css = [self.stylesheet(n) for n in stylesheets]
        with _LOCK, _source_date_epoch(moment), _warnings_fail(what):
            doc = self._wp.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
            try:
                out = doc.write_pdf(stylesheets=css, font_config=self.font_config,
                                    attachments=atts, pdf_identifier=identifier.encode()[:32],
                                    pdf_variant=variant, uncompressed_pdf=False,
                                    custom_metadata=False, finisher=_Finisher(xmp))
            except BaseException as exc:  # FatalURLFetchingError subclasses BaseException
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                raise RenderError(f"{what}: {type(exc).__name__}: {exc}") from None
        if not isinstance(out, bytes):  # pragma: no cover - write_pdf() without target
            raise RenderError(f"{what}: the renderer returned no PDF")
        return out


class _Finisher:
    """Post-processing of WeasyPrint's PDF objects before they are written.

    - WeasyPrint 70 lists every attachment twice in the catalog's ``/AF`` (Kozea/WeasyPrint#2917):
      keep each once.
    - Extra XMP goes *inside* the one ``rdf:RDF`` element (WeasyPrint's ``xmp_metadata`` option
      appends it after ``</rdf:RDF>``, which XMP readers do not accept).
    """

    def __init__(self, xmp: bytes | None) -> None:
        self.xmp = xmp

    def __call__(self, _document: Any, pdf: Any) -> None:
        import pydyf

        if "AF" in pdf.catalog:
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        if self.xmp and "Metadata" in pdf.catalog:
            ref = pdf.catalog["Metadata"]  # pydyf references are b"12 0 R"
            ref = ref.decode() if isinstance(ref, bytes) else str(ref)
            stream = pdf.objects[int(ref.split()[0])]
            content = b"".join(stream.stream)
            head, sep, tail = content.rpartition(b"</rdf:RDF>")
            if not sep:
                raise RenderError("the PDF renderer wrote no XMP metadata to extend")
            stream.stream = [head + self.xmp + sep + tail]


@contextmanager
def _source_date_epoch(moment: datetime) -> Iterator[None]:
    """Font subsets carry 'now' in their head table unless SOURCE_DATE_EPOCH is set."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old

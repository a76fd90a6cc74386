"""``docgen verify``: is this PDF the PO docgen issued, and does everything in it agree?

A final PO carries its own evidence: the priced deal as JSON (``docgen-po.json``, with the deal
file itself and the fingerprint), the Order-X order (``order-x.xml``) and the printed page.
Verification reads all three back and checks, each independently:

1. **registry**: the PO number was issued, for this deal and fingerprint, and the SHA-256 of the
   file's own bytes is the one recorded when it was written (the PO, or a pack ``docgen pack``
   recorded for it); never a hash the file claims about itself;
2. **signature**: one intact PAdES signature, made with this workspace's certificate, covering
   every byte of the file (nothing appended after signing);
3. **pricing**: pricing the embedded deal again against the workspace's locked catalogue and
   policy gives the embedded lines, totals and fingerprint;
4. **Order-X**: the XML passes the official COMFORT XSD and Schematron, its own sums reconcile,
   and its lines and totals are the JSON's;
5. **PDF/A-3b**: the XMP claims part 3, conformance B; the catalog's ``/AF`` lists each embedded
   file once; the sRGB output intent is there;
6. **printed figures**: every amount, percentage and code of every line and every total, as Babel
   formats it for the deal's locale, is on the page (text extracted with pypdf);
7. **printed text**: every other text the PO prints from its data (names, addresses, dates,
   quantities and units, descriptions, terms) is on the page, and no amount the data lacks.

Every mismatch is reported by name; nothing stops at the first one. A file that is not a PDF, or
has no docgen data, raises :class:`~docgen.errors.InputError` (exit 2): docgen did not issue it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from docgen.errors import InputError, Problem

__all__ = ["MAX_PDF_BYTES", "Check", "EmbeddedPdf", "Registry", "VerifyReport", "read_pdf",
           "verify_file", "verify_pdf"]

#: Largest file ``docgen verify`` and ``docgen pack`` read.
MAX_PDF_BYTES = 100 * 1024 * 1024
#: The embedded JSON of a PO, and its format tag.
PO_JSON = "docgen-po.json"
DATA_FORMAT = "docgen.priced-deal/1"
#: The manifest ``docgen pack`` embeds in a pack.
PACK_JSON = "docgen-pack.json"
#: How many differences one check lists before summarising the rest.
MAX_LISTED = 25


class Registry(Protocol):
    """What verification needs from the store."""

    def issued(self, number: str) -> Any:
        """The registry entry of `number` (IssuedDocument), or None."""

    def signed_file(self, sha256: str) -> Any:
        """The signed file (a pack) recorded with this SHA-256 (SignedFile), or None."""


@dataclass(frozen=True)
class Check:
    """One verification step: its name, what it found, and every mismatch."""

    name: str
    summary: str
    mismatches: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing disagreed."""
        return not self.mismatches


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of verifying one file."""

    file: str
    number: str | None
    deal: str | None
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)

    @property
    def mismatches(self) -> list[str]:
        """Every mismatch, prefixed with its check's name."""
        return [f"{c.name}: {m}" for c in self.checks for m in c.mismatches]


@dataclass
class EmbeddedPdf:
    """A PDF's bytes, its embedded files and the pypdf reader."""

    file: str
    blob: bytes
    reader: Any
    files: dict[str, list[bytes]] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """SHA-256 of the whole file."""
        return hashlib.sha256(self.blob).hexdigest()

    def one(self, name: str) -> bytes | None:
        """The embedded file `name`, or None (two different files of one name count as none)."""
        found = self.files.get(name) or []
        return found[0] if len(set(found)) == 1 else None

    def text(self) -> str:
        """The text of every page, as pypdf extracts it."""
        return "\n".join(page.extract_text() or "" for page in self.reader.pages)

    def docgen_json(self) -> dict[str, Any] | None:
        """The first ``docgen-*.json`` document data, PO first, or None."""
        names = sorted(n for n in self.files if n.startswith("docgen-") and n.endswith(".json")
                       and n != PACK_JSON)
        for name in sorted(names, key=lambda n: n != PO_JSON):
            blob = self.one(name)
            if blob is None:
                continue
            try:
                data = json.loads(blob)
            except (ValueError, RecursionError):
                continue
            if isinstance(data, dict):
                return data
        return None


def read_pdf(blob: bytes, file: str) -> EmbeddedPdf:
    """Open a PDF and collect its embedded files; InputError when it is not a readable PDF."""
    if b"%PDF-" not in blob[:1024]:
        raise InputError([Problem(file, None, "", "not a PDF file")])
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(blob), strict=False)
        files: dict[str, list[bytes]] = {}
        for name, contents in reader.attachments.items():
            files[str(name)] = [bytes(c) for c in contents]
        _ = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged files
        raise InputError([Problem(file, None, "", f"not a readable PDF: {type(exc).__name__}: "
                                                  f"{exc}")]) from None
    return EmbeddedPdf(file=file, blob=blob, reader=reader, files=files)


def load_pdf(path: str | Path) -> EmbeddedPdf:
    """Read a PDF file (size-limited) and its embedded files."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_PDF_BYTES:
            raise InputError([Problem(str(path), None, "", f"file is {size} bytes; the limit is "
                                                           f"{MAX_PDF_BYTES}")])
        blob = p.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, "", "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), None, "", "is a folder, not a file")]) from None
    except PermissionError:
        raise InputError([Problem(str(path), None, "", "permission denied")]) from None
    return read_pdf(blob, str(path))


# --------------------------------------------------------------------------------------------
# Comparing plain data


def _diff(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Paths where `actual` differs from `expected` (only the keys `expected` has)."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            yield f"{path or 'data'}: embedded {_short(actual)}, expected an object"
            return
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                yield f"{sub}: missing from the embedded data"
            else:
                yield from _diff(value, actual[key], sub)
        return
    if isinstance(expected, list):
        if not isinstance(actual, list):
            yield f"{path}: embedded {_short(actual)}, expected a list"
            return
        if len(expected) != len(actual):
            yield f"{path}: {len(actual)} embedded, {len(expected)} recomputed"
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            yield from _diff(e, a, f"{path}[{i}]")
        return
    if expected != actual:
        yield f"{path}: embedded {_short(actual)}, recomputed {_short(expected)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _limited(items: Iterable[str]) -> tuple[str, ...]:
    out = list(items)
    if len(out) > MAX_LISTED:
        out = [*out[:MAX_LISTED], f"... and {len(out) - MAX_LISTED} more"]
    return tuple(out)


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


# --------------------------------------------------------------------------------------------
# The checks


#: The catalogue (and its SKUs) of a version label, or None when the workspace does not know it.
CatalogueFor = Callable[[str], "tuple[Any, Any] | None"]
#: The policy of a version label (None: the current one), or None when it is not known.
PolicyFor = Callable[[str | None], Any]


def _check_pricing(ws: Any, data: Mapping[str, Any], catalogue_for: CatalogueFor | None = None,
                   policy_for: PolicyFor | None = None) -> tuple[Check, Any]:
    """Price the embedded deal file again and compare with the embedded results.

    It is priced with the catalogue version and policy version the PO names (recorded
    versions never change), so a genuine PO still verifies after a re-lock.
    """
    from pydantic import ValidationError

    from docgen.models.deal import Deal
    from docgen.pricing import price_deal

    name = "pricing"
    deal_file = data.get("deal_file")
    if not isinstance(deal_file, Mapping):
        return Check(name, "cannot recompute",
                     ("the PDF's data has no deal file to price again",)), None
    try:
        deal = Deal.model_validate(deal_file)
    except ValidationError as exc:
        errs = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return Check(name, "cannot recompute",
                     _limited(f"the embedded deal file is not valid: {e}" for e in errs)), None
    catalogue, skus = ws.locked_catalogue(), ws.skus
    named = data.get("catalogue_version")
    found = catalogue_for(str(named)) if catalogue_for is not None and named else None
    if found is not None:
        catalogue, skus = found
    policy = ws.policy
    pinned = data.get("policy_version")
    if policy_for is not None and pinned:
        policy = policy_for(str(pinned)) or policy
    priced = price_deal(deal, catalogue, policy, skus)
    expected = priced.to_json()
    problems = []
    if named != expected["catalogue_version"]:
        problems.append(f"the PO was priced with catalogue {named!r}, which this workspace has "
                        f"not recorded; its locked catalogue is "
                        f"{expected['catalogue_version']!r}")
    if pinned and pinned != expected.get("policy_version"):
        problems.append(f"the PO was priced under policy {pinned!r}, which this workspace has "
                        f"not recorded; its locked policy is {expected.get('policy_version')!r}")
    if data.get("deal") != deal.deal:
        problems.append(f"deal: the PDF's data says {data.get('deal')!r}, its deal file "
                        f"{deal.deal!r}")
    problems += [p for p in _diff(expected, data)
                 if not p.startswith(("catalogue_version:", "policy_version:"))]
    n = len(expected["lines"])
    summary = (f"{n} line(s) and the totals recomputed from the embedded deal with catalogue "
               f"{expected['catalogue_version']}")
    return Check(name, summary, _limited(problems)), priced


def _check_registry(pdf: EmbeddedPdf, data: Mapping[str, Any], registry: Registry | None) -> Check:
    name = "registry"
    doc = data.get("document") if isinstance(data.get("document"), Mapping) else {}
    number = doc.get("number")
    if not number or doc.get("draft"):
        return Check(name, "not numbered", ("this is a DRAFT: docgen never issued it as a PO",))
    if registry is None:
        why = f"{number}: this workspace has no registry of issued documents to check it against"
        return Check(name, "no registry", (why,))
    rec = registry.issued(str(number))
    if rec is None:
        return Check(name, "unknown number",
                     (f"{number} is not in the registry of issued documents",))
    problems = []
    reason = getattr(rec, "reason", None)
    if rec.status != "issued":
        said = f"{number} is {rec.status} in the registry, not issued"
        if rec.status == "superseded":
            said += (f": superseded by {getattr(rec, 'superseded_by', None)}, it is no longer a "
                     "valid PO")
        elif rec.status == "void":
            said += ": it was never a valid PO"
        problems.append(said + (f" ({reason})" if reason else ""))
    if rec.deal_id != data.get("deal"):
        problems.append(f"{number} was issued for deal {rec.deal_id}, the PDF is for "
                        f"{data.get('deal')}")
    if rec.fingerprint != data.get("fingerprint"):
        problems.append(f"fingerprint: the registry has {rec.fingerprint[:12]}…, the PDF's data "
                        f"{str(data.get('fingerprint'))[:12]}…")
    issued_on = rec.issued_on.isoformat() if rec.issued_on else None
    if issued_on and issued_on != doc.get("issue_date"):
        problems.append(f"issue date: the registry has {issued_on}, the PDF {doc.get('issue_date')}")
    problems += _own_bytes_problems(pdf, str(number), rec, registry)
    summary = (f"{number} issued {issued_on} for deal {rec.deal_id}; fingerprint and file "
               "SHA-256 match" if not problems else f"{number}")
    return Check(name, summary, tuple(problems))


def _pack_manifest(pdf: EmbeddedPdf) -> list[Any] | None:
    blob = pdf.one(PACK_JSON)
    if blob is None:
        return None
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):
        return []
    parts = data.get("parts") if isinstance(data, dict) else None
    return parts if isinstance(parts, list) else []


def _check_orderx(pdf: EmbeddedPdf, data: Mapping[str, Any], vendor_name: str) -> Check:
    from docgen import orderx

    name = "Order-X"
    blob = pdf.one(orderx.FILENAME)
    if blob is None:
        why = "two different files" if pdf.files.get(orderx.FILENAME) else "no file"
        return Check(name, "missing", (f"{why} named {orderx.FILENAME} embedded",))
    try:
        root = orderx.parse_orderx(blob)
    except orderx.OrderXError as exc:
        return Check(name, "unreadable", (str(exc),))
    problems = orderx.check_orderx(root)
    order = orderx.read_orderx(root)
    problems += orderx.arithmetic_problems(order)
    problems += _orderx_vs_data(order, data, vendor_name)
    summary = (f"COMFORT XSD and Schematron pass; {len(order.lines)} line(s) and the totals "
               "equal the PDF's data")
    return Check(name, summary, _limited(problems))


def _orderx_vs_data(order: Any, data: Mapping[str, Any], vendor_name: str) -> list[str]:
    from docgen.orderx import TYPE_CODE, amounts, line_prices

    doc = data.get("document") if isinstance(data.get("document"), Mapping) else {}
    customer = data.get("customer") if isinstance(data.get("customer"), Mapping) else {}
    totals = data.get("totals") if isinstance(data.get("totals"), Mapping) else {}
    issue = str(doc.get("issue_date") or "").replace("-", "")
    out = []
    for label, got, want in (("number", order.number, doc.get("number")),
                             ("type code", order.type_code, TYPE_CODE),
                             ("issue date", order.issue_date, issue),
                             ("currency", order.currency, data.get("currency")),
                             ("seller", order.seller, vendor_name),
                             ("buyer", order.buyer, customer.get("name")),
                             ("deal", order.deal, data.get("deal"))):
        if got != want:
            out.append(f"{label}: the XML says {got!r}, the data {want!r}")
    for label, got, key in (("line total", order.line_total, "sold_subtotal"),
                            ("tax basis", order.tax_basis, "sold_subtotal"),
                            ("tax", order.tax_total, "tax_amount"),
                            ("grand total", order.grand_total, "total_due"),
                            *((k, v, k) for k, v in amounts(order))):
        want = _dec(totals.get(key))
        if got is None or want is None or got != want:
            out.append(f"{label.replace('_', ' ')}: the XML says {got}, the data "
                       f"{totals.get(key)} ({key})")
    lines = data.get("lines") if isinstance(data.get("lines"), list) else []
    if len(lines) != len(order.lines):
        out.append(f"the XML has {len(order.lines)} line(s), the data {len(lines)}")
    for i, (ln, ox) in enumerate(zip(lines, order.lines, strict=False)):
        out += _line_vs_data(i + 1, ln, ox, line_prices)
    return out


def _line_vs_data(no: int, ln: Any, ox: Any, line_prices: Callable[..., Any]) -> list[str]:
    where = f"line {no}"
    if not isinstance(ln, Mapping):
        return [f"{where}: not an object in the data"]
    nums = [_dec(ln.get(k)) for k in ("list_unit_price", "quantity", "list_amount",
                                      "discount_amount", "sold_amount")]
    if any(v is None for v in nums):
        return [f"{where}: unpriced in the data"]
    months = _dec(ln.get("months"))
    if ln.get("billing") == "monthly" and months is not None and nums[0] is not None:
        nums[0] *= months  # a recurring line's gross price covers its months (orderx)
    try:
        want = line_prices(*nums)
    except ValueError as exc:
        return [f"{where}: {exc}"]
    out = []
    for label, got, expect in (("SKU", ox.code, ln.get("code")), ("quantity", ox.quantity, nums[1]),
                               ("gross price", ox.gross, want.gross),
                               ("allowance", ox.allowance, want.allowance),
                               ("net price", ox.net, want.net),
                               ("basis quantity", ox.basis, want.basis),
                               ("line total", ox.total, want.total)):
        if got != expect:
            out.append(f"{where} {label}: the XML says {got}, the data gives {expect}")
    return out


def _check_pdfa(pdf: EmbeddedPdf, expected_files: Sequence[str]) -> Check:
    name = "PDF/A-3b"
    problems = []
    reader = pdf.reader
    try:
        xmp = reader.xmp_metadata
        part, conformance = (xmp.pdfaid_part, xmp.pdfaid_conformance) if xmp else (None, None)
    except Exception:  # noqa: BLE001 - damaged XMP
        part = conformance = None
    if (str(part), str(conformance)) != ("3", "B"):
        problems.append(f"the XMP metadata claims PDF/A part {part} conformance {conformance}, "
                        "not 3B")
    root = reader.trailer["/Root"]
    if not root.get("/OutputIntents"):
        problems.append("no output intent (sRGB) in the catalog")
    af_names = []
    for ref in root.get("/AF") or []:
        spec = ref.get_object()
        af_names.append(str(spec.get("/UF") or spec.get("/F")))
    dupes = sorted(n for n, c in Counter(af_names).items() if c > 1)
    if dupes:
        problems.append(f"the catalog's /AF lists {', '.join(dupes)} more than once")
    missing = [n for n in expected_files if n not in af_names]
    if missing:
        problems.append(f"the catalog's /AF does not list {', '.join(missing)}")
    problems += pdfa_annotation_problems(reader)
    return Check(name, f"XMP pdfaid 3B, output intent, {len(af_names)} associated file(s)",
                 tuple(problems))


def pdfa_annotation_problems(reader: Any) -> list[str]:
    """PDF/A-3 rules a signature can break: every annotation printable and not hidden
    (ISO 19005-3 6.3.2), a widget with an area has an appearance, no NeedAppearances."""
    out = []
    for no, page in enumerate(reader.pages, 1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            flags = int(annot.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32 | 256):
                out.append(f"page {no}: a {annot.get('/Subtype')} annotation is not printable "
                           f"or is hidden (/F {flags})")
            rect = [float(x) for x in annot.get("/Rect") or [0, 0, 0, 0]]
            has_area = rect[2] - rect[0] != 0 and rect[3] - rect[1] != 0
            if annot.get("/Subtype") == "/Widget" and has_area and "/AP" not in annot:
                out.append(f"page {no}: a visible form field has no appearance stream")
    form = reader.trailer["/Root"].get("/AcroForm")
    if form is not None and form.get_object().get("/NeedAppearances"):
        out.append("the form asks readers to build appearances (NeedAppearances)")
    return out


def printed_figures(data: Mapping[str, Any], templates_dir: Path) -> list[tuple[str, str]]:
    """(what, text) of every figure the PO prints, formatted as the document formats it."""
    from docgen.render.i18n import workspace_formatter
    from docgen.render.labels import LABELS

    customer = data.get("customer") if isinstance(data.get("customer"), Mapping) else {}
    locale = str(customer.get("locale") or "en_US")
    f = workspace_formatter(templates_dir, locale, str(data.get("currency")))
    out: list[tuple[str, str]] = []
    doc = data.get("document") if isinstance(data.get("document"), Mapping) else {}
    if doc.get("number"):
        out.append(("PO number", str(doc["number"])))
    for i, ln in enumerate(data.get("lines") or []):
        if not isinstance(ln, Mapping) or not ln.get("priced"):
            continue
        where = f"line {i + 1}"
        if ln.get("code"):
            out.append((f"{where} SKU", str(ln["code"])))
        for key in ("list_unit_price", "list_amount", "discount_amount"):
            out.append((f"{where} {key.replace('_', ' ')}", f.money(_dec(ln.get(key)))))
        out.append((f"{where} discount %", f.pct(_dec(ln.get("discount_pct")))))
        sold = f.t(LABELS["included"]) if ln.get("included") else f.money(_dec(ln.get("sold_amount")))
        out.append((f"{where} sold amount", sold))
    t = data.get("totals") if isinstance(data.get("totals"), Mapping) else {}
    for key in ("list_total", "discount_total", "sold_subtotal", "total_due"):
        out.append((key.replace("_", " "), f.money(_dec(t.get(key)))))
    out.append(("discount total %", f.pct(_dec(t.get("discount_pct")))))
    if t.get("tax_rate") is not None:
        out.append(("tax", f.money(_dec(t.get("tax_amount")))))
    return [(w, s) for w, s in out if s]


def _pattern(s: str) -> re.Pattern[str]:
    """`s` as a whole figure: '1.300,00 €' must not match inside '11.300,00 €'."""
    before = r"(?<![\d.,\u00a0\u202f'’])" if s[:1].isdigit() else ""
    after = r"(?![\d]|[.,]\d)" if s[-1:].isdigit() else ""
    return re.compile(before + re.escape(s) + after)


def _check_printed(pdf: EmbeddedPdf, data: Mapping[str, Any], templates_dir: Path) -> Check:
    name = "printed figures"
    try:
        text = _norm(pdf.text())  # a code may break across lines after a hyphen
    except Exception as exc:  # noqa: BLE001 - pypdf on a damaged content stream
        return Check(name, "unreadable", (f"the page text cannot be read: {exc}",))
    figures = printed_figures(data, templates_dir)
    needed = Counter(s for _, s in figures)
    found = {s: len(_pattern(s).findall(text)) for s in needed}
    problems = []
    short = {s: needed[s] - found[s] for s in needed if found[s] < needed[s]}
    for what, s in figures:
        if short.get(s, 0) > 0:
            problems.append(f"{what} {s!r} is not on the page")
            short[s] -= 1
    return Check(name, f"{len(figures)} figure(s) found on the {len(pdf.reader.pages)} page(s)",
                 _limited(problems))


# --------------------------------------------------------------------------------------------
# Entry points


def verify_pdf(ws: Any, pdf: EmbeddedPdf, registry: Registry | None, *,
               catalogue_for: CatalogueFor | None = None,
               policy_for: PolicyFor | None = None) -> VerifyReport:
    """Verify an opened PDF against the workspace `ws` and the `registry` of issued documents.

    `catalogue_for` and `policy_for` give the recorded versions the PO names (default: only
    the workspace's locked files).
    """
    from docgen.orderx import FILENAME

    raw = pdf.files.get(PO_JSON)
    if not raw:
        raise InputError([Problem(pdf.file, None, "", f"not a PO issued by docgen: it has no "
                                                      f"embedded {PO_JSON}")])
    blob = pdf.one(PO_JSON)
    data: Any = None
    if blob is not None:
        try:
            data = json.loads(blob)
        except (ValueError, RecursionError):
            data = None
    if not isinstance(data, dict) or data.get("format") != DATA_FORMAT:
        why = ("two different files are embedded under that name" if blob is None else
               f"it is not {DATA_FORMAT} JSON")
        check = Check("embedded data", "unreadable", (f"{PO_JSON}: {why}",))
        return VerifyReport(pdf.file, None, None, (check,))
    doc = data.get("document") if isinstance(data.get("document"), Mapping) else {}
    number = doc.get("number")
    checks = [_check_registry(pdf, data, registry)]
    final = bool(number and not doc.get("draft"))
    if final:
        checks.append(_check_signature(pdf, ws))
    pricing, priced = _check_pricing(ws, data, catalogue_for, policy_for)
    checks.append(pricing)
    if final:
        named = data.get("catalogue_version")
        found = catalogue_for(str(named)) if catalogue_for is not None and named else None
        vendor = (found[0] if found is not None else ws.catalogue).catalogue.vendor
        checks.append(_check_orderx(pdf, data, vendor.name))
        checks.append(_check_pdfa(pdf, [PO_JSON, FILENAME]))
    checks.append(_check_printed(pdf, data, ws.templates_dir))
    if final:
        checks.append(_check_printed_text(pdf, ws, data, priced))
    return VerifyReport(pdf.file, str(number) if number else None,
                        str(data.get("deal")) if data.get("deal") else None, tuple(checks))


def verify_file(ws: Any, path: str | Path, registry: Registry | None, *,
                catalogue_for: CatalogueFor | None = None,
                policy_for: PolicyFor | None = None) -> VerifyReport:
    """Read `path` and verify it (see :func:`verify_pdf`)."""
    return verify_pdf(ws, load_pdf(path), registry, catalogue_for=catalogue_for,
                      policy_for=policy_for)


# --------------------------------------------------------------------------------------------
# The signature, the file's own bytes and every printed text (kept apart for easy merging)


def _check_signature(pdf: EmbeddedPdf, ws: Any) -> Check:
    """One intact PAdES signature with this workspace's certificate, covering the whole file."""
    from docgen.signing import signature_check, trusted_certificate

    try:
        trusted = trusted_certificate(ws)
    except InputError as exc:
        return Check("signature", "no certificate", tuple(str(p) for p in exc.problems))
    summary, problems = signature_check(pdf.blob, trusted)
    return Check("signature", summary, tuple(problems))


def _own_bytes_problems(pdf: EmbeddedPdf, number: str, rec: Any, registry: Registry) -> list[str]:
    """The SHA-256 of the file's own bytes must be the issued PO's, or a pack recorded for it.

    Never a hash the file claims about itself: a pack's ``docgen-pack.json`` names the PO file
    it was built from, but anyone can write that; only the registry says which bytes docgen wrote.
    """
    sha = pdf.sha256
    if rec.file_sha256 and sha == rec.file_sha256:
        return []
    lookup = getattr(registry, "signed_file", None)
    recorded = lookup(sha) if lookup is not None else None
    if recorded is not None:
        if recorded.number != number:
            return [f"the file is the {recorded.kind} recorded for {recorded.number}, not for "
                    f"{number}"]
        return []
    what = "the pack" if _pack_manifest(pdf) is not None else "the file"
    return [f"{what} is not the issued file: SHA-256 {sha[:16]}…, the registry has "
            f"{(rec.file_sha256 or '?')[:16]}… (and no pack of {number} with that SHA-256)"]


def _norm(text: str) -> str:
    """Runs of ASCII whitespace (line breaks) as one space, and none after a hyphen (a line may
    break after one); no-break spaces stay, they are part of how amounts are printed."""
    return re.sub(r"- ", "-", re.sub(r"[ \t\r\n\f\v]+", " ", text)).strip()


def printed_texts(ws: Any, data: Mapping[str, Any], priced: Any) -> list[tuple[str, str]]:
    """(what, text) of everything a final PO prints from its data: the parties, names,
    addresses, the facts (dates, currency, territory, term, payment terms, sales rep), every
    line's code, name, description, quantity and unit, prices and details, the totals and notes.

    The texts come from the same context the template was rendered with, built again from the
    embedded deal priced against the workspace's locked catalogue.
    """
    from datetime import date as _date

    from docgen.render.context import build_context, vendor_view
    from docgen.render.documents import DocumentPolicy

    doc = data.get("document") if isinstance(data.get("document"), Mapping) else {}
    issued = _date.fromisoformat(str(doc.get("issue_date")))
    valid = _date.fromisoformat(str(doc.get("valid_until")))
    locale = priced.deal.customer.locale
    ctx = build_context(priced, vendor=vendor_view(ws.catalogue.catalogue.vendor, locale),
                        templates_dir=ws.templates_dir, kind="po", issue_date=issued,
                        valid_days=(valid - issued).days, number=doc.get("number"),
                        policy=DocumentPolicy.of(ws.policy), skus=ws.skus)
    v, c, ic, d, t = ctx.vendor, ctx.customer, ctx.invoice_contact, ctx.deal, ctx.totals
    out = [("vendor name", v.name), *(("vendor address", a) for a in v.address_lines),
           ("vendor VAT id", v.vat_id), ("vendor email", v.email),
           ("customer name", c.name), *(("billing address", a) for a in ctx.billing_address),
           ("customer VAT id", c.vat_id), ("invoice contact", ic.name),
           ("invoice contact email", ic.email), ("invoice contact phone", ic.phone),
           ("PO number", ctx.doc.number), ("deal", d.id), ("issue date", ctx.doc.issue_date),
           ("valid until", ctx.doc.valid_until), ("currency", d.currency),
           ("territory", d.territory), ("contract start", d.contract_start), ("term", d.term),
           ("payment terms", d.payment_terms), ("sales rep", d.sales_rep),
           ("sales rep email", d.sales_rep_email)]
    for ln in ctx.lines:
        w = f"line {ln.no}"
        out += [(f"{w} SKU", ln.code), (f"{w} name", ln.name),
                (f"{w} description", "" if ln.custom else ln.description),
                (f"{w} quantity and unit", ln.quantity_text),
                (f"{w} list unit price", ln.list_unit_price), (f"{w} list amount", ln.list_amount),
                (f"{w} discount %", ln.discount_pct), (f"{w} discount amount", ln.discount_amount),
                (f"{w} sold amount", ln.sold_amount), (f"{w} use-by date", ln.use_by),
                (f"{w} includes", ln.includes), (f"{w} threshold", ln.threshold),
                (f"{w} overage", ln.overage), *((f"{w} note", n) for n in ln.notes),
                *((f"{w} component", f"{x.quantity_text} × {x.code} · {x.name}")
                  for x in ln.components)]
    out += [("list total", t.list_total), ("discount total", t.discount_total),
            ("discount total %", t.discount_pct), ("sold subtotal", t.sold_subtotal),
            ("total due", t.total_due), ("tax", t.tax_amount if t.has_tax else ""),
            *(("note", n) for n in ctx.notes)]
    return [(w, _norm(s)) for w, s in out if s and s.strip()]


#: Currency signs an added payment line would use, whatever the PO's own currency.
_SIGNS = "$€£¥￥₹"


def _money_pattern(locale: str, currency: str) -> re.Pattern[str]:
    """An amount next to a currency sign: the PO's own as `locale` prints it, or any common one.

    Digits group with ``.``, ``,``, ``'`` or a no-break space only, so two amounts in a row
    (``$25.00 $900.00``) or a quantity before an amount stay apart.
    """
    from babel.numbers import get_currency_symbol

    own = get_currency_symbol(currency, locale)
    signs = "|".join(re.escape(x) for x in sorted({own, *_SIGNS}, key=len, reverse=True))
    num = r"\d(?:[\d.,'\u00a0\u202f]*\d)?"
    return re.compile(rf"(?:{signs})[\u00a0\u202f]?-?{num}|-?{num}[\u00a0\u202f]?(?:{signs})")


def _check_printed_text(pdf: EmbeddedPdf, ws: Any, data: Mapping[str, Any], priced: Any
                        ) -> Check:
    """Every text the PO prints from its data is on the page, and no amount that is not."""
    name = "printed text"
    if priced is None:
        return Check(name, "cannot compare", ("the embedded deal could not be priced again",))
    if priced.to_json() != {k: data.get(k) for k in priced.to_json()}:
        # the data no longer prices the same (see "pricing"): the texts would differ in turn
        return Check(name, "not compared: the embedded deal prices differently today")
    try:
        text = _norm(pdf.text())
    except Exception as exc:  # noqa: BLE001 - pypdf on a damaged content stream
        return Check(name, "unreadable", (f"the page text cannot be read: {exc}",))
    try:
        texts = printed_texts(ws, data, priced)
    except (ValueError, TypeError) as exc:
        return Check(name, "cannot compare", (f"the embedded document data: {exc}",))
    problems = [f"{what} {s!r} is not on the page" for what, s in texts if s not in text]
    customer = data.get("customer") if isinstance(data.get("customer"), Mapping) else {}
    try:
        money = _money_pattern(str(customer.get("locale") or "en_US"), str(data.get("currency")))
    except Exception:  # noqa: BLE001 - an unknown locale or currency in forged data
        money = None
    if money is not None:
        known = {m.group(0) for _, s in texts for m in money.finditer(s)}
        extra = sorted({m.group(0) for m in money.finditer(text)} - known)
        problems += [f"the page shows the amount {s!r}, which is not in the PO's data"
                     for s in extra]
    return Check(name, f"{len(texts)} text(s) of the data found on the page, no other amount",
                 _limited(problems))

"""Signed documents: PAdES signatures through pyHanko, and the key they are made with.

A final PO (and a pack of one) is signed once, after WeasyPrint wrote it as PDF/A-3b with its
attachments: the signature is an incremental update (an invisible signature field and the CMS
signature) appended to the rendered bytes. Three things keep it a PDF/A-3b file docgen can issue
again byte for byte (LIBRARIES.md §9):

- the XMP packet and the Info dictionary are left exactly as WeasyPrint wrote them (pyHanko would
  rewrite the packet with its own producer and the signing time);
- the signing time is the document's issue date, never the clock;
- the second half of the trailer ``/ID`` is derived from the signed content, not random.

RSA PKCS#1 v1.5 signatures are deterministic, so the same PDF and key give the same bytes.

The key: ``$DOCGEN_SIGNING_P12`` names a company's PKCS#12 file (``$DOCGEN_SIGNING_PASSWORD``
its password); otherwise ``WORKSPACE/.docgen/signing.p12``, a self-signed certificate for trying
docgen out, made by ``docgen init`` or on the first signature (mode 0600).

:func:`signature_check` is what ``docgen verify`` asks: is there exactly one signature, is it
intact, made with this workspace's certificate, and does it cover every byte of the file (no
incremental update after it)?
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    from docgen.workspace import Workspace

__all__ = ["ENV_P12", "ENV_PASSWORD", "P12_FILE", "SigningKey", "create_self_signed",
           "signature_check", "signing_key", "sign_pdf", "trusted_certificate"]

ENV_P12 = "DOCGEN_SIGNING_P12"
ENV_PASSWORD = "DOCGEN_SIGNING_PASSWORD"
#: The self-signed key's file inside the workspace's state folder.
P12_FILE = "signing.p12"
#: The signature field docgen adds.
FIELD_NAME = "docgen-signature"
#: Largest PKCS#12 file read.
MAX_P12_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SigningKey:
    """A PKCS#12 archive (key and certificates) and its password (picklable for workers)."""

    p12: bytes
    password: bytes | None
    source: str

    def certificate_der(self) -> bytes:
        """The signer's certificate (DER)."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return self._load()[1].public_bytes(Encoding.DER)

    def _load(self) -> tuple[Any, Any, list[Any]]:
        from cryptography.hazmat.primitives.serialization import pkcs12

        try:
            key, cert, extra = pkcs12.load_key_and_certificates(self.p12, self.password)
        except (ValueError, TypeError):
            raise InputError([Problem(self.source, None, "", "cannot open the signing key: wrong "
                                      f"password ({ENV_PASSWORD}), or not a PKCS#12 file")]
                             ) from None
        if key is None or cert is None:
            raise InputError([Problem(self.source, None, "", "the signing key file holds no "
                                                             "private key and certificate")])
        return key, cert, list(extra)


# -- the key -----------------------------------------------------------------------------------


def create_self_signed(path: Path, common_name: str = "docgen self-signed (for trying out)"
                       ) -> bool:
    """Write a self-signed RSA key and certificate to `path` (mode 0600) unless one exists.

    Returns True when it wrote one. Two processes racing both end up with the same file: the
    first link wins and the other's is thrown away.
    """
    if path.exists():
        return False
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "docgen")])
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            # issue dates docgen accepts run 2000-2100: the certificate covers all of them
            .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(key, hashes.SHA256()))
    blob = pkcs12.serialize_key_and_certificates(b"docgen", key, cert, None,
                                                 serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic and never replaces an existing key
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return True


def _read_p12(path: Path, source: str) -> bytes:
    try:
        if not path.is_file():
            why = "no such file" if not path.exists() else "not a regular file"
            raise InputError([Problem(source, None, "", f"{path}: {why}")])
        if path.stat().st_size > MAX_P12_BYTES:
            raise InputError([Problem(source, None, "", f"{path}: larger than "
                                                        f"{MAX_P12_BYTES} bytes")])
        return path.read_bytes()
    except PermissionError:
        raise InputError([Problem(source, None, "", f"{path}: permission denied")]) from None


def _configured(ws: Workspace) -> tuple[Path, str, bytes | None]:
    env = os.environ.get(ENV_P12, "").strip()
    if env:
        pw = os.environ.get(ENV_PASSWORD)
        return Path(env).expanduser(), ENV_P12, pw.encode() if pw is not None else None
    return ws.state_dir / P12_FILE, str(ws.state_dir / P12_FILE), None


def signing_key(ws: Workspace, *, create: bool = True) -> SigningKey:
    """The workspace's signing key (``$DOCGEN_SIGNING_P12`` first); made on first use."""
    path, source, password = _configured(ws)
    if source != ENV_P12 and create and not path.exists():
        ws.require_writable("a signing key")
        create_self_signed(path)
    key = SigningKey(p12=_read_p12(path, source), password=password, source=source)
    key.certificate_der()  # a wrong password or damaged file: exit 2 before a number is taken
    return key


def trusted_certificate(ws: Workspace) -> bytes | None:
    """The DER certificate a signature of this workspace must be made with; None if none yet."""
    path, source, _ = _configured(ws)
    if source != ENV_P12 and not path.exists():
        return None
    return signing_key(ws, create=False).certificate_der()


# -- signing -----------------------------------------------------------------------------------

_SIGNERS: dict[bytes, Any] = {}


def _signer(key: SigningKey) -> Any:
    """pyHanko's signer for `key`, cached per process (workers sign many documents)."""
    digest = hashlib.sha256(key.p12 + b"\0" + (key.password or b"")).digest()
    signer = _SIGNERS.get(digest)
    if signer is None:
        from pyhanko.sign import signers

        signer = signers.SimpleSigner.load_pkcs12_data(key.p12, [], key.password)
        if signer is None:
            raise InputError([Problem(key.source, None, "", "cannot open the signing key")])
        _SIGNERS[digest] = signer
    return signer


def sign_pdf(blob: bytes, key: SigningKey, *, signed_on: date, reason: str | None = None
             ) -> bytes:
    """`blob` with a PAdES signature appended as an incremental update (see the module doc)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    class KeepMetadata(IncrementalPdfFileWriter):  # type: ignore[misc]
        """Leaves the XMP packet and Info dictionary as they are (PDF/A markers included)."""

        def _update_meta(self) -> None:
            pass

    moment = datetime(signed_on.year, signed_on.month, signed_on.day, tzinfo=UTC)

    class FixedTime(signers.PdfSigner):  # type: ignore[misc]
        """Signs at the document's issue date instead of the clock."""

        def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = moment
            return session

    writer = KeepMetadata(io.BytesIO(blob), strict=False)
    first = writer.document_id[0]
    writer._document_id = generic.ArrayObject([  # noqa: SLF001 - else random (pyHanko)
        generic.ByteStringObject(first),
        generic.ByteStringObject(hashlib.sha256(blob).digest()[:16])])
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES, reason=reason)
    out = io.BytesIO()
    FixedTime(meta, _signer(key)).sign_pdf(writer, output=out)
    return out.getvalue()


# -- checking ----------------------------------------------------------------------------------


def signature_check(blob: bytes, trusted_der: bytes | None) -> tuple[str, list[str]]:
    """(summary, problems) of the file's signature; no problems means: one intact PAdES
    signature, made with the certificate `trusted_der`, covering every byte of the file."""
    with _quiet("pyhanko", "pyhanko_certvalidator"):
        return _signature_check(blob, trusted_der)


@contextlib.contextmanager
def _quiet(*names: str) -> Any:
    """pyHanko logs what it finds wrong in a file, tracebacks included: the check reports it."""
    import logging

    loggers = [logging.getLogger(n) for n in names]
    before = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
        lg.propagate = False
    try:
        yield
    finally:
        for lg, (level, propagate) in zip(loggers, before, strict=True):
            lg.setLevel(level)
            lg.propagate = propagate


def _signature_check(blob: bytes, trusted_der: bytes | None) -> tuple[str, list[str]]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(blob), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - pyHanko on a damaged file
        return "unreadable", [f"the signatures cannot be read: {type(exc).__name__}: {exc}"]
    if not sigs:
        return "not signed", ["the file is not signed: docgen signs every final PO and pack"]
    problems: list[str] = []
    if len(sigs) > 1:
        problems.append(f"{len(sigs)} signatures; docgen signs a document once")
    sig = sigs[-1]
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import ValidationContext

    try:
        root = asn1_x509.Certificate.load(trusted_der) if trusted_der else sig.signer_cert
        context = ValidationContext(trust_roots=[root], allow_fetching=False)
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # noqa: BLE001 - a forged or damaged signature
        return "invalid", [*problems, f"the signature cannot be validated: "
                                      f"{type(exc).__name__}: {exc}"]
    if not status.intact:
        problems.append("the signed bytes were changed after signing (the digest does not match)")
    elif not status.valid:
        problems.append("the signature does not verify with its certificate")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        extra = len(blob) - _covered_end(sig)
        problems.append(f"the signature does not cover the whole file: {extra} byte(s) were "
                        "added after signing (an incremental update)")
    cert_der = sig.signer_cert.dump()
    subject = sig.signer_cert.subject.human_friendly
    if trusted_der is None:
        problems.append("this workspace has no signing certificate to check the signature "
                        f"against (set {ENV_P12}, or issue a PO to create one)")
    elif cert_der != trusted_der:
        problems.append(f"signed by {subject!r}, not with this workspace's signing certificate")
    if str(sig.sig_object.get("/SubFilter")) != "/ETSI.CAdES.detached":
        problems.append("not a PAdES signature (SubFilter ETSI.CAdES.detached)")
    when = status.signer_reported_dt.date().isoformat() if status.signer_reported_dt else "?"
    return f"PAdES, signed {when} by {subject}, covers the whole file", problems


def _covered_end(sig: Any) -> int:
    try:
        br = [int(x) for x in sig.sig_object["/ByteRange"]]
        return br[2] + br[3]
    except Exception:  # noqa: BLE001
        return 0

"""A PAdES signature on the e-copy with the kiosk's key (pyHanko), and its check.

The signature is an incremental update: the PDF/A bytes OCRmyPDF wrote stay as they
are and the signature covers the whole file, so any changed byte, and anything added
after it, shows.
"""
from __future__ import annotations

import io
from pathlib import Path


class SigningError(Exception):
    """The file could not be signed; the message says what to check."""


def sign_pdf(pdf: bytes, key_file: Path, cert_file: Path, chain_file: Path, *,
             reason: str = "", location: str = "") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    try:
        signer = signers.SimpleSigner.load(str(key_file), str(cert_file),
                                           ca_chain_files=(str(chain_file),))
    except Exception as exc:
        raise SigningError(f"cannot load the signing key or certificate ({exc})") from None
    if signer is None:
        raise SigningError(f"cannot load the signing key {key_file} or certificate "
                           f"{cert_file}")
    meta = signers.PdfSignatureMetadata(
        field_name="KioskSignature", subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256", reason=reason or None, location=location or None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def check_signature(pdf: bytes, trust_roots: list[Path]) -> dict:
    """What pyHanko's validator says about the signature: ``{"ok": bool, "reason": str,
    "signer": common name, "coverage": ...}``. ``ok`` needs an intact, trusted
    signature over the entire file."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:
        return {"ok": False, "reason": f"not a readable PDF ({exc})", "signer": ""}
    if not sigs:
        return {"ok": False, "reason": "the file is not signed", "signer": ""}
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(str(p)) for p in trust_roots],
                           allow_fetching=False)
    status = validate_pdf_signature(sigs[-1], vc)
    signer = status.signing_cert.subject.native.get("common_name", "") \
        if status.signing_cert is not None else ""
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        reason = "the signed bytes were changed after signing"
    elif not status.valid:
        reason = "the signature does not match the signer's key"
    elif not status.trusted:
        reason = "the signer's certificate was not issued by a trusted CA"
    elif not whole:
        reason = "something was added to the file after it was signed"
    else:
        reason = ""
    return {"ok": not reason and status.bottom_line, "reason": reason, "signer": signer,
            "coverage": status.coverage.name}

"""The city's check of an uploaded e-copy: a PDF that claims PDF/A-2b, signed (PAdES)
by the kiosk that uploads it with a certificate this city's CA issued, over the whole
file. Anything else is refused with the reason.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""          # error code of the refusal ('unsigned', 'tampered', ...)
    message: str = ""
    signer: str = ""
    pdfa: str = ""
    pages: int = 0


def _pdfa_claim(data: bytes) -> tuple[str, int]:
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return (pdf.open_metadata().pdfa_status or ""), len(pdf.pages)


def verify_ecopy(data: bytes, ca_cert: Path, kiosk_id: str) -> Verdict:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-"):
        return Verdict(False, "not_pdf", "the file is not a PDF; send the signed e-copy")
    try:
        pdfa, pages = _pdfa_claim(data)
        sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:
        return Verdict(False, "not_pdf", f"the PDF cannot be read ({type(exc).__name__})")
    if not pdfa.startswith("2"):
        return Verdict(False, "not_pdfa", "the file does not claim PDF/A-2 (XMP pdfaid); "
                                          f"found {pdfa or 'no claim'}", pages=pages)
    if not sigs:
        return Verdict(False, "unsigned", "the e-copy carries no signature; it must be "
                                          "signed with the kiosk's certificate",
                       pdfa=pdfa, pages=pages)
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(str(ca_cert))],
                           allow_fetching=False)
    try:
        status = validate_pdf_signature(sigs[-1], vc)
    except Exception as exc:
        return Verdict(False, "tampered", f"the signature cannot be checked "
                                          f"({type(exc).__name__}: {exc})", pdfa=pdfa)
    signer = status.signing_cert.subject.native.get("common_name", "") \
        if status.signing_cert is not None else ""
    if not status.intact or not status.valid:
        return Verdict(False, "tampered", "the file was changed after it was signed "
                                          "(the signed digest no longer matches)",
                       signer=signer, pdfa=pdfa, pages=pages)
    if not status.trusted:
        return Verdict(False, "untrusted", "the signing certificate was not issued by the "
                                           "city's CA; enrol the kiosk again",
                       signer=signer, pdfa=pdfa, pages=pages)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Verdict(False, "tampered", "bytes were added after the signature",
                       signer=signer, pdfa=pdfa, pages=pages)
    if signer != kiosk_id:
        return Verdict(False, "wrong_signer", f"signed by {signer!r}, uploaded by "
                                              f"{kiosk_id!r}", signer=signer, pdfa=pdfa)
    return Verdict(True, signer=signer, pdfa=pdfa, pages=pages)


def check_upload(sim, row: dict) -> Verdict:
    """Check a whole upload and keep the verdict in the city's database."""
    import logging
    verdict = verify_ecopy(sim.db.upload_bytes(row["id"]), sim.ca.cert_path, row["kiosk_id"])
    sim.db.ecopy_record(row, verdict)
    if not verdict.ok:
        logging.getLogger("sim.city").warning("upload %s from %s refused: %s", row["id"],
                                              row["kiosk_id"], verdict.message)
    return verdict


def ecopy_refusal(verdict, headers: dict):
    """The error a refused upload gets, every time it is asked about (422 ecopy_*)."""
    from sim.city.routing import error
    code = verdict.code if isinstance(verdict, Verdict) else verdict["code"]
    message = verdict.message if isinstance(verdict, Verdict) else verdict["message"]
    return error(422, f"ecopy_{code}", f"e-copy refused: {message}", headers)

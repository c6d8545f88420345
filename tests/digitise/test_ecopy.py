"""The e-copy itself: a text layer that reads the Vietnamese back, PDF/A-2b with the
dossier's metadata, within the page budget, and a PAdES signature that pyHanko's
validator accepts until one byte changes."""
from __future__ import annotations

import io

import pikepdf
from pdfminer.high_level import extract_text

from bench.vi_pages import word_accuracy
from kiosk.digitise.signing import check_signature
from tests.digitise.conftest import KIOSK, META


def test_the_text_layer_reads_the_vietnamese_pages(ecopy):
    data, truth, _ca, _ = ecopy
    text = extract_text(io.BytesIO(data))
    accuracy = word_accuracy("\n".join(truth), text)
    assert accuracy >= 0.95, f"{accuracy:.1%} of words exact"
    assert "Đăng ký" in text or "đăng ký" in text          # diacritics survive


def test_pdfa_2b_with_the_dossier_metadata(ecopy):
    data = ecopy[0]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert len(pdf.pages) == 2
        assert meta["dc:title"] == f"Hồ sơ {META['dossier_code']}"
        keywords = str(pdf.docinfo["/Keywords"])
        for field in ("dossier:HS-2026-000123", "procedure:1.001193", f"kiosk:{KIOSK}",
                      "time:2026-12-02T15:30:00+07:00"):
            assert field in keywords
        assert str(pdf.docinfo["/Author"]) == KIOSK
        assert "Đăng ký khai sinh" in str(pdf.docinfo["/Subject"])


def test_each_page_fits_the_budget(ecopy):
    data = ecopy[0]
    assert len(data) / 2 <= 150_000


def test_the_signature_validates_and_a_changed_byte_breaks_it(ecopy):
    data, _truth, ca, _ = ecopy
    good = check_signature(data, [ca])
    assert good == {"ok": True, "reason": "", "signer": KIOSK, "coverage": "ENTIRE_FILE"}
    at = data.index(b"\xff\xd8\xff") + 2000             # a byte inside the first page's JPEG
    changed = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    bad = check_signature(changed, [ca])
    assert not bad["ok"]
    assert bad["reason"] == "the signed bytes were changed after signing"


def test_a_revision_added_after_the_signature_is_found(ecopy):
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    data, _truth, ca, _ = ecopy
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/Lang"] = pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    bad = check_signature(out.getvalue(), [ca])
    assert not bad["ok"] and "added" in bad["reason"]


def test_an_unsigned_file_and_a_foreign_ca_are_refused(ecopy, tmp_path):
    data, _truth, _ca, folder = ecopy
    unsigned = (folder / "work" / "ocr.pdf").read_bytes()
    assert check_signature(unsigned, [ecopy[2]])["reason"] == "the file is not signed"
    from sim.city.ca import CityCa
    other = CityCa(tmp_path / "other-ca")
    assert "trusted CA" in check_signature(data, [other.cert_path])["reason"]

"""Receipt round trip: render → driver → simulator PNG → zxing-cpp reads the code back."""
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageFont

from hardware.printer.driver import EscposPrinter
from kiosk.receipts import (VIETNAMESE_SAMPLE, MissingGlyphs, find_font_file, missing_glyphs,
                            render_receipt, sms_receipt, split_sms, ucs2_len)

from .conftest import CODE

WIRE_BUDGET_BYTES = 3 * 38400 // 10      # 3 s at 38400 baud, 10 bits a byte


def _latin_only_font() -> str:
    """A font with Latin letters but none of the Vietnamese ones (the 'boxes' case)."""
    candidates = []
    try:
        candidates.append(subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans Symbols"],
                                         capture_output=True, text=True).stdout.strip())
    except OSError:
        pass
    candidates.append("/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf")
    for path in candidates:
        if path and Path(path).is_file():
            font = ImageFont.truetype(path, 20)
            if not missing_glyphs(font, "Tran Thi Mai") and missing_glyphs(font, "ầịệ"):
                return path
    raise AssertionError("no Latin-only font found; install fonts-noto-core")


def test_round_trip_native_qr(printer, printer_sim, deposit_receipt):
    rendered = render_receipt(deposit_receipt)
    sent = printer.print_image(rendered.image, deposit_receipt.txn, rendered.qr_codes)
    [png] = printer_sim.wait_receipts(1)
    texts = [b.text for b in zxingcpp.read_barcodes(Image.open(png))]
    assert CODE in texts
    assert deposit_receipt.rating_url in texts
    assert printer_sim.bytes_received >= sent
    assert printer.last_job.bytes_sent == sent


def test_round_trip_raster_qr_for_printers_without_gs_k(printer, printer_sim,
                                                        deposit_receipt):
    printer.native_qr = False
    rendered = render_receipt(deposit_receipt)
    sent = printer.print_image(rendered.image, deposit_receipt.txn, rendered.qr_codes)
    [png] = printer_sim.wait_receipts(1)
    assert CODE in [b.text for b in zxingcpp.read_barcodes(Image.open(png))]
    assert sent > WIRE_BUDGET_BYTES // 2     # drawn QR codes cost raster bytes


def test_receipt_fits_three_seconds_on_a_38400_baud_line(deposit_receipt):
    from escpos.printer import Dummy
    rendered = render_receipt(deposit_receipt)
    payload = EscposPrinter(Dummy(), baud=38400).build_payload(rendered.image,
                                                               rendered.qr_codes)
    assert len(payload) <= WIRE_BUDGET_BYTES
    assert rendered.image.width == 576 and rendered.image.mode == "1"


def test_printed_text_matches_the_rendered_image(printer, printer_sim, deposit_receipt):
    rendered = render_receipt(deposit_receipt)
    printer.print_image(rendered.image, "t", rendered.qr_codes)
    [png] = printer_sim.wait_receipts(1)
    paper = Image.open(png).convert("1")
    # the title band (above the first QR) is printed dot for dot
    top = rendered.qr_codes[0].top
    assert paper.crop((0, 0, 576, top)).tobytes() == rendered.image.crop(
        (0, 0, 576, top)).tobytes()


def test_the_real_font_has_every_vietnamese_letter():
    font = ImageFont.truetype(find_font_file(), 22)
    assert missing_glyphs(font, VIETNAMESE_SAMPLE) == ""
    bold = ImageFont.truetype(find_font_file(bold=True), 22)
    assert missing_glyphs(bold, "Hẹn trả kết quả / Ô tủ") == ""


def test_the_checker_catches_boxes_from_a_latin_only_font(deposit_receipt):
    font = ImageFont.truetype(_latin_only_font(), 22)
    assert missing_glyphs(font, "Trần Thị Mai") == "ầị"
    assert set(missing_glyphs(font, VIETNAMESE_SAMPLE)) >= set("ắằẳẵặđĐơưỹ")
    with pytest.raises(MissingGlyphs) as err:
        render_receipt(deposit_receipt, font_path=_latin_only_font())
    assert "fonts-dejavu-core" in str(err.value)
    # and the box it would have drawn is really not the letter
    real = ImageFont.truetype(find_font_file(), 22)
    assert bytes(font.getmask("ệ")) != bytes(real.getmask("ệ"))


def test_long_procedure_names_wrap_inside_the_paper(deposit_receipt):
    from dataclasses import replace
    r = replace(deposit_receipt, procedure="Cấp bản sao trích lục hộ tịch, bản sao giấy khai "
                                            "sinh và xác nhận tình trạng hôn nhân " * 2)
    rendered = render_receipt(r)
    assert rendered.image.width == 576
    start = next(i for i, ln in enumerate(rendered.lines) if ln.startswith("Thủ tục"))
    end = next(i for i, ln in enumerate(rendered.lines) if ln.startswith("Mã hồ sơ"))
    assert end - start >= 3
    assert " ".join(rendered.lines[start:end]) == " ".join(f"Thủ tục: {r.procedure}".split())


def test_sms_receipt_fits_70_ucs2_characters(deposit_receipt):
    parts = sms_receipt(deposit_receipt)
    assert all(ucs2_len(p) <= 70 for p in parts)
    assert CODE in parts[0] and "A05" in parts[0] and "1022" in parts[0]
    assert "09/03/2026" in parts[1]


def test_split_sms_keeps_every_word():
    text = ("Hồ sơ HS260302-7KQ4M của bà Trần Thị Mai đã có kết quả. Mời bà đến máy nhận "
            "kết quả tại ô A05 trước ngày 09/03/2026. Hỏi đáp: 1022.")
    parts = split_sms(text)
    n = len(parts)
    assert n == 3 and all(ucs2_len(p) <= 70 for p in parts)
    assert [p.rsplit(" ", 1)[1] for p in parts] == [f"({i}/{n})" for i in range(1, n + 1)]
    assert " ".join(p.rsplit(" (", 1)[0] for p in parts) == text


def test_next_steps_texts_render_with_real_glyphs():
    from datetime import datetime
    from kiosk.receipts import Receipt, next_steps
    from .conftest import ZONE
    at = datetime(2026, 3, 2, 14, 32, tzinfo=ZONE)
    vi, en = next_steps("deposit", at=at, next_round=at.replace(hour=16, minute=0))
    assert "16:00 hôm nay" in vi and "16:00 today" in en
    vi, en = next_steps("deposit", at=at, next_round=datetime(2026, 3, 3, 8, 0, tzinfo=ZONE))
    assert "08:00 03/03" in vi
    for kind in ("deposit", "result", "pickup"):
        vi, en = next_steps(kind, at=at)
        assert vi and en
        r = Receipt(kind=kind, dossier_code=CODE, procedure="Đăng ký kết hôn", at=at,
                    next_steps=vi, next_steps_en=en)
        assert render_receipt(r).lines     # would raise on a missing glyph


def test_text_sheet_prints_through_the_simulator(printer, printer_sim):
    from kiosk.receipts import render_text_sheet
    notice = ("THÔNG BÁO VỀ DỮ LIỆU CÁ NHÂN\n\nSố điện thoại chỉ dùng để gửi mã OTP và "
              "thông báo kết quả; xoá sau khi hồ sơ hoàn tất.\nYour phone number is used "
              "only for codes and result notices.")
    sheet = render_text_sheet(notice)
    assert sheet.lines[0] == "THÔNG BÁO VỀ DỮ LIỆU CÁ NHÂN" and sheet.qr_codes == []
    printer.print_image(sheet.image, "notice")
    [png] = printer_sim.wait_receipts(1)
    paper = Image.open(png).convert("1")
    assert paper.crop((0, 0, 576, sheet.image.height)).tobytes() == sheet.image.tobytes()

"""Scanner: SANE's test backend stands in for the hardware (and for its faults); the folder
driver is fed by a thread playing a network scanner; pages become one PDF."""
import functools
import io
import random
import threading
import time

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from hardware.ports import DeviceStatus, Scanner, ScannerState
from hardware.scanner import FolderScanner, SaneScanner, ScannerError, pages_to_pdf
from hardware.scanner.pdf import MAX_PAGE_BYTES, compress_page
from kiosk.receipts import find_font_file


@functools.lru_cache(maxsize=4)
def _a4_page(seed: int, dpi: int) -> Image.Image:
    return _draw_a4_page(seed, dpi)


def a4_page(seed: int = 1, dpi: int = 200) -> Image.Image:
    return _a4_page(seed, dpi).copy()


def _draw_a4_page(seed: int = 1, dpi: int = 200) -> Image.Image:
    """A dense A4 letter as a scanner sees it: grainy off-white paper, slightly soft ink."""
    rnd = random.Random(seed)
    w, h = round(8.27 * dpi), round(11.69 * dpi)
    grain = Image.effect_noise((w, h), 8)
    img = grain.point(lambda v: max(0, min(255, 236 + (v - 128) // 3)))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(find_font_file(), 24)
    bold = ImageFont.truetype(find_font_file(True), 30)
    d.text((w // 2 - 300, 120), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold, fill=30)
    words = ("Tôi tên là Trần Thị Mai sinh ngày 15 tháng 4 năm 1995 đề nghị cấp bản sao "
             "trích lục khai sinh theo quy định của pháp luật về hộ tịch").split()
    y = 300
    while y < h - 250:
        d.text((160, y), " ".join(rnd.choice(words) for _ in range(12)), font=font, fill=35)
        y += 44
    return img.filter(ImageFilter.GaussianBlur(0.6))


@pytest.mark.timeout(60)   # the driver ends a hung scanimage well before
def test_sane_test_backend_scans_the_feeder_into_a_pdf():
    with SaneScanner("test", 200, options={"test-picture": "Grid"}) as scanner:
        assert isinstance(scanner, Scanner)
        assert scanner.feeder_source() == "Automatic Document Feeder"
        pages = scanner.scan("txn-1")
        assert len(pages) == 10                       # the test feeder holds 10 sheets
        assert all(p.mode == "L" for p in pages)
        assert pages[0].size == (630, 787) or abs(pages[0].width - 630) <= 2
        assert scanner.health().status is DeviceStatus.ONLINE
    pdf = pages_to_pdf(pages)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(
        b"/Type /Page ") + pdf.count(b"/Type/Page") >= 1
    assert len(pdf) <= 10 * MAX_PAGE_BYTES


@pytest.mark.timeout(60)   # the driver ends a hung scanimage well before
@pytest.mark.parametrize("status, state, words", [
    ("SANE_STATUS_JAMMED", ScannerState.JAM, "jammed"),
    ("SANE_STATUS_NO_DOCS", ScannerState.NO_PAPER, "no paper"),
    ("SANE_STATUS_COVER_OPEN", ScannerState.COVER_OPEN, "cover is open"),
    ("SANE_STATUS_IO_ERROR", ScannerState.OFFLINE, "stopped answering"),
    ("SANE_STATUS_DEVICE_BUSY", ScannerState.OFFLINE, "busy"),
])
def test_sane_faults_become_clear_messages(status, state, words):
    scanner = SaneScanner("test", 200, options={"read-return-value": status})
    with pytest.raises(ScannerError) as err:
        scanner.scan("txn-2")
    assert err.value.state is state
    assert words in str(err.value) and err.value.advice
    health = scanner.health()
    assert health.status is DeviceStatus.HWERROR and health.extra["state"] == state.value


@pytest.mark.timeout(60)   # the driver ends a hung scanimage well before
def test_unknown_sane_device_is_offline():
    scanner = SaneScanner("test:9")
    with pytest.raises(ScannerError) as err:
        scanner.scan("txn-3")
    assert err.value.state is ScannerState.OFFLINE
    assert "not found" in str(err.value) and "scanimage -L" in err.value.advice


def test_a4_page_is_at_most_150_kb_and_stays_readable():
    page = a4_page()
    assert page.size == (1654, 2338)
    jpeg = compress_page(page)
    assert len(jpeg) <= MAX_PAGE_BYTES
    back = Image.open(io.BytesIO(jpeg))
    assert back.mode == "L" and back.size == page.size and back.info["dpi"][0] == 200
    # text is still there: the ink of a text line survives, the paper is clean white
    line = back.crop((160, 300, 1400, 330))
    assert line.getextrema()[0] < 80
    margin = back.crop((20, 2300, 140, 2330))
    assert margin.getextrema()[0] > 235


def test_finer_scans_are_brought_to_200_dpi():
    page = a4_page().resize((3308, 4676))
    page.info["dpi"] = (400, 400)
    back = Image.open(io.BytesIO(compress_page(page)))
    assert back.size == (1654, 2338)


def _drop_pages(folder, names, delay=0.1):
    files = {}
    for i, name in enumerate(names):
        buf = io.BytesIO()
        a4_page(i % 2).save(buf, format="PNG")
        files[name] = buf.getvalue()

    def run():
        for name, data in files.items():
            time.sleep(delay)
            tmp = folder / f".{name}"
            tmp.write_bytes(data)
            tmp.rename(folder / name)
    t = threading.Thread(target=run)
    t.start()
    return t


def test_folder_scanner_takes_the_pages_a_network_scanner_drops(tmp_path):
    inbox = tmp_path / "scans-in"
    inbox.mkdir()
    t = _drop_pages(inbox, ["scan-001.png", "scan-002.png"])
    try:
        with FolderScanner(inbox, settle_s=1.0, timeout_s=20, poll_s=0.05) as scanner:
            pages = scanner.scan("txn-4")
            assert scanner.health().status is DeviceStatus.ONLINE
    finally:
        t.join()
    assert len(pages) == 2
    assert sorted(p.name for p in (inbox / "done" / "txn-4").iterdir()) == \
        ["scan-001.png", "scan-002.png"]
    assert not list(inbox.glob("*.png"))


def test_folder_scanner_without_pages_says_so(tmp_path):
    scanner = FolderScanner(tmp_path, timeout_s=0.3, poll_s=0.05)
    with pytest.raises(ScannerError) as err:
        scanner.scan("txn-5")
    assert err.value.state is ScannerState.NO_PAPER and "Scan on the scanner" in err.value.advice
    assert scanner.health().status is DeviceStatus.HWERROR


def test_folder_scanner_rejects_a_broken_page(tmp_path):
    (tmp_path / "scan-001.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    scanner = FolderScanner(tmp_path, settle_s=0.1, timeout_s=5, poll_s=0.05)
    with pytest.raises(ScannerError, match="not a readable image"):
        scanner.scan("txn-6")


def test_missing_scan_folder_is_offline(tmp_path):
    scanner = FolderScanner(tmp_path / "share")
    assert scanner.health().status is DeviceStatus.OFFLINE
    with pytest.raises(ScannerError) as err:
        scanner.scan("txn-7")
    assert err.value.state is ScannerState.OFFLINE


def test_pdf_pages_are_a4_and_embed_the_jpegs_as_they_are():
    import re
    pages = [a4_page(0), a4_page(1)]
    pdf = pages_to_pdf(pages)
    boxes = re.findall(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", pdf)
    assert len(boxes) == 2
    for w, h in boxes:                       # A4 is 595 × 842 pt
        assert abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5
    assert pdf.count(b"/DCTDecode") == 2     # JPEG inside, not re-encoded
    assert compress_page(pages[0]) in pdf
    with pytest.raises(ValueError, match="no pages"):
        pages_to_pdf([])

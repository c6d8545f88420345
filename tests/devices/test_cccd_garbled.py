"""ID card QRs that arrive garbled are refused with "please scan again", never accepted
with a broken name: a reader in another code page, UTF-8 read as Latin-1/cp1252, and
names or addresses longer than any card holds."""
from __future__ import annotations

import queue

import pytest

from hardware.codereader import SerialCodeReader
from kiosk.cccd import MAX_ADDRESS, MAX_NAME, NotAnIdCard, ScanAgain, misread_text, parse_cccd
from kiosk.services.citizen import CitizenError, parse_id_text
from sim.codereader import CodeReaderSim

CARD = ("079095001234|025123456|Nguyễn Văn An|15041995|Nam|"
        "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM|01072021")


def _card(name="Nguyễn Văn An", address="12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM"):
    return f"079095001234|025123456|{name}|15041995|Nam|{address}|01072021"


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16-le", "latin-1"])
def test_a_reader_in_another_encoding_gives_scan_again(tmp_path, encoding):
    """The serial reader decodes what it cannot read as U+FFFD; the card is refused."""
    got = queue.Queue()
    with CodeReaderSim(tmp_path / "cr") as sim, \
            SerialCodeReader(sim.path, reconnect_s=0.1) as reader:
        reader.subscribe(got.put)
        assert reader.wait_connected(5)
        sim.show(CARD, encoding=encoding)
        text = got.get(timeout=5)
    with pytest.raises(CitizenError) as err:
        parse_id_text(text)
    assert err.value.reason in ("id.scan_again", "id.unreadable")
    if "|" in text and encoding != "utf-16-le":   # the fields still split: the name is bad
        assert err.value.reason == "id.scan_again"
        assert "scan again" in str(err.value)


@pytest.mark.parametrize("name, why", [
    ("Nguy?n V\ufffdn An", "could not decode"),             # replacement characters
    ("Nguy\ufffdn V\ufffdn An", "could not decode"),
    ("Nguy?n Van An", "could not decode"),                   # a reader's own '?'
    ("Nguyá»…n VÄƒn An", "another code page"),                   # UTF-8 read as cp1252
    ("Nguyá»\x85n VÄ\x83n An", "another code page"),           # UTF-8 read as Latin-1
    ("Tráº§n Thá»‹ Mai", "another code page"),
])
def test_garbled_names_are_refused(name, why):
    with pytest.raises(ScanAgain) as err:
        parse_cccd(_card(name=name))
    assert why in str(err.value) and "please scan again" in str(err.value)
    assert isinstance(err.value, NotAnIdCard)
    with pytest.raises(CitizenError) as err:
        parse_id_text(_card(name=name))
    assert err.value.reason == "id.scan_again"


def test_garbled_address_is_refused():
    with pytest.raises(ScanAgain, match="address"):
        parse_cccd(_card(address="12 Nguyá»…n TrÃ£i, PhÆ°á»ng 2"))


def test_overlong_name_and_address_are_refused():
    with pytest.raises(ScanAgain, match="name is longer"):
        parse_cccd(_card(name=" ".join(["Nguyễn"] * 15)))
    with pytest.raises(ScanAgain, match="address is longer"):
        parse_cccd(_card(address="Phường 2, " * 30))
    long_but_real = "Công Tôn Nữ Thị Tôn Thất Hoàng Bảo Ngọc Anh"
    assert len(long_but_real) <= MAX_NAME
    assert parse_cccd(_card(name=long_but_real)).name == long_but_real
    assert parse_cccd(_card(address="Phường 2, " * 20)).address
    assert MAX_ADDRESS >= 200


@pytest.mark.parametrize("name", ["Trần Thị Mai", "Nguyên Văn Ý", "Đặng Thu Thảo",
                                  "Hồ Ánh Dương", "Võ Ý", "Lê Anh Tú", "José Müller",
                                  "Ngô Bảo Châu", "Phạm Ánh Ngọc", "Ông Ích Khiêm"])
def test_real_names_read_cleanly(name):
    assert misread_text(name) is None
    assert parse_cccd(_card(name=name)).name == name


def test_scan_again_is_on_screen_in_every_language():
    import json
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "ui" / "i18n"
    texts = {lang: json.loads((root / f"{lang}.json").read_text("utf-8"))["err.id.scan_again"]
             for lang in ("vi", "en", "zh")}
    assert "quét lại" in texts["vi"] and "Vui lòng" in texts["vi"]
    assert "scan the card again" in texts["en"]
    assert "重新扫描" in texts["zh"] and "您" in texts["zh"]

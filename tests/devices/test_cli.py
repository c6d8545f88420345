"""``kiosk hw print-test|decode|parse-cccd|scan|sms`` against the simulators."""
import json

import pytest

from kiosk.cli import main

CARD = ("079095001234|025123456|Nguyễn Văn An|15041995|Nam|"
        "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM|01072021")


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_print_test_prints_vietnamese_and_a_qr(printer_sim, capsys):
    assert main(["hw", "print-test", "--port", printer_sim.path, "--timeout", "2"]) == 0
    out = capsys.readouterr().out
    assert "bytes" in out and "38400 baud" in out
    [png] = printer_sim.wait_receipts(1)
    assert main(["hw", "decode", str(png)]) == 0
    assert capsys.readouterr().out.splitlines() == ["HS260302-7KQ4M"]


@pytest.mark.parametrize("switch, words", [
    ("paper_end", "paper has run out"),
    ("cover_open", "cover is open"),
    ("offline", "does not answer"),
])
def test_print_test_exit_4_with_the_reason(printer_sim, capsys, switch, words):
    printer_sim.set(**{switch: True})
    assert main(["hw", "print-test", "--port", printer_sim.path, "--timeout", "2"]) == 4
    captured = capsys.readouterr()
    assert words in _one_line(captured.err)
    assert printer_sim.receipts == []


def test_print_test_on_a_missing_port(tmp_path, capsys):
    assert main(["hw", "print-test", "--port", str(tmp_path / "none")]) == 4
    assert "cannot open the receipt printer" in _one_line(capsys.readouterr().err)


def test_print_test_warns_on_paper_near_end(printer_sim, capsys):
    printer_sim.set(paper_near_end=True)
    assert main(["hw", "print-test", "--port", printer_sim.path, "--baud", "38400",
                 "--timeout", "2"]) == 0
    assert "nearly out" in capsys.readouterr().err


def test_decode_without_codes_exits_1(tmp_path, capsys):
    from PIL import Image
    blank = tmp_path / "blank.png"
    Image.new("L", (100, 100), 255).save(blank)
    assert main(["hw", "decode", str(blank)]) == 1
    assert "no QR" in _one_line(capsys.readouterr().err)
    assert main(["hw", "decode", str(tmp_path / "missing.png")]) == 1


def test_parse_cccd_prints_json_with_iso_dates(capsys):
    assert main(["hw", "parse-cccd", CARD]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"id": "079095001234", "old_id": "025123456", "name": "Nguyễn Văn An",
                    "dob": "1995-04-15", "gender": "Nam",
                    "address": "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM",
                    "issued": "2021-07-01"}


def test_parse_cccd_rejects_other_text(capsys):
    assert main(["hw", "parse-cccd", "HS260302-7KQ4M"]) == 1
    assert "not a chip ID card" in _one_line(capsys.readouterr().err)


def test_scan_writes_a_pdf(tmp_path, capsys):
    out = tmp_path / "out" / "dossier.pdf"
    assert main(["hw", "scan", "--device", "test", "--out", str(out),
                 "--option", "test-picture=Grid"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "10 page(s)" in capsys.readouterr().out


def test_scan_jam_exits_4(tmp_path, capsys):
    out = tmp_path / "dossier.pdf"
    assert main(["hw", "scan", "--device", "test", "--out", str(out),
                 "--option", "read-return-value=SANE_STATUS_JAMMED"]) == 4
    assert "jammed" in _one_line(capsys.readouterr().err)
    assert not out.exists()


def test_sms_through_the_modem_simulator(modem_sim, capsys):
    text = "Chào bà Trần Thị Mai, hồ sơ đã có kết quả."
    assert main(["hw", "sms", "--port", modem_sim.path, "--to", "0912 345 678",
                 "--text", text]) == 0
    out = capsys.readouterr().out
    assert "0912345678" not in out and "678" in out
    [record] = [json.loads(x) for x in modem_sim.inbox.read_text("utf-8").splitlines()]
    assert record["to"] == "0912345678" and record["text"] == text


def test_sms_faults(modem_sim, capsys):
    assert main(["hw", "sms", "--port", modem_sim.path, "--to", "12345", "--text", "x"]) == 2
    assert "10 digits" in _one_line(capsys.readouterr().err)
    modem_sim.no_network = True
    assert main(["hw", "sms", "--port", modem_sim.path, "--to", "0912345678",
                 "--text", "x"]) == 4
    assert "331" in _one_line(capsys.readouterr().err)

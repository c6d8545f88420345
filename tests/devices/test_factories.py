"""The factories the composition root calls, built from a profile, against the simulators."""
import queue

import pytest

from hardware.codereader import SerialCodeReader, build_code_reader
from hardware.modem import AtModem, build_modem
from hardware.ports import DeviceStatus, PrinterState
from hardware.printer import EscposPrinter, build_printer
from hardware.scanner import FolderScanner, SaneScanner, build_scanner
from kiosk.config import parse_config
from kiosk.receipts import printer_test_receipt, render_receipt
from sim.codereader import CodeReaderSim
from sim.modem import ModemSim
from sim.printer import PrinterSim

from .conftest import ZONE


def _cfg(tmp_path, **sections):
    data = {
        "kiosk": {"id": "TEST-01", "data_dir": str(tmp_path / "data")},
        "lock_buses": [{"id": "bus-a", "port": "{data_dir}/dev/lockbus-a"}],
        "cabinets": [{"id": "A", "tray_count": 2,
                      "boards": [{"bus": "bus-a", "address": 0}],
                      "trays": [{"first": 1, "count": 2, "size": "M", "board": 0}]}],
        **sections,
    }
    return parse_config(data, "test.toml", str(tmp_path))


def test_disabled_devices_give_none(tmp_path):
    cfg = _cfg(tmp_path, printer={"enabled": False}, scanner={"enabled": False},
               code_reader={"enabled": False}, modem={"enabled": False})
    assert build_printer(cfg) is None and build_scanner(cfg) is None
    assert build_code_reader(cfg) is None and build_modem(cfg) is None


def test_printer_missing_at_start_is_a_startup_problem(tmp_path):
    from hardware.printer import PrinterConnectError
    with pytest.raises(PrinterConnectError) as err:
        build_printer(_cfg(tmp_path))
    assert "cannot open the receipt printer" in str(err.value) and err.value.advice


def test_printer_reopens_after_being_unplugged(tmp_path):
    from datetime import datetime
    cfg = _cfg(tmp_path)
    link = cfg.path(cfg.printer.port)
    rendered = render_receipt(printer_test_receipt(datetime(2026, 3, 2, 9, tzinfo=ZONE)))
    with PrinterSim(link, tmp_path / "receipts") as sim, build_printer(cfg) as printer:
        assert isinstance(printer, EscposPrinter)
        printer.status_timeout = 1.0
        assert printer.state() is PrinterState.OK
        printer.print_image(rendered.image, "t1", rendered.qr_codes)
        assert len(sim.wait_receipts(1)) == 1
        sim.close()                                              # unplugged
        health = printer.health()
        assert health.status is DeviceStatus.OFFLINE
        with PrinterSim(link, tmp_path / "receipts2") as again:  # plugged back in
            assert printer.state() is PrinterState.OK
            printer.print_image(rendered.image, "t2", rendered.qr_codes)
            assert len(again.wait_receipts(1)) == 1


def test_lazy_printer_is_picked_up_when_it_appears(tmp_path):
    from hardware.printer import open_printer
    link = tmp_path / "dev" / "printer"
    with open_printer("serial", port=str(link), lazy=True) as printer:
        printer.status_timeout = 1.0
        health = printer.health()
        assert health.status is DeviceStatus.OFFLINE and "cannot open" in health.detail
        with PrinterSim(link, tmp_path / "receipts"):
            assert printer.state() is PrinterState.OK


def test_scanner_factory(tmp_path):
    assert isinstance(build_scanner(_cfg(tmp_path)), SaneScanner)
    folder = build_scanner(_cfg(tmp_path, scanner={"driver": "folder"}))
    assert isinstance(folder, FolderScanner) and folder.folder.is_dir()
    assert folder.health().status is DeviceStatus.ONLINE


def test_code_reader_and_modem_factories(tmp_path):
    cfg = _cfg(tmp_path)
    with CodeReaderSim(cfg.path(cfg.code_reader.port)) as code_sim, \
            ModemSim(cfg.path(cfg.modem.port), tmp_path / "inbox.jsonl") as modem_sim:
        reader = build_code_reader(cfg)
        modem = build_modem(cfg)
        try:
            assert isinstance(reader, SerialCodeReader) and isinstance(modem, AtModem)
            got = queue.Queue()
            reader.subscribe(got.put)
            assert reader.wait_connected(5)
            code_sim.show("HS260302-7KQ4M")
            assert got.get(timeout=5) == "HS260302-7KQ4M"
            modem.send("0912345678", "Thử")
            assert modem_sim.wait_sent(1)[0]["text"] == "Thử"
        finally:
            reader.close()
            modem.close()


def test_camera_reader_without_opencv_says_what_to_install(tmp_path):
    try:
        import cv2  # noqa: F401
    except ImportError:
        from hardware.ports import DeviceError
        with pytest.raises(DeviceError) as err:
            build_code_reader(_cfg(tmp_path, code_reader={"driver": "camera"}))
        assert "opencv" in err.value.advice
    else:
        reader = build_code_reader(_cfg(tmp_path, code_reader={"driver": "camera"}))
        reader.close()

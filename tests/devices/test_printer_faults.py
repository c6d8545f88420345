"""Every printer fault the simulator can show, seen through the driver and its port."""
import pytest
from PIL import Image

from hardware.ports import DeviceStatus, Printer, PrinterState
from hardware.printer import PrinterUnavailable
from kiosk.receipts import printer_test_receipt, render_receipt

from .conftest import ZONE


@pytest.fixture(scope="module")
def small_receipt():
    from datetime import datetime
    return render_receipt(printer_test_receipt(datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)))


def test_driver_implements_the_port(printer):
    assert isinstance(printer, Printer)
    assert printer.state() is PrinterState.OK
    assert printer.health().status is DeviceStatus.ONLINE


def test_paper_near_end_still_prints_and_warns(printer, printer_sim, small_receipt):
    printer_sim.set(paper_near_end=True)
    assert printer.state() is PrinterState.PAPER_NEAR_END
    printer.print_image(small_receipt.image, "t1", small_receipt.qr_codes)
    assert len(printer_sim.wait_receipts(1)) == 1
    health = printer.health()
    assert health.status is DeviceStatus.ONLINE and "nearly out" in health.detail
    assert health.advice


@pytest.mark.parametrize("switch, state, status, words", [
    ("paper_end", PrinterState.PAPER_OUT, DeviceStatus.HWERROR, "run out"),
    ("cover_open", PrinterState.COVER_OPEN, DeviceStatus.HWERROR, "cover is open"),
    ("error", PrinterState.OFFLINE, DeviceStatus.OFFLINE, "auto-cutter"),
    ("offline", PrinterState.OFFLINE, DeviceStatus.OFFLINE, "does not answer"),
])
def test_faults_stop_the_receipt(printer, printer_sim, small_receipt, switch, state, status,
                                 words):
    printer_sim.set(**{switch: True})
    assert printer.state() is state
    with pytest.raises(PrinterUnavailable) as err:
        printer.print_image(small_receipt.image, "t2", small_receipt.qr_codes)
    assert err.value.state is state
    assert words in str(err.value) and err.value.advice
    assert printer.health().status is status
    assert printer_sim.receipts == []
    # the fault cleared, the next receipt prints
    printer_sim.set(**{switch: False})
    printer.print_image(small_receipt.image, "t3", small_receipt.qr_codes)
    assert len(printer_sim.wait_receipts(1)) == 1


def test_paper_running_out_while_printing_is_reported(printer, printer_sim, small_receipt):
    printer_sim.run_out_after(2000)
    with pytest.raises(PrinterUnavailable, match="may be incomplete") as err:
        printer.print_image(small_receipt.image, "t4", small_receipt.qr_codes)
    assert err.value.state is PrinterState.PAPER_OUT
    assert printer_sim.receipts == []        # the cut never came


def test_closed_driver_reports_offline_and_close_is_idempotent(printer):
    printer.close()
    printer.close()
    assert printer.state() is PrinterState.OFFLINE


def test_too_wide_image_is_refused(printer):
    with pytest.raises(ValueError, match="576"):
        printer.print_image(Image.new("1", (640, 10), 1), "t5")


def test_file_transport_writes_the_same_bytes(tmp_path, small_receipt):
    from hardware.printer import open_printer
    out = tmp_path / "receipt.bin"
    out.touch()
    with open_printer("file", port=str(out)) as p:
        assert p.state() is PrinterState.OK
        sent = p.print_image(small_receipt.image, "t6", small_receipt.qr_codes)
        assert p.health().status is DeviceStatus.ONLINE
    assert out.stat().st_size == sent


def test_status_after_a_slow_line_is_not_mistaken_for_silence(tmp_path, small_receipt):
    # the simulator takes bytes no faster than a real serial line; the status query sent
    # after the receipt waits behind them, and must not read as "does not answer"
    from hardware.printer import open_printer
    from sim.printer import PrinterSim
    with PrinterSim(tmp_path / "p", tmp_path / "out", line_baud=115200) as sim, \
            open_printer("serial", port=sim.path, baud=115200) as p:
        p.status_timeout = 1.0
        sent = p.print_image(small_receipt.image, "t7", small_receipt.qr_codes)
        assert len(sim.wait_receipts(1)) == 1
        assert sim.bytes_received >= sent

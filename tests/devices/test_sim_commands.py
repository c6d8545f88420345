"""The simulators as standalone programs (``python -m sim.printer`` ...), as a technician
starts them: they serve the link until SIGTERM, then remove it."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(args, link: Path):
    proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 15
    while not link.is_symlink():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"{args[0]} did not start: {proc.stdout.read()}")
        time.sleep(0.05)
    return proc


def _stop(proc, link: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert not link.exists() and not link.is_symlink()


def test_printer_simulator_program(tmp_path):
    from hardware.printer import open_printer
    from kiosk.receipts import printer_test_receipt, render_receipt
    from datetime import datetime
    link, out = tmp_path / "printer", tmp_path / "receipts"
    proc = _start(["sim.printer", "--link", str(link), "--out", str(out)], link)
    try:
        rendered = render_receipt(printer_test_receipt(datetime(2026, 3, 2, 9).astimezone()))
        with open_printer("serial", port=str(link)) as p:
            p.print_image(rendered.image, "t", rendered.qr_codes)
        deadline = time.monotonic() + 10
        while not list(out.glob("receipt-*.png")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [f.name for f in out.glob("receipt-*.png")] == ["receipt-0001.png"]
    finally:
        _stop(proc, link)


@pytest.mark.parametrize("module", ["sim.modem", "sim.codereader"])
def test_other_simulator_programs_start_and_stop(tmp_path, module):
    link = tmp_path / "dev"
    args = [module, "--link", str(link)]
    if module == "sim.modem":
        args += ["--inbox", str(tmp_path / "inbox.jsonl")]
    proc = _start(args, link)
    assert os.path.realpath(link).startswith("/dev/pts/")
    _stop(proc, link)

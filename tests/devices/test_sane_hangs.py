"""A hung ``scanimage`` ends within a budget, with a clear message, and takes its whole
process group with it; the SANE tests cannot hang (driver budget + pytest timeout).

The real hang (SANE 1.1.1 test backend, and scanimage generally): after ``sane_read``
returns a fault, ``sane_cancel`` joins a reader thread that can deadlock on the malloc
lock, so scanimage prints the jam and then never exits (about 1 run in 150 here).
"""
from __future__ import annotations

import os
import shutil
import stat
import sys
import time

import pytest

from hardware.ports import ScannerState
from hardware.scanner import SaneScanner, ScannerError

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(shutil.which("scanimage") is None,
                                 reason="scanimage missing: apt-get install sane-utils")]


@pytest.fixture(autouse=True)
def only_the_test_backend(tmp_path, monkeypatch):
    """SANE loads the backends dll.conf lists; only ``test`` here, so no network or USB
    backend probing can slow a test down."""
    conf = tmp_path / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("test\n")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))


def _fake_scanimage(tmp_path, body: str) -> str:
    """A stand-in scanimage that answers -A/-n like the test backend, then ``body``."""
    exe = tmp_path / "scanimage"
    exe.write_text(f"""#!{sys.executable}
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)          # only SIGKILL ends it
if "-A" in sys.argv:
    print("    --source Flatbed|Automatic Document Feeder [Flatbed]"); sys.exit(0)
if "-n" in sys.argv:
    sys.exit(0)
out = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--batch="))
folder = os.path.dirname(out)
{body}
""")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[1].split()[0] != "Z"


def test_hang_after_the_jam_was_printed_ends_with_the_jam(tmp_path):
    exe = _fake_scanimage(tmp_path, """
helper = os.fork()
if helper == 0:                      # a helper that keeps scanimage's pipes open
    time.sleep(600); os._exit(0)
open(os.path.join(folder, "helper.pid"), "w").write(str(helper))
sys.stderr.write("Scanning page 1\\nscanimage: sane_read: Document feeder jammed\\n"
                 "Batch terminated, 1 page scanned\\n"); sys.stderr.flush()
time.sleep(600)
""")
    scanner = SaneScanner("test", 200, scanimage=exe, grace_s=1.0)
    t0 = time.monotonic()
    with pytest.raises(ScannerError) as err:
        scanner.scan("txn-hang")
    assert time.monotonic() - t0 < 6
    assert err.value.state is ScannerState.JAM and "jammed" in str(err.value)


def test_silent_hang_mid_page_ends_after_the_stall_budget(tmp_path):
    pid_file = tmp_path / "helper.pid"
    exe = _fake_scanimage(tmp_path, f"""
helper = os.fork()
if helper == 0:
    time.sleep(600); os._exit(0)
open({str(pid_file)!r}, "w").write(str(helper))
with open(out.replace("%03d", "001") + ".part", "wb") as f:
    f.write(b"\\x89PNG" + bytes(1000)); f.flush()
    time.sleep(600)                  # the scanner stopped answering mid-page
""")
    scanner = SaneScanner("test", 200, scanimage=exe, stall_s=1.5)
    t0 = time.monotonic()
    with pytest.raises(ScannerError) as err:
        scanner.scan("txn-stall")
    assert time.monotonic() - t0 < 8
    assert err.value.state is ScannerState.OFFLINE
    assert "stopped answering" in str(err.value) and "no progress" in str(err.value)
    assert err.value.advice
    helper = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper), "the backend helper outlived the scan (process group)"


def test_hung_option_probe_is_offline_not_a_wait(tmp_path):
    exe = tmp_path / "scanimage"
    exe.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(600)\n")
    exe.chmod(0o755)
    scanner = SaneScanner("test", 200, scanimage=str(exe), probe_s=1.0)
    t0 = time.monotonic()
    with pytest.raises(ScannerError, match="does not answer"):
        scanner.scan("txn-probe")
    assert scanner.health().status.value in ("offline", "hwerror")
    assert time.monotonic() - t0 < 8


def test_real_jammed_scans_never_hang(tmp_path):
    """The deadlock of the real test backend, provoked often enough to be met: every run
    ends within the budget and says "jammed"."""
    runs, slowest = 80, 0.0
    for i in range(runs):
        scanner = SaneScanner("test", 200, options={"read-return-value": "SANE_STATUS_JAMMED"},
                              grace_s=1.0, stall_s=5.0)
        t0 = time.monotonic()
        with pytest.raises(ScannerError) as err:
            scanner.scan(f"txn-{i}")
        slowest = max(slowest, time.monotonic() - t0)
        assert err.value.state is ScannerState.JAM
    assert slowest < 8

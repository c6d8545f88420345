"""The simulator's clock: the kiosk follows the offset file the technician writes."""
from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest

from kiosk import simclock
from kiosk.config import DEFAULT_CONFIG, load_config
from kiosk.simclock import ClockOffsetError, FileOffsetClock, read_offset, write_offset


@pytest.fixture(autouse=True)
def no_recheck_delay(monkeypatch):
    monkeypatch.setattr(simclock, "RECHECK_S", 0.0)


def _touch_later(path, seconds):
    """Write the offset and make sure the file's stamp differs from the last one."""
    write_offset(path, seconds)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_missing_file_is_no_offset(tmp_path):
    clock = FileOffsetClock(tmp_path / "clock-offset")
    assert clock.offset_s == 0.0
    assert abs((clock.now() - clock.now().astimezone(clock.zone)).total_seconds()) < 1


def test_running_clock_follows_the_file(tmp_path):
    path = tmp_path / "clock-offset"
    clock = FileOffsetClock(path)
    before = clock.now()
    _touch_later(path, 86400)
    assert clock.offset_s == 86400
    assert clock.now() - before >= timedelta(days=1)


def test_restarted_kiosk_comes_back_at_the_same_simulated_time(tmp_path):
    path = tmp_path / "clock-offset"
    write_offset(path, 3 * 86400 + 5)
    assert FileOffsetClock(path).offset_s == pytest.approx(3 * 86400 + 5)


def test_monotonic_never_goes_back_when_the_offset_shrinks(tmp_path):
    path = tmp_path / "clock-offset"
    clock = FileOffsetClock(path)
    _touch_later(path, 7200)
    high = clock.monotonic()
    _touch_later(path, 0)
    assert clock.offset_s == 0
    assert clock.monotonic() >= high


def test_garbage_in_the_file_keeps_the_last_good_offset(tmp_path):
    path = tmp_path / "clock-offset"
    clock = FileOffsetClock(path)
    _touch_later(path, 600)
    assert clock.offset_s == 600
    path.write_text("tomorrow\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000))
    assert clock.offset_s == 600
    with pytest.raises(ClockOffsetError, match="not a number of seconds"):
        read_offset(path)


def test_advance_writes_the_file_for_other_readers(tmp_path):
    path = tmp_path / "clock-offset"
    clock = FileOffsetClock(path)
    clock.advance(90)
    assert read_offset(path) == 90
    assert FileOffsetClock(path).offset_s == 90


def test_clock_for_uses_the_data_folder(tmp_path):
    cfg = load_config(DEFAULT_CONFIG)
    cfg = cfg.model_copy(update={"kiosk": cfg.kiosk.model_copy(
        update={"data_dir": str(tmp_path)})})
    write_offset(tmp_path / "clock-offset", 1800)
    clock = simclock.clock_for(cfg)
    assert clock.path == tmp_path / "clock-offset"
    assert clock.offset_s == 1800
    assert str(clock.zone) == cfg.kiosk.timezone

"""The maintenance window and the [updates] section of a profile."""
from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.updates.window import Window

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text,hhmm,inside", [
    ("02:00-04:00", "01:59", False), ("02:00-04:00", "02:00", True),
    ("02:00-04:00", "03:59", True), ("02:00-04:00", "04:00", False),
    ("23:30-01:00", "23:45", True), ("23:30-01:00", "00:30", True),
    ("23:30-01:00", "01:00", False), ("23:30-01:00", "12:00", False)])
def test_contains(text, hhmm, inside):
    now = datetime(2026, 3, 4, int(hhmm[:2]), int(hhmm[3:]))
    assert Window.parse(text).contains(now) is inside


def test_next_start():
    w = Window.parse("02:00-04:00")
    assert w.next_start(datetime(2026, 3, 4, 5, 0)) == datetime(2026, 3, 5, 2, 0)
    assert w.next_start(datetime(2026, 3, 4, 1, 0)) == datetime(2026, 3, 4, 2, 0)
    assert w.next_start(datetime(2026, 3, 4, 3, 0)) == datetime(2026, 3, 4, 3, 0)


def test_shipped_profile_names_its_suite_and_window():
    cfg = load_config(ROOT / "config" / "binh-tay.toml")
    assert cfg.updates.suite == "stable" and cfg.updates.window == "02:00-04:00"


@pytest.mark.parametrize("line,word", [('window = "2-4"', "HH:MM-HH:MM"),
                                       ('window = "03:00-03:00"', "empty"),
                                       ('suite = "Stable Suite"', "suite"),
                                       ('repository = "ftp://x"', "http")])
def test_bad_updates_section_is_named(tmp_path, line, word):
    text = (ROOT / "config" / "binh-tay.toml").read_text()
    p = tmp_path / "k.toml"
    p.write_text(_with_updates(text, line))
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert any("updates" in pr and word in pr for pr in err.value.problems), err.value.problems


def _with_updates(text: str, line: str) -> str:
    """The profile with its [updates] section replaced by one line."""
    head, _, rest = text.partition("[updates]\n")
    tail = rest.split("\n[", 1)
    return head + "[updates]\n" + line + "\n" + ("\n[" + tail[1] if len(tail) > 1 else "")

"""Working days and the appointment date: Vietnam's holidays (from the holidays package),
the city's published corrections, office hours from the profile."""
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.calendar import WorkCalendar
from kiosk.cli import main as cli

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture
def cal():
    return WorkCalendar()


def test_tet_2027_evening_before_the_holiday(cal):
    # Wednesday 3 Feb 2027, 20:15: after hours; 4-10 Feb are the Tết holidays
    received = cal.received_day(at(2027, 2, 3, 20, 15))
    assert received == date(2027, 2, 11)
    assert all(not cal.is_working_day(date(2027, 2, d)) for d in range(4, 11))
    assert cal.appointment(at(2027, 2, 3, 20, 15), 0) == date(2027, 2, 11)
    assert cal.appointment(at(2027, 2, 3, 20, 15), 1) == date(2027, 2, 12)
    assert cal.appointment(at(2027, 2, 3, 20, 15), 3) == date(2027, 2, 16)  # over a weekend
    # within office hours the same Wednesday counts, and 1 working day jumps Tết
    assert cal.appointment(at(2027, 2, 3, 9, 0), 0) == date(2027, 2, 3)
    assert cal.appointment(at(2027, 2, 3, 9, 0), 1) == date(2027, 2, 11)


def test_reunification_and_labour_day(cal):
    # 2027: 30/4 is a Friday, 1/5 a Saturday observed on Monday 3/5
    assert not cal.is_working_day(date(2027, 4, 30))
    assert not cal.is_working_day(date(2027, 5, 3))
    assert cal.appointment(at(2027, 4, 29, 16, 59), 1) == date(2027, 5, 4)
    assert cal.appointment(at(2027, 4, 29, 17, 0), 0) == date(2027, 5, 4)   # closed at 17:00
    # 2026: Thursday 30/4 and Friday 1/5
    assert cal.appointment(at(2026, 4, 29, 10), 1) == date(2026, 5, 4)


def test_national_day_and_the_swapped_saturday(cal):
    # 2026: 1-2/9 off, Monday 31/8 off in exchange for Saturday 22/8 worked
    assert not cal.is_working_day(date(2026, 9, 2)) and not cal.is_working_day(
        date(2026, 9, 1))
    assert not cal.is_working_day(date(2026, 8, 31))
    assert cal.is_working_day(date(2026, 8, 22))          # a make-up working Saturday
    assert cal.received_day(at(2026, 8, 22, 10)) == date(2026, 8, 22)
    assert cal.appointment(at(2026, 8, 28, 10), 1) == date(2026, 9, 3)
    # 2027: Thursday 2/9 and Friday 3/9
    assert cal.appointment(at(2027, 9, 1, 10), 1) == date(2027, 9, 6)


def test_weekends_and_hours(cal):
    assert cal.received_day(at(2026, 12, 5, 10)) == date(2026, 12, 7)      # Saturday
    assert cal.received_day(at(2026, 12, 6, 23, 59)) == date(2026, 12, 7)  # Sunday night
    assert cal.received_day(at(2026, 12, 4, 16, 59)) == date(2026, 12, 4)  # Friday in hours
    assert cal.received_day(at(2026, 12, 4, 17, 0)) == date(2026, 12, 7)   # Friday closed
    # before opening on a working day: received when the office opens that day
    assert cal.received_day(at(2026, 12, 2, 6, 0)) == date(2026, 12, 2)
    # a time in another zone is first put in the office's
    utc = datetime(2026, 12, 4, 9, 30, tzinfo=ZoneInfo("UTC"))            # 16:30 in HCMC
    assert cal.received_day(utc) == date(2026, 12, 4)
    assert cal.appointment(at(2026, 12, 4, 10), 5) == date(2026, 12, 11)
    with pytest.raises(ValueError, match="time zone"):
        cal.received_day(datetime(2026, 12, 4, 10))
    with pytest.raises(ValueError, match="negative"):
        cal.appointment(at(2026, 12, 4), -1)


def test_the_city_publishes_extra_days_off_and_working_days():
    published = {"days_off": ["2027-02-11"], "working_days": ["2027-02-13"]}
    cal = WorkCalendar.build(published=published)
    assert cal.received_day(at(2027, 2, 3, 20, 15)) == date(2027, 2, 12)
    assert cal.appointment(at(2027, 2, 3, 20, 15), 1) == date(2027, 2, 13)   # a Saturday


def test_office_hours_come_from_the_profile():
    cal = WorkCalendar.build(opens="08:00", closes="11:30")
    assert cal.received_day(at(2026, 12, 2, 11, 45)) == date(2026, 12, 3)
    with pytest.raises(ValueError, match="open before"):
        WorkCalendar.build(opens="17:00", closes="07:30")


def test_catalog_due_command_prints_the_date(capsys, tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text((ROOT / "config/sim.toml").read_text("utf-8").replace(
        'data_dir = "../var/sim"', f'data_dir = "{tmp_path / "fresh"}"'), "utf-8")
    argv = ["catalog", "due", "--config", str(profile), "--code", "1.001193",
            "--received", "2027-02-03T20:15+07:00"]
    assert cli(argv) == 0
    assert capsys.readouterr().out == "2027-02-12\n"
    assert cli(argv[:-1] + ["2027-02-03T20:15"]) == 2
    assert "time zone" in capsys.readouterr().err
    assert cli(argv[:5] + ["HT-04"] + argv[6:]) == 2
    assert "no procedure 'HT-04'" in capsys.readouterr().err
    assert not (tmp_path / "fresh").exists()      # nothing created, no city asked


def test_office_hours_in_the_profile_are_checked(tmp_path):
    from kiosk.config import ConfigError, load_config
    text = (ROOT / "config/sim.toml").read_text("utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('office_hours = ["07:30", "17:00"]',
                                'office_hours = ["17:00", "07:30"]'), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert "open before it closes" in info.value.problems[0]

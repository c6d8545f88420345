"""Every text a screen can show exists in Vietnamese, English and Chinese."""
import re
import string
from pathlib import Path

import pytest

from hardware.ports import DoorState
from kiosk.models import DossierState
from ui.i18n import LANGUAGES, I18n, load_catalog

UI = Path(__file__).resolve().parents[2] / "ui"
KIOSK = UI.parent / "kiosk"


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_every_language():
    cats = {lang: load_catalog(lang) for lang in LANGUAGES}
    keys = set(cats["vi"])
    for lang, cat in cats.items():
        assert set(cat) == keys, (lang, sorted(set(cat) ^ keys))
        for key, text in cat.items():
            assert text.strip(), (lang, key)
            assert placeholders(text) == placeholders(cats["vi"][key]), (lang, key)


def keys_used_in_code():
    used = set()
    for path in UI.rglob("*.py"):
        src = path.read_text("utf-8")
        used |= set(re.findall(r'tr\("([a-z0-9_.]+)"', src))
        used |= set(re.findall(r'(?:title_key|speak_key) = "([a-z0-9_.]+)"', src))
    # families built at run time
    used |= {f"door.{s.value}" for s in DoorState}
    used |= {f"state.{s.value}" for s in DossierState}
    used |= {f"rating.{n}" for n in range(1, 6)}
    used |= {f"welcome.{k}{h}" for k in ("deposit", "pickup", "status") for h in ("", ".hint")}
    used |= {f"phone.why.{flow}" for flow in ("deposit", "pickup", "status")}
    reasons = set()
    citizen = sorted((KIOSK / "services" / "citizen").glob("*.py"))   # the citizen package
    for path in (*citizen, KIOSK / "auth" / "otp.py"):
        src = path.read_text("utf-8")
        reasons |= set(re.findall(r'CitizenError\(\s*"([a-z_.]+)"', src))
        reasons |= set(re.findall(r'reason = "([a-z_.]+)"', src))
    reasons |= {"unexpected", "pickup.none", "tray.not_opened"}
    used |= {f"err.{r}" for r in reasons if r != "otp"}
    return used


def test_every_key_the_code_uses_exists():
    vi = load_catalog("vi")
    missing = sorted(k for k in keys_used_in_code() if k not in vi)
    assert not missing


def test_missing_key_is_recorded_and_falls_back_to_vietnamese():
    tr = I18n("en")
    assert tr("nav.back") == "Back"
    tr.catalogs["en"].pop("nav.home")
    assert tr("nav.home") == "Trang đầu"
    assert ("en", "nav.home") in tr.missing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_screen_shows_a_missing_text(lang, qapp):
    from ui.screenshots import each_screen
    seen = set()
    for stem, _, win in each_screen((lang,)):
        seen.add(stem)
        assert not win.tr.missing, (stem, win.tr.missing)
    assert {"welcome", "deposit-phone", "pickup-tray", "problem"} <= seen

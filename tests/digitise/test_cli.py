"""``kiosk digitise --config PROFILE -o OUT.pdf PAGE.png …``: one line per page, exit 0
when the signed PDF/A was written, 2 when a page was refused (with the reason)."""
from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from bench.vi_pages import make_page
from kiosk.cli import main
from kiosk.config import DEFAULT_CONFIG
from kiosk.digitise.signing import check_signature
from tests.digitise.conftest import KIOSK, TOKEN


@pytest.fixture
def profile(tmp_path, city):
    text = Path(DEFAULT_CONFIG).read_text("utf-8")
    text = text.replace('data_dir = "../var/sim"', f'data_dir = "{tmp_path / "kiosk"}"')
    text = text.replace("http://127.0.0.1:8765/api/v1", city.api_url)
    assert KIOSK in text and city.api_url in text
    path = tmp_path / "profile.toml"
    path.write_text(text, "utf-8")
    secrets = tmp_path / "kiosk" / "secrets"
    secrets.mkdir(parents=True, mode=0o700)
    fd = os.open(secrets / "city.token", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, (TOKEN + "\n").encode())
    os.close(fd)
    return path


def _page(tmp_path, name, img=None):
    img = img if img is not None else make_page(61, a4=False, lines=4)[0]
    path = tmp_path / name
    img.save(path, dpi=(200, 200))
    return str(path)


def test_pages_become_a_signed_pdfa_enrolling_first(tmp_path, profile, city, capsys):
    out = tmp_path / "out.pdf"
    rc = main(["digitise", "--config", str(profile), "-o", str(out),
               _page(tmp_path, "p1.png"), "--dossier", "HS-CLI-1"])
    printed = capsys.readouterr().out.splitlines()
    assert rc == 0
    assert printed[0].startswith("page 1: ok")
    assert printed[-1].startswith(f"written {out}")
    assert check_signature(out.read_bytes(), [city.ca.cert_path])["ok"]
    with pikepdf.open(out) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert "dossier:HS-CLI-1" in str(pdf.docinfo["/Keywords"])
    assert (tmp_path / "kiosk" / "pki" / "kiosk-cert.pem").exists()     # enrolled


def test_a_refused_page_exits_2_with_the_reason(tmp_path, profile, capsys):
    out = tmp_path / "out.pdf"
    blank = Image.new("L", (1654, 1169), 244)
    rc = main(["digitise", "--config", str(profile), "-o", str(out),
               _page(tmp_path, "p1.png"), _page(tmp_path, "p2.png", blank)])
    captured = capsys.readouterr()
    assert rc == 2
    lines = captured.out.splitlines()
    assert lines[0].startswith("page 1: ok") and lines[1].startswith("page 2: blank")
    assert "refused: 1 of 2 pages (page 2: blank)" in captured.err
    assert not out.exists()


def test_an_unreadable_page_exits_2(tmp_path, profile, capsys):
    bad = tmp_path / "p1.png"
    bad.write_bytes(b"not an image")
    assert main(["digitise", "--config", str(profile), "-o", str(tmp_path / "o.pdf"),
                 str(bad)]) == 2
    assert "cannot be read as an image" in capsys.readouterr().err


def test_doctor_tells_the_certificate_state_and_the_ocr_languages(tmp_path, profile):
    from kiosk.cli.doctor import Check
    from kiosk.config import load_config
    from kiosk.digitise.health import digitise_checks
    cfg = load_config(profile)
    lines = [c.line() for c in digitise_checks(cfg, Check)]
    assert lines == ["ok    OCR: Tesseract with vie+eng",
                     "ok    signing certificate: not issued yet: the kiosk asks the city at "
                     "its next start with the link up"]
    assert main(["digitise", "--config", str(profile), "-o", str(tmp_path / "o.pdf"),
                 _page(tmp_path, "p1.png")]) == 0
    lines = [c.line() for c in digitise_checks(cfg, Check)]
    assert lines[1].startswith("ok    signing certificate: valid until ")
    (tmp_path / "kiosk" / "secrets" / "signing.key").chmod(0o644)
    lines = [c.line() for c in digitise_checks(cfg, Check)]
    assert lines[1].startswith("FAIL  signing key:") and "chmod 600" in lines[1]

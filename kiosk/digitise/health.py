"""What ``kiosk doctor`` says about digitisation: Tesseract with its Vietnamese data,
and the state of the kiosk's signing certificate."""
from __future__ import annotations

import subprocess
from datetime import datetime, timezone


def digitise_checks(cfg, check) -> list:
    """``check(name, ok, detail, advice)`` builds one doctor line."""
    d = cfg.digitise
    if not d.enabled:
        return []
    out = []
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                               timeout=20).stdout.split()
    except (OSError, subprocess.TimeoutExpired) as exc:
        langs, problem = [], str(exc)
    else:
        problem = ""
    missing = [lang for lang in (*d.languages, "osd") if lang not in langs]
    if missing or problem:
        out.append(check("OCR", False, problem or f"Tesseract lacks {', '.join(missing)}",
                         "apt-get install tesseract-ocr tesseract-ocr-vie "
                         "tesseract-ocr-eng tesseract-ocr-osd"))
    else:
        out.append(check("OCR", True, f"Tesseract with {'+'.join(d.languages)}"))
    from kiosk.digitise import build_digitiser
    creds = build_digitiser(cfg).credentials
    state = creds.state(datetime.now(timezone.utc))
    if creds.key_file.exists():
        try:
            creds.key()
        except Exception as exc:
            return out + [check("signing key", False, str(exc), f"chmod 600 {creds.key_file}")]
    if state == "missing":
        out.append(check("signing certificate", True, "not issued yet: the kiosk asks the "
                         "city at its next start with the link up"))
    elif state == "expired":
        out.append(check("signing certificate", False, "expired: e-copies wait unsigned",
                         "bring the city link up; the kiosk renews on its own"))
    else:
        cert = creds.certificate()
        out.append(check("signing certificate", True,
                         f"valid until {cert.not_valid_after_utc:%Y-%m-%d}"
                         + (" (renewal due)" if state == "renew" else "")))
    return out

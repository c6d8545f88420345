"""Telling the citizen: result ready, pickup reminder, result taken back to the office.

The kiosk keeps no plaintext phone, so a message about a stored dossier is an
``sms.request`` event the city sends; a number at hand is used at once through the SMS
router, with the event as the fallback (docs/staff-rounds.md)."""
from __future__ import annotations

import logging
import unicodedata
from datetime import datetime

from kiosk.pii import mask_phone

log = logging.getLogger(__name__)


def ascii_vi(text: str) -> str:
    """Vietnamese without diacritics (an SMS in GSM 7-bit: 160 characters a part)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).replace("—", "-")


def fmt_deadline(when: datetime) -> str:
    return f"{when:%H:%M} ngay {when:%d/%m/%Y}"


class SmsSteps:
    """The texts and SMS routes of ``RoundService``."""

    def ready_text(self, code: str, tray: str, deadline: datetime) -> str:
        return ascii_vi(f"Ket qua ho so {code} da co tai may {self.kiosk_id}, o {tray}. "
                        f"Vui long nhan truoc {fmt_deadline(deadline)}; sau han ket qua "
                        f"duoc chuyen ve {self.office or 'bo phan mot cua'}. "
                        f"Ho tro {self.hotline}.")

    def reminder_text(self, code: str, tray: str, deadline: datetime) -> str:
        return ascii_vi(f"Nhac: ket qua ho so {code} dang cho tai may {self.kiosk_id}, "
                        f"o {tray}. Han nhan: {fmt_deadline(deadline)}. "
                        f"Ho tro {self.hotline}.")

    def returned_text(self, code: str) -> str:
        where = ", ".join(p for p in (self.office, self.office_address) if p)
        return ascii_vi(f"Ket qua ho so {code} da qua han nhan tai may va duoc chuyen ve "
                        f"{where or 'bo phan mot cua'}. Mang CCCD khi den nhan. "
                        f"Ho tro {self.hotline}.")

    def _sms_request(self, code: str, template: str, text: str, *, actor: str) -> None:
        """Ask the city to send ``text`` to the phone it has for ``code`` (outbox)."""
        self.ledger.event("sms.request", actor=actor, subject=code, dossier_code=code,
                          reason=template, data={"template": template},
                          city_extra={"dossier": code, "template": template, "text": text})

    def _tell(self, code: str, template: str, text: str, *, phone: str | None, key: str,
              actor: str) -> str:
        """Send at once when the number is at hand, else (or on failure) through the
        city; returns the route."""
        if phone and self.sms is not None:
            try:
                via = str(self.sms.send(phone, text, key=key) or "sms")
                self.ledger.event("sms.sent", actor=actor, subject=code, dossier_code=code,
                                  reason=template, to_city=False,
                                  data={"template": template, "via": via,
                                        "to": mask_phone(phone)})
                return via
            except Exception as exc:
                log.warning("SMS for %s not sent directly (%s); asking the city", code, exc)
        self._sms_request(code, template, text, actor=actor)
        return "outbox"

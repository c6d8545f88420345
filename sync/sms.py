"""SMS to citizens: through the city when it answers, else through the GSM modem.

The key makes a message idempotent across routes: a message the modem already sent is
not sent again through the city, and the city drops a key it has seen. Only the masked
number is recorded or logged.
"""
from __future__ import annotations

import logging
from datetime import timezone

from kiosk.crashpoints import crashpoint
from kiosk.pii import mask_phone, normalize_phone
from kiosk.store import Store
from sync.client import CityClient
from sync.errors import CityError, CityRejected, SmsNotSent

log = logging.getLogger(__name__)
CITY_SMS_TIMEOUT = (2.0, 4.0)


class SmsRouter:
    """``send(phone, text, key=...)`` → ``"city"`` or ``"modem"`` (or where it went
    before, for a key already sent); raises ``SmsNotSent`` when both routes fail."""

    def __init__(self, store: Store, client: CityClient | None, clock, modem=None, *,
                 link_up=lambda: True):
        self.store, self.client, self.clock, self.modem = store, client, clock, modem
        self.link_up = link_up     # the sync service's view: skip the city when it is down

    def send(self, phone: str, text: str, *, key: str) -> str:
        phone = normalize_phone(phone)
        done = self.store.query_one("SELECT via FROM sync_sms WHERE key = ?", (key,))
        if done:
            return done["via"]
        problems = []
        if self.client is not None and self.link_up():
            try:
                answer = self.client.sms_send(key=key, to=phone, text=text,
                                              timeout=CITY_SMS_TIMEOUT)
                crashpoint("sync.sms.after_city")
                self._record(key, "city", phone, str(answer.get("sms_id", "")))
                return "city"
            except CityRejected as exc:
                problems.append(f"city refused it: {exc}")
            except CityError as exc:
                problems.append(f"city unreachable: {exc}")
        elif self.client is not None:
            problems.append("city link is down")
        if self.modem is not None:
            try:
                ref = self.modem.send(phone, text)
                self._record(key, "modem", phone, str(ref))
                log.info("SMS %s to %s sent through the modem", key, mask_phone(phone))
                return "modem"
            except Exception as exc:   # a driver error of any kind: report, do not crash
                problems.append(f"modem failed: {exc}")
        else:
            problems.append("no GSM modem configured")
        log.warning("SMS %s to %s not sent: %s", key, mask_phone(phone), "; ".join(problems))
        raise SmsNotSent(f"SMS to {mask_phone(phone)} not sent: " + "; ".join(problems))

    def _record(self, key: str, via: str, phone: str, ref: str) -> None:
        now = self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        with self.store.write():
            self.store.execute("INSERT OR IGNORE INTO sync_sms(key, via, phone_masked, "
                               "reference, sent_at) VALUES (?,?,?,?,?)",
                               (key, via, mask_phone(phone), ref, now))

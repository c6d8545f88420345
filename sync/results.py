"""Results ready to load: pulled from the city by cursor into ``sync_results``.

Each page and the cursor that follows it are stored in one transaction, so a crash
between pages neither loses nor repeats a result. The plaintext phone is kept only until
the result is loaded into a tray (the citizen's SMS needs it), then scrubbed.
"""
from __future__ import annotations

import logging
from datetime import timezone

from kiosk.pii import mask_phone, normalize_phone
from kiosk.store import Store
from sync.client import CityClient

log = logging.getLogger(__name__)
CURSOR_KEY = "sync.results_cursor"


class ResultsInbox:
    def __init__(self, store: Store, client: CityClient | None, clock, pii=None, *,
                 page_size: int = 100):
        self.store, self.client, self.clock, self.pii = store, client, clock, pii
        self.page_size = page_size

    @property
    def cursor(self) -> str:
        return str(self.store.get_setting(CURSOR_KEY, "0"))

    def pull(self, max_pages: int = 50) -> int:
        """Fetch new results; returns how many were new. Raises ``CityError`` offline."""
        new = 0
        for _ in range(max_pages):
            page = self.client.results(after=self.cursor, limit=self.page_size)
            new += self._store_page(page["results"], str(page["cursor"]))
            if not page.get("more") or not page["results"]:
                break
        return new

    def _store_page(self, rows: list[dict], cursor: str) -> int:
        now = self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        added = 0
        with self.store.write():
            for r in rows:
                code = r.get("dossier_code")
                if not code:
                    continue
                phone = r.get("phone")
                masked = hmac = None
                if phone:
                    try:
                        phone = normalize_phone(phone)
                        masked = mask_phone(phone)
                        hmac = self.pii.phone_hmac(phone) if self.pii else None
                    except ValueError:
                        log.warning("result %s carries an unusable phone number", code)
                        phone = None
                cur = self.store.execute(
                    "INSERT INTO sync_results(result_id, dossier_code, procedure_code, "
                    "procedure_name, citizen_name_masked, phone, phone_masked, phone_hmac, "
                    "fee_due, tray_size, id_check, ready_at, pulled_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                    (int(r.get("result_id") or 0) or None, code, r.get("procedure_code"),
                     r.get("procedure_name"), r.get("citizen_name_masked"), phone, masked,
                     hmac, int(r.get("fee_due") or 0), r.get("tray_size") or "M",
                     int(bool(r.get("id_check"))), r.get("ready_at"), now))
                added += cur.rowcount
            self.store.set_setting(CURSOR_KEY, cursor)
        return added

    # ---- for the staff who load results ----------------------------------------------
    def waiting(self) -> list[dict]:
        """Results not yet in a tray (without the plaintext phone)."""
        return self.store.query(
            "SELECT result_id, dossier_code, procedure_code, procedure_name, "
            "citizen_name_masked, phone_masked, phone_hmac, fee_due, tray_size, id_check, "
            "ready_at, pulled_at FROM sync_results WHERE loaded_at IS NULL "
            "ORDER BY result_id")

    def get(self, dossier_code: str) -> dict | None:
        """One result with the plaintext phone (to create the dossier and send the SMS)."""
        return self.store.query_one("SELECT * FROM sync_results WHERE dossier_code = ?",
                                    (dossier_code,))

    def mark_loaded(self, dossier_code: str) -> bool:
        """The result is in a tray: forget the plaintext phone."""
        now = self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        with self.store.write():
            cur = self.store.execute(
                "UPDATE sync_results SET loaded_at = ?, phone = NULL WHERE dossier_code = ? "
                "AND loaded_at IS NULL", (now, dossier_code))
            return cur.rowcount > 0

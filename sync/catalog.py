"""The procedure catalog, cached in the kiosk database so the kiosk works offline.

``refresh()`` asks the city with the cached ETag and replaces the cache in one
transaction when the catalog changed. ``procedures()`` is what the deposit screens show
(only what the kiosk may receive), in the shape ``kiosk.services.citizen.Procedure``
reads; ``procedure(code)`` gives the city's full record.
"""
from __future__ import annotations

import json
import logging
from datetime import timezone

from kiosk.catalog import for_kiosk, meta, newer, snapshot
from kiosk.store import Store
from sync.client import CityClient

log = logging.getLogger(__name__)
ETAG_KEY = "sync.catalog_etag"
FETCHED_KEY = "sync.catalog_fetched_at"
META_KEY = "sync.catalog_meta"


class CatalogCache:
    def __init__(self, store: Store, client: CityClient | None, clock):
        self.store, self.client, self.clock = store, client, clock
        self._memo: list[dict] | None = None
        self._source: dict = {}
        self._listeners = []

    def subscribe(self, callback) -> None:
        """``callback()`` after the cached catalog changed (from the sync thread)."""
        self._listeners.append(callback)

    def refresh(self) -> bool:
        """Fetch if changed; True when the cache was replaced. Raises ``CityError``."""
        etag, doc = self.client.catalog(self.store.get_setting(ETAG_KEY))
        now = self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        if doc is None:
            self.store.set_setting(FETCHED_KEY, now)
            return False
        with self.store.write():
            self.store.execute("DELETE FROM sync_catalog")
            for i, p in enumerate(doc["procedures"]):
                if not isinstance(p, dict) or not p.get("code"):
                    continue
                self.store.execute("INSERT OR REPLACE INTO sync_catalog(code, position, data) "
                                   "VALUES (?, ?, ?)",
                                   (str(p["code"]), i, json.dumps(p, ensure_ascii=False)))
            self.store.set_setting(ETAG_KEY, etag)
            self.store.set_setting(FETCHED_KEY, now)
            self.store.set_setting(META_KEY, {k: doc.get(k) for k in
                                              ("version", "published", "calendar")})
        self._memo = None
        log.info("catalog updated: %d procedures (version %s)", len(doc["procedures"]), etag)
        for cb in list(self._listeners):
            try:
                cb()
            except Exception:
                log.exception("catalog listener failed")
        return True

    def all_procedures(self) -> list[dict]:
        """The city's catalog when the kiosk has one not older than the shipped
        snapshot, else the snapshot: never empty."""
        if self._memo is None:
            rows = self.store.query("SELECT data FROM sync_catalog ORDER BY position")
            city = self._city_meta() if rows else None
            if rows and newer(city, snapshot()):
                self._memo = [for_kiosk(json.loads(r["data"])) for r in rows]
                self._source = meta(city, "city")
            else:
                self._memo = [for_kiosk(p) for p in snapshot()["procedures"]]
                self._source = meta(snapshot(), "snapshot")
        return list(self._memo)

    def _city_meta(self) -> dict:
        found = self.store.get_setting(META_KEY) or {}
        found = found if isinstance(found, dict) else {}
        return {"version": found.get("version") or self.store.get_setting(ETAG_KEY) or "",
                "published": found.get("published") or "",
                "calendar": found.get("calendar") or {}}

    def source(self) -> dict:
        """Which catalog is shown: ``{"origin": "city"|"snapshot", "version",
        "published", "calendar"}``."""
        self.all_procedures()
        return dict(self._source)

    def calendar(self) -> dict:
        """Extra days off and make-up working days published with the shown catalog."""
        return self.source().get("calendar") or {}

    def procedures(self) -> list[dict]:
        """What a citizen may deposit here."""
        return [p for p in self.all_procedures() if p.get("kiosk_receive", True)]

    def procedure(self, code: str) -> dict | None:
        for p in self.all_procedures():
            if p["code"] == code:
                return p
        return None

    def fetched_at(self) -> str | None:
        return self.store.get_setting(FETCHED_KEY)

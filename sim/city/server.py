"""The city-system simulator: the contract of docs/city-api.md served on loopback.

A standard-library ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive. API
requests pass through the fault injector first; ``/_sim/...`` control requests (faults,
clock, inspection) never fail and need no token.

Where things are: the HTTP plumbing in ``sim/city/handler.py``, one route module per
part of the contract in ``sim/city/routes/`` (how to add an endpoint: its docstring),
one table module per part in ``sim/city/store/``, time in ``sim/city/clock.py``.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from sim.city.catalog import document as catalog_document
from sim.city.vneid import VneidDesk
from sim.city.clock import SimClock
from sim.city.commands import CommandDesk
from sim.city.ca import CityCa
from sim.city.db import CityDb
from sim.city.faults import FaultInjector, FaultPlan
from sim.city.handler import Handler, Server
from sim.city.routing import API, MAX_JSON, MAX_UPLOAD
from sim.city.routes.events import MAX_EVENTS

__all__ = ["CitySim", "API", "MAX_EVENTS", "MAX_JSON", "MAX_UPLOAD"]


class CitySim:
    """``CitySim(db_path, port=0, seed=0).start()``; ``.url``; ``.set_faults(...)``;
    ``.stop()``. Also a context manager."""

    def __init__(self, db_path: str | Path, port: int = 0, seed: int = 0, *,
                 host: str = "127.0.0.1", tokens: dict[str, str] | None = None,
                 processing_s: float = 60.0, sms_inbox: str | Path | None = None,
                 faults: FaultPlan | dict | None = None, verify_uploads: bool = True,
                 cert_days: float = 365.0):
        self.seed = seed
        self.host, self.port = host, port
        self.tokens = tokens
        self.clock = SimClock()
        self.db = CityDb(db_path, self.clock, processing_s, sms_inbox)
        self.commands = CommandDesk(Path(db_path).parent / "command-signing.key", self.clock)
        # the CA that issues kiosk signing certificates; uploads must be signed e-copies
        self.ca = CityCa(Path(db_path).with_name(Path(db_path).name + ".ca"),
                         cert_days=cert_days)
        self.verify_uploads = verify_uploads
        self.faults = FaultInjector(FaultPlan(seed=seed))
        if faults is not None:
            self.set_faults(faults)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._catalog: tuple[str, str] | None = None
        self.vneid = VneidDesk(self.clock)          # VNeID requests (sim/city/vneid.py)

    # ---- life ------------------------------------------------------------------------
    def start(self) -> "CitySim":
        if self._server is None:
            self._server = Server((self.host, self.port), Handler)
            self._server.sim = self
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.1},
                                            name="city-sim", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(timeout=5)
        self.db.close()

    close = stop

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + API

    # ---- control ---------------------------------------------------------------------
    def set_faults(self, plan: FaultPlan | dict | None = None, **settings) -> FaultPlan:
        if plan is None:
            plan = {}
        if isinstance(plan, dict):
            plan = FaultPlan.from_dict({"seed": self.seed, **plan, **settings})
        self.faults.set(plan)
        return plan

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def catalog_doc(self) -> tuple[str, str]:
        if self._catalog is None:
            doc = catalog_document()
            self._catalog = (doc["version"], json.dumps(doc, ensure_ascii=False))
        return self._catalog

    def stats(self) -> dict:
        counters = self.db.counters()
        return {
            "events": self.db.query("SELECT COUNT(*) n FROM events")[0]["n"],
            "events_new": counters.get("events_new", 0),
            "events_duplicate": counters.get("events_duplicate", 0),
            "events_rejected": counters.get("events_rejected", 0),
            "order_violations": counters.get("order_violations", 0),
            "results": self.db.query("SELECT COUNT(*) n FROM results")[0]["n"],
            "sms": self.db.query("SELECT COUNT(*) n FROM sms")[0]["n"],
            "uploads_complete": self.db.query(
                "SELECT COUNT(*) n FROM uploads WHERE complete = 1")[0]["n"],
            "heartbeats": self.db.query("SELECT COUNT(*) n FROM heartbeats")[0]["n"],
            "faults": self.faults.describe()["injected"],
            "clock_offset_s": self.clock.offset_s,
        }

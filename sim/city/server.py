"""The city-system simulator: the contract of docs/city-api.md served on loopback.

A standard-library ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive. API
requests pass through the fault injector first; ``/_sim/...`` control requests (faults,
clock, inspection) never fail and need no token.
"""
from __future__ import annotations

import json
import logging
import random
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sim.city.catalog import document as catalog_document
from sim.city.db import PHONE_RE, CityDb, SimClock, iso
from sim.city.faults import Fault, FaultConfigError, FaultInjector, FaultPlan
from sim.city import vneid

log = logging.getLogger("sim.city")
API = "/api/v1"
MAX_EVENTS = 1000
MAX_UPLOAD = 50 * 1024 * 1024
MAX_JSON = 8 * 1024 * 1024


class _Drop(Exception):
    """Close the connection without an answer."""


class _Reply(Exception):
    def __init__(self, status: int, body=None, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, code: str, message: str, headers: dict | None = None) -> _Reply:
    return _Reply(status, {"error": code, "message": message}, headers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CitySim/1.0"
    timeout = 30          # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True   # headers and body go out at once (no 40 ms stalls)

    @property
    def sim(self) -> "CitySim":
        return self.server.sim  # type: ignore[attr-defined]

    def log_message(self, fmt, *args):
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_HEAD(self):
        self._dispatch("HEAD")

    # ---- plumbing --------------------------------------------------------------------
    def _body_bytes(self, limit: int = MAX_JSON) -> bytes:
        if hasattr(self, "_body_cache"):
            return self._body_cache
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.close_connection = True
            raise _error(413, "too_large", f"the body has {length} bytes; at most {limit}")
        self._body_cache = self.rfile.read(length) if length else b""
        return self._body_cache

    def _json(self):
        raw = self._body_bytes()
        try:
            data = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _error(400, "bad_json", f"the body is not UTF-8 JSON: {exc}")
        if not isinstance(data, dict):
            raise _error(400, "bad_json", "the body must be a JSON object")
        return data

    def _send(self, status: int, body=None, headers: dict | None = None) -> None:
        if isinstance(body, (dict, list)):
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            ctype = "application/json; charset=utf-8"
        else:
            payload = body or b""
            ctype = None
        self.send_response(status)
        if ctype and payload:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, method: str) -> None:
        self.__dict__.pop("_body_cache", None)   # one handler serves a whole connection
        url = urlsplit(self.path)
        path, query = url.path.rstrip("/") or "/", parse_qs(url.query)
        try:
            if path.startswith("/_sim/"):
                self._reply(*self.sim._control(self, method, path, query))
                return
            if not path.startswith(API + "/"):
                raise _error(404, "not_found", f"no such path {path}; the API is under {API}")
            fault = self.sim.faults.decide(method, path[len(API):])
            self._api(method, path[len(API):], query, fault)
        except _Reply as r:
            if r.status >= 400 and not hasattr(self, "_body_cache") and r.status != 413:
                try:
                    self._body_bytes(MAX_UPLOAD)   # keep the connection usable
                except _Reply:
                    pass
            self._reply(r.status, r.body, r.headers)
        except _Drop:
            self._drop()
        except Exception as exc:   # a simulator bug must still answer
            log.exception("simulator error on %s %s", method, path)
            self.close_connection = True
            self._reply(500, {"error": "sim_bug", "message": repr(exc)})

    def _reply(self, status, body=None, headers=None):
        try:
            self._send(status, body, headers)
        except OSError:
            self.close_connection = True

    def _api(self, method: str, path: str, query: dict, fault: Fault | None) -> None:
        sim = self.sim
        if fault is not None:
            if fault.kind == "drop" and not fault.after:
                raise _Drop()
            if fault.kind == "500":
                raise _error(500, "internal", "simulated server error; retry later")
            if fault.kind == "429":
                raise _error(429, "rate_limited", "too many requests; wait and retry",
                             {"Retry-After": sim.faults.plan.retry_after_s})
            if fault.kind == "delay":
                time.sleep(sim.faults.plan.delay_s)
        kiosk = self._auth()
        route = _route(method, path)
        if route is None:
            raise _error(404 if method in ("GET", "HEAD") else 405, "not_found",
                         f"no {method} {API}{path} in this API")
        handler, args = route
        times = 2 if fault is not None and fault.kind == "duplicate" else 1
        for _ in range(times):
            status, body, headers = handler(self, kiosk, query, fault, *args)
        if fault is not None and fault.kind == "drop" and fault.after:
            raise _Drop()
        if fault is not None and fault.kind == "reorder" and isinstance(body, dict):
            rng = random.Random(sim.faults.plan.seed ^ len(json.dumps(body)))
            for value in body.values():
                if isinstance(value, list):
                    rng.shuffle(value)
        self._reply(status, body, headers)

    def _auth(self) -> str:
        header = self.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        claimed = self.headers.get("X-Kiosk-Id", "").strip()
        if not token:
            raise _error(401, "unauthorized", "no bearer token; send 'Authorization: Bearer "
                                              "<token>' with the kiosk's token")
        tokens = self.sim.tokens
        if tokens is None:
            return claimed or "kiosk"
        kiosk = tokens.get(token)
        if kiosk is None:
            raise _error(401, "unauthorized", "unknown token; check the kiosk's token file")
        if claimed and claimed != kiosk:
            raise _error(403, "forbidden", f"this token belongs to kiosk {kiosk}, "
                                           f"not {claimed}")
        return kiosk

    # ---- API handlers: each returns (status, body, headers) ---------------------------
    def h_ping(self, kiosk, query, fault):
        return 200, {"ok": True, "kiosk_id": kiosk, "server_time": iso(self.sim.clock.now())}, {}

    def h_catalog(self, kiosk, query, fault):
        version, body = self.sim.catalog_doc()
        etag = f'"{version}"'
        if self.headers.get("If-None-Match") == etag:
            return 304, None, {"ETag": etag}
        return 200, json.loads(body), {"ETag": etag}

    def h_events(self, kiosk, query, fault):
        data = self._json()
        events = data.get("events")
        if not isinstance(events, list):
            raise _error(400, "bad_request", "'events' must be a list of events")
        if len(events) > MAX_EVENTS:
            raise _error(413, "too_many", f"{len(events)} events in one batch; at most "
                                          f"{MAX_EVENTS}")
        return 200, self.sim.db.ingest_events(kiosk, events), {}

    def h_results(self, kiosk, query, fault):
        try:
            after = int((query.get("after") or ["0"])[0] or 0)
            limit = max(1, min(500, int((query.get("limit") or ["100"])[0])))
        except ValueError:
            raise _error(400, "bad_request", "'after' and 'limit' must be whole numbers")
        rows, cursor, more = self.sim.db.results_after(kiosk, after, limit)
        return 200, {"results": rows, "cursor": str(cursor), "more": more}, {}

    def h_upload_create(self, kiosk, query, fault):
        data = self._json()
        length, sha = data.get("length"), str(data.get("sha256") or "")
        if not isinstance(length, int) or not 0 < length <= MAX_UPLOAD:
            raise _error(400, "bad_request", f"'length' must be 1..{MAX_UPLOAD} bytes")
        if not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
            raise _error(400, "bad_request", "'sha256' must be 64 hex digits")
        row, new = self.sim.db.upload_create(kiosk, data.get("key"), length, sha,
                                             data.get("dossier_code"), data.get("filename"))
        loc = f"{API}/uploads/{row['id']}"
        return (201 if new else 200), {"upload_id": row["id"], "location": loc,
                                       "offset": row["offset"], "length": row["length"],
                                       "complete": bool(row["complete"])}, \
            {"Location": loc, "Upload-Offset": row["offset"]}

    def _upload_row(self, kiosk, uid) -> dict:
        row = self.sim.db.upload(uid)
        if row is None or row["kiosk_id"] != kiosk:
            raise _error(404, "not_found", f"no upload {uid}; create it again")
        return row

    @staticmethod
    def _upload_headers(row) -> dict:
        return {"Upload-Offset": row["offset"], "Upload-Length": row["length"],
                "Upload-Complete": "1" if row["complete"] else "0",
                "Cache-Control": "no-store"}

    def h_upload_head(self, kiosk, query, fault, uid):
        return 200, None, self._upload_headers(self._upload_row(kiosk, uid))

    def h_upload_patch(self, kiosk, query, fault, uid):
        row = self._upload_row(kiosk, uid)
        if self.headers.get("Content-Type", "") != "application/offset+octet-stream":
            raise _error(415, "bad_type", "PATCH needs Content-Type "
                                          "application/offset+octet-stream")
        try:
            offset = int(self.headers.get("Upload-Offset", ""))
        except ValueError:
            raise _error(400, "bad_request", "Upload-Offset header missing or not a number")
        if row["complete"]:
            return 204, None, self._upload_headers(row)
        if offset != row["offset"]:
            raise _error(409, "offset_mismatch", f"the server holds {row['offset']} bytes; "
                                                 "send from there (HEAD tells)",
                         self._upload_headers(row))
        length = int(self.headers.get("Content-Length") or 0)
        if offset + length > row["length"]:
            raise _error(400, "too_long", f"{offset}+{length} bytes run past the declared "
                                          f"length {row['length']}")
        if fault is not None and fault.kind == "cut":
            part = self.rfile.read(int(length * fault.cut_fraction))
            self.sim.db.upload_append(uid, offset, part)
            raise _Drop()
        chunk = self._body_bytes(MAX_UPLOAD)
        try:
            row = self.sim.db.upload_append(uid, offset, chunk)
        except ValueError:   # a duplicate request already appended this chunk
            row = self._upload_row(kiosk, uid)
            if row["complete"]:
                return 204, None, self._upload_headers(row)
            raise _error(409, "offset_mismatch", f"the server holds {row['offset']} bytes",
                         self._upload_headers(row))
        if row["offset"] == row["length"]:
            if not self.sim.db.upload_finish(uid):
                row = self._upload_row(kiosk, uid)
                raise _error(460, "checksum_mismatch", "the file's SHA-256 differs from the "
                                                       "one declared; upload it again from 0",
                             self._upload_headers(row))
            row = self._upload_row(kiosk, uid)
        return 204, None, self._upload_headers(row)

    def h_sms(self, kiosk, query, fault):
        data = self._json()
        key, to, text = data.get("key"), str(data.get("to") or ""), data.get("text")
        if not isinstance(key, str) or not key:
            raise _error(400, "bad_request", "'key' (idempotency key) is required")
        if not PHONE_RE.match(to):
            raise _error(422, "bad_phone", "'to' must be a 10-digit mobile number "
                                           "starting with 0")
        if not isinstance(text, str) or not text.strip() or len(text) > 640:
            raise _error(422, "bad_text", "'text' must be 1..640 characters")
        sms_id, dup = self.sim.db.sms_send(kiosk, key, to, text)
        return 202, {"sms_id": sms_id, "status": "queued", "duplicate": dup}, {}

    def h_payment_create(self, kiosk, query, fault):
        data = self._json()
        key, amount = data.get("key"), data.get("amount")
        if not isinstance(key, str) or not key:
            raise _error(400, "bad_request", "'key' (idempotency key) is required")
        if not isinstance(amount, int) or not 0 < amount <= 100_000_000:
            raise _error(422, "bad_amount", "'amount' must be whole dong, 1..100000000")
        row, new = self.sim.db.payment_create(kiosk, key, data.get("dossier_code"), amount,
                                              str(data.get("purpose") or ""))
        return (201 if new else 200), _payment_view(row), {}

    def h_payment_status(self, kiosk, query, fault, pid):
        row = self.sim.db.payment(pid)
        if row is None or row["kiosk_id"] != kiosk:
            raise _error(404, "not_found", f"no payment {pid}")
        return 200, _payment_view(row), {}

    def h_vneid(self, kiosk, query, fault, rid=None):
        try:
            if rid is None:
                status, body = self.sim.vneid.create(kiosk, self._json())
            else:
                status, body = self.sim.vneid.status(kiosk, rid)
        except vneid.VneidError as exc:
            raise _error(exc.status, exc.code, exc.message)
        return status, body, {}

    def h_heartbeat(self, kiosk, query, fault):
        data = self._json()
        self.sim.db.heartbeat(kiosk, data)
        return 200, {"ok": True, "server_time": iso(self.sim.clock.now())}, {}


def _payment_view(row: dict) -> dict:
    return {"payment_id": row["id"], "status": row["status"], "amount": row["amount"],
            "dossier_code": row["dossier_code"], "qr": row["qr"],
            "expires_at": row["expires_at"], "paid_at": row["paid_at"]}


_ROUTES = [
    ("GET", r"/ping", _Handler.h_ping),
    ("GET", r"/catalog", _Handler.h_catalog),
    ("POST", r"/events", _Handler.h_events),
    ("GET", r"/results", _Handler.h_results),
    ("POST", r"/uploads", _Handler.h_upload_create),
    ("HEAD", r"/uploads/([0-9a-f]{32})", _Handler.h_upload_head),
    ("PATCH", r"/uploads/([0-9a-f]{32})", _Handler.h_upload_patch),
    ("POST", r"/sms", _Handler.h_sms),
    ("POST", r"/payments", _Handler.h_payment_create),
    ("GET", r"/payments/([A-Z0-9]+)", _Handler.h_payment_status),
    ("POST", r"/heartbeat", _Handler.h_heartbeat),
    ("POST", r"/vneid/requests", _Handler.h_vneid),
    ("GET", r"/vneid/requests/([0-9a-f]{16})", _Handler.h_vneid),
]


def _route(method: str, path: str):
    for m, pattern, fn in _ROUTES:
        if m == method:
            match = re.fullmatch(pattern, path)
            if match:
                return fn, match.groups()
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class CitySim:
    """``CitySim(db_path, port=0, seed=0).start()``; ``.url``; ``.set_faults(...)``;
    ``.stop()``. Also a context manager."""

    def __init__(self, db_path: str | Path, port: int = 0, seed: int = 0, *,
                 host: str = "127.0.0.1", tokens: dict[str, str] | None = None,
                 processing_s: float = 60.0, sms_inbox: str | Path | None = None,
                 faults: FaultPlan | dict | None = None):
        self.seed = seed
        self.host, self.port = host, port
        self.tokens = tokens
        self.clock = SimClock()
        self.db = CityDb(db_path, self.clock, processing_s, sms_inbox)
        self.faults = FaultInjector(FaultPlan(seed=seed))
        if faults is not None:
            self.set_faults(faults)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._catalog: tuple[str, str] | None = None
        self.vneid = vneid.VneidDesk(self.clock)

    # ---- life ------------------------------------------------------------------------
    def start(self) -> "CitySim":
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler)
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

    def _control(self, handler: _Handler, method: str, path: str, query: dict):
        kiosk = (query.get("kiosk") or [None])[0]
        if path == "/_sim/faults":
            if method == "POST":
                try:
                    self.set_faults(handler._json())
                except (FaultConfigError, TypeError) as exc:
                    raise _error(400, "bad_faults", str(exc))
            return 200, self.faults.describe(), {}
        if path == "/_sim/clock":
            if method == "POST":
                self.advance(float(handler._json().get("advance_s", 0)))
            return 200, {"now": iso(self.clock.now()), "offset_s": self.clock.offset_s}, {}
        if path == "/_sim/stats":
            return 200, self.stats(), {}
        if path.startswith("/_sim/vneid"):
            answer = vneid.control(self.vneid, method, path, handler._json)
            if answer is not None:
                return (*answer, {})
        if path == "/_sim/events":
            return 200, {"events": self.db.events(kiosk)}, {}
        if path == "/_sim/heartbeat":
            return 200, {"heartbeat": self.db.last_heartbeat(kiosk)}, {}
        if path == "/_sim/sms":
            return 200, {"sms": self.db.query("SELECT * FROM sms ORDER BY id")}, {}
        if path == "/_sim/results" and method == "POST":
            data = handler._json()
            try:
                row = self.db.add_result(
                    dossier_code=data["dossier_code"], kiosk_id=data["kiosk_id"],
                    procedure_code=data.get("procedure_code", "2.000635"),
                    phone=data.get("phone"), citizen_name=data.get("citizen_name"),
                    fee_due=data.get("fee_due"), id_check=data.get("id_check"))
            except KeyError as exc:
                raise _error(400, "bad_request", f"missing {exc}")
            return 201, row, {}
        m = re.fullmatch(r"/_sim/payments/([A-Z0-9]+)/confirm", path)
        if m and method == "POST":
            row = self.db.payment_confirm(m.group(1))
            if row is None:
                raise _error(404, "not_found", f"no payment {m.group(1)}")
            return 200, _payment_view(row), {}
        m = re.fullmatch(r"/_sim/uploads/([0-9a-f]{32})", path)
        if m:
            row = self.db.upload(m.group(1))
            if row is None:
                raise _error(404, "not_found", "no such upload")
            return 200, row, {}
        raise _error(404, "not_found", f"no control path {method} {path}")

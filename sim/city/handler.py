"""The HTTP plumbing of the city simulator: one handler per connection (HTTP/1.1 with
keep-alive) that reads bodies, authenticates the kiosk, applies the injected fault and
hands the request to the route that matches. Routes live in ``sim/city/routes/``.
"""
from __future__ import annotations

import json
import logging
import random
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sim.city.routes import collect
from sim.city.routing import API, MAX_JSON, MAX_UPLOAD, SIM, Drop, Reply, Request, error

log = logging.getLogger("sim.city")
API_ROUTES, CONTROL_ROUTES = collect()


def find(routes, method: str, path: str):
    for route in routes:
        groups = route.match(method, path)
        if groups is not None:
            return route.fn, groups
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CitySim/1.0"
    timeout = 30          # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True   # headers and body go out at once (no 40 ms stalls)

    @property
    def sim(self):
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
    def body_bytes(self, limit: int = MAX_JSON) -> bytes:
        if hasattr(self, "_body_cache"):
            return self._body_cache
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.close_connection = True
            raise error(413, "too_large", f"the body has {length} bytes; at most {limit}")
        self._body_cache = self.rfile.read(length) if length else b""
        return self._body_cache

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

    def _reply(self, status, body=None, headers=None):
        try:
            self._send(status, body, headers)
        except OSError:
            self.close_connection = True

    def _dispatch(self, method: str) -> None:
        self.__dict__.pop("_body_cache", None)   # one handler serves a whole connection
        url = urlsplit(self.path)
        path, query = url.path.rstrip("/") or "/", parse_qs(url.query)
        try:
            if path.startswith(SIM + "/"):
                self._reply(*self._control(Request(self, method, path[len(SIM):], query)))
                return
            if not path.startswith(API + "/"):
                raise error(404, "not_found", f"no such path {path}; the API is under {API}")
            fault = self.sim.faults.decide(method, path[len(API):])
            self._api(Request(self, method, path[len(API):], query, fault=fault))
        except Reply as r:
            if r.status >= 400 and not hasattr(self, "_body_cache") and r.status != 413:
                try:
                    self.body_bytes(MAX_UPLOAD)   # keep the connection usable
                except Reply:
                    pass
            self._reply(r.status, r.body, r.headers)
        except Drop:
            self._drop()
        except Exception as exc:   # a simulator bug must still answer
            log.exception("simulator error on %s %s", method, path)
            self.close_connection = True
            self._reply(500, {"error": "sim_bug", "message": repr(exc)})

    # ---- the two kinds of request ----------------------------------------------------
    def _control(self, req: Request):
        """``/_sim/...``: never faulted, no token."""
        found = find(CONTROL_ROUTES, req.method, req.path)
        if found is None:
            raise error(404, "not_found", f"no control path {req.method} {SIM}{req.path}")
        fn, groups = found
        return fn(req, *groups)

    def _api(self, req: Request) -> None:
        sim, fault = self.sim, req.fault
        if fault is not None:
            if fault.kind == "drop" and not fault.after:
                raise Drop()
            if fault.kind == "500":
                raise error(500, "internal", "simulated server error; retry later")
            if fault.kind == "429":
                raise error(429, "rate_limited", "too many requests; wait and retry",
                            {"Retry-After": sim.faults.plan.retry_after_s})
            if fault.kind == "delay":
                time.sleep(sim.faults.plan.delay_s)
        req.kiosk = self._auth()
        found = find(API_ROUTES, req.method, req.path)
        if found is None:
            raise error(404 if req.method in ("GET", "HEAD") else 405, "not_found",
                        f"no {req.method} {API}{req.path} in this API")
        fn, groups = found
        times = 2 if fault is not None and fault.kind == "duplicate" else 1
        for _ in range(times):
            status, body, headers = fn(req, *groups)
        if fault is not None and fault.kind == "drop" and fault.after:
            raise Drop()
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
            raise error(401, "unauthorized", "no bearer token; send 'Authorization: Bearer "
                                             "<token>' with the kiosk's token")
        tokens = self.sim.tokens
        if tokens is None:
            return claimed or "kiosk"
        kiosk = tokens.get(token)
        if kiosk is None:
            raise error(401, "unauthorized", "unknown token; check the kiosk's token file")
        if claimed and claimed != kiosk:
            raise error(403, "forbidden", f"this token belongs to kiosk {kiosk}, "
                                          f"not {claimed}")
        return kiosk


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

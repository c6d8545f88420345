"""What a city route module is made of: ``Route`` entries, the ``Request`` a route gets,
and the ``Reply``/``Drop`` a route raises to answer early or close the connection.

A route function is ``fn(req: Request, *groups) -> (status, body, headers)``: ``groups``
are the pattern's regex groups, ``body`` a dict/list (sent as JSON), bytes or None.
How to add one: see ``sim/city/routes/__init__.py``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from sim.city.faults import Fault

if TYPE_CHECKING:   # the server imports this module; no cycle at run time
    from http.server import BaseHTTPRequestHandler

    from sim.city.server import CitySim

API = "/api/v1"
SIM = "/_sim"
MAX_UPLOAD = 50 * 1024 * 1024
MAX_JSON = 8 * 1024 * 1024
ANY = "*"           # a control route that answers every method


class Drop(Exception):
    """Close the connection without an answer."""


class Reply(Exception):
    """Answer now with this status, body and headers (errors, mostly)."""

    def __init__(self, status: int, body=None, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def error(status: int, code: str, message: str, headers: dict | None = None) -> Reply:
    """The contract's error body: ``{"error": code, "message": what to do}``."""
    return Reply(status, {"error": code, "message": message}, headers)


Answer = tuple[int, Any, dict]


@dataclass(frozen=True)
class Route:
    """``Route("GET", r"/payments/([A-Z0-9]+)", fn)``: the pattern must match the whole
    path below ``/api/v1`` (``ROUTES``) or below ``/_sim`` (``CONTROL_ROUTES``)."""
    method: str
    pattern: str
    fn: Callable[..., Answer]
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "regex", re.compile(self.pattern))

    def match(self, method: str, path: str) -> tuple | None:
        if self.method not in (method, ANY):
            return None
        m = self.regex.fullmatch(path)
        return m.groups() if m else None


@dataclass
class Request:
    """One request as a route sees it. ``kiosk`` is the authenticated kiosk (API
    routes) and ``fault`` the fault the injector chose for it, if any."""
    handler: "BaseHTTPRequestHandler"
    method: str
    path: str
    query: dict[str, list[str]]
    kiosk: str | None = None
    fault: Fault | None = None

    @property
    def sim(self) -> "CitySim":
        return self.handler.server.sim  # type: ignore[attr-defined]

    @property
    def headers(self):
        return self.handler.headers

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        return (self.query.get(name) or [default])[0]

    def body(self, limit: int = MAX_JSON) -> bytes:
        """The whole body (read once, then cached for a duplicated request)."""
        return self.handler.body_bytes(limit)

    def read_raw(self, n: int) -> bytes:
        """Read ``n`` bytes of the body past the cache (a cut upload)."""
        return self.handler.rfile.read(n)

    def json(self) -> dict:
        raw = self.body()
        try:
            data = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise error(400, "bad_json", f"the body is not UTF-8 JSON: {exc}")
        if not isinstance(data, dict):
            raise error(400, "bad_json", "the body must be a JSON object")
        return data

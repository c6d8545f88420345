"""The city simulator's routes, one module per part of the contract.

How to add an endpoint:
1. Write ``sim/city/routes/<part>.py`` with route functions
   ``fn(req: Request, *groups) -> (status, body, headers)`` and a table
   ``ROUTES = [Route("POST", r"/<part>", fn), ...]`` for paths below ``/api/v1`` (they
   get authentication and the fault injector), and/or ``CONTROL_ROUTES = [...]`` for
   paths below ``/_sim`` (no token, never faulted: tests and the technician window).
   Raise ``error(status, code, message)`` for a contract error; keep tables in
   ``store/`` (see ``sim/city/store/__init__.py``).
2. Add one line ``"<part>",`` to ``MODULES`` below, in alphabetical order (so that
   parallel additions land on different lines and merge cleanly).
3. Document the endpoint in docs/city-api.md.
Two modules claiming the same method and pattern is refused when the server starts.
"""
from __future__ import annotations

import importlib

from sim.city.routing import Route

MODULES = (
    "catalog",
    "certificates",
    "commands",
    "control",
    "events",
    "heartbeat",
    "journal",
    "payments",
    "ping",
    "results",
    "sms",
    "uploads",
    "vneid",
)


def collect() -> tuple[list[Route], list[Route]]:
    """``(api_routes, control_routes)`` of every module in ``MODULES``."""
    api: list[Route] = []
    control: list[Route] = []
    seen: dict[tuple[str, str, str], str] = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for table, out in (("ROUTES", api), ("CONTROL_ROUTES", control)):
            for route in getattr(module, table, ()):
                key = (table, route.method, route.pattern)
                if key in seen:
                    raise ValueError(f"route {route.method} {route.pattern} is claimed by "
                                     f"both routes.{seen[key]} and routes.{name}")
                seen[key] = name
                out.append(route)
    return api, control

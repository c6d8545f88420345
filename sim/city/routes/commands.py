"""``GET /commands?wait=``: the kiosk's long poll of signed city commands; ``/_sim/commands``
queues, forges and replays them and lists every send (the desk: sim/city/commands.py)."""
from __future__ import annotations

import select
import socket

from sim.city.commands import CommandError
from sim.city.routing import Request, Route, error


def _client_alive(req: Request) -> bool:
    """False when the kiosk closed its end meanwhile (readable with nothing to read)."""
    conn = req.handler.connection
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return not readable or conn.recv(1, socket.MSG_PEEK) != b""
    except OSError:
        return False


def poll(req: Request):
    try:
        wait = float(req.arg("wait", "0") or 0)
    except ValueError:
        raise error(400, "bad_request", "'wait' must be a number of seconds")
    commands = req.sim.commands.take(req.kiosk, wait, lambda: _client_alive(req))
    return 200, {"commands": commands}, {}


def send(req: Request):
    try:
        return 201, req.sim.commands.create(req.json()), {}
    except CommandError as exc:
        raise error(400, "bad_command", str(exc))


def listing(req: Request):
    return 200, req.sim.commands.listing(req.arg("kiosk")), {}


def key(req: Request):
    return 200, {"public_key": req.sim.commands.public_key}, {}


ROUTES = [Route("GET", r"/commands", poll)]
CONTROL_ROUTES = [
    Route("POST", r"/commands", send),
    Route("GET", r"/commands", listing),
    Route("GET", r"/commands/key", key),
]

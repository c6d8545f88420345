"""The city's side of remote commands: signing, a queue per kiosk, the long poll, and
the acknowledgements read back from the kiosk's events.

The signing key is an Ed25519 key kept next to the city database (mode 0600) so that a
kiosk profile pinned to its public key stays valid across simulator restarts. Signing
is done here, independently of the kiosk's code: canonical JSON of every field but the
signature (keys sorted, no spaces, UTF-8).

Control (no token): ``POST /_sim/commands`` with ``{"kiosk", "command", "args",
"forge": false}`` → ``{"id"}``; ``{"replay": ID}`` sends an already delivered command
again (same id, same signature); test helpers ``"unsigned": true`` and
``"expires_in_s": -60`` (already expired). ``GET /_sim/commands?kiosk=`` lists every
send: ``id``, ``command``, ``status`` (queued, delivered, done, refused), ``reason``.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from datetime import timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

LIFETIME_S = 600.0
MAX_WAIT_S = 30.0


class CommandError(ValueError):
    """A control request that cannot be served; the message says why."""


def _canonical(body: dict) -> bytes:
    return json.dumps({k: v for k, v in body.items() if k != "signature"},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _iso(dt) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


class CommandDesk:
    def __init__(self, key_path: str | Path, clock):
        self.clock = clock
        self.key = load_or_create_key(Path(key_path))
        self._sends: list[dict] = []
        self._cond = threading.Condition()

    @property
    def public_key(self) -> str:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign(self, body: dict) -> str:
        return base64.b64encode(self.key.sign(_canonical(body))).decode()

    # ---- the operator's side ------------------------------------------------------------
    def create(self, data: dict) -> dict:
        if "replay" in data:
            return self.replay(str(data["replay"]))
        kiosk, command = data.get("kiosk"), data.get("command")
        if not isinstance(kiosk, str) or not kiosk or not isinstance(command, str):
            raise CommandError("'kiosk' and 'command' are required texts")
        args = data.get("args", {})
        now = self.clock.now()
        lifetime = float(data.get("expires_in_s", LIFETIME_S))
        issued = now if lifetime > 0 else now + timedelta(seconds=2 * lifetime)
        body = {"id": f"c-{secrets.token_hex(8)}", "kiosk": kiosk, "command": command,
                "args": args, "issued_at": _iso(issued),
                "expires_at": _iso(now + timedelta(seconds=lifetime))}
        if not data.get("unsigned"):
            sig = self.sign(body)
            if data.get("forge"):           # same length, wrong bytes
                raw = bytearray(base64.b64decode(sig))
                raw[0] ^= 0xFF
                sig = base64.b64encode(bytes(raw)).decode()
            body["signature"] = sig
        self._queue(kiosk, body)
        return {"id": body["id"]}

    def replay(self, command_id: str) -> dict:
        with self._cond:
            old = next((s for s in self._sends if s["id"] == command_id
                        and s["status"] != "queued"), None)
        if old is None:
            raise CommandError(f"no delivered command {command_id} to replay")
        self._queue(old["kiosk"], dict(old["envelope"]), replay=True)
        return {"id": command_id}

    def _queue(self, kiosk: str, envelope: dict, replay: bool = False) -> None:
        with self._cond:
            self._sends.append({"id": envelope["id"], "kiosk": kiosk,
                                "command": envelope["command"], "envelope": envelope,
                                "status": "queued", "reason": "", "replay": replay,
                                "queued_at": _iso(self.clock.now()), "delivered_at": None})
            self._cond.notify_all()

    def listing(self, kiosk: str | None) -> list[dict]:
        with self._cond:
            return [{"id": s["id"], "command": s["command"], "status": s["status"],
                     "reason": s["reason"], "replay": s["replay"],
                     "queued_at": s["queued_at"], "delivered_at": s["delivered_at"]}
                    for s in self._sends if kiosk is None or s["kiosk"] == kiosk]

    # ---- the kiosk's side ---------------------------------------------------------------
    def take(self, kiosk: str, wait_s: float, alive=lambda: True) -> list[dict]:
        """Queued commands for ``kiosk`` (marked delivered), waiting up to ``wait_s``.
        ``alive()`` false: the poll's client went away meanwhile (a kiosk killed while
        its long poll waited); the commands stay queued for its next poll."""
        wait_s = max(0.0, min(MAX_WAIT_S, wait_s))
        with self._cond:
            self._cond.wait_for(lambda: any(s["kiosk"] == kiosk and s["status"] == "queued"
                                            for s in self._sends), timeout=wait_s)
            if not alive():
                return []
            out = []
            for s in self._sends:
                if s["kiosk"] == kiosk and s["status"] == "queued":
                    s["status"], s["delivered_at"] = "delivered", _iso(self.clock.now())
                    out.append(s["envelope"])
            return out

    def note_events(self, kiosk: str, events: list) -> None:
        """Acknowledgements in a batch of the kiosk's events: the oldest delivered send of
        that id takes the outcome (a replay's refusal lands on the replay)."""
        for ev in events:
            if not isinstance(ev, dict) or ev.get("kind") not in ("command.done",
                                                                  "command.refused"):
                continue
            payload = ev.get("payload") or {}
            data = payload.get("data") or {}
            cid = data.get("id") or payload.get("subject")
            status = "done" if ev["kind"] == "command.done" else "refused"
            with self._cond:
                for s in self._sends:
                    if s["kiosk"] == kiosk and s["id"] == cid and s["status"] == "delivered":
                        s["status"], s["reason"] = status, data.get("reason", "")
                        break

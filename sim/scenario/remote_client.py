"""The script's end of the kiosk's remote control (ui/remote.py): JSON lines on a unix
socket. No Qt here; the kiosk may die at any moment (power cuts), so every call can
raise ``RemoteGone`` and ``connect`` waits for the kiosk to come back."""
from __future__ import annotations

import json
import socket
import time


class RemoteError(Exception):
    """The kiosk answered, but could not do what was asked."""


class RemoteGone(Exception):
    """No kiosk on the other end (not started yet, or its power was cut)."""


class RemoteClient:
    def __init__(self, path: str, timeout: float = 20.0):
        self.path = path
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._buf = b""
        self._next_id = 0

    def connect(self, wait_s: float = 60.0) -> "RemoteClient":
        deadline = time.monotonic() + wait_s
        last = None
        while time.monotonic() < deadline:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            try:
                s.connect(self.path)
                self._sock, self._buf = s, b""
                self.call("ping")
                return self
            except (OSError, RemoteGone) as exc:
                last = exc
                s.close()
                self._sock = None
                time.sleep(0.2)
        raise RemoteGone(f"no kiosk answers on {self.path} after {wait_s:.0f} s ({last}); "
                         "see kiosk-console.log in the run folder")

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def call(self, cmd: str, **args) -> dict:
        if self._sock is None:
            raise RemoteGone("not connected")
        self._next_id += 1
        req = {"id": self._next_id, "cmd": cmd, **args}
        try:
            self._sock.sendall(json.dumps(req, ensure_ascii=False).encode("utf-8") + b"\n")
            while b"\n" not in self._buf:
                chunk = self._sock.recv(65536)
                if not chunk:
                    raise RemoteGone("the kiosk closed the connection")
                self._buf += chunk
        except (OSError, socket.timeout) as exc:
            self.close()
            raise RemoteGone(f"lost the kiosk: {exc}") from None
        except RemoteGone:
            self.close()
            raise
        line, _, self._buf = self._buf.partition(b"\n")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise RemoteError(reply.get("error", "unknown error"))
        return reply

    # -- conveniences ------------------------------------------------------------------
    def screen(self) -> str:
        return self.call("screen")["screen"]

    def widgets(self) -> list[dict]:
        return self.call("widgets")["widgets"]

    def texts(self) -> list[str]:
        return [w["text"] for w in self.widgets() if w["text"]]

    def click(self, text: str | None = None, *, name: str | None = None, **kw) -> dict:
        if name:
            return self.call("click", name=name, **kw)
        return self.call("click", text=text, **kw)

    def type(self, text: str, via: str = "auto") -> dict:
        return self.call("type", text=text, via=via)

    def screenshot(self, path: str) -> dict:
        return self.call("screenshot", path=str(path))

    def wait_screen(self, names, timeout: float = 20.0, poll: float = 0.1) -> str:
        names = {names} if isinstance(names, str) else set(names)
        deadline = time.monotonic() + timeout
        current = ""
        while time.monotonic() < deadline:
            current = self.screen()
            if current in names:
                return current
            time.sleep(poll)
        raise RemoteError(f"waited {timeout:.0f} s for screen {sorted(names)}; still on "
                          f"{current!r}")

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

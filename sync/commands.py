"""Fetching the city's commands by long poll, on a thread of its own.

``GET /commands?wait=20`` is answered as soon as a command is queued for this kiosk (or
empty after ``wait`` seconds), so a command reaches the kiosk well within 5 seconds
without a tight poll; the sync thread's outbox, heartbeat and uploads never wait for
it. Each command is handed to the runner; the runner's acknowledgement goes to the city
as an outbox event (``command.done`` / ``command.refused``), and the outbox is kicked
so it leaves at once. A link failure waits a short, capped backoff.
"""
from __future__ import annotations

import logging
import threading

from sync.backoff import Backoff
from sync.client import CityClient
from sync.errors import CityError

log = logging.getLogger(__name__)


class CommandPoller:
    def __init__(self, client: CityClient, runner, *, wait_s: float = 20.0,
                 kick=None, backoff: Backoff | None = None):
        self.client, self.runner, self.wait_s = client, runner, wait_s
        self.kick = kick
        self.backoff = backoff or Backoff(0.5, 5.0)
        self.handled = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> int:
        """One long poll; how many commands were handled. Raises ``CityError``."""
        commands = self.client.commands(self.wait_s)
        for item in commands:
            self.runner.handle(item)
            self.handled += 1
        if commands and self.kick is not None:
            self.kick()
        return len(commands)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
                self.backoff.reset()
            except CityError as exc:
                delay = self.backoff.delay()
                log.info("commands: %s; next poll in %.1f s", exc, delay)
                self._stop.wait(delay)
            except Exception:
                log.exception("command poll failed")
                self._stop.wait(self.backoff.delay())

    def start(self) -> "CommandPoller":
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="city-commands",
                                            daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self.client.close()          # ends a long poll in progress
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)


def build_command_poller(cfg, runner) -> CommandPoller:
    from sync.token import read_token
    token = read_token(cfg.path(cfg.secrets.city_token_file))
    client = CityClient(cfg.city.base_url, token, cfg.kiosk.id,
                        timeout_s=cfg.commands.poll_wait_s + 10)
    kick = getattr(runner.sync, "kick", None)
    return CommandPoller(client, runner, wait_s=cfg.commands.poll_wait_s, kick=kick)

"""Every SMS of the simulated world, sent through the city or the kiosk's modem, read
incrementally from the two JSONL inboxes (scripts poll this many times a second)."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path


class SmsLog:
    """A mixin of ``SimLauncher``: needs ``city``, ``modem_inbox`` and ``clock_offset``."""

    def _init_sms(self) -> None:
        self._sms: list[dict] = []
        self._sms_pos: dict[Path, int] = {}
        self._sms_lock = threading.Lock()

    def sms(self) -> list[dict]:
        """Every SMS so far, city and modem, in the order they arrived: {time, to, text,
        via}.
        The inbox files are read incrementally: scripts poll this many times a second."""
        with self._sms_lock:
            for path, via in ((self.city_sms_path(), "city"), (self.modem_inbox, "modem")):
                if path is None or not path.exists():
                    continue
                pos = self._sms_pos.get(path, 0)
                if path.stat().st_size <= pos:
                    continue
                with path.open("rb") as f:
                    f.seek(pos)
                    data = f.read()
                end = data.rfind(b"\n") + 1          # a line still being written waits
                self._sms_pos[path] = pos + end
                for line in data[:end].decode("utf-8", "replace").splitlines():
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    when = rec.get("time") or rec.get("at") or ""
                    if via == "modem" and when:
                        # the modem stamps the wall clock; the world runs on simulated time
                        try:
                            when = (datetime.fromisoformat(when.replace("Z", "+00:00"))
                                    + timedelta(seconds=self.clock_offset())).astimezone(
                                timezone.utc).isoformat(timespec="milliseconds").replace(
                                "+00:00", "Z")
                        except ValueError:
                            pass
                    self._sms.append({"time": when,
                                      "to": rec.get("to", ""), "text": rec.get("text", ""),
                                      "via": via})
            # kept in the order they were found, not by their time stamps: the city
            # stamps its own (simulated) time, the modem the wall clock
            return list(self._sms)

    def city_sms_path(self) -> Path | None:
        if self.city is None:
            return None
        return Path(self.city.db.sms_inbox)

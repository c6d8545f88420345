"""Settings the city may change remotely (``config.set``), over the profile's values.

Only the keys of ``WHITELIST`` are accepted, each validated as strictly as the profile
itself; values are kept in the settings table (they survive a restart) and held in
memory for readers on the UI thread. Listeners hear of a change at once.
"""
from __future__ import annotations

import json
import threading
from typing import Callable

from kiosk.config import RoundsSection

PREFIX = "override."
NOTICE_LANGS = ("vi", "en", "zh")


def _round_times(value):
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError("rounds.times is a list of 'HH:MM' times, e.g. ['08:00', '13:30']")
    return RoundsSection(times=value).times          # the profile's own checks


def _notice(value):
    """One text for every language, or {"vi": ..., "en": ..., "zh": ...}; '' clears."""
    if isinstance(value, str):
        value = {lang: value for lang in NOTICE_LANGS}
    if not isinstance(value, dict) or set(value) - set(NOTICE_LANGS) or \
            not all(isinstance(v, str) for v in value.values()):
        raise ValueError("notice.text is a text, or an object with 'vi', 'en', 'zh' texts")
    for lang, text in value.items():
        if len(text) > 300 or any(ord(c) < 32 and c != "\n" for c in text):
            raise ValueError(f"notice.text ({lang}): at most 300 printable characters")
    return value


WHITELIST: dict[str, Callable] = {"rounds.times": _round_times, "notice.text": _notice}


class Overrides:
    def __init__(self, store):
        self.store = store
        self._values = {k: store.get_setting(PREFIX + k) for k in WHITELIST}
        self._values = {k: v for k, v in self._values.items() if v is not None}
        self._listeners: dict[str, list[Callable]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def validate(key, value):
        if key not in WHITELIST:
            raise KeyError(f"{key!r} cannot be set remotely; allowed: {sorted(WHITELIST)}")
        return WHITELIST[key](value)

    def get(self, key: str, default=None):
        return self._values.get(key, default)

    def write(self, key: str, value) -> None:
        """Inside the caller's transaction: store a validated value."""
        self.store.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value",
                           (PREFIX + key, json.dumps(value, ensure_ascii=False)))

    def changed(self, key: str, value) -> None:
        """After the commit: the new value is live."""
        with self._lock:
            self._values[key] = value
        for cb in list(self._listeners.get(key, [])):
            try:
                cb(value)
            except Exception:   # a listener must not undo the change
                pass

    def subscribe(self, key: str, callback: Callable) -> None:
        """``callback(value)`` now if the key is overridden, and on every change."""
        self._listeners.setdefault(key, []).append(callback)
        if key in self._values:
            callback(self._values[key])

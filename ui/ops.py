"""Run slow work off the UI thread; deliver the outcome on the UI thread.

The habit of Anki's ``CollectionOp``/``QueryOp``: the screen hands a plain function to
``OpRunner.run``; it runs on a worker thread and ``on_success(result)`` or
``on_failure(exc)`` is called later on the UI thread. The work function must not touch
widgets. ``cancel_all`` (Home, idle reset) drops the outcomes of work still running so
a late answer cannot paint over the next citizen's screen.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

log = logging.getLogger(__name__)


class OpRunner(QObject):
    _deliver = pyqtSignal(object)
    busy_changed = pyqtSignal(bool)

    def __init__(self, parent=None, workers: int = 4):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ui-op")
        self._generation = 0
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self._deliver.connect(self._on_deliver)

    @property
    def pending(self) -> int:
        return self._pending

    def run(self, fn: Callable, *args, on_success: Callable | None = None,
            on_failure: Callable | None = None, **kwargs) -> None:
        if self._closed:
            return
        generation = self._generation
        with self._lock:
            self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def work():
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:   # delivered to on_failure on the UI thread
                self._deliver.emit((generation, on_failure, exc, True))
            else:
                self._deliver.emit((generation, on_success, result, False))

        self._pool.submit(work)

    def _on_deliver(self, item) -> None:
        generation, callback, value, failed = item
        with self._lock:
            self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if generation != self._generation or self._closed:
            return
        if failed and callback is None:
            log.error("background work failed: %r", value)
            return
        if callback is not None:
            callback(value)

    def cancel_all(self) -> None:
        """Forget the outcome of everything still running."""
        self._generation += 1

    def later(self, ms: int, fn: Callable) -> None:
        """Call ``fn`` on the UI thread after ``ms`` unless cancelled meanwhile."""
        generation = self._generation
        QTimer.singleShot(ms, lambda: None if generation != self._generation
                          or self._closed else fn())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

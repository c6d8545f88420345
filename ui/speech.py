"""Spoken guidance with espeak-ng; optional, off by default, never blocks the screen.

Each new sentence stops the one still playing. If espeak-ng is missing the speaker
simply stays silent (the screen says everything too).
"""
from __future__ import annotations

import shutil
import subprocess

VOICES = {"vi": "vi", "en": "en", "zh": "cmn"}


class Speaker:
    def __init__(self, enabled: bool = False, program: str = "espeak-ng"):
        self.program = shutil.which(program)
        self.enabled = bool(enabled and self.program)
        self._proc: subprocess.Popen | None = None
        self.spoken: list[str] = []      # what was said, for the technician log and tests

    @property
    def available(self) -> bool:
        return self.program is not None

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on and self.program)
        if not self.enabled:
            self.stop()

    def say(self, text: str, lang: str = "vi") -> None:
        if not self.enabled or not text:
            return
        self.stop()
        self.spoken.append(text)
        try:
            self._proc = subprocess.Popen(
                [self.program, "-v", VOICES.get(lang, "vi"), "-s", "140", "--", text],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
        except OSError:
            self._proc = None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()

    def close(self) -> None:
        self.stop()

"""Simulated serial code reader on a pseudo-terminal: ``show(text)`` "reads" a code."""
from __future__ import annotations

import os

from sim.ptylink import PtyLink


class CodeReaderSim:
    """Sends each shown code as UTF-8 followed by CR (or CR LF), as a real reader does."""

    def __init__(self, link: str | os.PathLike | None = None, *, crlf: bool = False):
        self.link = PtyLink(link)
        self.crlf = crlf
        self.shown: list[str] = []

    @property
    def path(self) -> str:
        return self.link.path

    def show(self, text: str, encoding: str = "utf-8") -> None:
        """``encoding``: what a reader set to another code page sends (cp1258, utf-16)."""
        self.shown.append(text)
        self.link.write(text.encode(encoding, "replace") + (b"\r\n" if self.crlf else b"\r"))

    def close(self) -> None:
        self.link.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ["CodeReaderSim"]

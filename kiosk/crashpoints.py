"""Named places where a power cut could split a piece of work.

In production ``crashpoint`` does nothing. A crash test sets ``KIOSK_CRASHPOINT`` to one
name and the process dies right there, as abruptly as a pulled plug (``os._exit``), so
that recovery can be checked step by step (the way SQLite tests its own crashes).
"""
from __future__ import annotations

import os

_TARGET = os.environ.get("KIOSK_CRASHPOINT") or None


def crashpoint(name: str) -> None:
    if _TARGET is not None and name == _TARGET:
        os._exit(137)

"""The one refusal a citizen use case raises; the UI maps ``reason`` to plain words."""
from __future__ import annotations

ACTOR = "citizen"


class CitizenError(Exception):
    """A refusal the citizen must be told about; ``reason`` picks the UI message."""

    def __init__(self, reason: str, message: str = "", **details):
        super().__init__(message or reason)
        self.reason = reason
        self.details = details

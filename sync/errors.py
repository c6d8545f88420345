"""Our own errors for the city link, so callers never see a requests exception.

``retryable`` tells the outbox whether to try again later (network, 5xx, 429, auth) or
to park the event for a person to look at (a 4xx that will never change).
"""
from __future__ import annotations


class CityError(Exception):
    """The city system could not do what was asked; the message says why."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code


class CityUnreachable(CityError):
    """No answer: no route, connection refused or dropped, or a timeout."""


class CityServerError(CityError):
    """The city answered 5xx or something that is not the contract."""


class CityRateLimited(CityError):
    """429: the city asks us to wait ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: float | None, **kw):
        super().__init__(message, **kw)
        self.retry_after_s = retry_after_s


class CityAuthError(CityError):
    """401/403: the token is wrong or revoked; the kiosk keeps queueing meanwhile."""


class CityRejected(CityError):
    """A 4xx the request will always get: fix the request, do not retry it."""

    retryable = False


class UploadOffsetMismatch(CityError):
    """409 on PATCH: the server holds ``offset`` bytes; continue from there."""

    def __init__(self, message: str, offset: int | None, **kw):
        super().__init__(message, **kw)
        self.offset = offset


class UploadChecksumMismatch(CityError):
    """460: the whole file arrived but its SHA-256 differs; the server reset it to 0."""


class SmsNotSent(Exception):
    """Neither the city nor the GSM modem could send the SMS."""


class TokenFileError(Exception):
    """The city API token file is missing, empty or readable by other users."""

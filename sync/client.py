"""The HTTP client of the city API (docs/city-api.md): one requests Session, a timeout
on every call, and every failure turned into a ``sync.errors`` type."""
from __future__ import annotations

import email.utils

from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests

from sync.errors import (CityAuthError, CityError, CityRateLimited, CityRejected,
                         CityServerError, CityUnreachable, UploadChecksumMismatch,
                         UploadOffsetMismatch)

USER_AGENT = "dossier-kiosk-sync/1"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class CityClient:
    """``CityClient(base_url, token, kiosk_id, timeout_s=5)``; close() when done."""

    def __init__(self, base_url: str, token: str, kiosk_id: str, *, timeout_s: float = 5.0,
                 connect_timeout_s: float | None = None):
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.timeout = (connect_timeout_s or min(timeout_s, 3.05), timeout_s)
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}",
                                     "X-Kiosk-Id": kiosk_id, "User-Agent": USER_AGENT,
                                     "Accept": "application/json"})
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- plumbing --------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        if path.startswith("/api/"):     # a Location header: absolute path on the server
            parts = urlsplit(self.base_url)
            return f"{parts.scheme}://{parts.netloc}{path}"
        return self.base_url + path

    def request(self, method: str, path: str, *, ok=(200,), timeout=None,
                **kw) -> requests.Response:
        url = self._url(path)
        what = f"{method} {urlsplit(url).path}"
        try:
            # no redirects: the contract has none, and a bad Location must not escape
            resp = self.session.request(method, url, timeout=timeout or self.timeout,
                                        allow_redirects=False, **kw)
        except requests.Timeout:
            raise CityUnreachable(f"{what}: no answer within {self.timeout[1]} s; the city "
                                  "link is slow or down, the request will be retried") \
                from None
        except requests.ConnectionError as exc:
            raise CityUnreachable(f"{what}: cannot reach the city system "
                                  f"({type(exc).__name__}); check the network link") from None
        except requests.RequestException as exc:
            raise CityUnreachable(f"{what}: request failed ({exc})") from None
        except (UnicodeError, ValueError) as exc:    # headers that are not text, etc.
            raise CityServerError(f"{what}: the answer could not be read "
                                  f"({type(exc).__name__}); the request will be retried") \
                from None
        status = resp.status_code
        if status in ok:
            return resp
        body = _json_or_none(resp)
        code = body.get("error", "") if isinstance(body, dict) else ""
        message = body.get("message", "") if isinstance(body, dict) else resp.text[:200]
        text = f"{what}: city answered {status} {code} {message}".strip()
        if status == 429:
            raise CityRateLimited(text, parse_retry_after(resp.headers.get("Retry-After")),
                                  status=status, code=code)
        if status in (401, 403):
            raise CityAuthError(text + "; check the token file named in the profile "
                                "(secrets.city_token_file)", status=status, code=code)
        if status == 409 and "Upload-Offset" in resp.headers:
            raise UploadOffsetMismatch(text, _int(resp.headers.get("Upload-Offset")),
                                       status=status, code=code)
        if status == 460:
            raise UploadChecksumMismatch(text, status=status, code=code)
        if status in (408, 425) or status >= 500:
            raise CityServerError(text, status=status, code=code)
        if 400 <= status < 500:
            raise CityRejected(text, status=status, code=code)
        raise CityServerError(text + " (unexpected status)", status=status, code=code)

    def _json(self, resp: requests.Response) -> dict:
        body = _json_or_none(resp)
        if not isinstance(body, dict):
            raise CityServerError(f"{resp.request.method} {urlsplit(resp.url).path}: the "
                                  "answer is not a JSON object", status=resp.status_code)
        return body

    # ---- the contract ----------------------------------------------------------------
    def ping(self) -> dict:
        return self._json(self.request("GET", "/ping"))

    def catalog(self, etag: str | None = None) -> tuple[str | None, dict | None]:
        """(etag, document), or (etag, None) when the cached version is still current."""
        headers = {"If-None-Match": etag} if etag else {}
        resp = self.request("GET", "/catalog", ok=(200, 304), headers=headers)
        if resp.status_code == 304:
            return etag, None
        doc = self._json(resp)
        if not isinstance(doc.get("procedures"), list):
            raise CityServerError("GET /catalog: no 'procedures' list in the answer")
        return resp.headers.get("ETag"), doc

    def send_events(self, events: list[dict]) -> dict:
        body = self._json(self.request("POST", "/events", json={"events": events}))
        for k in ("accepted", "duplicates", "rejected"):
            if not isinstance(body.get(k, []), list):
                raise CityServerError(f"POST /events: '{k}' is not a list")
        return body

    def results(self, after: str | int = 0, limit: int = 100) -> dict:
        body = self._json(self.request("GET", "/results",
                                       params={"after": after, "limit": limit}))
        if not isinstance(body.get("results"), list) or "cursor" not in body:
            raise CityServerError("GET /results: the answer lacks 'results' or 'cursor'")
        return body

    def upload_create(self, *, key: str, length: int, sha256: str,
                      dossier_code: str | None, filename: str | None) -> dict:
        resp = self.request("POST", "/uploads", ok=(200, 201),
                            json={"key": key, "length": length, "sha256": sha256,
                                  "dossier_code": dossier_code, "filename": filename})
        body = self._json(resp)
        body["location"] = resp.headers.get("Location") or body.get("location")
        if not body.get("location"):
            raise CityServerError("POST /uploads: no Location in the answer")
        return body

    def upload_offset(self, location: str) -> tuple[int, int, bool]:
        """(offset, length, complete) of an upload, to resume it."""
        resp = self.request("HEAD", location)
        offset = _int(resp.headers.get("Upload-Offset"))
        if offset is None:
            raise CityServerError(f"HEAD {location}: no Upload-Offset header")
        return offset, _int(resp.headers.get("Upload-Length")) or 0, \
            resp.headers.get("Upload-Complete") == "1"

    def upload_patch(self, location: str, offset: int, chunk: bytes) -> tuple[int, bool]:
        """Send bytes from ``offset``; returns (new offset, complete)."""
        resp = self.request("PATCH", location, ok=(200, 204), data=chunk,
                            headers={"Upload-Offset": str(offset),
                                     "Content-Type": "application/offset+octet-stream"})
        new = _int(resp.headers.get("Upload-Offset"))
        if new is None:
            raise CityServerError(f"PATCH {location}: no Upload-Offset header")
        return new, resp.headers.get("Upload-Complete") == "1"

    def sms_send(self, *, key: str, to: str, text: str, timeout=None) -> dict:
        return self._json(self.request("POST", "/sms", ok=(200, 202), timeout=timeout,
                                       json={"key": key, "to": to, "text": text}))

    def payment_create(self, *, key: str, amount: int, dossier_code: str | None,
                       purpose: str) -> dict:
        return self._json(self.request("POST", "/payments", ok=(200, 201),
                                       json={"key": key, "amount": amount,
                                             "dossier_code": dossier_code,
                                             "purpose": purpose}))

    def payment_status(self, payment_id: str) -> dict:
        return self._json(self.request("GET", f"/payments/{payment_id}"))

    def commands(self, wait_s: float) -> list:
        """The city's commands for this kiosk; a long poll answered at once when one is
        queued, empty after ``wait_s`` (docs/city-api.md)."""
        body = self._json(self.request("GET", "/commands", params={"wait": wait_s},
                                       timeout=(self.timeout[0], wait_s + 10)))
        if not isinstance(body.get("commands"), list):
            raise CityServerError("GET /commands: no 'commands' list in the answer")
        return body["commands"]

    def heartbeat(self, body: dict) -> dict:
        return self._json(self.request("POST", "/heartbeat", json=body))


def _json_or_none(resp: requests.Response):
    if not resp.content:
        return None
    try:
        return resp.json()
    except (ValueError, RecursionError):     # not JSON, or nested beyond reason
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


__all__ = ["CityClient", "CityError", "parse_retry_after"]

"""Resumable uploads (tus-like): ``POST /uploads`` creates, ``HEAD`` tells the offset,
``PATCH`` appends from it; ``/_sim/uploads/<id>`` shows the stored row."""
from __future__ import annotations

import re

from sim.city.ecopy import check_upload, ecopy_refusal
from sim.city.routing import ANY, API, MAX_UPLOAD, Drop, Request, Route, error

UID = r"([0-9a-f]{32})"


def create_upload(req: Request):
    data = req.json()
    length, sha = data.get("length"), str(data.get("sha256") or "")
    if not isinstance(length, int) or not 0 < length <= MAX_UPLOAD:
        raise error(400, "bad_request", f"'length' must be 1..{MAX_UPLOAD} bytes")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
        raise error(400, "bad_request", "'sha256' must be 64 hex digits")
    row, new = req.sim.db.upload_create(req.kiosk, data.get("key"), length, sha,
                                        data.get("dossier_code"), data.get("filename"))
    loc = f"{API}/uploads/{row['id']}"
    return (201 if new else 200), {"upload_id": row["id"], "location": loc,
                                   "offset": row["offset"], "length": row["length"],
                                   "complete": bool(row["complete"])}, \
        {"Location": loc, "Upload-Offset": row["offset"]}


def _row(req: Request, uid: str) -> dict:
    row = req.sim.db.upload(uid)
    if row is None or row["kiosk_id"] != req.kiosk:
        raise error(404, "not_found", f"no upload {uid}; create it again")
    return row


def _headers(row) -> dict:
    return {"Upload-Offset": row["offset"], "Upload-Length": row["length"],
            "Upload-Complete": "1" if row["complete"] else "0",
            "Cache-Control": "no-store"}


def upload_head(req: Request, uid: str):
    return 200, None, _headers(_row(req, uid))


def upload_patch(req: Request, uid: str):
    row = _row(req, uid)
    db, fault = req.sim.db, req.fault
    if req.headers.get("Content-Type", "") != "application/offset+octet-stream":
        raise error(415, "bad_type", "PATCH needs Content-Type "
                                     "application/offset+octet-stream")
    try:
        offset = int(req.headers.get("Upload-Offset", ""))
    except ValueError:
        raise error(400, "bad_request", "Upload-Offset header missing or not a number")
    refused = db.ecopy_verdict(uid)
    if refused is not None and not refused["ok"]:
        raise ecopy_refusal(refused, _headers(row))
    if row["complete"]:
        return 204, None, _headers(row)
    if offset != row["offset"]:
        raise error(409, "offset_mismatch", f"the server holds {row['offset']} bytes; "
                                            "send from there (HEAD tells)", _headers(row))
    length = int(req.headers.get("Content-Length") or 0)
    if offset + length > row["length"]:
        raise error(400, "too_long", f"{offset}+{length} bytes run past the declared "
                                     f"length {row['length']}")
    if fault is not None and fault.kind == "cut":
        part = req.read_raw(int(length * fault.cut_fraction))
        db.upload_append(uid, offset, part)
        raise Drop()
    chunk = req.body(MAX_UPLOAD)
    try:
        row = db.upload_append(uid, offset, chunk)
    except ValueError:   # a duplicate request already appended this chunk
        row = _row(req, uid)
        if row["complete"]:
            return 204, None, _headers(row)
        raise error(409, "offset_mismatch", f"the server holds {row['offset']} bytes",
                    _headers(row))
    if row["offset"] == row["length"]:
        if not db.upload_finish(uid):
            row = _row(req, uid)
            raise error(460, "checksum_mismatch", "the file's SHA-256 differs from the "
                                                  "one declared; upload it again from 0",
                        _headers(row))
        row = _row(req, uid)
        if req.sim.verify_uploads and _is_dossier_pdf(row):   # a signed PDF/A e-copy
            verdict = check_upload(req.sim, row)
            if not verdict.ok:
                raise ecopy_refusal(verdict, _headers(row))
    return 204, None, _headers(row)


def _is_dossier_pdf(row) -> bool:
    """Dossier scans must be e-copies; other files (a technician's log bundle) are not."""
    name = (row.get("filename") or "").lower()
    return not name or name.endswith(".pdf")


def upload_row(req: Request, uid: str):
    row = req.sim.db.upload(uid)
    if row is None:
        raise error(404, "not_found", "no such upload")
    return 200, row, {}


ROUTES = [
    Route("POST", r"/uploads", create_upload),
    Route("HEAD", rf"/uploads/{UID}", upload_head),
    Route("PATCH", rf"/uploads/{UID}", upload_patch),
]
CONTROL_ROUTES = [Route(ANY, rf"/uploads/{UID}", upload_row)]

"""The city's side of signed e-copies: certificates for kiosk keys (``POST
/certificates``) and the check of every finished upload (signature and PDF/A claim).

A refused upload stays refused: the verdict is kept in the city's database
(``ecopy_checks``) and every later PATCH or HEAD on it gets the same error.
"""
from __future__ import annotations

import logging

from cryptography.hazmat.primitives import serialization

from sim.city.ca import CsrRefused
from sim.city.db import iso
from sim.city.ecopy import Verdict, verify_ecopy

log = logging.getLogger("sim.city")
SCHEMA = """CREATE TABLE IF NOT EXISTS ecopy_checks (
    upload_id TEXT PRIMARY KEY, kiosk_id TEXT, dossier_code TEXT, ok INTEGER NOT NULL,
    code TEXT, message TEXT, signer TEXT, pdfa TEXT, pages INTEGER, checked_at TEXT);
CREATE TABLE IF NOT EXISTS certificates (
    serial TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, not_after TEXT, issued_at TEXT)"""
REFUSED_STATUS = 422


def ensure_schema(db) -> None:
    with db.lock:
        db.conn.executescript(SCHEMA)


def h_certificate(handler, kiosk, query, fault):
    """A CSR in, a certificate for the token's kiosk out, with the CA certificate."""
    from sim.city.server import _error
    data = handler._json()
    csr = data.get("csr")
    if not isinstance(csr, str) or "BEGIN CERTIFICATE REQUEST" not in csr:
        raise _error(400, "bad_request", "'csr' must be a PEM certificate request")
    sim = handler.sim
    try:
        cert = sim.ca.issue(csr, kiosk, sim.clock.now())
    except CsrRefused as exc:
        raise _error(400, "csr_refused", str(exc))
    with sim.db._tx():
        sim.db.conn.execute(
            "INSERT INTO certificates(serial, kiosk_id, not_after, issued_at) "
            "VALUES (?,?,?,?)", (f"{cert.serial_number:x}", kiosk,
                                 cert.not_valid_after_utc.isoformat(), iso(sim.clock.now())))
    log.info("certificate %x issued to %s", cert.serial_number, kiosk)
    return 201, {"certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
                 "chain": [sim.ca.pem()], "serial": f"{cert.serial_number:x}",
                 "not_after": cert.not_valid_after_utc.isoformat()}, {}


def verdict_for(sim, upload_id: str) -> dict | None:
    rows = sim.db.query("SELECT * FROM ecopy_checks WHERE upload_id = ?", (upload_id,))
    return rows[0] if rows else None


def check_finished_upload(sim, row: dict) -> Verdict:
    """Check a whole upload and keep the verdict."""
    data = sim.db.upload_bytes(row["id"])
    verdict = verify_ecopy(data, sim.ca.cert_path, row["kiosk_id"])
    with sim.db._tx():
        sim.db.conn.execute(
            "INSERT OR REPLACE INTO ecopy_checks(upload_id, kiosk_id, dossier_code, ok, "
            "code, message, signer, pdfa, pages, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (row["id"], row["kiosk_id"], row.get("dossier_code"), int(verdict.ok),
             verdict.code, verdict.message, verdict.signer, verdict.pdfa, verdict.pages,
             iso(sim.clock.now())))
    if not verdict.ok:
        log.warning("upload %s from %s refused: %s", row["id"], row["kiosk_id"],
                    verdict.message)
    return verdict


def refusal(verdict: dict | Verdict, headers: dict):
    """The error a refused upload gets, every time it is asked about."""
    from sim.city.server import _error
    code = verdict.code if isinstance(verdict, Verdict) else verdict["code"]
    message = verdict.message if isinstance(verdict, Verdict) else verdict["message"]
    return _error(REFUSED_STATUS, f"ecopy_{code}", f"e-copy refused: {message}", headers)


ROUTES = [
    ("POST", r"/certificates", h_certificate),
]

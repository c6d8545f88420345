"""The city as CA for kiosk signing keys: ``POST /certificates`` takes a CSR and gives
back a certificate for the token's kiosk, with the CA certificate (see sim/city/ca.py)."""
from __future__ import annotations

import logging

from cryptography.hazmat.primitives import serialization

from sim.city.ca import CsrRefused
from sim.city.routing import Request, Route, error

log = logging.getLogger("sim.city")


def issue_certificate(req: Request):
    csr = req.json().get("csr")
    if not isinstance(csr, str) or "BEGIN CERTIFICATE REQUEST" not in csr:
        raise error(400, "bad_request", "'csr' must be a PEM certificate request")
    sim = req.sim
    try:
        cert = sim.ca.issue(csr, req.kiosk, sim.clock.now())
    except CsrRefused as exc:
        raise error(400, "csr_refused", str(exc))
    serial = f"{cert.serial_number:x}"
    sim.db.certificate_issued(serial, req.kiosk, cert.not_valid_after_utc.isoformat())
    log.info("certificate %s issued to %s", serial, req.kiosk)
    return 201, {"certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
                 "chain": [sim.ca.pem()], "serial": serial,
                 "not_after": cert.not_valid_after_utc.isoformat()}, {}


ROUTES = [Route("POST", r"/certificates", issue_certificate)]

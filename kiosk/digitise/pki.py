"""The kiosk's signing key and the certificate the city issues for it.

The key is made on the kiosk and never leaves it: a file of mode 0600 outside the
database (refused when others can read it). At the first start with the city reachable
the kiosk sends a CSR and keeps the certificate and the city's CA certificate it gets
back; it asks again (same key) once fewer than ``renew_days`` are left. After that,
signing needs no network: an unreachable city only delays a renewal.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.secrets import read_secret, write_secret

log = logging.getLogger(__name__)
ENROL_PATH = "/certificates"


class NotEnrolled(Exception):
    """No usable certificate and the city could not issue one; the message says why."""


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Credentials:
    """``Credentials(key_file, cert_file, chain_file, kiosk_id)``; ``ensure(client, now)``
    before signing; ``key_file``/``cert_file``/``chain_file`` are what pyHanko loads."""

    def __init__(self, key_file: str | Path, cert_file: str | Path, chain_file: str | Path,
                 kiosk_id: str, *, renew_days: int = 30):
        self.key_file, self.cert_file = Path(key_file), Path(cert_file)
        self.chain_file = Path(chain_file)
        self.kiosk_id, self.renew_days = kiosk_id, renew_days

    # ---- the key ---------------------------------------------------------------------
    def key(self) -> ec.EllipticCurvePrivateKey:
        """The signing key, made on first use (P-256, 0600)."""
        if not self.key_file.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            write_secret(self.key_file, key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
            log.info("signing key made at %s", self.key_file)
            return key
        # the secrets rules: a plain file, mode 0600, owned by the kiosk's user
        return serialization.load_pem_private_key(read_secret(self.key_file), password=None)

    # ---- the certificate -------------------------------------------------------------
    def certificate(self) -> x509.Certificate | None:
        if not self.cert_file.exists():
            return None
        return x509.load_pem_x509_certificate(self.cert_file.read_bytes())

    def state(self, now: datetime) -> str:
        """'missing', 'valid', 'renew' (valid, but due) or 'expired'."""
        cert = self.certificate()
        if cert is None or not self.chain_file.exists():
            return "missing"
        now = now.astimezone(timezone.utc)
        if now >= cert.not_valid_after_utc or now < cert.not_valid_before_utc:
            return "expired"
        if now >= cert.not_valid_after_utc - timedelta(days=self.renew_days):
            return "renew"
        return "valid"

    def csr_pem(self) -> str:
        key = self.key()
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([
                   x509.NameAttribute(NameOID.COMMON_NAME, self.kiosk_id),
                   x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "dossier kiosk")]))
               .sign(key, hashes.SHA256()))
        return csr.public_bytes(serialization.Encoding.PEM).decode()

    def enrol(self, client) -> x509.Certificate:
        """Send a CSR to the city's CA and keep what comes back (after checking it)."""
        resp = client.request("POST", ENROL_PATH, ok=(200, 201),
                              json={"kiosk_id": self.kiosk_id, "csr": self.csr_pem()})
        body = client._json(resp)
        try:
            cert = x509.load_pem_x509_certificate(body["certificate"].encode())
            chain = [x509.load_pem_x509_certificate(p.encode()) for p in body["chain"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise NotEnrolled(f"the city's answer holds no readable certificate ({exc})") \
                from None
        mine = self.key().public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        theirs = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if mine != theirs:
            raise NotEnrolled("the city issued a certificate for another key; not kept")
        if not chain or cert.issuer != chain[0].subject:
            raise NotEnrolled("the certificate's issuer is not the CA the city sent")
        chain[0].public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                                     ec.ECDSA(cert.signature_hash_algorithm))
        _write_private(self.chain_file, b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in chain), 0o644)
        _write_private(self.cert_file, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        log.info("certificate %x issued by the city, valid until %s", cert.serial_number,
                 cert.not_valid_after_utc.isoformat())
        return cert

    def ensure(self, client, now: datetime) -> str:
        """Enrol or renew where due; returns the state after. Raises ``NotEnrolled``
        only when there is nothing valid to sign with."""
        state = self.state(now)
        if state == "valid":
            return state
        if client is None:
            if state == "renew":
                return state
            raise NotEnrolled(f"no valid certificate ({state}) and no city link to ask")
        try:
            self.enrol(client)
        except Exception as exc:   # a renewal can wait: the certificate still holds
            if state == "renew":
                log.warning("certificate renewal postponed: %s", exc)
                return state
            raise NotEnrolled(f"no valid certificate ({state}); the city could not issue "
                              f"one: {exc}") from None
        return self.state(now)

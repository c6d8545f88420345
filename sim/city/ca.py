"""The city as certificate authority for kiosk signing keys (a simulator's CA).

A CA key and self-signed certificate are made on first start beside the city's
database (key 0600) and kept across restarts, so certificates issued before a restart
still verify. A kiosk sends a CSR with its bearer token; the certificate names the kiosk
the token belongs to, whatever the CSR asks for.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_NAME = "Sở Thông tin và Truyền thông TP.HCM — CA mô phỏng"


class CsrRefused(Exception):
    """A CSR the CA will not sign; the message says why."""


class CityCa:
    def __init__(self, folder: str | Path, *, cert_days: float = 365.0):
        self.folder = Path(folder)
        self.cert_days = cert_days
        self._lock = threading.Lock()
        self.key, self.cert = self._load_or_make()

    def _load_or_make(self):
        key_path, cert_path = self.folder / "ca.key", self.folder / "ca.pem"
        if key_path.exists() and cert_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
        self.folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
                          x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
        now = datetime.now(timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                             False, False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(key, hashes.SHA256()))
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return key, cert

    @property
    def cert_path(self) -> Path:
        return self.folder / "ca.pem"

    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def issue(self, csr_pem: str, kiosk_id: str, now: datetime) -> x509.Certificate:
        try:
            csr = x509.load_pem_x509_csr(csr_pem.encode())
        except (ValueError, TypeError) as exc:
            raise CsrRefused(f"'csr' is not a PEM certificate request ({exc})") from None
        if not csr.is_signature_valid:
            raise CsrRefused("the CSR's signature does not match its key")
        if not isinstance(csr.public_key(), (ec.EllipticCurvePublicKey,)):
            raise CsrRefused("the CSR's key must be an EC key (P-256)")
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, kiosk_id),
                             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME,
                                                "dossier kiosk")])
        now = now.astimezone(timezone.utc)
        with self._lock:
            return (x509.CertificateBuilder().subject_name(subject)
                    .issuer_name(self.cert.subject).public_key(csr.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now - timedelta(minutes=10))
                    .not_valid_after(now + timedelta(days=self.cert_days))
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                   critical=True)
                    .add_extension(x509.KeyUsage(True, True, False, False, False, False,
                                                 False, False, False), critical=True)
                    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                        self.key.public_key()), critical=False)
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                        csr.public_key()), critical=False)
                    .sign(self.key, hashes.SHA256()))

"""Smart digitisation: every scanned dossier becomes a searchable PDF/A-2b e-copy,
signed by the kiosk, checked at the glass while the citizen is still there.

Modules: ``checks`` (page checks), ``cleanup`` (deskew, border, orientation), ``ocr``
(OCRmyPDF), ``pki`` (the kiosk's key and the city's certificate), ``signing`` (PAdES
with pyHanko), ``pipeline`` (the steps in order), ``jobs`` (the background queue).
Importing this package loads none of the heavy libraries.
"""
from __future__ import annotations


def build_digitiser(cfg, *, clock=None, client=None, isolated: bool = True):
    """The pipeline of a kiosk profile (``[digitise]`` section, paths under data_dir)."""
    from kiosk.digitise.pipeline import Digitiser, Settings
    from kiosk.digitise.pki import Credentials
    d = cfg.digitise
    creds = Credentials(cfg.path(d.key_file), cfg.path(d.cert_file), cfg.path(d.chain_file),
                        cfg.kiosk.id, renew_days=d.renew_days)
    location = cfg.kiosk.office or cfg.kiosk.name
    return Digitiser(Settings.from_section(d, location), creds, clock=clock, client=client,
                     isolated=isolated)


def build_ecopies(cfg, digitiser, uploads, *, ledger=None, resolve_txn=None):
    from kiosk.digitise.jobs import EcopyQueue
    return EcopyQueue(cfg.path(cfg.digitise.jobs_dir), digitiser, uploads, ledger=ledger,
                      resolve_txn=resolve_txn)

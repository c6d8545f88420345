"""The deposit's side: checks at the glass are kept per page, and ``submit`` leaves a
whole job folder (no OCR yet) that the background worker turns into a queued e-copy."""
from __future__ import annotations

import json
from types import SimpleNamespace

from bench.vi_pages import make_page
from kiosk.clock import ManualClock
from kiosk.digitise.deposit import DepositEcopies
from kiosk.digitise.jobs import EcopyQueue
from kiosk.digitise.pipeline import Digitiser, Settings
from kiosk.digitise.signing import check_signature
from kiosk.store import Store
from sync.schema import ensure_schema
from sync.uploads import UploadQueue
from tests.digitise.conftest import KIOSK


def _deposit(pages, reports, online=False):
    proc = SimpleNamespace(code="1.001193", name=lambda lang: "Đăng ký khai sinh")
    return SimpleNamespace(code="HS-DEP-1", procedure=proc, pages=pages,
                           page_reports=reports, online=online)


def test_a_paper_deposit_with_scanned_pages_gets_its_ecopy(tmp_path, enrolled, city):
    store = Store.open(tmp_path / "kiosk.db")
    ensure_schema(store)
    uploads = UploadQueue(store, None, ManualClock(), tmp_path / "uploads")
    digitiser = Digitiser(Settings(), enrolled, isolated=True)
    queue = EcopyQueue(tmp_path / "jobs", digitiser, uploads)
    ecopies = DepositEcopies(digitiser, queue, kiosk_id=KIOSK, clock=ManualClock())
    page, _ = make_page(71, a4=False, lines=4)
    reports = ecopies.check([page])
    assert [r.number for r in reports] == [1] and reports[0].ok
    ecopies.on_deposit_completed(_deposit([page], reports))
    job = tmp_path / "jobs" / "HS-DEP-1.job"
    assert job.is_dir() and not list((tmp_path / "jobs").glob("*.new"))
    spec = json.loads((job / "job.json").read_text())
    assert spec["meta"]["procedure"] == "1.001193" and spec["meta"]["kiosk"] == KIOSK
    assert uploads.status("upload-HS-DEP-1") is None         # nothing before the worker
    assert queue.run_once() == 1
    row = uploads.status("upload-HS-DEP-1")
    data = (tmp_path / "uploads" / "upload-HS-DEP-1.pdf").read_bytes()
    assert row["length"] == len(data) and check_signature(data, [city.ca.cert_path])["ok"]
    assert not job.exists()
    store.close()


def test_an_online_deposit_is_not_submitted_twice_by_the_listener(tmp_path, enrolled):
    queue = EcopyQueue(tmp_path / "jobs", Digitiser(Settings(), enrolled), None)
    ecopies = DepositEcopies(queue.digitiser, queue, kiosk_id=KIOSK, clock=ManualClock())
    page, _ = make_page(72, a4=False, lines=3)
    ecopies.on_deposit_completed(_deposit([page], [], online=True))
    ecopies.on_deposit_completed(_deposit([], []))
    assert queue.pending() == []


def test_pages_staged_before_the_dossier_survive_a_cut_either_side(tmp_path, ledger, store,
                                                                   enrolled):
    """An online submission stages its pages under the deposit's txn before the dossier
    is recorded. Cut after the record: the restart finds the dossier by its txn and
    makes the job. Cut before it: there is no dossier, and the pages are removed."""
    from kiosk.models import DossierState as D
    ensure_schema(store)

    def resolve(txn):
        row = store.query_one("SELECT code FROM dossiers WHERE json_extract(data, '$.txn') "
                              "= ?", (txn,))
        return row["code"] if row else None

    digitiser = Digitiser(Settings(), enrolled)
    queue = EcopyQueue(tmp_path / "jobs", digitiser, None, resolve_txn=resolve)
    page, _ = make_page(73, a4=False, lines=3)
    reports = digitiser.check([page])
    queue.stage("txn-recorded", [page], reports, {"kiosk": KIOSK})
    queue.stage("txn-never", [page], reports, {"kiosk": KIOSK})
    dossier = ledger.create_dossier(procedure_code="1.001193", state=D.DRAFT,
                                    actor="citizen", data={"txn": "txn-recorded"})
    # the power goes here; at the next start:
    again = EcopyQueue(tmp_path / "jobs", digitiser, None, resolve_txn=resolve)
    assert [p.name for p in again.pending()] == [f"{dossier['code']}.job"]
    spec = json.loads((again.pending()[0] / "job.json").read_text())
    assert spec["meta"]["dossier_code"] == dossier["code"]
    assert not list((tmp_path / "jobs").glob("*.staged"))

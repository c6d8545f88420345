"""Device simulators on real pseudo-terminals and the drivers that talk to them."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hardware.modem import AtModem
from hardware.printer import open_printer
from kiosk.receipts import Receipt
from sim.codereader import CodeReaderSim
from sim.modem import ModemSim
from sim.printer import PrinterSim

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "HS260302-7KQ4M"


@pytest.fixture
def printer_sim(tmp_path):
    with PrinterSim(tmp_path / "dev" / "printer", tmp_path / "receipts") as sim:
        yield sim


@pytest.fixture
def printer(printer_sim):
    with open_printer("serial", port=printer_sim.path, baud=38400) as p:
        p.status_timeout = 1.0
        yield p


@pytest.fixture
def modem_sim(tmp_path):
    with ModemSim(tmp_path / "dev" / "modem", tmp_path / "sms" / "inbox.jsonl") as sim:
        yield sim


@pytest.fixture
def modem(modem_sim):
    with AtModem(modem_sim.path, timeout=3.0) as m:
        yield m


@pytest.fixture
def code_sim(tmp_path):
    with CodeReaderSim(tmp_path / "dev" / "codereader") as sim:
        yield sim


@pytest.fixture
def deposit_receipt():
    return Receipt(
        kind="deposit", dossier_code=CODE, procedure="Đăng ký khai sinh",
        at=datetime(2026, 3, 2, 14, 32, tzinfo=ZONE),
        kiosk_name="Máy nhận và trả hồ sơ 24/7",
        office="Trung tâm Phục vụ hành chính công phường Bình Tây", tray="A05",
        next_steps="Cán bộ nhận hồ sơ lúc 16:00 hôm nay. Khi có kết quả, ông/bà nhận SMS.",
        next_steps_en="Staff collect it at 16:00 today; you get an SMS when the result is "
                      "ready.",
        deadline=date(2026, 3, 9),
        rating_url=f"https://dichvucong.hochiminhcity.gov.vn/danh-gia?ma={CODE}",
        txn="5f0c8a1e-2b7d-4c1e-9a77-1c2d3e4f5a6b")

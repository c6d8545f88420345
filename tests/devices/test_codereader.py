"""Code readers: the serial line reader against the simulator, and images via zxing-cpp."""
import queue
import time

import segno
from PIL import Image

from hardware.codereader import FrameCodeReader, SerialCodeReader, decode_image
from hardware.ports import CodeReader, DeviceStatus
from kiosk.cccd import is_dossier_code, parse_cccd
from sim.codereader import CodeReaderSim

CARD = ("079095001234|025123456|Nguyễn Văn An|15041995|Nam|"
        "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM|01072021")


def _qr_image(text: str, scale: int = 4) -> Image.Image:
    import io
    buf = io.BytesIO()
    segno.make_qr(text).save(buf, kind="png", scale=scale, border=4)
    buf.seek(0)
    return Image.open(buf).convert("L")


def test_serial_reader_delivers_each_code(code_sim):
    got = queue.Queue()
    with SerialCodeReader(code_sim.path, reconnect_s=0.1) as reader:
        assert isinstance(reader, CodeReader)
        reader.subscribe(got.put)
        assert reader.wait_connected(5)
        code_sim.show(CARD)
        code_sim.show("HS260302-7KQ4M")
        first, second = got.get(timeout=5), got.get(timeout=5)
        assert parse_cccd(first).name == "Nguyễn Văn An"
        assert is_dossier_code(second)
        assert reader.health().status is DeviceStatus.ONLINE


def test_crlf_readers_give_no_empty_codes(tmp_path):
    got = queue.Queue()
    with CodeReaderSim(tmp_path / "cr", crlf=True) as sim, \
            SerialCodeReader(sim.path, reconnect_s=0.1) as reader:
        reader.subscribe(got.put)
        assert reader.wait_connected(5)
        sim.show("HS260302-7KQ4M")
        sim.show("HS260302-ABCDE")
        assert [got.get(timeout=5), got.get(timeout=5)] == ["HS260302-7KQ4M", "HS260302-ABCDE"]
        assert got.empty()


def test_reader_reconnects_after_the_cable_is_pulled(tmp_path):
    link = tmp_path / "cr"
    got = queue.Queue()
    sim = CodeReaderSim(link)
    with SerialCodeReader(str(link), reconnect_s=0.1) as reader:
        reader.subscribe(got.put)
        assert reader.wait_connected(5)
        sim.close()                                   # unplugged
        deadline = time.monotonic() + 5
        while reader.health().status is DeviceStatus.ONLINE and time.monotonic() < deadline:
            time.sleep(0.05)
        health = reader.health()
        assert health.status is DeviceStatus.OFFLINE and "reconnects" in health.advice
        with CodeReaderSim(link) as again:            # plugged back in
            assert reader.wait_connected(5)
            again.show("HS260302-7KQ4M")
            assert got.get(timeout=5) == "HS260302-7KQ4M"
        assert reader.reconnects >= 1


def test_a_failing_subscriber_does_not_stop_the_reader(code_sim):
    got = queue.Queue()
    with SerialCodeReader(code_sim.path, reconnect_s=0.1) as reader:
        reader.subscribe(lambda text: 1 / 0)
        reader.subscribe(got.put)
        assert reader.wait_connected(5)
        code_sim.show("one")
        code_sim.show("two")
        assert [got.get(timeout=5), got.get(timeout=5)] == ["one", "two"]


def test_decode_image_finds_every_code(tmp_path):
    page = Image.new("L", (400, 900), 255)
    page.paste(_qr_image(CARD, 3), (10, 10))
    page.paste(_qr_image("HS260302-7KQ4M", 5), (100, 600))
    path = tmp_path / "two.png"
    page.save(path)
    assert decode_image(path) == [CARD, "HS260302-7KQ4M"]
    assert decode_image(Image.new("L", (50, 50), 255)) == []


def test_frame_reader_reports_a_code_once_while_it_stays_in_view():
    frames = [_qr_image("HS260302-7KQ4M")] * 5 + [None]
    got = queue.Queue()

    def grab():
        return frames.pop(0) if frames else None

    with FrameCodeReader(grab, interval=0.01, repeat_s=60) as reader:
        reader.subscribe(got.put)
        assert got.get(timeout=5) == "HS260302-7KQ4M"
        deadline = time.monotonic() + 5
        while frames and time.monotonic() < deadline:
            time.sleep(0.02)
        assert got.empty()
        assert reader.health().status is DeviceStatus.ONLINE

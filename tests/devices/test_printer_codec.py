"""Status bytes and raster encoding, checked against the simulator's independent decoder."""
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from hardware.ports import PrinterState
from hardware.printer import raster
from hardware.printer.status import decode, is_status_byte
from sim.printer import EscPosDecoder


@pytest.mark.parametrize("replies, state", [
    ({1: 0x12, 2: 0x12, 4: 0x12}, PrinterState.OK),
    ({1: 0x12, 2: 0x12, 4: 0x1E}, PrinterState.PAPER_NEAR_END),
    ({1: 0x1A, 2: 0x32, 4: 0x7E}, PrinterState.PAPER_OUT),
    ({1: 0x12, 2: 0x12, 4: 0x72}, PrinterState.PAPER_OUT),
    ({1: 0x1A, 2: 0x16, 4: 0x12}, PrinterState.COVER_OPEN),
    ({1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12}, PrinterState.OFFLINE),
    ({1: None}, PrinterState.OFFLINE),
    ({1: 0xFF}, PrinterState.OFFLINE),
])
def test_status_bytes(replies, state):
    assert decode(replies).state is state


def test_status_texts_say_what_to_do():
    assert "cutter" in decode({1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12}).detail
    assert "roll" in decode({1: 0x1A, 2: 0x32, 4: 0x7E}).advice
    assert "baud" in decode({1: 0x41}).advice
    assert is_status_byte(0x12) and not is_status_byte(0x13) and not is_status_byte(0x92)


def test_blank_rows_become_esc_j_and_bands_are_trimmed():
    img = Image.new("1", (576, 300), 1)
    img.paste(0, (0, 10, 20, 12))        # two rows, ink in the first 3 bytes
    img.paste(0, (0, 200, 576, 201))     # one full-width row after 188 blank rows
    data = raster.encode_image(img)
    assert data == (b"\x1bJ\x0a" + b"\x1dv0\x00\x03\x00\x02\x00" + b"\xff\xff\xf0" * 2
                    + b"\x1bJ\xbc" + b"\x1dv0\x00\x48\x00\x01\x00" + b"\xff" * 72)


def test_tall_ink_is_split_into_bands_of_at_most_255_rows():
    img = Image.new("1", (16, 600), 0)
    cmds = EscPosDecoder().feed(raster.encode_image(img))
    heights = [c.args["height"] for c in cmds if c.name == "raster"]
    assert sum(heights) == 600 and max(heights) <= 255


def test_feeds_longer_than_255_dots_are_chained():
    assert raster.feed_dots(600) == b"\x1bJ\xff\x1bJ\xff\x1bJ\x5a"


def test_band_split_beats_one_padded_band():
    # 30 rows 72 bytes wide then 30 rows 2 bytes wide: two bands are far cheaper
    assert raster.split_bands([72] * 30 + [2] * 30) == [30, 30]
    assert raster.split_bands([5, 6, 5, 6]) == [4]      # headers cost more than padding


def _replay(data: bytes, width: int, height: int) -> Image.Image:
    """Rebuild the image from the simulator decoder's view of the stream."""
    out = Image.new("1", (width, height), 1)
    y = 0
    for cmd in EscPosDecoder().feed(data):
        if cmd.name == "feed_dots":
            y += cmd.args["n"]
        elif cmd.name == "raster":
            w, h = cmd.args["width_bytes"], cmd.args["height"]
            if w:
                band = Image.frombytes("1", (w * 8, h),
                                       bytes(255 - v for v in cmd.args["data"]))
                out.paste(band.crop((0, 0, min(width, w * 8), h)), (0, y))
            y += h
        else:
            raise AssertionError(f"unexpected command {cmd.name}")
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 80), st.integers(1, 400), st.data())
def test_raster_round_trips_through_the_simulator_decoder(width, height, data):
    img = Image.new("1", (width, height), 1)
    for _ in range(data.draw(st.integers(0, 12))):
        x0 = data.draw(st.integers(0, width - 1))
        y0 = data.draw(st.integers(0, height - 1))
        x1 = data.draw(st.integers(x0, width - 1))
        y1 = data.draw(st.integers(y0, min(height - 1, y0 + 300)))
        img.paste(0, (x0, y0, x1 + 1, y1 + 1))
    back = _replay(raster.encode_image(img), width, height)
    assert back.tobytes() == img.tobytes()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400), st.integers(1, 7))
def test_decoder_takes_the_stream_in_any_pieces(stream, piece):
    whole = [(c.name, c.args) for c in EscPosDecoder().feed(stream)]
    dec = EscPosDecoder()
    parts = []
    for i in range(0, len(stream), piece):
        parts += [(c.name, c.args) for c in dec.feed(stream[i:i + piece])]
    assert parts == whole

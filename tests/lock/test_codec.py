"""The frame codec, byte for byte against the protocol file's examples, and fuzzed."""
import pytest
from hypothesis import given, strategies as st

from hardware.lockboard.codec import (BoardStatus, FrameError, decode_command, decode_reply,
                                      encode_reply, encode_status, encode_unlock, find_reply)

flags = st.tuples(*[st.booleans()] * 16)


def test_protocol_examples_byte_for_byte():
    assert encode_status(0) == bytes.fromhex("02 00 30 03 35")
    assert encode_unlock(0, 1) == bytes.fromhex("02 00 31 03 36")
    assert encode_unlock(2, 12) == bytes.fromhex("02 2B 31 03 61")


def test_reply_layout():
    closed = tuple(i != 2 and i != 9 for i in range(16))      # locks 3 and 10 open
    occupied = tuple(i in (0, 15) for i in range(16))          # items in locks 1 and 16
    frame = encode_reply(BoardStatus(3, closed, occupied))
    body = bytes([0x02, 0x30, 0x35, 0xFB, 0xFD, 0x01, 0x80, 0x03])
    assert frame == body + bytes([sum(body) & 0xFF])
    status = decode_reply(frame)
    assert status.board == 3 and not status.is_closed(3) and not status.is_closed(10)
    assert status.is_closed(1) and status.is_occupied(16) and not status.is_occupied(2)


@pytest.mark.parametrize("frame, words", [
    (bytes.fromhex("02 00 35 FF FF 00 00 03 38"), None),
    (bytes.fromhex("02 00 35 FF FF 00 00 03"), "expected 9"),
    (bytes.fromhex("02 00 36 FF FF 00 00 03 39"), "code 0x36"),
    (bytes.fromhex("02 00 35 FF FF 00 00 04 39"), "STX/ETX"),
    (bytes.fromhex("02 01 35 FF FF 00 00 03 39"), "lock index"),
])
def test_reply_checks(frame, words):
    if words is None:
        assert decode_reply(frame).closed == (True,) * 16
    else:
        with pytest.raises(FrameError, match=words):
            decode_reply(frame)


def test_bad_checksum_named():
    with pytest.raises(FrameError, match="checksum"):
        decode_reply(bytes.fromhex("02 00 35 FF FF 00 00 03 37"))


def test_out_of_range_refused():
    with pytest.raises(ValueError, match="board address 16"):
        encode_status(16)
    with pytest.raises(ValueError, match="lock 0"):
        encode_unlock(0, 0)
    with pytest.raises(ValueError, match="lock 17"):
        encode_unlock(0, 17)


@given(st.integers(0, 15), st.integers(1, 16))
def test_unlock_round_trip(board, lock):
    cmd = decode_command(encode_unlock(board, lock))
    assert (cmd.board, cmd.lock, cmd.cmd) == (board, lock, 0x31)


@given(st.integers(0, 15))
def test_status_round_trip(board):
    cmd = decode_command(encode_status(board))
    assert (cmd.board, cmd.lock, cmd.cmd) == (board, None, 0x30)


@given(st.integers(0, 15), flags, flags)
def test_reply_round_trip(board, closed, occupied):
    status = BoardStatus(board, closed, occupied)
    assert decode_reply(encode_reply(status)) == status


@given(st.binary(max_size=64))
def test_garbage_never_crashes_the_parsers(data):
    for parse in (decode_reply, decode_command):
        try:
            parse(data)
        except FrameError:
            pass
    for board in (0, 5, 15):
        found = find_reply(data, board)
        assert found is None or found.board == board


@given(st.binary(max_size=40), st.binary(max_size=40), st.integers(0, 15), flags, flags)
def test_reply_found_inside_noise(before, after, board, closed, occupied):
    status = BoardStatus(board, closed, occupied)
    found = find_reply(before + encode_reply(status) + after, board)
    # Noise before the reply could itself hold a valid frame of this board: then that
    # one is found first, which is a valid reply all the same.
    assert found is not None and found.board == board
    if find_reply(before, board) is None and find_reply(before + encode_reply(status)[:8],
                                                        board) is None:
        assert found == status


def test_reply_of_another_board_is_not_taken():
    other = encode_reply(BoardStatus(1, (True,) * 16, (False,) * 16))
    assert find_reply(other, 0) is None
    mine = encode_reply(BoardStatus(0, (False,) * 16, (False,) * 16))
    assert find_reply(other + mine, 0).closed == (False,) * 16

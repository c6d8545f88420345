"""Profiles: random TOML-like dicts through parse_config, a valid profile with one value
swapped for anything, and random bytes through load_config. Only ConfigError escapes."""
from __future__ import annotations

import copy
import tomllib

from hypothesis import given, strategies as st

from kiosk.config import DEFAULT_CONFIG, ConfigError, load_config, parse_config
from tests.fuzz.conftest import fuzz_settings

BASE = tomllib.loads(DEFAULT_CONFIG.read_text("utf-8"))
KEYS = ["kiosk", "id", "cabinets", "trays", "first", "count", "size", "board", "boards",
        "bus", "address", "locks", "lock_buses", "port", "baud", "tray_count", "relay_pins",
        "door_pins", "first_lock", "rounds", "times", "city", "base_url", "gpio", "ui",
        "printer", "secrets", "data_dir", "timezone", "languages", "source", "base_dir"]
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                   st.floats(allow_nan=True), st.text(max_size=20),
                   st.sampled_from(["S", "M", "L", "A", "bus-a", "08:00", "24:00", "vi",
                                    "Asia/Ho_Chi_Minh", "Mars/Base", "http://x", "{data_dir}"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)),
    max_leaves=25)


def paths(data, prefix=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield prefix + (k,)
            yield from paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield prefix + (i,)
            yield from paths(v, prefix + (i,))


BASE_PATHS = list(paths(BASE))


def check(data):
    try:
        cfg = parse_config(data, "fuzz.toml", "/tmp")
    except ConfigError as exc:
        assert exc.problems and all(p.startswith("fuzz.toml: ") for p in exc.problems)
        return
    # (an empty 'cabinets = []' is accepted and gives a kiosk with no trays)
    assert len(cfg.trays()) == sum(c.tray_count for c in cfg.cabinets)


@fuzz_settings(1200)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), VALUE, max_size=6))
def test_random_dicts(tried, data):
    tried("config.parse_config (random)")
    check(data)


@fuzz_settings(2000)
@given(st.sampled_from(BASE_PATHS), VALUE, st.booleans())
def test_valid_profile_with_one_value_changed(tried, path, value, delete):
    tried("config.parse_config (mutated sim.toml)")
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    check(data)


@fuzz_settings(1500)
@given(st.one_of(st.binary(max_size=400),
                 st.sampled_from(DEFAULT_CONFIG.read_bytes().split(b"\n")).flatmap(
                     lambda line: st.binary(max_size=20).map(lambda b: line + b)),
                 st.tuples(st.integers(0, 2000), st.binary(max_size=8)).map(
                     lambda t: DEFAULT_CONFIG.read_bytes()[:t[0]] + t[1] +
                     DEFAULT_CONFIG.read_bytes()[t[0]:])))
def test_random_bytes_through_load_config(tried, tmp_path_factory, raw):
    tried("config.load_config (bytes)")
    path = tmp_path_factory.mktemp("cfg") / "kiosk.toml"
    path.write_bytes(raw)
    try:
        load_config(path)
    except ConfigError as exc:
        assert exc.problems

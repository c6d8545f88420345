"""Fixtures of ``make package-test``: the built package, a cached Debian 12 base, and a
signed repository with the versions each test publishes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.package.chroot import Chroot, base_tarball, deb_field

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/package/" in str(item.fspath):
            item.add_marker(pytest.mark.package)


@pytest.fixture(scope="session")
def deb() -> Path:
    path = os.environ.get("KIOSK_DEB")
    if not path or not Path(path).exists():
        pytest.fail("no package to test: run 'make package-test' (it builds dist/kiosk_*.deb "
                    "and sets KIOSK_DEB)")
    return Path(path)


@pytest.fixture(scope="session")
def version(deb) -> str:
    return deb_field(deb, "Version")


@pytest.fixture(scope="session")
def base(deb) -> Path:
    if os.geteuid() != 0:
        pytest.fail("the package tests install into a chroot: run them as root")
    return base_tarball(deb)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pkg")


@pytest.fixture(scope="module")
def chroot(base, work):
    root = Chroot.unpack(base, work / "root")
    yield root
    root.remove()

"""A power-loss layer in front of SQLite: every write not yet synced can be dropped.

A ``kill -9`` keeps the page cache, so it cannot tell ``synchronous=FULL`` from a commit
that never reached the disk. This module registers a SQLite VFS (through ctypes, in the
very ``libsqlite3`` that Python's ``sqlite3`` uses) that wraps the default unix VFS and,
before each ``xWrite``/``xTruncate`` of a database or WAL file, appends an undo record
(offset, the bytes there before, the bytes written, the size before) to a side log
``<file>.plog`` in a log folder; ``xSync`` of that file empties its log, since everything
before a sync is on the disk. The log is written with plain ``write(2)`` before the
file is touched, so it survives the process being killed at any instant.

After the process is killed, ``drop_unsynced(folder)`` rebuilds each file as of its
last sync: the records are undone newest first. ``keep=`` a probability keeps each
unsynced write (per 512-byte sector) at random instead, as a disk that wrote back some
pages in any order before the power went. The ``-shm`` file (shared memory, not data)
is removed, as after a reboot. Not modelled: a file's creation or deletion is taken as
durable at once (SQLite syncs the folder itself after creating a WAL).
"""
from __future__ import annotations

import ctypes
import os
import random
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

VFS_NAME = b"powerloss"
SECTOR = 512
_OPEN_MAIN_DB, _OPEN_WAL = 0x100, 0x80000
_HEAD = struct.Struct("<cqqqq")          # kind, offset, size before, len(old), len(new)

_c_int, _vp, _i64 = ctypes.c_int, ctypes.c_void_p, ctypes.c_int64
_OPEN = ctypes.CFUNCTYPE(_c_int, _vp, _vp, _vp, _c_int, _vp)
_CLOSE = ctypes.CFUNCTYPE(_c_int, _vp)
_WRITE = ctypes.CFUNCTYPE(_c_int, _vp, _vp, _c_int, _i64)
_TRUNC = ctypes.CFUNCTYPE(_c_int, _vp, _i64)
_SYNC = ctypes.CFUNCTYPE(_c_int, _vp, _c_int)


class _Vfs(ctypes.Structure):
    _fields_ = [("iVersion", _c_int), ("szOsFile", _c_int), ("mxPathname", _c_int),
                ("pNext", _vp), ("zName", ctypes.c_char_p), ("pAppData", _vp),
                ("xOpen", _vp)] + [(f"x{n}", _vp) for n in (
                    "Delete", "Access", "FullPathname", "DlOpen", "DlError", "DlSym",
                    "DlClose", "Randomness", "Sleep", "CurrentTime", "GetLastError",
                    "CurrentTimeInt64", "SetSystemCall", "GetSystemCall", "NextSystemCall")]


class _Io(ctypes.Structure):
    _fields_ = [("iVersion", _c_int)] + [(f"x{n}", _vp) for n in (
        "Close", "Read", "Write", "Truncate", "Sync", "FileSize", "Lock", "Unlock",
        "CheckReservedLock", "FileControl", "SectorSize", "DeviceCharacteristics",
        "ShmMap", "ShmLock", "ShmBarrier", "ShmUnmap", "Fetch", "Unfetch")]


def _libsqlite3() -> ctypes.CDLL:
    """The libsqlite3 already loaded by Python's sqlite3 module (the same VFS list)."""
    import sqlite3  # noqa: F401 - loads _sqlite3 and its libsqlite3
    for line in Path("/proc/self/maps").read_text().splitlines():
        if "libsqlite3" in line and line.split()[-1].startswith("/"):
            return ctypes.CDLL(line.split()[-1])
    raise RuntimeError("Python's sqlite3 module is not linked to a shared libsqlite3 "
                       "(it is built in): the power-loss layer cannot reach its VFS list")


@dataclass
class _Tracked:
    path: str
    log_fd: int
    read_fd: int
    orig: _Io


@dataclass
class PowerLossVfs:
    """Installed once per process; every file opened while it is the default is logged."""

    log_dir: Path
    files: dict[int, _Tracked] = field(default_factory=dict)

    def __post_init__(self):
        self.log_dir = Path(self.log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._lib = lib = _libsqlite3()
        lib.sqlite3_vfs_find.restype = ctypes.POINTER(_Vfs)
        lib.sqlite3_vfs_find.argtypes = [ctypes.c_char_p]
        lib.sqlite3_vfs_register.argtypes = [ctypes.POINTER(_Vfs), _c_int]
        self._base_ptr = lib.sqlite3_vfs_find(None)
        base = self._base_ptr.contents
        self._base_open = _OPEN(base.xOpen)
        self._vfs = _Vfs()
        ctypes.pointer(self._vfs)[0] = base            # every other method as it is
        self._vfs.zName = VFS_NAME
        self._vfs.pNext = None
        self._cb_open = _OPEN(self._open)
        self._vfs.xOpen = ctypes.cast(self._cb_open, _vp).value
        self._cb = _file_methods(self.files)
        self._tables: dict[int, _Io] = {}

    def install(self, default: bool = True) -> None:
        rc = self._lib.sqlite3_vfs_register(ctypes.byref(self._vfs), 1 if default else 0)
        if rc != 0:
            raise RuntimeError(f"sqlite3_vfs_register failed ({rc})")

    # -- the VFS ---------------------------------------------------------------------
    def _table(self, orig_addr: int) -> _Io:
        """The unix methods of this kind of file with write/truncate/sync/close ours."""
        table = self._tables.get(orig_addr)
        if table is None:
            table = _Io()
            ctypes.pointer(table)[0] = _Io.from_address(orig_addr)
            close, write, trunc, sync = self._cb
            table.xClose = ctypes.cast(close, _vp).value
            table.xWrite = ctypes.cast(write, _vp).value
            table.xTruncate = ctypes.cast(trunc, _vp).value
            table.xSync = ctypes.cast(sync, _vp).value
            self._tables[orig_addr] = table
        return table

    def _open(self, vfs, name, file, flags, out_flags):
        rc = self._base_open(ctypes.cast(self._base_ptr, _vp), name, file, flags, out_flags)
        if rc != 0 or not name or not flags & (_OPEN_MAIN_DB | _OPEN_WAL):
            return rc
        path = ctypes.string_at(name).decode()
        methods = ctypes.c_void_p.from_address(file)
        orig_addr = methods.value
        table = self._table(orig_addr)
        log_name = self.log_dir / (Path(path).name + ".plog")
        with self._lock:
            log_fd = os.open(log_name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with open(self.log_dir / "files", "a") as index:
                index.write(f"{log_name.name}\t{path}\n")
            self.files[file] = _Tracked(path, log_fd, os.open(path, os.O_RDONLY),
                                        _Io.from_address(orig_addr))
        methods.value = ctypes.addressof(table)
        return rc

def _file_methods(files: dict, fstat=os.fstat, pread=os.pread, write=os.write,
                  ftruncate=os.ftruncate, close_fd=os.close, pack=_HEAD.pack,
                  string_at=ctypes.string_at, c_close=_CLOSE, c_write=_WRITE,
                  c_trunc=_TRUNC, c_sync=_SYNC):
    """The four wrapped methods, as closures over what they use: they must keep working
    while the interpreter tears down its modules (the last connection closes then)."""

    def close(file):
        t = files.pop(file, None)
        if t is None:
            return 0
        rc = c_close(t.orig.xClose)(file)
        close_fd(t.log_fd)
        close_fd(t.read_fd)
        return rc

    def write_(file, buf, amount, offset):
        t = files[file]
        new = string_at(buf, amount)
        size = fstat(t.read_fd).st_size
        old = pread(t.read_fd, amount, offset) if offset < size else b""
        write(t.log_fd, pack(b"W", offset, size, len(old), len(new)) + old + new)
        return c_write(t.orig.xWrite)(file, buf, amount, offset)

    def truncate(file, size):
        t = files[file]
        before = fstat(t.read_fd).st_size
        tail = pread(t.read_fd, before - size, size) if before > size else b""
        write(t.log_fd, pack(b"T", size, before, len(tail), 0) + tail)
        return c_trunc(t.orig.xTruncate)(file, size)

    def sync(file, flags):
        t = files[file]
        rc = c_sync(t.orig.xSync)(file, flags)
        if rc == 0:                     # on the disk now: nothing left to lose
            ftruncate(t.log_fd, 0)
        return rc

    return c_close(close), c_write(write_), c_trunc(truncate), c_sync(sync)


def install(log_dir: str | os.PathLike) -> PowerLossVfs:
    """Make the power-loss VFS the default of this process (before any connection)."""
    vfs = PowerLossVfs(Path(log_dir))
    vfs.install(default=True)
    # SQLite keeps pointers into it until the process ends, after the interpreter has
    # dropped its modules: it must never be freed
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(vfs))
    _INSTALLED.append(vfs)
    return vfs


_INSTALLED: list[PowerLossVfs] = []


# -- after the power cut ------------------------------------------------------------------
@dataclass
class Record:
    kind: bytes
    offset: int
    size_before: int
    old: bytes
    new: bytes


def read_log(path: Path) -> list[Record]:
    data, out, i = path.read_bytes(), [], 0
    while i + _HEAD.size <= len(data):
        kind, off, before, n_old, n_new = _HEAD.unpack_from(data, i)
        i += _HEAD.size
        if i + n_old + n_new > len(data):
            break                          # cut while logging: the write never happened
        out.append(Record(kind, off, before, data[i:i + n_old], data[i + n_old:i + n_old +
                                                                          n_new]))
        i += n_old + n_new
    return out


def _undo(fd: int, rec: Record) -> None:
    if rec.kind == b"W":
        os.pwrite(fd, rec.old, rec.offset)
        os.ftruncate(fd, rec.size_before) if os.fstat(fd).st_size > rec.size_before else None
    else:
        os.ftruncate(fd, rec.size_before)
        os.pwrite(fd, rec.old, rec.offset)


def _redo(fd: int, rec: Record, rng: random.Random | None, keep: float) -> tuple[int, int]:
    """Apply a record again, wholly or sector by sector at random; (kept, dropped) bytes."""
    if rec.kind == b"T":
        if rng is None or rng.random() >= keep:
            return 0, 0
        os.ftruncate(fd, rec.offset)
        return 0, 0
    if rng is None:
        return 0, len(rec.new)
    kept = dropped = 0
    for start in range(0, len(rec.new), SECTOR):
        piece = rec.new[start:start + SECTOR]
        if rng.random() < keep:
            os.pwrite(fd, piece, rec.offset + start)
            kept += len(piece)
        else:
            dropped += len(piece)
    return kept, dropped


def drop_unsynced(log_dir: str | os.PathLike, *, keep: float = 0.0,
                  seed: int | None = None) -> dict:
    """The power went: every file logged in ``log_dir`` goes back to its last sync
    (``keep`` > 0: some unsynced sectors made it anyway). Returns what was lost."""
    log_dir = Path(log_dir)
    rng = random.Random(seed) if keep > 0 else None
    report = {"files": 0, "writes_dropped": 0, "bytes_dropped": 0, "bytes_kept": 0}
    index = log_dir / "files"
    paths = {}
    if index.exists():
        for line in index.read_text().splitlines():
            name, _, path = line.partition("\t")
            paths[name] = path
    for name, path in paths.items():
        log = log_dir / name
        if not log.exists():
            continue
        records = read_log(log)
        if records and os.path.exists(path):
            fd = os.open(path, os.O_RDWR)
            try:
                for rec in reversed(records):
                    _undo(fd, rec)
                for rec in records:
                    kept, dropped = _redo(fd, rec, rng, keep)
                    report["bytes_kept"] += kept
                    report["bytes_dropped"] += dropped
                    report["writes_dropped"] += rec.kind == b"W" and dropped > 0
            finally:
                os.close(fd)
            report["files"] += 1
        log.unlink()
        if path.endswith("-wal"):
            Path(path[:-4] + "-shm").unlink(missing_ok=True)
    index.unlink(missing_ok=True)
    return report

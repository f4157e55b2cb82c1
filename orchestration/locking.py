"""One writer at a time: an advisory lock beside the warehouse, taken by every process that writes it.

DuckDB lets one process write a file and fails at once when another holds it. Every writer path of the
pipeline (`cli run`, `cli erase`, each Dagster step that opens the warehouse, runs dbt on it or publishes
from it) takes this lock first, so a second run *waits* for the first instead of failing on DuckDB's lock.
The lock is re-entrant within a process: `cli run` holds it across its in-process run while each step
takes it again. A process that opens the warehouse without it (a shell, a BI tool pointed at the wrong
file) still makes a run fail, fast, with a message naming the holder (`resources.connect_warehouse`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_FILE = ".writer.lock"
POLL_SECONDS = 0.2
# The holder writes its name just after taking the lock: a waiter arriving in between reads nothing.
HOLDER_NAME_WAIT_SECONDS = 2.0


class WriterLockTimeout(TimeoutError):
    pass


class _Hold:
    def __init__(self, fd: int):
        self.fd, self.depth = fd, 0


_holds: dict[str, _Hold] = {}
_thread_locks: dict[str, threading.RLock] = {}
_registry_guard = threading.Lock()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def lock_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir).resolve() / LOCK_FILE


def held_here(warehouse_dir: Path) -> bool:
    """Whether this process holds the warehouse's writer lock now."""
    return str(lock_path(warehouse_dir)) in _holds


def _holder(fd: int, wait: float = 0.0) -> str:
    """Who holds the lock, as its lock file says; read again for up to `wait` s while it says nothing."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            name = os.read(fd, 200).decode(errors="replace").strip()
        except OSError:
            name = ""
        if name or time.monotonic() >= deadline:
            return name or "unknown"
        time.sleep(0.05)


@contextlib.contextmanager
def writer_lock(
    warehouse_dir: Path,
    *,
    label: str = "writer",
    timeout: float | None = None,
    log: Callable[[str], None] = _stderr,
) -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting for it (with one log line) while another process has it.

    `label` names the holder in the lock file for whoever waits: a command name, never its arguments (an
    erasure's argument is personal data).
    """
    path = lock_path(warehouse_dir)
    key = str(path)
    with _registry_guard:
        thread_lock = _thread_locks.setdefault(key, threading.RLock())
    if not thread_lock.acquire(timeout=-1 if timeout is None else timeout):
        raise WriterLockTimeout(f"Timed out after {timeout} s waiting for the warehouse writer lock {path}")
    try:
        hold = _holds.get(key)
        if hold is None:
            hold = _Hold(_acquire_file_lock(path, label, timeout, log))
            _holds[key] = hold
        hold.depth += 1
        try:
            yield
        finally:
            hold.depth -= 1
            if hold.depth == 0:
                del _holds[key]
                fcntl.flock(hold.fd, fcntl.LOCK_UN)
                os.close(hold.fd)
    finally:
        thread_lock.release()


def _acquire_file_lock(path: Path, label: str, timeout: float | None, log: Callable[[str], None]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting:
                    holder = _holder(fd, wait=HOLDER_NAME_WAIT_SECONDS)
                    log(f"Waiting for the warehouse writer lock {path}: held by {holder}.")
                    waiting = True
                if timeout is not None and time.monotonic() - started > timeout:
                    raise WriterLockTimeout(
                        f"Timed out after {timeout} s waiting for the warehouse writer lock {path}, "
                        f"held by {_holder(fd)}."
                    ) from None
                time.sleep(POLL_SECONDS)
        if waiting:
            log(f"Got the warehouse writer lock after {time.monotonic() - started:.1f} s.")
        since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        name = f"{label} (pid {os.getpid()}, since {since})\n".encode()
        os.pwrite(fd, name, 0)  # then cut what a longer previous name left: never an empty file
        os.ftruncate(fd, len(name))
        return fd
    except BaseException:
        os.close(fd)
        raise

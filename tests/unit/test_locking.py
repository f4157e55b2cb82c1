"""The warehouse writer lock names its holder to whoever waits (orchestration/locking.py)."""

from __future__ import annotations

import fcntl
import os
import threading
import time

from orchestration.locking import lock_path, writer_lock


def test_a_waiter_arriving_before_the_holder_wrote_its_name_still_names_it(tmp_path):
    path = lock_path(tmp_path)
    locked, done = threading.Event(), threading.Event()

    def holder() -> None:  # another writer: takes the lock, writes its name a moment later
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        locked.set()
        time.sleep(0.3)
        os.pwrite(fd, b"cx run (pid 1, since 2026-11-22T00:00:00+00:00)\n", 0)
        done.wait(5)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    thread = threading.Thread(target=holder)
    thread.start()
    locked.wait(5)
    lines = []

    def log(line: str) -> None:
        lines.append(line)
        done.set()  # release once the waiter has said who it waits for

    with writer_lock(tmp_path, label="cx erase", timeout=10, log=log):
        assert path.read_text().startswith("cx erase (pid ")
    thread.join(5)
    assert (
        lines[0]
        == f"Waiting for the warehouse writer lock {path}: held by cx run (pid 1, since 2026-11-22T00:00:00+00:00)."
    )
    assert lines[1].startswith("Got the warehouse writer lock after ")


def test_the_holder_name_replaces_a_longer_previous_one_whole(tmp_path):
    lock_path(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    lock_path(tmp_path).write_text("a much longer name left by an earlier holder (pid 99999)\n")
    with writer_lock(tmp_path, label="cx run"):
        text = lock_path(tmp_path).read_text()
        assert text == text.splitlines()[0] + "\n"  # one line: nothing of the longer name is left
        assert text.startswith("cx run (pid ")

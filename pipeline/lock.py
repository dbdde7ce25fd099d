"""One run at a time per output folder: an OS-level lock on `<out>/.pipeline.lock`.

The lock is held with flock (POSIX) or msvcrt.locking (Windows). Both are released
by the operating system when the process ends, however it ends, so a lock left
by a killed run is never in the way: it is detected as stale (the file says
whose it was) and taken over.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".pipeline.lock"


class LockBusy(Exception):
    """Another run holds the lock; the message names the lock file and its holder."""


def _try_lock(fh) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


@contextmanager
def hold(out_dir: Path, wait_seconds: float = 0.0, on_wait=None):
    """Hold the output folder's lock; wait up to wait_seconds for another run, then raise LockBusy.

    Yields the holder text left by a run that was killed while holding it (None normally).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    fh = open(path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while not _try_lock(fh):
            if time.monotonic() >= deadline:
                holder = _holder(fh) or "未知"
                raise LockBusy(f"另一个运行正在使用输出目录（锁文件 {path}，持有者：{holder}）。请等它结束后再运行，或用 --wait 秒数 等待。")
            if on_wait and not told:
                on_wait(path)
                told = True
            time.sleep(0.2)
        stale = _holder(fh)  # a normal run empties the file on the way out
        _write(fh, f"进程 {os.getpid()}，开始于 {time.strftime('%Y-%m-%d %H:%M:%S')}")
        yield stale
        _write(fh, "")
    finally:
        fh.close()  # closing releases flock/msvcrt locks


def _holder(fh) -> str | None:
    """Who the lock file says holds it; None when empty or unreadable (Windows refuses reads of a locked byte)."""
    try:
        fh.seek(0)
        return fh.read().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _write(fh, text: str) -> None:
    fh.seek(0)
    fh.truncate()
    fh.write(text)
    fh.flush()

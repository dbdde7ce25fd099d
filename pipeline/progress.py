"""Progress a person can follow: a bar on a terminal, plain log lines otherwise (cron)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Reports file-by-file progress of an ingest and free-text steps."""

    def __init__(self, stream=None, force_plain: bool = False):
        self.stream = stream or sys.stderr
        self.plain = force_plain or not getattr(self.stream, "isatty", lambda: False)()
        self._bar = None
        self._rows = 0
        self._t0 = 0.0

    def log(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message)
        else:
            print(message, file=self.stream, flush=True)

    def start(self, total: int) -> None:
        self._rows, self._t0, self._total, self._done = 0, time.monotonic(), total, 0
        if total and not self.plain:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self._bar = Bar(TextColumn("读取文件"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("read", total=total, rate="")

    def advance(self, name: str, rows: int) -> None:
        self._rows += rows
        self._done += 1
        rate = self._rows / max(time.monotonic() - self._t0, 1e-9)
        if self._bar is not None:
            self._bar.update(self._task, advance=1, rate=f"{rate:,.0f} 行/秒")
        else:
            self.log(f"[{self._done}/{self._total}] {name}：{rows} 行")

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

"""Imported by the reader workers' forkserver (pipeline.workers.PRELOAD): read and validate a tiny sheet of every kind once.

Each file is parsed in a fresh process forked from that server. Without this, every
worker would pay again for the lazy imports of pandas, pyarrow.compute and numpy and
for pandera registering its backends on its first validation: about 0.15 s per file,
as much as reading a 20,000-row file. Forked after this, a worker starts warm.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys

# pandera imports hypothesis when it is installed (the test extra), for synthesising data, which
# reading never does: blocking it takes 0.2 s off the server's start, which the first file waits for.
sys.modules.setdefault("hypothesis", None)

import fastexcel  # noqa: E402,F401  (imported here, not in every worker)
import multiprocessing.popen_forkserver  # noqa: E402,F401  (each worker unpickles its Process object with it)
import python_calamine  # noqa: E402,F401

from pipeline import kinds, read, run, validate, workers  # noqa: E402,F401  (workers: the code each worker runs)


def warm_up() -> None:
    """Every kind through frame_from_rows and validate_sheet, with good, empty and bad cells (so error paths load too)."""
    samples = [dt.datetime(2019, 3, 5), "2019年3月6日", 20190307, "不是日期", None]
    for kind in kinds.ALL:
        header = [c.name for c in kind.columns]
        rows = [header, *([samples[i % len(samples)]] * len(header) for i in range(len(samples))), ["合计"]]
        found = read.match_header(header, kind)
        frame, _ = read.frame_from_rows(rows, 0, found, "sheet", 0, "warm-up.xlsx")
        validate.validate_sheet(frame, kind, "warm-up.xlsx", {"channel": "website"})


warm_up()
workers.reuse_freed_memory()  # for the workers forked from here

# Objects made so far are shared with every forked worker: keep the collector from touching (and so copying) their pages.
gc.freeze()

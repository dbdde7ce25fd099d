"""Imported by the reader workers' forkserver (pipeline.workers.PRELOAD): what parse_file needs, imported once.

Each worker forks from that server with pandas, pandera, fastexcel and calamine already
imported (0.6 s a process otherwise). It used to read and validate a tiny sheet of every
kind too, so that no worker paid for lazy imports (0.15 s): that paid off when each file had
its own process, but a worker now reads file after file and pays them once, on both cores at
a time, while the server's warm-up was 0.2 s that every worker waited for (docs/robustness.md).
"""

from __future__ import annotations

import gc
import sys

# pandera imports hypothesis when it is installed (the test extra), for synthesising data, which
# reading never does: blocking it takes 0.2 s off the server's start, which the first file waits for.
sys.modules.setdefault("hypothesis", None)

import fastexcel  # noqa: E402,F401  (imported here, not in every worker)
import multiprocessing.popen_forkserver  # noqa: E402,F401  (each worker unpickles its Process object with it)
import python_calamine  # noqa: E402,F401

from pipeline import read, run, validate, workers  # noqa: E402,F401  (workers: the code each worker runs)

workers.reuse_freed_memory()  # for the workers forked from here

# Objects made so far are shared with every forked worker: keep the collector from touching (and so copying) their pages.
gc.freeze()

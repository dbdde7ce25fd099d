"""Reader worker processes: what the forkserver sets up for them (crashes and limits: test_hostile.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest
from conftest import REPO

# Page faults of touching a 32 MB block again after freeing one of that size, in a fresh interpreter.
REFAULTS = """
import resource, sys
from pipeline import workers
if sys.argv[1] == "reuse":
    workers.reuse_freed_memory()
faults = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = bytearray(32 << 20)
del block
before = faults()
block = bytearray(32 << 20)
print(faults() - before)
"""


def refaults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", REFAULTS, mode], cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    return int(done.stdout)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt parameters are glibc's")
def test_a_worker_reuses_the_memory_it_freed_instead_of_faulting_it_in_again():
    # 32 MB is 8,192 pages of 4 KB: by default every one faults again; reused, they are already there.
    assert refaults("default") > 7_000
    assert refaults("reuse") < 500

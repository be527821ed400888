"""How many worker processes a run should use: as many as the work pays for, no more than the
CPUs this process may really use.

A pool costs ~20-30 ms to start plus the pickling of every result; linting costs roughly in
proportion to the bytes of the workflows (benchmarks/speed.py measures both and prints what
these constants stand for on the machine it runs on). Usable CPUs are the process's affinity
mask capped by a cgroup CPU quota: a container given 1.5 CPUs of a 64-core host gets 1 worker,
not 64. (The load average is no guide: on a shared 2-core machine under load 3, --jobs 2 still
saved 20% of a 1,000-file run, and the same files must not get a different pool from minute to
minute.)
"""
from __future__ import annotations

import math
import os
from pathlib import Path

# Calibrated with benchmarks/speed.py on a 2-core machine: serial lint time per file and per byte
# of workflow JSON, and the work below which a pool does not pay for itself.
SECONDS_PER_FILE = 60e-6
SECONDS_PER_BYTE = 70e-9
SECONDS_PER_WORKER = 0.15  # a worker is worth starting for at least this much serial work
CGROUP = Path("/sys/fs/cgroup")


def auto_jobs(sizes: list[int]) -> int:
    """Workers for files of these sizes (bytes): 1 unless the estimated serial time pays for a
    second worker, and never more than the usable CPUs."""
    estimate = len(sizes) * SECONDS_PER_FILE + sum(sizes) * SECONDS_PER_BYTE
    wanted = math.floor(estimate / SECONDS_PER_WORKER)
    if wanted < 2:
        return 1
    return max(1, min(wanted, usable_cpus()))


def usable_cpus() -> int:
    """The affinity mask's CPUs, capped by a cgroup CPU quota (rounded down, at least 1)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    quota = cpu_quota()
    if quota is not None:
        count = min(count, max(1, math.floor(quota)))
    return max(1, count)


def cpu_quota() -> float | None:
    """CPUs' worth of time the cgroup allows (cgroup v2 cpu.max, v1 cfs quota), or None."""
    try:
        text = (CGROUP / "cpu.max").read_text(encoding="ascii").split()
        if len(text) == 2 and text[0] != "max":
            return int(text[0]) / int(text[1])
        return None
    except (OSError, ValueError, ZeroDivisionError):
        pass
    try:
        quota = int((CGROUP / "cpu" / "cpu.cfs_quota_us").read_text(encoding="ascii"))
        period = int((CGROUP / "cpu" / "cpu.cfs_period_us").read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None

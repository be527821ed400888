"""How many worker processes a run uses (comfylint/project/workers.py): only when the work pays
for them, never more than the CPUs the process may use (affinity, cgroup quota)."""
from __future__ import annotations

import pytest

from comfylint.project import workers


@pytest.fixture
def cgroup(tmp_path, monkeypatch):
    """A cgroup file tree of our own (v2 cpu.max or v1 cfs files), as a container has."""
    monkeypatch.setattr(workers, "CGROUP", tmp_path)
    return tmp_path


@pytest.fixture
def machine(monkeypatch):
    def set_up(cpus: int):
        monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: set(range(cpus)),
                            raising=False)
    return set_up


def test_a_cgroup_v2_quota_caps_the_affinity(cgroup, machine):
    machine(64)
    (cgroup / "cpu.max").write_text("150000 100000\n")
    assert workers.cpu_quota() == 1.5 and workers.usable_cpus() == 1
    (cgroup / "cpu.max").write_text("max 100000\n")
    assert workers.cpu_quota() is None and workers.usable_cpus() == 64


def test_a_cgroup_v1_quota(cgroup, machine):
    machine(8)
    (cgroup / "cpu").mkdir()
    (cgroup / "cpu" / "cpu.cfs_quota_us").write_text("300000\n")
    (cgroup / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert workers.usable_cpus() == 3
    (cgroup / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert workers.usable_cpus() == 8


def test_small_work_stays_in_one_process(cgroup, machine):
    machine(16)
    assert workers.auto_jobs([]) == 1
    assert workers.auto_jobs([2_000] * 100) == 1  # ~20 ms of linting: a pool would cost more


def test_big_work_takes_the_cpus_it_pays_for(cgroup, machine):
    machine(16)
    big = [6_000] * 1_000
    assert 2 <= workers.auto_jobs(big) <= 16
    assert workers.auto_jobs(big * 100) == 16
    machine(1)
    assert workers.auto_jobs(big * 100) == 1


def test_a_quota_caps_the_pool(cgroup, machine):
    machine(8)
    (cgroup / "cpu.max").write_text("200000 100000\n")
    assert workers.auto_jobs([6_000] * 10_000) == 2

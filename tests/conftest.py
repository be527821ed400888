"""Shared test setup: the repository root, a JSON-writing fixture, one hypothesis profile, and
isolation: the suite writes nothing into the checkout or the user's caches."""
from __future__ import annotations

import gc
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parent.parent

# One profile for every property test: the same examples on every run and machine (a failure
# reproduces), no example database, no deadline (CI machines stall), nothing stored in the checkout.
settings.register_profile("comfylint", derandomize=True, database=None, deadline=None,
                          print_blob=False, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("comfylint")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="comfylint-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)  # its unicode tables are cached here, not in .hypothesis/

# What the suite may leave in a checkout: bytecode, pytest's own cache, and tool caches.
_ALLOWED_LEFTOVERS = ("__pycache__/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", ".venv/")


@pytest.fixture
def write_json(tmp_path):
    """Write a document as a JSON file in tmp_path and return its path."""

    def write(name: str, document) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True, scope="session")
def _hypothesis_utf8_table():
    """st.text() draws from the characters UTF-8 encodes. hypothesis finds them by encoding each
    of the 1.1 million code points, once per home directory: ~1 s of CPU in every session, the
    home being new. They are every code point but the surrogates, each decoding back to itself
    (RFC 3629 §3): the table is written where hypothesis looks for it (a format it no longer
    reads is recomputed as before). A fixture: hypothesis's storage is not for conftest's import."""
    from hypothesis.internal.charmap import charmap_file

    table = [[[0, 0xD7FF], [0xE000, sys.maxunicode]], []]  # encodable; not round-tripping
    path = charmap_file("codec-v2-utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=1) as file:
        file.write(json.dumps(table).encode())


@pytest.fixture(autouse=True, scope="session")
def _no_sleeping_through_retries():
    """Retries of the HTTP client still happen against the loopback servers; the back-off
    between them ($COMFYLINT_RETRY_DELAY, probe/client.py) is zero."""
    previous = os.environ.get("COMFYLINT_RETRY_DELAY")
    os.environ["COMFYLINT_RETRY_DELAY"] = "0"
    yield
    if previous is None:
        os.environ.pop("COMFYLINT_RETRY_DELAY", None)
    else:
        os.environ["COMFYLINT_RETRY_DELAY"] = previous


@pytest.fixture(autouse=True, scope="session")
def _catalog_cache_in_a_temp_dir(tmp_path_factory):
    """The catalog cache (catalog/cache.py) of every test, CLI subprocesses included, lives in a
    temporary directory: tests never read or fill the user's ~/.cache."""
    previous = os.environ.get("COMFYLINT_CACHE_DIR")
    os.environ["COMFYLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if previous is None:
        os.environ.pop("COMFYLINT_CACHE_DIR", None)
    else:
        os.environ["COMFYLINT_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def upstream():
    """The recorded ComfyUI (tests/loopback.py) behind the shared gate; it wants a token."""
    from loopback import GATE_TOKEN, Behaviour, serve

    with serve(Behaviour(token=f"Bearer {GATE_TOKEN}")) as server:
        yield server


@pytest.fixture(scope="session")
def gate(upstream):
    """One real `comfylint serve` gate for every test that needs a gate with this configuration
    (test_serve.py, test_same_verdicts.py): two workers, a 1 MB body limit (every body but the
    one of test_bodies_are_size_limited is far smaller), the upstream's token, never written to
    its log. A gate process costs ~0.35 s of CPU to start. It stops cleanly at the end."""
    from loopback import GATE_TOKEN, gateway

    with gateway("--upstream", upstream.url, "--token", GATE_TOKEN, "--max-body-mb", "1",
                 "--workers", "2") as running:
        yield running
    assert GATE_TOKEN not in running.stderr  # the whole log, up to the shutdown
    assert running.process.returncode == 0


def _checkout_leftovers() -> set[str] | None:
    """Untracked and ignored paths in the checkout (None outside a git checkout)."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=normal"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return {line[3:] for line in done.stdout.splitlines() if line[:2] in ("??", "!!")
            and not any(part in line[3:] or line[3:].startswith(part.rstrip("/"))
                        for part in _ALLOWED_LEFTOVERS)}


def pytest_sessionstart(session):
    session.config._checkout_before = _checkout_leftovers()


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Collecting imports every test module, the product and its dependencies, and builds the
    tests' data (bundled catalogs, hypothesis's strategies): ~180,000 objects that live to the
    end of the session. The cyclic collector stays off while they are made (it walked the
    growing heap again and again: ~0.4 s), collects once after, and then keeps them out of its
    scans (each full collection during the run walked them again: ~1.3 s of the suite's CPU).
    Tests still free their own garbage as before."""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.enable()
        gc.collect()
        gc.freeze()


_module_running: list = [None]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """What a module's tests leave alive for the rest of the session (decoded catalogs, cached
    strategies, hypothesis's and the tests' memos, session fixtures) is kept out of the cyclic
    collector's scans from the next module on, as collection's objects are (each full
    collection walked all of it again: ~0.3 s of the suite's CPU). The garbage is collected
    first; each module's tests free theirs as before."""
    module = getattr(item, "module", None)
    if module is not _module_running[0]:
        _module_running[0] = module
        gc.collect()
        gc.freeze()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a test wrote into the checkout (a results cache, a hypothesis database,
    a converted file): tests work in temporary directories."""
    shutil.rmtree(_HYPOTHESIS_HOME, ignore_errors=True)
    before, after = session.config._checkout_before, _checkout_leftovers()
    if before is None or after is None or not after - before:
        return
    written = "\n  ".join(sorted(after - before))
    session.config.get_terminal_writer().line(
        f"\nThe tests wrote into the checkout ({ROOT}):\n  {written}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED

"""--fix, -o and every other write behave like a careful editor, under real failure conditions:
symlinks, hard links, modes, owners, read-only files, FIFOs, devices, a full disk (a tiny tmpfs,
/dev/full), a file size limit (RLIMIT_FSIZE) and a folder we may not write."""
from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from comfylint.cli import cli
from comfylint.writing import WriteError, write_file

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534


def fixable(steps: int = 20) -> dict:
    """A valid graph whose sampler name has a case slip: T306 offers a safe fix."""
    return {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}},
            "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
            "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
            "3": {"class_type": "KSampler", "inputs": {
                "seed": 1, "steps": steps, "cfg": 7.0, "sampler_name": "Euler", "scheduler": "normal",
                "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["6", 0],
                "latent_image": ["5", 0]}},
            "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
            "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "x"}}}


def write_workflow(path: Path, document=None) -> bytes:
    data = (json.dumps(document or fixable(), indent=2) + "\n").encode()
    path.write_bytes(data)
    return data


def fix(*paths) -> object:
    return CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--select", "T306",
                                    *map(str, paths)])


def is_fixed(path: Path) -> bool:
    return json.loads(path.read_text())["3"]["inputs"]["sampler_name"] == "euler"


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_fix_through_a_symlink_changes_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real" / "wf.json"
    target.parent.mkdir()
    write_workflow(target)
    link = tmp_path / "link.json"
    link.symlink_to(Path("real") / "wf.json")
    result = fix(link)
    assert "applied 1 fix" in result.output, result.output
    assert link.is_symlink() and is_fixed(target)


def test_fix_keeps_hard_links_mode_and_inode_identity(tmp_path):
    original = tmp_path / "wf.json"
    write_workflow(original)
    os.chmod(original, 0o640)
    other = tmp_path / "other-name.json"
    os.link(original, other)
    inode = original.stat().st_ino
    fix(original)
    assert is_fixed(original) and is_fixed(other)
    assert original.stat().st_ino == inode and original.stat().st_nlink == 2
    assert stat.S_IMODE(original.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_fix_keeps_the_mode_and_extended_attributes_when_replacing(tmp_path):
    path = tmp_path / "wf.json"
    write_workflow(path)
    os.chmod(path, 0o604)
    try:
        os.setxattr(path, "user.origin", b"kept")
    except OSError:
        pytest.skip("no user extended attributes on this file system")
    fix(path)
    assert is_fixed(path) and stat.S_IMODE(path.stat().st_mode) == 0o604
    assert os.getxattr(path, "user.origin") == b"kept"


def test_a_read_only_file_is_refused_with_a_clear_message_and_left_alone(tmp_path):
    path = tmp_path / "wf.json"
    data = write_workflow(path)
    os.chmod(path, 0o444)
    result = fix(path)
    assert result.exit_code == 2
    assert "read-only: comfylint does not write it" in result.output
    assert path.read_bytes() == data and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert "Traceback" not in result.output


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file to another owner")
def test_as_root_a_fixed_file_keeps_its_owner_and_group(tmp_path):
    path = tmp_path / "wf.json"
    write_workflow(path)
    os.chown(path, NOBODY, NOBODY)
    fix(path)
    assert is_fixed(path)
    assert (path.stat().st_uid, path.stat().st_gid) == (NOBODY, NOBODY)


def test_new_output_files_follow_the_umask(tmp_path):
    path = tmp_path / "wf.json"
    write_workflow(path)
    report = tmp_path / "report.json"
    previous = os.umask(0o027)
    try:
        CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", "-o", str(report),
                                 str(path)])
    finally:
        os.umask(previous)
    assert json.loads(report.read_text())["version"] == 1
    assert stat.S_IMODE(report.stat().st_mode) == 0o640


@pytest.mark.parametrize("where", ["missing/folder/report.json", "x" * 300 + "/r.json",
                                   ("deep/" * 900) + "r.json"])
def test_output_into_a_missing_folder_or_an_impossible_path_is_a_clear_error(tmp_path, where):
    path = tmp_path / "wf.json"
    write_workflow(path)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "-o", str(tmp_path / where), str(path)])
    assert result.exit_code == 2 and "cannot write" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_output_into_a_fifo_streams_and_never_replaces_it(tmp_path):
    path = tmp_path / "wf.json"
    write_workflow(path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    # Nobody reads: an error at once, not a hang, and the FIFO is still a FIFO.
    result = CliRunner().invoke(cli, ["check", "--no-cache", "-o", str(fifo), str(path)])
    assert result.exit_code == 2 and "no process is reading" in result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    # With a reader, the report arrives through it (until the reader thread has opened its
    # end, a write finds nobody reading: try again).
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    for _ in range(500):
        result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", "-o",
                                          str(fifo), str(path)])
        if "no process is reading" not in result.output:
            break
        time.sleep(0.01)
    reader.join(timeout=10)
    assert json.loads(b"".join(received))["version"] == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_dev_stdout_is_the_callers_stream(tmp_path):
    """/dev/stdout (a magic link to the caller's descriptor: here a pipe) is written to, never
    resolved to a path or replaced (a real process: the descriptor is the point)."""
    if not os.path.exists("/dev/stdout"):
        pytest.skip("no /dev/stdout")
    path = tmp_path / "wf.json"
    write_workflow(path)
    done = subprocess.run([sys.executable, "-m", "comfylint", "check", "--no-cache",
                           "--output-format", "json", "-o", "/dev/stdout", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["version"] == 1


def test_fixing_a_special_file_is_refused(tmp_path):
    fifo = tmp_path / "wf.json"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="FIFO .*not a regular file"):
        write_file(fifo, b"{}")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    if os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode):
        with pytest.raises(WriteError, match="character device, not a regular file"):
            write_file("/dev/null", b"{}")
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not (os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode)),
                    reason="no /dev/full")
def test_a_full_device_is_a_clear_error():
    result = CliRunner().invoke(cli, ["check", "--no-cache", "-o", "/dev/full",
                                      str(Path(__file__).parent / "fixtures" / "fox.api.json")])
    assert result.exit_code == 2 and "no space left on the device" in result.output


@contextlib.contextmanager
def tiny_tmpfs(folder: Path, size: str):
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False).returncode == 0 if IS_ROOT else False
    if not mounted:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_leaves_the_original_untouched(tmp_path):
    with tiny_tmpfs(tmp_path / "disk", "64k") as disk:
        path = disk / "wf.json"
        # A long prompt text: the file takes most of the disk, the fixed copy does not fit too.
        workflow = fixable()
        workflow["6"]["inputs"]["text"] = "a cat " * 6000
        data = write_workflow(path, workflow)
        result = fix(path)
        assert result.exit_code == 2, result.output
        assert "no space left on the device" in result.output
        assert path.read_bytes() == data and leftovers(disk) == []


def test_a_full_disk_with_a_hard_linked_file_leaves_it_untouched(tmp_path):
    """Hard links are kept by rewriting in place: the space is reserved first, so a full disk
    stops the write before any byte of the original changes."""
    with tiny_tmpfs(tmp_path / "disk", "16k") as disk:
        path = disk / "wf.json"
        workflow = fixable()
        workflow["3"]["inputs"]["sampler_name"] = "eulr"  # did you mean "euler": one byte more
        text = json.dumps(workflow, indent=2) + "\n"
        workflow["6"]["inputs"]["text"] += "x" * (4096 - len(text))  # exactly one page
        data = write_workflow(path, workflow)
        assert len(data) == 4096
        os.link(path, disk / "twin.json")
        with contextlib.suppress(OSError), open(disk / "filler", "wb", buffering=0) as stream:
            while True:
                stream.write(b"x" * 1024)
        result = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes",
                                          "--select", "T306", str(path)])
        assert result.exit_code == 2 and "no space left on the device" in result.output, result.output
        assert path.read_bytes() == data and (disk / "twin.json").read_bytes() == data
        assert path.stat().st_nlink == 2


def _limited(limit: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_file_size_limit_is_a_clear_error_and_the_original_stays(tmp_path):
    path = tmp_path / "wf.json"
    workflow = fixable()
    workflow["6"]["inputs"]["text"] = "cat " * 2000
    data = write_workflow(path, workflow)
    done = subprocess.run([sys.executable, "-m", "comfylint", "check", "--no-cache", "--fix",
                           "--select", "T306", str(path)], capture_output=True, text=True,
                          preexec_fn=_limited(len(data) // 2), check=False)
    assert done.returncode == 2, done.stderr
    assert "larger than allowed (file size limit)" in done.stderr and "Traceback" not in done.stderr
    assert path.read_bytes() == data and leftovers(tmp_path) == []


def without_override() -> list[str]:
    """A command prefix under which permission bits bind: as root, drop the capabilities that
    bypass them (root ignores a read-only folder otherwise)."""
    if not IS_ROOT:
        return []
    import shutil

    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permission bits cannot bind")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"]


@pytest.fixture
def locked_folder():
    """A folder that becomes read-only (0555) once the test has put its files in it (outside
    pytest's own tmp_path, whose parents only root may enter); cleaned up afterwards."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp())
    try:
        yield folder
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_a_folder_we_may_not_write_is_a_clear_error(locked_folder):
    workflow = locked_folder / "wf.json"
    write_workflow(workflow)
    os.chmod(workflow, 0o644)
    os.chmod(locked_folder, 0o555)
    done = subprocess.run([*without_override(), sys.executable, "-m", "comfylint", "check",
                           "--no-cache", "-o", str(locked_folder / "report.txt"), str(workflow)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "permission denied" in done.stderr and "Traceback" not in done.stderr
    assert not (locked_folder / "report.txt").exists()


def test_a_writable_file_in_a_folder_we_may_not_write_is_fixed_in_place(locked_folder):
    path = locked_folder / "wf.json"
    write_workflow(path)
    os.chmod(path, 0o666)
    if IS_ROOT:
        os.chown(path, NOBODY, NOBODY)
    os.chmod(locked_folder, 0o555)
    inode = path.stat().st_ino
    done = subprocess.run([*without_override(), sys.executable, "-m", "comfylint", "check",
                           "--no-cache", "--fix", "--select", "T306", str(path)],
                          capture_output=True, text=True, check=False)
    assert "applied 1 fix" in done.stderr, done.stderr
    assert is_fixed(path) and path.stat().st_ino == inode
    if IS_ROOT:
        assert path.stat().st_uid == NOBODY


# -- the results cache (.comfylint_cache) ----------------------------------------------------------
@pytest.fixture
def check_with_cache(monkeypatch):
    """`comfylint check .` in a folder, in-process, with the results cache on."""
    monkeypatch.delenv("COMFYLINT_NO_CACHE", raising=False)

    def run(folder: Path):
        monkeypatch.chdir(folder)
        result = CliRunner().invoke(cli, ["check", "."])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result
    return run


def test_a_symlinked_cache_never_overwrites_the_targets_files(tmp_path, check_with_cache):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    write_workflow(project / "wf.json")
    (elsewhere / ".gitignore").write_text("keep-me\n")
    (project / ".comfylint_cache").symlink_to(elsewhere)
    assert check_with_cache(project).exit_code == 0
    assert (elsewhere / ".gitignore").read_text() == "keep-me\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == [".gitignore"]  # not ours: unused


def test_a_symlinked_cache_to_an_empty_folder_is_used_and_tagged(tmp_path, check_with_cache):
    project, elsewhere = tmp_path / "project", tmp_path / "cache-on-another-disk"
    project.mkdir()
    elsewhere.mkdir()
    write_workflow(project / "wf.json")
    (project / ".comfylint_cache").symlink_to(elsewhere)
    check_with_cache(project)
    assert (elsewhere / "CACHEDIR.TAG").is_file() and (elsewhere / ".gitignore").is_file()
    assert list(elsewhere.rglob("*.json"))


@pytest.mark.parametrize("damage", [b"", b"[1]", b'{"k": 5}', b"{" * 100000, b"\xff\xfe",
                                    b'{"%s": {"format": 5}}',
                                    (b'{"%s": {"format": "api", "envelope": null, "skipped": false, '
                                     b'"suppressed": 0, "diagnostics": [{"code": 1}]}}')])
def test_a_damaged_results_cache_is_ignored(tmp_path, damage, check_with_cache):
    write_workflow(tmp_path / "wf.json")
    first = check_with_cache(tmp_path)
    [cache_file] = [p for p in (tmp_path / ".comfylint_cache").rglob("*.json")]
    key = next(iter(json.loads(cache_file.read_text())))
    cache_file.write_bytes(damage.replace(b"%s", key.encode()) if b"%s" in damage else damage)
    again = check_with_cache(tmp_path)
    assert again.exit_code == first.exit_code and again.output == first.output, again.output


def test_a_fifo_in_place_of_the_results_cache_does_not_hang(tmp_path, check_with_cache):
    write_workflow(tmp_path / "wf.json")
    check_with_cache(tmp_path)
    [cache_file] = [p for p in (tmp_path / ".comfylint_cache").rglob("*.json")]
    cache_file.unlink()
    os.mkfifo(cache_file)
    assert check_with_cache(tmp_path).exit_code == 0

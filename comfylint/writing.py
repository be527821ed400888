"""Writing files: fixed workflows, reports, baselines, snapshots, caches.

User files (`write_file`: --fix, -o, baselines, snapshots, converted workflows) are written the
way a careful editor writes them:

- through a symlink to its target (the link stays a link);
- a new version is written beside the target and renamed over it, so that readers never see half
  a file and a failed write (ENOSPC, EFBIG, EACCES, ...) leaves the original as it was, with the
  original's mode, owner and group (as root too) and extended attributes (ACLs);
- where a rename would lose something, the file is rewritten in place instead: it has several
  hard links, its owner or group cannot be given to a new file, its attributes cannot be copied,
  or its folder is not writable. The space is reserved first (posix_fallocate), and if the write
  still fails the original bytes are put back;
- a read-only file (no write permission for us; for root, no write bit at all) is refused, as an
  editor refuses it without `:w!`: comfylint never forces;
- special files are never replaced: a FIFO or character device given as a report's destination
  (`-o /dev/stdout`, a process substitution) is written to as a stream, as `>` would (a FIFO no
  process reads is an error, not a hang); a fixed workflow must be a regular file.

Every failure is a WriteError naming the file and the reason (exit 2).

Caches (`atomic_write`) are comfylint's own files: written beside and renamed over, never through
a symlink (a planted link must not redirect a cache write onto another file).
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import tempfile
from pathlib import Path

from .errors import ComfylintError
from .reading import special_kind


class WriteError(ComfylintError):
    """A file that cannot be written; the message names it and says why (exit 2)."""


def atomic_write(path: str | Path, data: bytes | list[bytes | bytearray]) -> None:
    """comfylint's own files (caches): write beside the target and rename over it (a symlink
    there is replaced, not followed), so that readers never see half a file. `data` may come in
    pieces (written in order, never joined)."""
    path = Path(path)
    mode: int | None = None
    with contextlib.suppress(OSError):
        existing = os.lstat(path).st_mode
        mode = stat.S_IMODE(existing) if stat.S_ISREG(existing) else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in [data] if isinstance(data, (bytes, bytearray)) else data:
                stream.write(piece)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def encode_text(text: str) -> bytes:
    """UTF-8 for a file comfylint writes. A lone surrogate (JSON allows `"\\ud800"`, Python
    decodes it to a str UTF-8 cannot hold) is written as `\\ud800`: inside a JSON string, the
    escape of the very same code unit; elsewhere, a readable mark."""
    return text.encode("utf-8", "backslashreplace")


def write_file(path: str | Path, data: bytes | str, *, streams: bool = False) -> None:
    """Write a user's file as a careful editor does (see the module's docstring). Text is
    encoded by `encode_text`. `streams`: a FIFO or character device is written to as a stream
    (a report's destination) instead of being refused."""
    shown = str(path)
    if isinstance(data, str):
        data = encode_text(data)
    try:
        _write(Path(path), data, streams)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {_reason(exc)}") from None


def _write(path: Path, data: bytes, streams: bool) -> None:
    if streams and _names_a_descriptor(path):
        _stream(path, data, path, append=True)  # /dev/stdout, /dev/fd/N: the caller's own stream
        return
    target = Path(os.path.realpath(path))  # through symlinks (a dangling one: its target's name)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not os.path.isdir(target.parent):
            raise WriteError(f"cannot write {path}: the folder {target.parent} does not "
                             "exist") from None
        _replace(target, data, None)
        return
    kind = special_kind(info.st_mode)
    if kind is not None:
        if streams and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
            _stream(target, data, path)
            return
        raise WriteError(f"cannot write {path}: it is {kind}, not a regular file; comfylint "
                         "never replaces one")
    if _read_only(target, info):
        raise WriteError(f"{path} is read-only: comfylint does not write it (make it writable "
                         "first, e.g. chmod u+w, if it should change)")
    if info.st_nlink > 1:
        _rewrite_in_place(target, data)  # a rename would split the hard links
        return
    try:
        _replace(target, data, info)
    except _RenameWouldLose:
        _rewrite_in_place(target, data)


class _RenameWouldLose(Exception):
    """Replacing the file by a new one would lose its owner, group or attributes, or the
    folder does not let us create the new one: rewrite it in place instead."""


def _read_only(target: Path, info: os.stat_result) -> bool:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    return not os.access(target, os.W_OK)


def _replace(target: Path, data: bytes, info: os.stat_result | None) -> None:
    """A new file beside the target (its permissions those of the original, or of a new file
    under the umask), then renamed over it."""
    try:
        temporary, descriptor = _create_beside(target)
    except PermissionError:
        if info is None:
            raise
        raise _RenameWouldLose from None  # the folder is not writable, the file is
    try:
        try:
            _write_all(descriptor, data)
            if info is not None:
                _take_identity(descriptor, temporary, info, target)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    except BaseException as exc:
        _remove(temporary)
        if isinstance(exc, PermissionError) and info is not None:
            raise _RenameWouldLose from None  # e.g. a sticky folder owned by someone else
        raise


def _create_beside(target: Path) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)  # the umask applies, as for any new file
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target))


def _take_identity(descriptor: int, temporary: Path, info: os.stat_result, target: Path) -> None:
    """Give the new file the original's owner, group, mode and extended attributes, or raise
    _RenameWouldLose when that is not possible."""
    if hasattr(os, "geteuid"):
        if os.geteuid() == 0:
            os.fchown(descriptor, info.st_uid, info.st_gid)  # root: the file stays its owner's
        elif info.st_uid != os.geteuid():
            raise _RenameWouldLose  # someone else's file that we may write: it stays theirs
        elif os.fstat(descriptor).st_gid != info.st_gid:
            try:
                os.fchown(descriptor, -1, info.st_gid)
            except PermissionError:
                raise _RenameWouldLose from None
    os.chmod(temporary, stat.S_IMODE(info.st_mode))  # after chown, which clears set-id bits
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(target)
        except OSError:
            names = []
        for name in names:
            try:
                os.setxattr(descriptor, name, os.getxattr(target, name))
            except OSError:
                raise _RenameWouldLose from None


def _rewrite_in_place(target: Path, data: bytes) -> None:
    """Overwrite the file's own bytes (keeping its inode: links, owner, attributes). Space is
    reserved first; if the write fails anyway, the original bytes are written back."""
    descriptor = os.open(target, os.O_RDWR | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        original = b""
        while chunk := os.read(descriptor, 1 << 20):
            original += chunk
        if len(data) > len(original) and hasattr(os, "posix_fallocate"):
            try:
                os.posix_fallocate(descriptor, 0, len(data))
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                    os.ftruncate(descriptor, len(original))
                    raise
        try:
            _write_all(descriptor, data, at=0)
            os.ftruncate(descriptor, len(data))
            os.fsync(descriptor)
        except OSError:
            try:
                _write_all(descriptor, original, at=0)
                os.ftruncate(descriptor, len(original))
            except OSError as restore:
                raise WriteError(f"cannot write {target}, and putting its original bytes back "
                                 f"failed too ({_reason(restore)}): check the file") from None
            raise
    finally:
        os.close(descriptor)


def _names_a_descriptor(path: Path) -> bool:
    """/dev/stdout, /dev/stderr, /dev/fd/N, /proc/.../fd/N: a descriptor the caller opened (a
    pipe, a terminal, a file the shell redirected). Its target is no path to resolve or replace."""
    text = os.path.abspath(path)
    return text in ("/dev/stdout", "/dev/stderr") or text.startswith(("/dev/fd/", "/proc/"))


def _stream(target: Path, data: bytes, shown: Path, *, append: bool = False) -> None:
    """A FIFO or character device, written as `>` would (or, for a descriptor the shell opened,
    after what it holds, as `>>` would: `> file` left it empty). A FIFO nobody reads is an error."""
    try:
        descriptor = os.open(target, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0)
                             | (os.O_APPEND if append else 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise WriteError(f"cannot write {shown}: it is a FIFO that no process is "
                             "reading") from None
        raise
    try:
        os.set_blocking(descriptor, True)
        _write_all(descriptor, data)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes, at: int | None = None) -> None:
    """All of `data`, at the descriptor's position or at offset `at`."""
    if at is not None:
        os.lseek(descriptor, at, os.SEEK_SET)
    view = memoryview(data)
    offset = 0
    while offset < len(view):
        written = os.write(descriptor, view[offset:])
        if written <= 0:
            raise OSError(errno.EIO, "the write made no progress")
        offset += written


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _reason(exc: OSError) -> str:
    reasons = {errno.ENOSPC: "no space left on the device", errno.EFBIG: "the file would be "
               "larger than allowed (file size limit)", errno.EACCES: "permission denied",
               errno.EROFS: "the file system is read-only", errno.ENAMETOOLONG: "the path is too "
               "long", errno.EDQUOT: "the disk quota is exceeded", errno.ELOOP: "too many "
               "levels of symbolic links", errno.ENOTDIR: "a part of the path is not a folder"}
    return reasons.get(exc.errno or 0) or exc.strerror or str(exc)

"""Reading the files comfylint is given: bounded, and never waiting on a special file.

A FIFO named `wf.json` would block `open()` forever and `/dev/zero` never ends; a workflow, a
catalog or a config is always a regular file of bounded size. `open_regular` opens without
blocking and refuses anything else; `read_limited` also refuses more than a limit. Both raise
`UnreadableFile`, an OSError whose `strerror` says why, so callers that already turn OSError into
a finding or a user error keep doing so.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

MB = 1024 * 1024
MAX_WORKFLOW_BYTES = 256 * MB  # a file to lint (an image may be big; its text chunks are bounded)
MAX_JSON_TEXT_BYTES = 64 * MB  # a workflow as JSON text: parsing it takes ~10x that in memory
MAX_CATALOG_BYTES = 512 * MB  # /object_info of a server with many packs reaches 100 MB
MAX_SETTINGS_BYTES = 16 * MB  # configs, manifests, baselines, pack maps, extra_model_paths.yaml

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


class UnreadableFile(OSError):
    """A file comfylint will not read: not a regular file, or larger than allowed."""


def special_kind(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)", ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def open_regular(path: str | Path) -> BinaryIO:
    """Open a regular file for reading without ever blocking (a FIFO would wait for a writer)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        kind = special_kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise UnreadableFile(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise UnreadableFile(errno.EFBIG, too_large(size, limit), str(path))
        data = handle.read(limit + 1)  # the size may lie (/proc) or grow while read
    if len(data) > limit:
        raise UnreadableFile(errno.EFBIG, too_large(len(data), limit), str(path))
    return data


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """At most `limit` bytes of a stream (standard input); more is an UnreadableFile."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(errno.EFBIG, f"more than {limit // MB} MB, larger than allowed", "-")
    return data


def too_large(size: int, limit: int) -> str:
    return f"it is {size / MB:.0f} MB, more than the {limit // MB} MB allowed"

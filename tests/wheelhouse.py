"""A wheelhouse made from this environment's installed distributions, so that a test can build a
fresh virtual environment (the pre-commit hook's) with pip and no package index.

An installed distribution is a wheel unpacked: its files under site-packages plus its .dist-info.
Packing them back (scripts aside: pip recreates them from entry_points.txt) gives a wheel pip
installs like the original one.
"""
from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

# Written by the installer, not part of the wheel.
INSTALLER_FILES = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def closure(requirements: list[str]) -> list[Distribution]:
    """The installed distributions these requirement strings need, transitively (markers
    evaluated for this interpreter, no extras)."""
    found: dict[str, Distribution] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = canonical(requirement.name)
        if key in found:
            continue
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            raise AssertionError(f"{requirement.name} is not installed: cannot make its wheel") \
                from None
        found[key] = dist
        pending.extend(Requirement(text) for text in dist.requires or ())
    return list(found.values())


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pack(dist: Distribution, directory: Path) -> Path:
    """One installed distribution as a wheel file in `directory`."""
    info_dir = next(str(f).split("/")[0] for f in dist.files or () if ".dist-info/" in str(f))
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")] or ["py3-none-any"]
    parts = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    name = info_dir[: -len(".dist-info")]  # name-version, as the wheel that installed it spelled it
    target = directory / f"{name}-{'-'.join('.'.join(p) for p in parts)}.whl"
    records = []
    # stored, not deflated: the wheel is unpacked once, next to where it was packed
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for item in dist.files or ():
            relative = str(item)
            if (relative.startswith("..") or "__pycache__" in relative
                    or (relative.startswith(info_dir + "/")
                        and relative.split("/", 1)[1] in INSTALLER_FILES)):
                continue
            data = Path(dist.locate_file(item)).read_bytes()
            wheel.writestr(relative, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{relative},sha256={digest},{len(data)}")
        records.append(f"{info_dir}/RECORD,,")
        wheel.writestr(f"{info_dir}/RECORD", "\n".join(records) + "\n")
    return target


def wheelhouse(directory: Path, requirements: list[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for dist in closure(requirements):
        pack(dist, directory)
    return directory

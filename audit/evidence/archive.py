"""The package's file format: an uncompressed POSIX ustar archive with a canonical layout.

    MANIFEST.json    what the package holds: every file's path, size and SHA-256, the run's
                     identity and population digest, and the signing key when it is signed
    MANIFEST.sha256  the manifest's own SHA-256 (`sha256sum -c` format)
    MANIFEST.sig     the signature over MANIFEST.json's bytes (only when signed)
    ...              the files, in the manifest's order

Every member is a regular file with the same owner (0, no names), mode 0644 and time, so the
whole archive is a function of its members' contents: `verify` writes it again from what it
read and compares byte for byte, which catches a change in a header, in the padding between
members or after the last one, which no file hash covers. Uncompressed, because the Parquet
files are compressed already and a byte in the archive is then a byte of exactly one member.
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

FORMAT = "certcensus-evidence/1"
MANIFEST = "MANIFEST.json"
MANIFEST_SUM = "MANIFEST.sha256"
SIGNATURE = "MANIFEST.sig"
CONTROL = (MANIFEST, MANIFEST_SUM, SIGNATURE)
BLOCK = tarfile.BLOCKSIZE
_CHUNK = 1 << 20
_HELD = 1 << 20  # members up to this size that need no file are held in memory
# Member paths: relative, plain characters, no `.` or `..` component.
_PATH = re.compile(r"(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_.+=@,-]+(?:/[A-Za-z0-9_.+=@,-]+)*")


def safe_path(name: str) -> bool:
    return len(name) <= 240 and bool(_PATH.fullmatch(name))


def manifest_sum(manifest: bytes) -> bytes:
    return f"{hashlib.sha256(manifest).hexdigest()}  {MANIFEST}\n".encode("ascii")


def tarinfo(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, mtime, 0o644, tarfile.REGTYPE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


Opener = Callable[[], BinaryIO]


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    open: Opener


def write_archive(target: BinaryIO, members: Iterable[Member], mtime: int) -> None:
    """The canonical archive of these members, in this order."""
    with tarfile.open(fileobj=target, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for m in members:
            with m.open() as data:
                tar.addfile(tarinfo(m.name, m.size, mtime), data)


def layout(members: list[Member]) -> list[tuple[int, int, str]]:
    """Where each part of the canonical archive lies: (start, end, what)."""
    parts, offset = [], 0
    for m in members:
        parts.append((offset, offset + BLOCK, f"the header of {m.name}"))
        data_end = offset + BLOCK + m.size
        parts.append((offset + BLOCK, data_end, m.name))
        offset = data_end + (-m.size % BLOCK)
        parts.append((data_end, offset, f"the padding after {m.name}"))
    parts.append((offset, 1 << 62, "the end-of-archive blocks"))
    return parts


class CompareSink(io.RawIOBase):
    """A write-only file that compares what is written with an existing file's bytes."""

    def __init__(self, existing: BinaryIO) -> None:
        self._existing = existing
        self._offset = 0
        self.first_difference: int | None = None

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._offset

    def write(self, data: bytes) -> int:  # type: ignore[override]
        data = bytes(data)
        if self.first_difference is None:
            theirs = self._existing.read(len(data))
            if theirs != data:
                at = next(
                    (i for i, (a, b) in enumerate(zip(theirs, data, strict=False)) if a != b),
                    min(len(theirs), len(data)),
                )
                self.first_difference = self._offset + at
        self._offset += len(data)
        return len(data)

    def trailing(self) -> bool:
        """Whether the existing file goes on after everything written."""
        return self.first_difference is None and bool(self._existing.read(1))


@dataclass
class Extracted:
    """What was read out of a package: the members in their order, and what was wrong."""

    root: Path
    order: list[str] = field(default_factory=list)
    sha256: dict[str, str] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # members refused, damage found
    held: dict[str, bytes] = field(default_factory=dict)  # members read into memory, not `root`

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> bytes | None:
        if name in self.held:
            return self.held[name]
        return self.path(name).read_bytes() if name in self.sha256 else None

    def opener(self, name: str) -> Opener:
        if name in self.held:
            data = self.held[name]
            return lambda: io.BytesIO(data)
        path = self.path(name)
        return lambda: path.open("rb")


def extract(
    package: Path,
    dest: Path,
    want: Callable[[str], bool] | None = None,
    on_disk: Callable[[str], bool] | None = None,
) -> Extracted:
    """Read every member (or those `want` names) into `dest`, hashing as it goes. Never writes
    outside `dest`: only regular files with safe relative paths are written; the rest are refused.

    With `on_disk`, only the members it names (and any larger than a mebibyte) are written; the
    others are held in memory: a package holds hundreds of small files (the incident drafts)
    that are only hashed and read back, and a file each costs more than reading them."""
    out = Extracted(dest)
    try:
        with tarfile.open(package, mode="r:") as tar:
            _members(tar, out, want, on_disk)
    except tarfile.ReadError as exc:
        out.problems.append(f"not a readable tar archive ({exc})")
    return out


def _members(
    tar: tarfile.TarFile,
    out: Extracted,
    want: Callable[[str], bool] | None,
    on_disk: Callable[[str], bool] | None,
) -> None:
    dirs: set[str] = set()  # every folder a member sits in, so no file can be one
    try:
        for info in tar:
            name = info.name
            parents = {name.rsplit("/", i)[0] for i in range(1, name.count("/") + 1)}
            if want is not None and not want(name):
                continue
            if not info.isreg():
                out.problems.append(f"member {name!r} is not a regular file")
            elif not safe_path(name):
                out.problems.append(f"member {name!r} has a path that is not allowed")
            elif name in out.sha256 or name in dirs or any(p in out.sha256 for p in parents):
                out.problems.append(f"member {name!r} appears twice or clashes with another")
            else:
                dirs.update(parents)
                if on_disk is None or on_disk(name) or info.size > _HELD:
                    _copy(tar, info, out)
                else:
                    _hold(tar, info, out)
    except (tarfile.TarError, OSError, EOFError) as exc:
        out.problems.append(f"the archive is damaged after {len(out.order)} members ({exc})")


def _copy(tar: tarfile.TarFile, info: tarfile.TarInfo, out: Extracted) -> None:
    target = out.root / info.name
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(info)
    assert source is not None  # a regular file always has data
    digest, size = hashlib.sha256(), 0
    with source, target.open("wb") as sink:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            sink.write(chunk)
            size += len(chunk)
    out.order.append(info.name)
    out.sha256[info.name] = digest.hexdigest()
    out.size[info.name] = size


def _hold(tar: tarfile.TarFile, info: tarfile.TarInfo, out: Extracted) -> None:
    source = tar.extractfile(info)
    assert source is not None  # a regular file always has data
    with source:
        data = source.read()
    out.order.append(info.name)
    out.held[info.name] = data
    out.sha256[info.name] = hashlib.sha256(data).hexdigest()
    out.size[info.name] = len(data)


def file_member(name: str, path: Path) -> Member:
    return Member(name, path.stat().st_size, lambda: path.open("rb"))


def bytes_member(name: str, data: bytes) -> Member:
    return Member(name, len(data), lambda: io.BytesIO(data))


def hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size

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
import json
import re
import tarfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from audit.errors import InputError

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


class Differs(Exception):
    """Raised by `CompareSink` at the first byte that differs: nothing after it is compared."""


class CompareSink(io.RawIOBase):
    """A write-only file that compares what is written with an existing file's bytes, and
    raises `Differs` at the first difference (so a rebuild stops there, however large the
    rest would be)."""

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
        theirs = self._existing.read(len(data))
        if theirs != data:
            at = next(
                (i for i, (a, b) in enumerate(zip(theirs, data, strict=False)) if a != b),
                min(len(theirs), len(data)),
            )
            self.first_difference = self._offset + at
            raise Differs
        self._offset += len(data)
        return len(data)

    def trailing(self) -> bool:
        """Whether the existing file goes on after everything written."""
        return bool(self._existing.read(1))


@dataclass
class Extracted:
    """What was read out of a package: the members in their order, and what was wrong."""

    root: Path
    order: list[str] = field(default_factory=list)
    sha256: dict[str, str] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # members refused, damage found
    refused: dict[str, str] = field(default_factory=dict)  # member: why none of it was read
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

    def refuse(self, name: str, why: str) -> None:
        self.refused.setdefault(name, why)
        self.problems.append(f"member {name!r} {why}")


# What a control member may hold: the manifest lists ~150 bytes a file; the checksum is a line,
# the signature at most an ECDSA P-521 one. A package member is read only up to what the
# manifest states, so these bound what is read before the manifest is known.
MANIFEST_LIMIT = 16 << 20
CONTROL_LIMIT = 4096
_EXTRA_MEMBERS = 16  # members beyond what the manifest lists that are named before stopping
_KINDS = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.DIRTYPE: "a directory",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a FIFO",
    tarfile.CONTTYPE: "a contiguous file",
}
# What reading a hostile header may raise: tarfile's own errors, and IndexError or ValueError
# from its parser on some truncated GNU headers (a sparse member's extension blocks).
_UNREADABLE = (tarfile.TarError, EOFError, IndexError, ValueError)


def extract(
    package: Path,
    dest: Path,
    want: Callable[[str], bool] | None = None,
    on_disk: Callable[[str], bool] | None = None,
) -> Extracted:
    """Read the manifest and every member (or those `want` names) into `dest`, hashing as it
    goes. Reads only what the manifest states: a member is read only when it is a plain regular
    file (no sparse file, link, device, folder or pax header) with a safe path, listed in the
    manifest at exactly the size it has, within what the package file holds; any other is
    refused before a byte of it is read. So nothing is written outside `dest`, and what is
    read, held or written never exceeds the package's own size. The manifest comes first in a
    package: members before it are refused.

    With `on_disk`, only the members it names (and any larger than a mebibyte) are written; the
    others are held in memory: a package holds hundreds of small files (the incident drafts)
    that are only hashed and read back, and a file each costs more than reading them.

    Raises InputError when the file is not a tar archive at all."""
    out = Extracted(dest)
    try:
        with tarfile.open(package, mode="r:") as tar:  # reads the first header only
            _members(tar, out, _Budget(package.stat().st_size), want, on_disk)
    except _UNREADABLE as exc:  # the first header: a later one is caught in _members
        raise InputError(f"{package}: not a tar archive ({exc or type(exc).__name__})") from None
    return out


@dataclass
class _Budget:
    """What may be read: members the manifest lists, at the sizes it states, within what the
    package file holds."""

    left: int  # bytes: the package's size, less what was read
    listed: dict[str, int] | None = None  # path: size, once the manifest is read
    folders: set[str] = field(default_factory=set)  # every folder a member read sits in
    members: int = 0

    def refusal(self, info: tarfile.TarInfo, read: Mapping[str, str]) -> str | None:
        """Why this member must not be read, or None; decided from its header alone."""
        name = info.name
        if info.sparse is not None or info.type == tarfile.GNUTYPE_SPARSE:
            return "is a GNU sparse file, not a regular file: not read"
        if info.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            kind = _KINDS.get(info.type, f"of tar type {info.type!r}")
            return f"is {kind}, not a regular file: not read"
        if info.pax_headers:
            return "has pax extended headers, which a package does not use: not read"
        if not safe_path(name):
            return "has a path that is not allowed: not read"
        parents = _parents(name)
        if name in read or name in self.folders or any(p in read for p in parents):
            return "appears twice or clashes with another: not read"
        if name in CONTROL:
            limit = MANIFEST_LIMIT if name == MANIFEST else CONTROL_LIMIT
            if info.size > limit:
                return f"is {info.size} bytes, more than a {name} may hold: not read"
        elif self.listed is None:
            return f"does not follow a readable {MANIFEST}: not read"
        elif (stated := self.listed.get(name)) is None:
            return "is not listed in the manifest: not read"
        elif info.size != stated:
            return f"is {info.size} bytes, the manifest says {stated}: not read"
        if info.size > self.left:
            return f"is {info.size} bytes, more than the package holds: not read"
        return None

    def take(self, info: tarfile.TarInfo) -> None:
        self.left -= info.size
        self.folders.update(_parents(info.name))

    def too_many(self) -> bool:
        """Whether this member is one more than the manifest accounts for (and a few more)."""
        self.members += 1
        return self.members > len(self.listed or {}) + len(CONTROL) + _EXTRA_MEMBERS


def _parents(name: str) -> set[str]:
    return {name.rsplit("/", i)[0] for i in range(1, name.count("/") + 1)}


def listed_sizes(manifest: bytes) -> dict[str, int]:
    """The manifest's files and the sizes it states; nothing when it cannot be read."""
    try:
        files = json.loads(manifest).get("files")
    except (ValueError, AttributeError, RecursionError):
        return {}
    if not isinstance(files, list):
        return {}
    return {
        f["path"]: f["size"]
        for f in files
        if isinstance(f, dict)
        and isinstance(f.get("path"), str)
        and f["path"] not in CONTROL
        and type(f.get("size")) is int
        and f["size"] >= 0
    }


def _members(
    tar: tarfile.TarFile,
    out: Extracted,
    budget: _Budget,
    want: Callable[[str], bool] | None,
    on_disk: Callable[[str], bool] | None,
) -> None:
    try:
        while (info := tar.next()) is not None:
            if budget.too_many():
                out.problems.append(
                    f"more members than the manifest lists: stopped reading at {info.name!r}"
                )
                return
            name = info.name
            if name != MANIFEST and want is not None and not want(name):
                continue
            if (why := budget.refusal(info, out.sha256)) is not None:
                out.refuse(name, why)
                continue
            budget.take(info)
            if on_disk is None or on_disk(name) or info.size > _HELD:
                _copy(tar, info, out)
            else:
                _hold(tar, info, out)
            if name == MANIFEST:
                budget.listed = listed_sizes(out.read(MANIFEST) or b"")
    except (*_UNREADABLE, OSError) as exc:
        out.problems.append(
            f"the archive is damaged after {len(out.order)} members ({exc or type(exc).__name__})"
        )


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
        data = source.read(info.size)
    out.order.append(info.name)
    out.held[info.name] = data
    out.sha256[info.name] = hashlib.sha256(data).hexdigest()
    out.size[info.name] = len(data)


class Zeros(io.RawIOBase):
    """`size` zero bytes, made as they are read (a stand-in for a member that is missing)."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self._left)
        buffer[:n] = bytes(n)
        self._left -= n
        return n


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

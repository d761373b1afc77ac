"""badkeys' blocklist of known-compromised keys, read from a local copy (`--badkeys-data`).

The blocklists (Debian's weak keys of 2008, keys published in repositories, firmware and
documentation) are data badkeys downloads (`badkeys --update-bl`) into its cache directory:
`blocklist.dat` and `badkeysdata.json`. A run never downloads: given that directory, it looks
every key up in it; without it, the blocklist check does not run and run.json says so.

The format, as badkeys writes and reads it: `blocklist.dat` is a sorted array of 16-octet
records, each the first 15 octets of the SHA-256 of a key's value followed by the number of the
list it is on; the value is the RSA modulus, an EC key's x coordinate, or an EdDSA key, as the
big-endian octets of that integer. `badkeysdata.json` names the lists by number.
"""

from __future__ import annotations

import hashlib
import json
import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.errors import InputError
from audit.outputs.keys import to_bytes

BLOCKLIST = "blocklist.dat"
METADATA = "badkeysdata.json"
_RECORD = 16
_HASHED = 15


@dataclass
class Blocklist:
    path: Path
    data: mmap.mmap | bytes
    names: dict[int, str]
    sha256: str

    @classmethod
    def open(cls, location: Path) -> Blocklist:
        """badkeys' blocklist in `location` (its cache directory, or the blocklist.dat file)."""
        path = location / BLOCKLIST if location.is_dir() else location
        try:
            with path.open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
                size = path.stat().st_size
                data: mmap.mmap | bytes = (
                    mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
                )
        except OSError as exc:
            raise InputError(f"--badkeys-data: cannot read {path}: {exc.strerror}") from None
        if size % _RECORD:
            raise InputError(f"--badkeys-data: {path} is not a badkeys blocklist.dat")
        return cls(path, data, _names(path.with_name(METADATA)), digest)

    @property
    def entries(self) -> int:
        return len(self.data) // _RECORD

    def find(self, value: int) -> str | None:
        """The name of the list that holds the key whose value is `value`, else None."""
        wanted = hashlib.sha256(to_bytes(value)).digest()[:_HASHED]
        low, high = 0, self.entries - 1
        while low <= high:
            middle = (low + high) // 2
            at = middle * _RECORD
            found = bytes(self.data[at : at + _HASHED])
            if found == wanted:
                number = self.data[at + _HASHED]
                return self.names.get(number, f"list {number}")
            if found < wanted:
                low = middle + 1
            else:
                high = middle - 1
        return None

    def describe(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "entries": self.entries}


def _names(path: Path) -> dict[int, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {int(x["id"]): str(x["name"]) for x in data.get("blocklists", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # the lists are then named by number


def blocklist_value(
    algorithm: str | None, public_key: bytes | None, modulus: int | None
) -> int | None:
    """The integer badkeys hashes for a key: the RSA modulus, an EC point's x coordinate (from
    the uncompressed or compressed encoding), or an EdDSA key's octets."""
    if algorithm == "rsa":
        return modulus
    if not public_key:
        return None
    if algorithm == "ec":
        if public_key[0] == 0x04 and len(public_key) % 2 == 1:
            return int.from_bytes(public_key[1 : 1 + len(public_key) // 2], "big")
        if public_key[0] in (0x02, 0x03):
            return int.from_bytes(public_key[1:], "big")
        return None
    if algorithm in ("ed25519", "ed448"):
        return int.from_bytes(public_key, "big")
    return None

"""Reading certificates out of files and database columns: PEM, DER, base64, several per file."""

from __future__ import annotations

import base64
import binascii
import re

_PEM_BLOCK = re.compile(
    rb"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----\s*(.*?)\s*-----END (?:X509 |TRUSTED )?CERTIFICATE-----",
    re.S,
)


def certificates_in_file(data: bytes) -> list[bytes]:
    """Every certificate in a file: each PEM block, or the whole file as DER when it has none."""
    blocks = _PEM_BLOCK.findall(data)
    if not blocks:
        return [data]
    return [pem_body_to_der(b) for b in blocks]


def pem_body_to_der(body: bytes) -> bytes:
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return body  # not base64: hand the text on; the decoder will say it is not a certificate


def decode_column(value: bytes | str | None, encoding: str) -> bytes | None:
    """A database column to DER. `encoding` is der, base64 (line breaks allowed) or pem."""
    if value is None:
        return None
    raw = value.encode("ascii", "replace") if isinstance(value, str) else bytes(value)
    if encoding == "der":
        return raw
    if encoding == "base64":
        try:
            return base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            return raw
    if encoding == "pem":
        return certificates_in_file(raw)[0]
    raise ValueError(f"unknown certificate encoding {encoding!r}")

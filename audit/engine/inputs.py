"""Reading certificates out of files and database columns: the one reader `lint`, `prove` and
the PEM and base64 certificate columns share.

An input is read as PEM (one or more blocks: CERTIFICATE, X509 CERTIFICATE, TRUSTED
CERTIFICATE, PKCS7, CMS), else as DER (a certificate, or a PKCS#7 / CMS SignedData bundle),
else as base64 of one of those (line breaks allowed). Each certificate comes out as its exact
bytes, never re-encoded, so that its fingerprint is the one the issuance database gives.

The work is linear in the input: PEM blocks are found by a single left-to-right pass (a BEGIN
without an END ends it), and no certificate larger than MAX_CERTIFICATE_BYTES is decoded.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms

from audit.engine import der as der_walk
from audit.errors import InputError

# The largest certificates in use are tens of kilobytes (many SCTs, long SAN lists); anything
# past this is not read as one, so a hostile input cannot make one certificate's work unbounded.
MAX_CERTIFICATE_BYTES = 1 << 20
# base64 of that, line-wrapped (4/3, plus line breaks): the text a PEM body or column may be.
MAX_TEXT_BYTES = 2 * MAX_CERTIFICATE_BYTES

HOLDS_NO_CERTIFICATE = "holds no certificate (not PEM, DER, base64 or PKCS#7)"

_CERTIFICATE_LABELS = {b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"}
_PKCS7_LABELS = {b"PKCS7", b"CMS", b"PKCS #7 SIGNED DATA"}
_BEGIN, _END, _DASHES = b"-----BEGIN ", b"-----END ", b"-----"
_SEQUENCE, _OID = 0x30, 0x06


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A part of an input that is labelled as a certificate but could not be decoded (a PEM
    body that is not base64, one larger than a certificate may be): reported, not linted."""

    data: bytes  # as found
    reason: str


Found = bytes | Unreadable


def read_certificate_file(path: Path) -> list[Found]:
    """Every certificate in the file at `path`; InputError (exit 2) when it cannot be read or
    holds no certificate."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    found = certificates_in_file(data)
    if not found:
        raise InputError(f"{path}: {HOLDS_NO_CERTIFICATE}")
    return found


def certificates_in_file(data: bytes) -> list[Found]:
    """Every certificate in an input, in order, as DER, or Unreadable for a part labelled as a
    certificate that could not be decoded; [] when the input holds none.

    Bytes shaped as DER (a SEQUENCE) are a certificate input even when they do not decode:
    the linter reports them as a broken certificate."""
    if _BEGIN in data and not (_der_shaped(data) and _header_end(data) == len(data)):
        return _pem(data)  # (a DER value spanning the input may hold the text of a BEGIN line)
    if _der_shaped(data):
        return _der(data)
    decoded = _base64(b"".join(data.split()))
    return _der(decoded) if decoded is not None and _der_shaped(decoded) else []


def decode_column(value: bytes | str | None, encoding: str) -> bytes | None:
    """A database column to DER. `encoding` is der, base64 (line breaks allowed) or pem.

    A column that holds no certificate in its encoding, or is larger than one may be, is handed
    on as stored, undecoded: the engine reports it as not a certificate."""
    if value is None:
        return None
    raw = value.encode("ascii", "replace") if isinstance(value, str) else bytes(value)
    if encoding == "der":
        return raw
    if encoding not in ("base64", "pem"):
        raise ValueError(f"unknown certificate encoding {encoding!r}")
    if len(raw) > MAX_TEXT_BYTES:
        return raw
    if encoding == "base64":
        decoded = _base64(b"".join(raw.split()))
        return decoded if decoded is not None and len(decoded) <= MAX_CERTIFICATE_BYTES else raw
    first = next(iter(certificates_in_file(raw)), None)
    return first if isinstance(first, bytes) else raw


def _pem(data: bytes) -> list[Found]:
    """The certificates of the PEM blocks, found in one pass: each search starts where the last
    one ended, and one that finds nothing has looked at the rest of the input, so the scan ends."""
    found: list[Found] = []
    pos = 0
    while (begin := data.find(_BEGIN, pos)) >= 0:
        label_start = begin + len(_BEGIN)
        label_end = data.find(_DASHES, label_start)
        if label_end < 0:
            break
        end = data.find(_END, label_end + len(_DASHES))
        if end < 0:
            break
        close = data.find(_DASHES, end + len(_END))
        if close < 0:
            break
        pos = close + len(_DASHES)
        label, body = data[label_start:label_end], data[label_end + len(_DASHES) : end]
        if label in _CERTIFICATE_LABELS:
            found.append(_pem_certificate(label, body))
        elif label in _PKCS7_LABELS:  # a bundle: only the certificates in it are bounded
            decoded = _pem_body(body)
            bundled = _pkcs7(decoded) if isinstance(decoded, bytes) else [decoded]
            found.extend(bundled or [])
    return found


def _pem_certificate(label: bytes, body: bytes) -> Found:
    if len(body) > MAX_TEXT_BYTES:
        return Unreadable(body, too_large(len(body), "a PEM body of"))
    decoded = _pem_body(body)
    if isinstance(decoded, bytes) and label == b"TRUSTED CERTIFICATE":
        decoded = _first_value(decoded)  # OpenSSL's trust settings follow the certificate
    return _bounded(decoded) if isinstance(decoded, bytes) else decoded


def _pem_body(body: bytes) -> Found:
    decoded = _base64(b"".join(body.split()))
    if decoded is None:
        return Unreadable(body, "a PEM block whose body is not base64")
    if not decoded:
        return Unreadable(body, "an empty PEM block")
    return decoded


def _der(data: bytes) -> list[Found]:
    """A DER input: a PKCS#7 / CMS bundle's certificates, or the input as one certificate."""
    if _first_child_tag(data) == _OID:
        bundled = _pkcs7(data)
        if bundled is not None:
            return bundled
    return [_bounded(data)]


def _pkcs7(data: bytes) -> list[Found] | None:
    """The certificates of a PKCS#7 / CMS SignedData, each as its exact bytes (asn1crypto keeps
    what it read; `cryptography` would refuse or re-encode a tolerantly read certificate);
    None when `data` is not a SignedData."""
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            return None
        certificates = info["content"]["certificates"]
        return [
            _bounded(choice.chosen.dump())
            for choice in certificates or []
            if choice.name == "certificate"
        ]
    except Exception:  # asn1crypto raises several types for what it cannot read
        return None


def _bounded(der: bytes) -> Found:
    if len(der) > MAX_CERTIFICATE_BYTES:
        return Unreadable(der, too_large(len(der), "a certificate of"))
    return der


def too_large(size: int, what: str) -> str:
    limit = f"{MAX_CERTIFICATE_BYTES:,}"
    return f"{what} {size:,} bytes, larger than the {limit} a certificate may be: not decoded"


def _base64(text: bytes) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _der_shaped(data: bytes) -> bool:
    """A SEQUENCE with a length of up to four octets, or indefinite (a BER PKCS#7 bundle): how
    every certificate and bundle begins."""
    return len(data) >= 2 and data[0] == _SEQUENCE and data[1] <= 0x84


def _header(data: bytes) -> tuple[int, int] | None:
    """(start, end) of the contents of the first DER value; None when its header is unreadable."""
    try:
        return der_walk.header(data, 0)
    except (ValueError, IndexError, TypeError, RecursionError):  # asn1crypto's, for a header
        return None


def _header_end(data: bytes) -> int | None:
    header = _header(data)
    return None if header is None else header[1]


def _first_child_tag(data: bytes) -> int | None:
    header = _header(data)
    return data[header[0]] if header is not None and header[0] < len(data) else None


def _first_value(data: bytes) -> bytes:
    """The first DER value of `data` (all of it when its header cannot be read)."""
    return data[: _header_end(data) or len(data)]

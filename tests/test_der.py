"""The header walks (audit/engine/der.py) find what asn1crypto's reader finds, compiled or not."""

from __future__ import annotations

import random

import pytest
from asn1crypto import parser as asn1_parser
from asn1crypto import x509 as asn1_x509

from audit.engine import der
from audit.engine.certview import CertView
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from tests.test_shared_results import _golden_certificates


def _asn1crypto(data: bytes, pos: int) -> tuple[int, int] | str:
    try:
        return asn1_parser._parse(data, len(data), pos, lengths_only=True)
    except Exception as exc:  # noqa: BLE001 - the error type is what is compared
        return type(exc).__name__


def _ours(data: bytes, pos: int) -> tuple[int, int] | str:
    try:
        return der.header(data, pos)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__


@pytest.mark.parametrize(
    "data",
    [
        b"\x02\x01\x05",  # short form
        b"\x04\x81\x80" + b"a" * 128,  # one length octet
        b"\x04\x82\x01\x00" + b"a" * 256,  # two
        b"\x04\x83\x00\x01\x00" + b"a" * 256,  # three (not minimal: a reader's business)
        b"\x1f\x81\x00\x01\x00",  # a high tag number: asn1crypto's path
        b"\x30\x80\x02\x01\x05\x00\x00",  # indefinite length
        b"\x04\x05abc",  # truncated contents
        b"\x04\x82\x01",  # truncated length
        b"\x04",  # a tag alone
        b"",
    ],
)
def test_header_reads_as_asn1crypto_does(data: bytes) -> None:
    assert _ours(data, 0) == _asn1crypto(data, 0)


def test_header_agrees_on_random_octets() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12)))
        data += bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        pos = rng.randrange(len(data))
        assert _ours(data, pos) == _asn1crypto(data, pos), (data.hex(), pos)


def test_children_are_the_tbs_fields_asn1crypto_finds() -> None:
    for encoded in _golden_certificates()[:50]:
        tbs = asn1_x509.Certificate.load(encoded)["tbs_certificate"].contents
        expected, pos = [], 0
        while pos < len(tbs):  # asn1crypto's generic reader, one TLV after another
            _, _, _, head, contents, trailer = asn1_parser.parse(tbs[pos:])
            size = len(head) + len(contents) + len(trailer)
            expected.append(tbs[pos : pos + size])
            pos += size
        start, _ = der.header(encoded, 0)
        tbs_start, tbs_end = der.header(encoded, start)
        fields = der.children(encoded, tbs_start, tbs_end)
        assert [encoded[s:e] for _, s, e in fields] == expected
        assert [t for t, _, _ in fields] == [f[0] for f in expected]


@pytest.mark.parametrize("size", [0, 1, 127, 128, 255, 256, 65535, 65536, 70000])
def test_encode_is_read_back(size: int) -> None:
    contents = bytes(range(256)) * (size // 256) + bytes(size % 256)
    encoded = der.encode(0x04, contents)
    assert _asn1crypto(encoded, 0) == (len(encoded) - size, len(encoded))
    assert der.header(encoded, 0) == (len(encoded) - size, len(encoded))


def _sct(log: int, milliseconds: int, signature: bytes = b"\x30\x00") -> bytes:
    body = (
        b"\x00"
        + bytes([log]) * 32
        + milliseconds.to_bytes(8, "big")
        + b"\x00\x00"  # no extensions
        + b"\x04\x03"  # SHA-256, ECDSA
        + len(signature).to_bytes(2, "big")
        + signature
    )
    return len(body).to_bytes(2, "big") + body


def _sct_list(*scts: bytes) -> bytes:
    body = b"".join(scts)
    return len(body).to_bytes(2, "big") + body


def test_sct_list_fields() -> None:
    data = _sct_list(_sct(1, 1_700_000_000_000), _sct(2, 1_700_000_000_001))
    assert der.sct_list_fields(data, 1 << 64) == [
        (b"\x01" * 32, 1_700_000_000_000),
        (b"\x02" * 32, 1_700_000_000_001),
    ]
    assert der.sct_list_fields(_sct_list(), 1 << 64) == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\x00\x05" + b"\x00" * 4,  # the list's length says more than there is
        _sct_list(_sct(1, 5)) + b"\x00",  # something after the list
        _sct_list(b"\x00\x10" + b"\x00" * 16),  # an SCT shorter than its fixed fields
        _sct_list(_sct(1, 5)[:-1]),  # an SCT's length runs past the list
        _sct_list(_sct(1, 5), b"\x00"),  # an odd octet where a length should be
    ],
)
def test_sct_list_fields_refuses_what_does_not_add_up(data: bytes) -> None:
    assert der.sct_list_fields(data, 1 << 64) is None


def test_sct_list_fields_refuses_a_timestamp_past_the_bound() -> None:
    assert der.sct_list_fields(_sct_list(_sct(1, 1000)), 1000) is None
    assert der.sct_list_fields(_sct_list(_sct(1, 999)), 1000) == [(b"\x01" * 32, 999)]


def test_a_database_drivers_buffer_lints_as_bytes_do() -> None:
    """psycopg gives a memoryview, other drivers a bytearray: the walks index bytes."""
    engine = Engine(Catalogue.load())
    for encoded in _golden_certificates()[:20]:
        expected = [(r.lint.name, r.status, r.message) for r in engine.lint_der(encoded).results]
        for buffer in (memoryview(encoded), bytearray(encoded)):
            view = CertView(buffer)  # type: ignore[arg-type]
            assert type(view.der) is bytes
            found = engine.lint_der(buffer).results  # type: ignore[arg-type]
            assert [(r.lint.name, r.status, r.message) for r in found] == expected

"""Reading certificates out of files and database columns (audit/engine/inputs.py): every
encoding `lint`, `prove` and the PEM/base64 columns accept, the exact DER bytes of each
certificate, "holds no certificate" when there is none, and work linear in the input."""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID

from audit.engine.inputs import (
    HOLDS_NO_CERTIFICATE,
    MAX_CERTIFICATE_BYTES,
    Unreadable,
    certificates_in_file,
    decode_column,
    read_certificate_file,
)
from audit.errors import InputError
from audit.sample_db.certbuilder import DV_SPEC, OV_SPEC, der, name, tlv

REPO = Path(__file__).resolve().parents[1]
SIGNED_DATA = "1.2.840.113549.1.7.2"


def pem_block(label: str, data: bytes, newline: str = "\n") -> bytes:
    body = newline.join(textwrap.wrap(base64.b64encode(data).decode(), 64))
    return f"-----BEGIN {label}-----{newline}{body}{newline}-----END {label}-----{newline}".encode()


def signed_data(*certificates: bytes) -> bytes:
    """A certs-only PKCS#7 SignedData (RFC 2315 9.1) holding `certificates` as given, built by
    hand so that certificates no library would re-encode keep their bytes."""
    oid = bytes.fromhex("06092a864886f70d010702")  # signedData
    data = tlv(0x30, bytes.fromhex("06092a864886f70d010701"))  # contentInfo: data, no content
    certs = tlv(0xA0, b"".join(certificates)) if certificates else b""
    content = tlv(0x30, b"\x02\x01\x01" + tlv(0x31, b"") + data + certs + tlv(0x31, b""))
    return tlv(0x30, oid + tlv(0xA0, content))


def v2_certificate() -> bytes:
    """A certificate `cryptography` refuses (version v2) but a tolerant reader reads."""
    cert = asn1_x509.Certificate.load(der(OV_SPEC))
    cert["tbs_certificate"]["version"] = "v2"
    out = cert.dump()
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_certificate(out)
    return out


ONE, TWO = der(OV_SPEC), der(DV_SPEC)
# DER holding the text of PEM lines (in its subject) is DER all the same
PEM_IN_DER = der(
    OV_SPEC.but(
        subject=name(
            (NameOID.ORGANIZATION_NAME, "-----BEGIN CERTIFICATE----- -----END CERTIFICATE-----"),
            (NameOID.COUNTRY_NAME, "US"),
        )
    )
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pem_block("CERTIFICATE", ONE) + pem_block("CERTIFICATE", TWO), [ONE, TWO]),
        (b"subject=...\n" + pem_block("X509 CERTIFICATE", ONE, "\r\n") + b"junk", [ONE]),
        (pem_block("PRIVATE KEY", b"\x30\x00") + pem_block("CERTIFICATE", TWO), [TWO]),
        # OpenSSL's trusted form: the certificate, then its trust settings
        (pem_block("TRUSTED CERTIFICATE", ONE + bytes.fromhex("3005a0030601ff")), [ONE]),
        (ONE, [ONE]),
        (PEM_IN_DER, [PEM_IN_DER]),
        (base64.b64encode(ONE), [ONE]),
        (base64.encodebytes(TWO).replace(b"\n", b"\r\n"), [TWO]),  # line-wrapped, CRLF
        (signed_data(ONE, TWO), [ONE, TWO]),
        (pem_block("PKCS7", signed_data(TWO, ONE)), [TWO, ONE]),
        (base64.b64encode(signed_data(ONE)), [ONE]),
    ],
    ids=[
        "pem-two", "x509-label-crlf", "beside-a-key", "trusted", "der", "der-with-pem-text", "base64",
        "base64-wrapped", "pkcs7-der", "pkcs7-pem", "pkcs7-base64",
    ],
)  # fmt: skip
def test_every_encoding_gives_the_exact_der(data: bytes, expected: list[bytes]) -> None:
    assert certificates_in_file(data) == expected


def test_pkcs7_made_by_cryptography_and_tolerant_certificates_keep_their_bytes() -> None:
    made = pkcs7.serialize_certificates(
        [x509.load_der_x509_certificate(c) for c in (ONE, TWO)], Encoding.DER
    )
    assert sorted(certificates_in_file(made)) == sorted([ONE, TWO])  # a SET OF: DER order
    tolerant = v2_certificate()
    assert certificates_in_file(signed_data(tolerant, ONE)) == [tolerant, ONE]
    assert certificates_in_file(pem_block("PKCS7", signed_data(tolerant))) == [tolerant]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\r\n  \t",
        (REPO / "README.md").read_bytes(),
        bytes([0x42]) + random.Random(7).randbytes(1 << 20),  # not starting as a SEQUENCE
        pem_block("PRIVATE KEY", ONE),
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(ONE),  # no END
        signed_data(),  # a PKCS#7 bundle without certificates
        base64.b64encode(b"just some text"),
        b"AAAA",
    ],
    ids=[
        "empty", "whitespace", "readme", "random", "key-only", "begin-without-end",
        "pkcs7-empty", "base64-text", "base64-zeros",
    ],
)  # fmt: skip
def test_inputs_without_a_certificate_hold_none(data: bytes) -> None:
    assert certificates_in_file(data) == []


def test_der_shaped_bytes_are_a_broken_certificate_not_nothing() -> None:
    """A SEQUENCE that does not decode is a certificate input the linter reports as broken."""
    junk = b"\x30\x03\x02\x01"
    assert certificates_in_file(junk) == [junk]
    assert certificates_in_file(base64.b64encode(junk)) == [junk]


def test_a_certificate_block_that_is_not_base64_is_unreadable() -> None:
    (found,) = certificates_in_file(
        b"-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n"
    )
    assert isinstance(found, Unreadable) and "not base64" in found.reason


def test_a_certificate_over_the_size_limit_is_not_decoded() -> None:
    big = tlv(0x30, b"\x00" * MAX_CERTIFICATE_BYTES)
    two = pem_block("CERTIFICATE", big) + pem_block("CERTIFICATE", ONE)
    for data, rest in ((big, []), (two, [ONE]), (signed_data(big, ONE), [ONE])):
        first, *others = certificates_in_file(data)
        assert isinstance(first, Unreadable) and "larger than" in first.reason
        assert others == rest


def test_an_empty_certificate_block_is_unreadable() -> None:
    (found,) = certificates_in_file(b"-----BEGIN CERTIFICATE-----\r\n-----END CERTIFICATE-----")
    assert isinstance(found, Unreadable) and "empty" in found.reason


def test_read_certificate_file_says_holds_no_certificate(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        read_certificate_file(empty)
    assert str(caught.value) == f"{empty}: {HOLDS_NO_CERTIFICATE}"
    assert HOLDS_NO_CERTIFICATE == "holds no certificate (not PEM, DER, base64 or PKCS#7)"
    with pytest.raises(InputError, match="No such file"):
        read_certificate_file(tmp_path / "missing.pem")


def test_decode_column() -> None:
    assert decode_column(None, "pem") is None
    assert decode_column(ONE, "der") == ONE
    assert decode_column(memoryview(ONE), "der") == ONE
    assert decode_column(base64.encodebytes(ONE).decode(), "base64") == ONE
    assert decode_column(pem_block("CERTIFICATE", ONE).decode(), "pem") == ONE
    assert decode_column(pem_block("CERTIFICATE", ONE, "\r\n") * 2, "pem") == ONE
    # What holds no certificate is handed on as stored: the engine reports it (not a certificate)
    assert decode_column("no certificate here", "pem") == b"no certificate here"
    assert decode_column("not base64!", "base64") == b"not base64!"
    # A column too large to hold one certificate is not decoded at all
    huge = pem_block("CERTIFICATE", tlv(0x30, b"\x00" * MAX_CERTIFICATE_BYTES))
    assert decode_column(huge, "pem") == huge
    assert decode_column(huge[28:-26], "base64") == huge[28:-26]
    with pytest.raises(ValueError, match="unknown certificate encoding"):
        decode_column(ONE, "hex")


# Hostile PEM-shaped inputs of 20 MB. Read in one pass they take well under a second (each is
# a few bytes.find calls over the input). The regular expression that read them before
# backtracked from each BEGIN to the end of the input: 3.5 s for 50 KB of BEGIN lines, so days
# for 20 MB (quadratic), and over 5 minutes for 10 KB of line breaks after one BEGIN (worse).
# They run in a child process with a timeout of 120 s, over 100 times what a loaded two-core
# machine needs, so the test cannot flake, and cannot pass on quadratic work either.
HOSTILE = """
from audit.engine.inputs import certificates_in_file, decode_column
size = 20 << 20
begin = b"-----BEGIN CERTIFICATE-----\\n"
inputs = [
    begin + b"A" * size,  # one BEGIN, no END
    begin * (size // len(begin)),  # a BEGIN on every line, no END
    begin + b" \\r\\n" * (size // 3),  # one BEGIN, then line breaks
    b"-----BEGIN " * (size // 11),  # labels never closed
    (begin + b"A" * 64 + b"\\n") * (size // 94) + b"-----END CERTIFICATE-----\\n",  # one END
]
for data in inputs:
    print(len(certificates_in_file(data)), len(decode_column(data, "pem")) == len(data))
# within the size a column may have, so decoded: 1 MiB of line breaks without END
column = begin + b"\\r\\n" * (1 << 19)
print(decode_column(column, "pem") == column)
"""


def test_hostile_pem_is_read_in_linear_time() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    # the first three hold nothing; the last is one block whose body holds BEGIN lines: no base64
    assert done.stdout.split() == ["0", "True"] * 4 + ["1", "True", "True"]


def test_a_run_over_a_pem_column_is_not_stalled_by_a_hostile_row(tmp_path: Path) -> None:
    """`run` on a PEM-column layout (as cfssl's and OpenXPKI's): a row holding a BEGIN line and
    1.2 MB of line breaks is one certificate that is not decodable, reported, not a stalled run
    (the regular expression took over 5 minutes on 10 KB of them). Timeout as above."""
    import sqlite3

    from audit.sample_db.certbuilder import pem

    db = tmp_path / "ca.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE certificates (id INTEGER PRIMARY KEY, pem TEXT, expiry TEXT)")
        hostile = "-----BEGIN CERTIFICATE-----\n" + "\r\n" * 600_000
        rows = [(1, pem(OV_SPEC).decode()), (2, hostile)]
        conn.executemany("INSERT INTO certificates VALUES (?, ?, '2099-01-01 00:00:00')", rows)
    layout = tmp_path / "pem-column.toml"
    layout.write_text(
        'table = "certificates"\nkey = "id"\ncertificate = "pem"\nencoding = "pem"\n'
        'not_after = "expiry"\n'
    )
    out = tmp_path / "runs"
    done = subprocess.run(
        [
            sys.executable, "-m", "audit", "run", "--db", f"sqlite:///{db}",
            "--schema", str(layout), "--workers", "1", "--out", str(out), "--as-of", "2026-01-01",
        ],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_json,) = out.glob("*/run.json")
    counts = json.loads(run_json.read_text())["counts"]
    assert (counts["scanned"], counts["not_decodable"]) == (2, 1)

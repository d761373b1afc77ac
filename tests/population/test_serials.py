"""The serial-number uniqueness rule over a population written as part files: who clashes with
whom, in the population's order, and what does not clash (another issuer, a precertificate and
its certificate, one certificate stored twice)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from audit.lints.population.serials import serial_unique_per_issuer
from audit.outputs.schemas import CERTIFICATES
from audit.population.apply import Population

X, Y = "CN=Issuing CA X,O=Example", "CN=Issuing CA Y,O=Example"
DV, PRE = "subscriber_dv", "precertificate_dv"

# (cert_id, issuer, serial, sha256, profile), two part files in this order.
PARTS = [
    [
        ("a", X, "01", "s1", DV),
        ("b", X, "02", "s2", DV),
        ("c", None, "05", "s5", DV),  # no issuer: the certificates without one are one issuer
        ("d", Y, "01", "s6", DV),  # another issuer's serial 01
    ],
    [
        ("e", X, "01", "s3", PRE),  # a precertificate: of another kind than a, f and m
        ("f", X, "01", "s4", "subscriber_ov"),  # a second certificate with X's serial 01
        ("g", None, "05", "s7", DV),
        ("h", X, "02", "s2", DV),  # b again (the same bytes): not another certificate
        ("i", X, "01", "s8", None),  # no profile: a kind of its own
        ("j", X, "03", None, DV),  # no fingerprint to tell them apart
        ("k", X, "03", None, DV),
        ("l", X, None, "s10", DV),  # no serial
        ("m", X, "01", "s9", DV),  # a third with X's serial 01
    ],
]


def _write(directory: Path) -> Path:
    certificates = directory / "certificates"
    certificates.mkdir(parents=True)
    for n, rows in enumerate(PARTS):
        named = ["cert_id", "issuer", "serial", "sha256", "profile"]
        columns = dict(zip(named, zip(*rows, strict=True), strict=True))
        table = pa.table(
            {
                f.name: pa.array(list(columns.get(f.name, [None] * len(rows))), f.type)
                for f in CERTIFICATES
            }  # fmt: skip
        )
        pq.write_table(table, certificates / f"part-{n:05d}.parquet")
    return certificates


def test_clashes_are_named_in_the_populations_order(tmp_path: Path) -> None:
    found = list(serial_unique_per_issuer(Population(_write(tmp_path / "run"))))
    said = "serial {} is also the serial of certificate(s) {} from this issuer"
    assert found == [
        ("a", said.format("01", "f, m")),
        ("f", said.format("01", "a, m")),
        ("m", said.format("01", "a, f")),
        ("c", said.format("05", "g")),
        ("g", said.format("05", "c")),
    ]

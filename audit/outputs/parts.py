"""Parquet part files: each partition task writes its own, one row group per batch."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from audit.engine.certview import RowFacts
from audit.engine.ct_tbs import ct_tbs_digests
from audit.engine.profiles import PRECERTIFICATE
from audit.engine.runner import CertReport
from audit.engine.status import FINDING_STATUSES
from audit.outputs import schemas
from audit.outputs.keys import KEYS_DIR, key_row

CERTIFICATES_DIR = "certificates"
FINDINGS_DIR = "findings"


def part_name(partition: int) -> str:
    return f"part-{partition:05d}.parquet"


@contextlib.contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A path to write `path`'s content to, renamed to `path` once the block ends without error.

    Until then the file is `.NAME.writing`, a name that Arrow's dataset discovery (and so duckdb
    and this project's readers) and the evidence package skip, as they skip every name that
    begins with a dot: a file cut short by a crash is never read as data."""
    writing = path.with_name(f".{path.name}.writing")
    try:
        yield writing
    except BaseException:
        writing.unlink(missing_ok=True)  # frees the space, should the disk be full
        raise
    os.replace(writing, path)


def describe(report: CertReport, row: RowFacts) -> dict[str, Any]:
    """The certificate columns: from the certificate where it can be read, else from the row."""
    view = report.view
    from_row = (row.serial_hex, row.issuer, row.subject, row.not_before, row.not_after)
    if view is None:
        read = from_row
    else:
        try:  # every field at once: the common case (the lints have read them all already)
            read = tuple(getter(view) for getter in _DESCRIBED)
        except Exception:  # a field neither decoder could read: the row's value stands in
            read = tuple(_or(g, view, r) for g, r in zip(_DESCRIBED, from_row, strict=True))
    serial, issuer, subject, not_before, not_after = read
    return {
        "cert_id": row.cert_id,
        "sha256": report.sha256 or None,
        "serial": serial,
        "issuer": issuer,
        "subject": subject,
        "not_before": not_before,
        "not_after": not_after,
        "profile": str(report.profile),
        "decoded": view is not None,
    }


# The described fields as the certificate gives them, in `describe`'s order.
_DESCRIBED: tuple[Any, ...] = (
    lambda v: v.serial_hex,
    lambda v: v.issuer.rfc4514,
    lambda v: v.subject.rfc4514,
    lambda v: v.not_before,
    lambda v: v.not_after,
)


def _or(getter: Any, view: Any, fallback: Any) -> Any:
    try:
        return getter(view)
    except Exception:  # a field neither decoder could read: the row's value stands in
        return fallback


@dataclass
class PartStats:
    """What a partition task returns to the driver: small counts, never rows."""

    partition: int
    scanned: int = 0
    precertificates: int = 0  # rows whose certificate is a precertificate (RFC 6962 poison)
    not_decodable: int = 0
    strict_decode_failures: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    certificates_with: Counter[str] = field(default_factory=Counter)
    certificates_worst: Counter[str] = field(default_factory=Counter)  # by worst status
    seconds: float = 0.0

    def add(self, other: PartStats) -> None:
        self.scanned += other.scanned
        self.precertificates += other.precertificates
        self.not_decodable += other.not_decodable
        self.strict_decode_failures += other.strict_decode_failures
        self.findings.update(other.findings)
        self.certificates_with.update(other.certificates_with)
        self.certificates_worst.update(other.certificates_worst)


_COUNT_COLUMNS = [(f"n_{s.label}", s.label) for s in FINDING_STATUSES]
_NONE: Counter[str] = Counter()  # a certificate without findings (never changed)


class PartWriter:
    """Accumulates one batch of certificate and finding rows, then writes it as a row group.

    A context manager: the part files take their names (`written_whole`) only when it closes
    without error."""

    def __init__(self, run_dir: Path, partition: int, stats: PartStats) -> None:
        self._files = contextlib.ExitStack()
        writers = []
        for sub, schema in (
            (CERTIFICATES_DIR, schemas.CERTIFICATES),
            (FINDINGS_DIR, schemas.FINDINGS),
            (KEYS_DIR, schemas.KEYS),  # what the population's key checks read (outputs/keys.py)
        ):
            (run_dir / sub).mkdir(parents=True, exist_ok=True)
            path = self._files.enter_context(written_whole(run_dir / sub / part_name(partition)))
            writers.append(self._files.enter_context(pq.ParquetWriter(path, schema)))
        self._certs, self._findings, self._keys = writers
        self.partition = partition
        self.stats = stats
        self._cert_rows: list[dict[str, Any]] = []
        self._finding_rows: list[dict[str, Any]] = []
        self._key_rows: list[dict[str, Any]] = []

    def add(self, report: CertReport, row: RowFacts) -> None:
        base = describe(report, row)
        counts = Counter([r.status.label for r in report.findings]) if report.findings else _NONE
        tbs, tbs_other_issuer = ct_tbs_digests(report.view.der) if report.view else (None, None)
        self._cert_rows.append(
            base
            | {
                "status_in_db": row.status,
                "revoked_at": row.revoked_at,
                "revocation_reason": row.revocation_reason,
                "precertificate_in_db": row.precertificate,
                "ct_tbs_sha256": tbs,
                "ct_tbs_sha256_other_issuer": tbs_other_issuer,
                "partition": self.partition,
            }
            | {column: counts.get(label, 0) for column, label in _COUNT_COLUMNS}
        )
        for r in report.findings:
            self._finding_rows.append(
                base
                | {
                    "lint": r.lint.name, "status": r.status.label, "message": r.message,
                    "source": str(r.lint.source), "citation": r.lint.citation,
                    "lint_version": r.lint.version, "revoked_at": row.revoked_at,
                }
            )  # fmt: skip
        if (key := key_row(report.view, row.cert_id)) is not None:
            self._key_rows.append(key)
        s = self.stats
        s.scanned += 1
        s.precertificates += report.profile in PRECERTIFICATE
        s.not_decodable += report.view is None
        s.strict_decode_failures += bool(report.view is not None and report.view.problems)
        s.findings.update(counts)
        s.certificates_with.update(counts.keys())
        if counts:
            s.certificates_worst[max(r.status for r in report.findings).label] += 1

    def flush(self) -> None:
        if self._cert_rows:
            self._certs.write_table(
                pa.Table.from_pylist(self._cert_rows, schema=schemas.CERTIFICATES)
            )
        if self._finding_rows:
            self._findings.write_table(
                pa.Table.from_pylist(self._finding_rows, schema=schemas.FINDINGS)
            )
        if self._key_rows:
            self._keys.write_table(pa.Table.from_pylist(self._key_rows, schema=schemas.KEYS))
        self._cert_rows.clear()
        self._finding_rows.clear()
        self._key_rows.clear()

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *error: Any) -> None:
        # Closes the Parquet writers, then renames their files (or, on an error, removes them).
        if error[0] is not None:
            self._files.__exit__(*error)
            return
        with self._files:
            self.flush()

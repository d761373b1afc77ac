"""A finished run, opened for comparison: which lints it ran, when it saw its findings, and its
findings and population keyed by certificate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from audit.errors import InputError
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR
from audit.outputs.runjson import CATALOGUE_JSON, RUN_JSON, discovered_at, finished_run_dir
from audit.outputs.scan import batches
from audit.outputs.schemas import CERTIFICATES, FINDINGS

# The certificate a finding is about, across runs: its SHA-256, or its database key when the
# row holds no certificate bytes (a database key alone could be reused after a migration).
KEY = "cert_key"
# The SHA-256 of zero bytes: what an empty certificate column hashes to, shared by every such row.
NO_BYTES_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
FINDING_COLUMNS = [
    "cert_id", "sha256", "serial", "issuer", "subject", "not_before", "not_after", "profile",
    "lint", "status", "message", "lint_version",
]  # fmt: skip


def cert_key(table: pa.Table) -> pa.ChunkedArray:
    """Each row's `KEY`: the SHA-256 of its certificate, or "cert_id:<database key>" for a row
    with no certificate bytes (NULL, or empty: rows that would otherwise all share one key)."""
    sha256 = table["sha256"]
    no_bytes = pc.fill_null(pc.equal(sha256, NO_BYTES_SHA256), True)
    return pc.if_else(
        no_bytes, pc.binary_join_element_wise("cert_id:", table["cert_id"], ""), sha256
    )


def row_key(sha256: str | None, cert_id: str) -> str:
    """`cert_key` of one row."""
    return f"cert_id:{cert_id}" if sha256 in (None, NO_BYTES_SHA256) else sha256


@dataclass(frozen=True)
class Run:
    path: Path
    meta: dict[str, Any]
    lints: dict[str, int]  # every lint the run applied, with its version

    @classmethod
    def open(cls, path: Path) -> Run:
        """A complete run (never a partial one: see `finished_run_dir`)."""
        path = finished_run_dir(path)
        return cls.building(path, _json(path / RUN_JSON, dict, path))

    @classmethod
    def building(cls, path: Path, meta: dict[str, Any]) -> Run:
        """The run being built in `path` (its staging directory), whose run.json is `meta`, not
        yet written: the job dates its findings before it writes run.json, which comes last."""
        path = Path(path)
        catalogue = _json(path / CATALOGUE_JSON, list, path)
        lints = {}
        for entry in catalogue:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise InputError(f"{path / CATALOGUE_JSON}: an entry without a lint name")
            lints[entry["name"]] = int(entry.get("version") or 1)
        for sub in (CERTIFICATES_DIR, FINDINGS_DIR):
            if not (path / sub).is_dir():
                raise InputError(f"{path}: not a finished run directory (no {sub}/)")
        return cls(path, meta, lints)

    @property
    def run_id(self) -> str:
        return str(self.meta.get("run_id") or self.path.name)

    @property
    def discovered_at(self) -> datetime:
        """When this run saw its findings: its finish time (the CA is aware from then on)."""
        if moment := discovered_at(self.meta):
            return moment
        raise InputError(f"{self.path / RUN_JSON}: no finished_at, started_at or as_of time")

    @cached_property
    def findings(self) -> pa.Table:
        """Every finding, with its certificate key."""
        table = _dataset(self.path / FINDINGS_DIR, FINDINGS).to_table(columns=FINDING_COLUMNS)
        return table.append_column(KEY, cert_key(table))

    @cached_property
    def finding_keys(self) -> pa.Table:
        """Which certificate and lint each finding is about, and nothing else: what first-seen
        dates need, without the descriptive columns of every finding in memory."""
        table = _dataset(self.path / FINDINGS_DIR, FINDINGS).to_table(
            columns=["cert_id", "sha256", "lint"]
        )
        return table.append_column(KEY, cert_key(table))

    def finding_batches(self, columns: list[str]) -> Iterator[pa.Table]:
        """The findings' `columns` and their certificate key, batch by batch in the dataset's
        order: memory bounded by a batch, however many findings the run has."""
        read = [*columns, *(c for c in ("cert_id", "sha256") if c not in columns)]
        for batch in batches(_dataset(self.path / FINDINGS_DIR, FINDINGS), read):
            table = pa.Table.from_batches([batch])
            yield table.append_column(KEY, cert_key(table)).select([*columns, KEY])

    def finding_key_batches(self) -> Iterator[pa.Table]:
        """`finding_keys`, batch by batch."""
        return self.finding_batches(["cert_id", "sha256", "lint"])

    @cached_property
    def population(self) -> pa.Array:
        """The keys of every certificate the run audited."""
        table = _dataset(self.path / CERTIFICATES_DIR, CERTIFICATES).to_table(
            columns=["cert_id", "sha256"]
        )
        return cert_key(table).combine_chunks()


def _json(path: Path, kind: type, run_dir: Path) -> Any:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{run_dir}: not a finished run directory (no {path.name})") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(value, kind):
        raise InputError(f"{path}: should hold a JSON {kind.__name__}")
    return value


def _dataset(path: Path, schema: pa.Schema) -> ds.Dataset:
    try:
        return ds.dataset(path, format="parquet", schema=schema)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: {exc}") from None

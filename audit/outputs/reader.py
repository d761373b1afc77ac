"""The one reader of a run directory, beside the writers in this package: run.json, the
catalogue, the certificates and findings datasets and the first-seen ledger, for the report,
`diff`, the evidence package, the population pass and the incident drafts.

Only closed part files are data: `part-*.parquet`, never a `.part-*.writing` file still being
written (see `parts.written_whole`). A complete run is opened with `RunDirectory.open`; the
job reads the run it is building with `RunDirectory.building`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from audit.errors import InputError
from audit.outputs import sql
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR
from audit.outputs.runjson import CATALOGUE_JSON, RUN_JSON, discovered_at, finished_run_dir
from audit.outputs.schemas import CERTIFICATES, FINDINGS

FIRST_SEEN = "first_seen.parquet"  # the ledger: since when each open finding is open
# The certificate a finding is about, across runs: its SHA-256, or its database key when the
# row holds no certificate bytes (a database key alone could be reused after a migration).
KEY = "cert_key"
# The SHA-256 of zero bytes: what an empty certificate column hashes to, shared by every such row.
NO_BYTES_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# `KEY` in SQL, over a relation with cert_id and sha256.
KEY_SQL = (
    f"CASE WHEN sha256 IS NULL OR sha256 = '{NO_BYTES_SHA256}' "
    "THEN 'cert_id:' || cert_id ELSE sha256 END"
)
PART_FILES = "part-*.parquet"  # a closed part file; `.part-*.writing` does not match


class RunDirError(InputError, ValueError):
    """The directory is not a readable run: something a reader needs is missing or unreadable.
    An `InputError`: the CLI ends with a one-line message and exit status 2."""


def cert_key(table: pa.Table) -> pa.ChunkedArray:
    """Each row's `KEY` (as KEY_SQL computes it)."""
    sha256 = table["sha256"]
    no_bytes = pc.fill_null(pc.equal(sha256, NO_BYTES_SHA256), True)
    return pc.if_else(
        no_bytes, pc.binary_join_element_wise("cert_id:", table["cert_id"], ""), sha256
    )


def part_files(directory: Path) -> list[Path]:
    """The closed part files of a dataset directory, in name order (as Arrow's discovery
    orders them)."""
    if not directory.is_dir():
        raise RunDirError(f"{directory} is missing: not a finished run directory")
    return sorted(p for p in directory.glob(PART_FILES) if p.is_file())


@dataclass(frozen=True)
class RunDirectory:
    """A run's outputs, opened but not read."""

    path: Path
    meta: dict[str, Any]  # run.json
    catalogue: list[dict[str, Any]]  # catalogue.json: Lint.metadata() of every lint applied
    has_catalogue: bool  # catalogue.json exists (a run without one cannot say what it applied)

    @classmethod
    def open(cls, path: Path) -> RunDirectory:
        """A complete run (never a partial one: see `finished_run_dir`)."""
        path = finished_run_dir(path)
        return cls.building(path, _read_json(path / RUN_JSON, dict))

    @classmethod
    def read(cls, path: Path) -> RunDirectory:
        """A run whose run.json is written, complete or not: the job renders its report in
        the staging directory, before it is published (commands ask `open`)."""
        path = Path(path)
        return cls.building(path, _read_json(path / RUN_JSON, dict))

    @classmethod
    def building(cls, path: Path, meta: dict[str, Any]) -> RunDirectory:
        """The run being built in `path`, whose run.json is `meta` (not yet written)."""
        path = Path(path)
        catalogue_path = path / CATALOGUE_JSON
        has_catalogue = catalogue_path.exists()
        catalogue = _read_json(catalogue_path, list) if has_catalogue else []
        for sub in (CERTIFICATES_DIR, FINDINGS_DIR):
            if not (path / sub).is_dir():
                raise RunDirError(f"{path / sub} is missing: not a finished run directory")
        return cls(path, meta, catalogue, has_catalogue)

    @property
    def run_id(self) -> str:
        return str(self.meta.get("run_id") or self.path.name)

    @property
    def counts(self) -> dict[str, Any]:
        counts = self.meta.get("counts")
        return counts if isinstance(counts, dict) else {}

    @property
    def discovered(self) -> datetime | None:
        """When this run saw its findings (see `runjson.discovered_at`); None if not recorded."""
        return discovered_at(self.meta)

    @property
    def discovered_at(self) -> datetime:
        """`discovered`, which a comparison needs: InputError when run.json has no time."""
        if moment := self.discovered:
            return moment
        raise InputError(f"{self.path / RUN_JSON}: no finished_at, started_at or as_of time")

    @cached_property
    def lints(self) -> dict[str, int]:
        """Every lint the run applied, with its version (from catalogue.json, which a
        comparison needs)."""
        if not self.has_catalogue:
            raise RunDirError(f"{self.path}: not a finished run directory (no {CATALOGUE_JSON})")
        lints = {}
        for entry in self.catalogue:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise RunDirError(f"{self.path / CATALOGUE_JSON}: an entry without a lint name")
            lints[entry["name"]] = int(entry.get("version") or 1)
        return lints

    @property
    def certificate_files(self) -> list[Path]:
        return part_files(self.path / CERTIFICATES_DIR)

    @property
    def finding_files(self) -> list[Path]:
        return part_files(self.path / FINDINGS_DIR)

    @property
    def ledger_file(self) -> Path | None:
        """The first-seen ledger, when the run has one."""
        path = self.path / FIRST_SEEN
        return path if path.is_file() else None

    @property
    def certificates(self) -> ds.Dataset:
        """The certificates dataset, read with the project's schema."""
        return dataset(self.certificate_files, CERTIFICATES)

    @property
    def findings(self) -> ds.Dataset:
        return dataset(self.finding_files, FINDINGS)

    def finding_rows(self, columns: list[str]) -> pa.Table:
        """The findings' `columns` and their `KEY`, whole: for runs that fit in memory (`diff`
        holds both runs' findings; tests)."""
        read = [*columns, *(c for c in ("cert_id", "sha256") if c not in columns)]
        table = self.findings.to_table(columns=read)
        return table.append_column(KEY, cert_key(table)).select([*columns, KEY])

    @contextlib.contextmanager
    def query(self, prefix: str = "") -> Iterator[duckdb.DuckDBPyConnection]:
        """A bounded DuckDB connection (see `sql.connect`) with this run's views; see `views`."""
        with sql.connect() as con:
            self.views(con, prefix)
            yield con

    def views(self, con: duckdb.DuckDBPyConnection, prefix: str = "") -> None:
        """Views `<prefix>certificates` and `<prefix>findings` (each row with its `cert_key`,
        `_file` and `_row`: ordering by the last two gives the dataset's order)."""
        for name, files, schema in (
            ("certificates", self.certificate_files, CERTIFICATES),
            ("findings", self.finding_files, FINDINGS),
        ):
            sql.parquet_view(con, f"_{prefix}{name}_rows", files, schema)
            sql.execute(
                con,
                f"CREATE OR REPLACE TEMP VIEW {prefix}{name} AS "
                f"SELECT *, {KEY_SQL} AS {KEY} FROM _{prefix}{name}_rows",
            )


def _read_json(path: Path, kind: type) -> Any:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunDirError(f"{path} is missing: not a finished run directory") from None
    except (OSError, ValueError) as exc:
        raise RunDirError(f"{path} is not readable JSON: {exc}") from None
    if not isinstance(value, kind):
        raise RunDirError(f"{path} should hold a JSON {kind.__name__}")
    return value


def dataset(files: list[Path], schema: pa.Schema) -> ds.Dataset:
    """The files as one dataset, read with the project's schema (extra columns ignored,
    missing ones null)."""
    try:
        return ds.dataset([str(f) for f in files], format="parquet", schema=schema)
    except (OSError, pa.ArrowException) as exc:
        raise RunDirError(f"{files[0].parent if files else '?'}: {exc}") from None

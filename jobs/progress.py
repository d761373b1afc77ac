"""What a run in progress keeps in its staging directory so that a later `run --resume` can
finish it: the partition plan, and a completion record per partition.

    <out>/<run_id>.partial/
        partial.json                the request (quarterly_audit._stage)
        progress/plan.json          the partitions' key ranges, the catalogue digest, the count,
                                    the date whose rules judge the certificates (rules_as_of)
        progress/part-NNNNN.json    written by the partition's task once its part files are
                                    renamed: their SHA-256 and row counts, its bounds, its counts
        progress/resumes.json       one entry per resume (what was kept, what was redone)

A partition is *verified*, and kept by a resume, when its record is there, names the bounds the
plan gives it, and its part files are there with the recorded SHA-256 (which a file cut
short, or rewritten since, does not have) and a Parquet footer that reads and gives the recorded
row count. Everything else in the staging directory is removed and made again. The directory
`progress/` is removed when the run is published: a complete run has no need of it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from audit.errors import InputError
from audit.outputs.keys import KEYS_DIR
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR, PartStats, part_name
from audit.outputs.runjson import CATALOGUE_JSON, PARTIAL_MARKER, write_json
from audit.source.database import Partition

PROGRESS_DIR = "progress"
PLAN_JSON = "plan.json"
RESUMES_JSON = "resumes.json"
# Each partition writes one part file in each.
PART_DIRS = (CERTIFICATES_DIR, FINDINGS_DIR, KEYS_DIR)
# What a resume keeps besides the verified partitions' part files.
KEPT_FILES = {PARTIAL_MARKER, CATALOGUE_JSON, PROGRESS_DIR}


# -- key bounds as JSON ------------------------------------------------------------------------
# A partition's bounds are scan-key values as the database driver gave them: integers, text,
# bytes, decimals, times, or tuples of these for a composite key. Each is tagged with its type so
# that it comes back as the same value, and so compares the same way on the server.


def encode_key(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return {"tuple": [encode_key(v) for v in value]}
    if isinstance(value, bool | int):
        return {"int": int(value)}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, float):
        return {"float": value.hex()}
    raise TypeError(f"a scan key of type {type(value).__name__} cannot be recorded")


def decode_key(value: Any) -> Any:
    if value is None:
        return None
    [(kind, data)] = value.items()
    decoders = {
        "tuple": lambda d: tuple(decode_key(v) for v in d),
        "int": int,
        "str": str,
        "bytes": base64.b64decode,
        "decimal": Decimal,
        "datetime": datetime.fromisoformat,
        "float": float.fromhex,
    }
    return decoders[kind](data)


# -- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    partitions: list[Partition]  # without a snapshot: each run or resume reads in its own
    catalogue_digest: str
    active_at_start: int  # the active certificates counted when the plan was made
    rules_as_of: str | None = None  # ISO 8601: judged by that date's rules; None: at issuance


def write_plan(run_dir: Path, plan: Plan) -> None:
    (run_dir / PROGRESS_DIR).mkdir(exist_ok=True)
    write_json(
        run_dir / PROGRESS_DIR / PLAN_JSON,
        {
            "catalogue_digest": plan.catalogue_digest,
            "active_at_start": plan.active_at_start,
            "rules_as_of": plan.rules_as_of,
            "partitions": [
                {"index": p.index, "low": encode_key(p.low), "high": encode_key(p.high)}
                | ({"precertificates": True} if p.precertificates else {})
                for p in plan.partitions
            ],
        },
    )


def read_plan(run_dir: Path) -> Plan | None:
    """The recorded plan; None when the run stopped before it was made."""
    path = run_dir / PROGRESS_DIR / PLAN_JSON
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        partitions = [
            Partition(
                int(p["index"]),
                decode_key(p["low"]),
                decode_key(p["high"]),
                precertificates=bool(p.get("precertificates", False)),
            )
            for p in data["partitions"]
        ]
        return Plan(
            partitions,
            str(data["catalogue_digest"]),
            int(data["active_at_start"]),
            data.get("rules_as_of"),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a readable partition plan ({exc})") from None


# -- per-partition completion records ----------------------------------------------------------


@dataclass
class PartitionDone:
    """What a partition task returns to the driver, and records beside its part files."""

    stats: PartStats
    attempts: int = 1  # reads of the partition: more than one after a lost connection
    snapshot: str = "run"  # "run": the run's own snapshot; "new": its own, after it was lost
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # relative path: sha256, rows


def record_path(run_dir: Path, partition: int) -> Path:
    return run_dir / PROGRESS_DIR / part_name(partition).replace(".parquet", ".json")


def part_paths(run_dir: Path, partition: int) -> list[Path]:
    return [run_dir / sub / part_name(partition) for sub in PART_DIRS]


def _file_facts(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    return {"sha256": sha256, "rows": pq.ParquetFile(path).metadata.num_rows}


def record_partition(run_dir: Path, partition: Partition, done: PartitionDone) -> None:
    """Written once the partition's part files have their names: it vouches for them."""
    (run_dir / PROGRESS_DIR).mkdir(exist_ok=True)
    done.files = {
        str(path.relative_to(run_dir)): _file_facts(path)
        for path in part_paths(run_dir, partition.index)
    }
    stats = done.stats
    write_json(
        record_path(run_dir, partition.index),
        {
            "partition": partition.index,
            "low": encode_key(partition.low),
            "high": encode_key(partition.high),
            "files": done.files,
            "stats": {
                "scanned": stats.scanned,
                "precertificates": stats.precertificates,
                "not_decodable": stats.not_decodable,
                "strict_decode_failures": stats.strict_decode_failures,
                "findings": dict(stats.findings),
                "certificates_with": dict(stats.certificates_with),
                "certificates_worst": dict(stats.certificates_worst),
            },
            "attempts": done.attempts,
            "snapshot": done.snapshot,
        },
    )


def verified(run_dir: Path, partition: Partition) -> PartitionDone | None:
    """The partition's record when it and its part files check out (module docstring)."""
    try:
        record = json.loads(record_path(run_dir, partition.index).read_text(encoding="utf-8"))
        if (decode_key(record["low"]), decode_key(record["high"])) != (
            partition.low,
            partition.high,
        ):
            return None
        files = record["files"]
        expected = {str(p.relative_to(run_dir)) for p in part_paths(run_dir, partition.index)}
        if set(files) != expected:
            return None
        for name, facts in files.items():
            if _file_facts(run_dir / name) != facts:
                return None
        s = record["stats"]
        stats = PartStats(
            partition.index,
            scanned=int(s["scanned"]),
            precertificates=int(s.get("precertificates", 0)),
            not_decodable=int(s["not_decodable"]),
            strict_decode_failures=int(s["strict_decode_failures"]),
            findings=Counter(s["findings"]),
            certificates_with=Counter(s["certificates_with"]),
            certificates_worst=Counter(s["certificates_worst"]),
        )
        return PartitionDone(stats, int(record["attempts"]), str(record["snapshot"]), files)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None  # absent, cut short or altered: the partition is done again


def clear_for_resume(run_dir: Path, kept: dict[int, PartitionDone]) -> None:
    """Everything but the request, the plan, the records and the kept part files goes: the
    finish's outputs (run.json, the report, population findings, first-seen dates, counts it
    wrote into part files) are made again, and so is every other partition."""
    keep = {name for done in kept.values() for name in done.files}
    for entry in run_dir.iterdir():
        if entry.name in KEPT_FILES:
            continue
        if entry.name in PART_DIRS and entry.is_dir():
            for part in entry.iterdir():
                if str(part.relative_to(run_dir)) not in keep:
                    part.unlink()
        elif entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for record in (run_dir / PROGRESS_DIR).glob("part-*.json"):
        if int(record.stem.removeprefix("part-")) not in kept:
            record.unlink()


def add_resume(run_dir: Path, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Appends this resume to the run's list of them; returns the list."""
    entries = [*resumes(run_dir), entry]
    write_json(run_dir / PROGRESS_DIR / RESUMES_JSON, entries)
    return entries


def resumes(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / PROGRESS_DIR / RESUMES_JSON
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []

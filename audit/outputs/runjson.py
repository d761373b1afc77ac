"""run.json: what was audited, with what, and the counts that must reconcile with the Parquet."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit.errors import InputError

RUN_JSON = "run.json"
CATALOGUE_JSON = "catalogue.json"
# A run is built in `<out>/<run_id>.partial/`, which holds PARTIAL_MARKER (what was asked, for
# a resume) until everything is written; it is renamed to `<out>/<run_id>` when complete.
PARTIAL_SUFFIX = ".partial"
PARTIAL_MARKER = "partial.json"


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def write_json(path: Path, data: Any) -> None:
    """Written whole or not at all: to a hidden name beside it, then renamed (what a crash in
    between leaves, dataset readers and the evidence package pass over)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    tmp.replace(path)


def finished_run_dir(run_dir: Path) -> Path:
    """`run_dir`, when it is a complete run; else InputError. Every command that reads a run
    asks this first: a partial run's datasets and counts are not an answer."""
    run_dir = Path(run_dir)
    if run_dir.name.endswith(PARTIAL_SUFFIX) or (run_dir / PARTIAL_MARKER).exists():
        raise InputError(f"{run_dir}: an incomplete run (partial: the job did not finish)")
    if not (run_dir / RUN_JSON).is_file():
        raise InputError(f"{run_dir}: not a run directory, or an incomplete run (no {RUN_JSON})")
    return run_dir


def read_run(run_dir: Path) -> dict[str, Any]:
    """run.json of a complete run."""
    path = finished_run_dir(run_dir) / RUN_JSON
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InputError(f"{path}: should hold a JSON object")
    return value


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 date or time (as run.json, catalogue.json and `--as-of` give it; `Z` or an
    offset, none meaning UTC, a date alone its midnight) in UTC; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def discovered_at(meta: dict[str, Any]) -> datetime | None:
    """When a run saw its findings: its finish time (the CA is aware from then on), else its
    start, else its as-of time; None when run.json records none of them."""
    for key in ("finished_at", "started_at", "as_of"):
        if moment := parse_time(meta.get(key)):
            return moment
    return None


def population_counts(run: dict[str, Any]) -> str:
    """What a run audited, each count naming what it counts: database rows, and the
    certificates the population digest is over (a row that stores no certificate has no
    fingerprint, so it is audited but not in the digest)."""
    scanned = (run.get("counts") or {}).get("scanned")
    leaves = (run.get("population_digest") or {}).get("leaves")
    if not isinstance(scanned, int) or not isinstance(leaves, int):
        return f"population digest over {leaves} certificates"
    without = scanned - leaves
    stores = "stores" if without == 1 else "store"
    precertificates = run["counts"].get("precertificates")
    of_them = (
        f" ({precertificates:,} of the rows are precertificates)"
        if isinstance(precertificates, int) and precertificates
        else ""
    )
    return (
        f"{scanned:,} rows audited, of which {without:,} {stores} no certificate (not in the "
        f"digest); population digest over {leaves:,} certificates{of_them}"
    )

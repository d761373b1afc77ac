"""Since when each finding has been open, carried from run to run by `--baseline`.

A run's ledger (`first_seen.parquet` in its directory) holds, for every finding it knows to be
open, the time and run in which that finding was first seen:

- each finding of the run itself: the baseline ledger's date when the baseline had the same
  finding (same certificate, same lint) open, else this run's discovery time (its finish);
- each entry of the baseline ledger for a lint this run did not apply: carried over unchanged
  (`carried` true), since a rescan of other lints says nothing about it.

A baseline without a ledger of its own stands for one whose findings were all first seen in it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.compare.runs import KEY, Run
from audit.errors import InputError
from audit.outputs.schemas import TIMESTAMP

FIRST_SEEN = "first_seen.parquet"

SCHEMA = pa.schema(
    [
        pa.field(KEY, pa.string(), nullable=False),
        pa.field("cert_id", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("lint", pa.string(), nullable=False),
        pa.field("first_seen", TIMESTAMP, nullable=False),
        pa.field("first_seen_run", pa.string(), nullable=False),
        pa.field("carried", pa.bool_(), nullable=False),  # a lint this run did not apply
    ]
)


def ledger(run_dir: Path, where: pc.Expression | None = None) -> pa.Table:
    """The run's ledger: its `first_seen.parquet`, or else its own findings, seen in it; only
    the entries `where` selects, when given (applied while reading)."""
    path = Path(run_dir) / FIRST_SEEN
    if path.is_file():
        try:
            return pq.read_table(path, filters=where).select(SCHEMA.names).cast(SCHEMA)
        except (OSError, KeyError, pa.ArrowException) as exc:
            raise InputError(f"{path}: {exc}") from None
    table = _seen_now(Run.open(run_dir))
    return table if where is None else table.filter(where)


def first_seen(run_dir: Path, baseline_dir: Path | None) -> pa.Table:
    """Every finding of the run with the date it was first seen (and the run that saw it)."""
    run = Run.open(run_dir)
    own = _seen_now(run)
    if baseline_dir is None:
        return own
    earlier = ledger(baseline_dir).select([KEY, "lint", "first_seen", "first_seen_run"])
    earlier = earlier.rename_columns([KEY, "lint", "earlier", "earlier_run"])
    joined = own.join(earlier, keys=[KEY, "lint"], join_type="left outer")
    # Carried when the baseline saw it first (a baseline that finished later is no earlier).
    carried = pc.fill_null(pc.less(joined["earlier"], joined["first_seen"]), False)
    return (
        joined.set_column(
            joined.schema.get_field_index("first_seen"),
            "first_seen",
            pc.if_else(carried, joined["earlier"], joined["first_seen"]),
        )
        .set_column(
            joined.schema.get_field_index("first_seen_run"),
            "first_seen_run",
            pc.if_else(carried, joined["earlier_run"], joined["first_seen_run"]),
        )
        .select(SCHEMA.names)
        .cast(SCHEMA)
        .sort_by([("lint", "ascending"), (KEY, "ascending")])
    )


def write_first_seen(run_dir: Path, baseline_dir: Path | None) -> Path:
    """Write the run's ledger: its findings' first-seen dates and, carried over, the baseline's
    open findings of lints this run did not apply. Returns the file's path."""
    run_dir = Path(run_dir)
    own = first_seen(run_dir, baseline_dir)
    tables = [own]
    if baseline_dir is not None:
        applied = set(Run.open(run_dir).lints) | set(pc.unique(own["lint"]).to_pylist())
        before = ledger(baseline_dir)
        keep = pc.invert(pc.is_in(before["lint"], pa.array(sorted(applied), pa.string())))
        inherited = before.filter(keep)
        flag = pa.repeat(True, inherited.num_rows)
        tables.append(inherited.set_column(6, SCHEMA.field("carried"), flag).cast(SCHEMA))
    path = run_dir / FIRST_SEEN
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.concat_tables(tables).cast(SCHEMA), tmp)
    tmp.replace(path)
    return path


def _seen_now(run: Run) -> pa.Table:
    findings = run.finding_keys
    n = findings.num_rows
    return pa.table(
        {
            KEY: findings[KEY],
            "cert_id": findings["cert_id"],
            "sha256": findings["sha256"],
            "lint": findings["lint"],
            "first_seen": pa.repeat(pa.scalar(run.discovered_at, TIMESTAMP), n),
            "first_seen_run": pa.repeat(pa.scalar(run.run_id), n),
            "carried": pa.repeat(False, n),
        }
    ).cast(SCHEMA)

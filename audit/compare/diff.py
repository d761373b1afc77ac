"""`certcensus diff OLD NEW`: new, resolved and persisting findings between two runs, per lint
and per certificate.

A finding is one (certificate, lint) pair; certificates are matched by SHA-256, or by their
database key where the row holds no certificate bytes (see `audit.compare.runs.cert_key`). A lint that
only one of the two runs applied cannot say whether a finding was resolved or is new, so its
findings are "not run" (with the run that did not apply it), never "resolved" or "new".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.compare.runs import KEY, Run
from audit.outputs.buckets import bucketed
from audit.outputs.schemas import TIMESTAMP

NEW, RESOLVED, PERSISTING, NOT_RUN = "new", "resolved", "persisting", "not run"
CHANGES = (NEW, RESOLVED, PERSISTING, NOT_RUN)
COMPARED, NOT_RUN_OLD, NOT_RUN_NEW = "compared", "not run in old", "not run in new"

BY_LINT = "by_lint.parquet"
BY_CERTIFICATE = "by_certificate.parquet"

_DESCRIBE = [
    "cert_id",
    "sha256",
    "serial",
    "issuer",
    "subject",
    "not_before",
    "not_after",
    "profile",
]

BY_CERTIFICATE_SCHEMA = pa.schema(
    [
        pa.field("lint", pa.string(), nullable=False),
        pa.field("change", pa.string(), nullable=False),  # one of CHANGES
        pa.field("reason", pa.string()),
        pa.field(KEY, pa.string(), nullable=False),
        pa.field("cert_id", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("serial", pa.string()),
        pa.field("issuer", pa.string()),
        pa.field("subject", pa.string()),
        pa.field("not_before", TIMESTAMP),
        pa.field("not_after", TIMESTAMP),
        pa.field("profile", pa.string()),
        pa.field("old_status", pa.string()),
        pa.field("new_status", pa.string()),
        pa.field("old_message", pa.string()),
        pa.field("new_message", pa.string()),
    ]
)

BY_LINT_SCHEMA = pa.schema(
    [
        pa.field("lint", pa.string(), nullable=False),
        pa.field("state", pa.string(), nullable=False),  # compared / not run in old / ... new
        pa.field("old_version", pa.int32()),
        pa.field("new_version", pa.int32()),
        pa.field("old_findings", pa.int64(), nullable=False),
        pa.field("new_findings", pa.int64(), nullable=False),
        pa.field("new", pa.int64(), nullable=False),
        pa.field("resolved", pa.int64(), nullable=False),
        pa.field("persisting", pa.int64(), nullable=False),
        pa.field("not_run", pa.int64(), nullable=False),
    ]
)


@dataclass(frozen=True)
class Diff:
    old: Run
    new: Run
    by_certificate: pa.Table  # BY_CERTIFICATE_SCHEMA, one row per finding of either run
    by_lint: pa.Table  # BY_LINT_SCHEMA, one row per lint either run applied

    def totals(self) -> dict[str, int]:
        return {
            c: int(pc.sum(self.by_lint[c]).as_py() or 0)
            for c in ("new", "resolved", "persisting", "not_run")
        }

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        meta = {b"old_run": self.old.run_id.encode(), b"new_run": self.new.run_id.encode()}
        paths = out_dir / BY_LINT, out_dir / BY_CERTIFICATE
        for table, path in zip((self.by_lint, self.by_certificate), paths, strict=True):
            pq.write_table(table.replace_schema_metadata(meta), path)
        return paths

    def table_text(self) -> str:
        """The per-lint table for a terminal: lints with findings in either run."""
        head = (
            f"old: {self.old.run_id} (as of {self.old.meta.get('as_of')}; {_audited(self.old)})\n"
            f"new: {self.new.run_id} (as of {self.new.meta.get('as_of')}; {_audited(self.new)})\n"
            "findings per lint (a finding is one certificate failing one lint):\n"
        )
        rows = [r for r in self.by_lint.to_pylist() if r["old_findings"] or r["new_findings"]]
        width = max([len("lint"), *(len(r["lint"]) for r in rows)])
        cols = ("old", "new", "+new", "resolved", "persisting")
        lines = [f"{'lint':<{width}}  " + "  ".join(f"{c:>10}" for c in cols) + "  note"]
        for r in rows:
            if r["state"] == COMPARED:
                cells = [
                    r["old_findings"],
                    r["new_findings"],
                    r["new"],
                    r["resolved"],
                    r["persisting"],
                ]
                note = ""
                if r["old_version"] != r["new_version"]:
                    note = f"lint changed v{r['old_version']} → v{r['new_version']}"
            else:
                old = r["old_findings"] if r["state"] == NOT_RUN_NEW else "–"
                new = r["new_findings"] if r["state"] == NOT_RUN_OLD else "–"
                cells = [old, new, "–", "–", "–"]
                note = f"{r['state']}: not comparable"
            lines.append(
                f"{r['lint']:<{width}}  "
                + "  ".join(f"{c:>10,}" if isinstance(c, int) else f"{c:>10}" for c in cells)
                + f"  {note}".rstrip()
            )
        t = self.totals()
        states = pc.value_counts(self.by_lint["state"]).to_pylist() if self.by_lint.num_rows else []
        by_state = {s["values"]: s["counts"] for s in states}
        lines.append(
            f"findings in all: {t['new']:,} new, {t['resolved']:,} resolved, "
            f"{t['persisting']:,} persisting, {t['not_run']:,} not comparable (lint not run in "
            "one of the runs)"
        )
        lines.append(
            f"lints: {by_state.get(COMPARED, 0):,} compared, {by_state.get(NOT_RUN_OLD, 0):,} "
            f"not run in old, {by_state.get(NOT_RUN_NEW, 0):,} not run in new"
        )
        return head + "\n".join(lines) + "\n"


def _audited(run: Run) -> str:
    scanned = (run.meta.get("counts") or {}).get("scanned")
    return f"{scanned:,} rows audited" if isinstance(scanned, int) else "rows audited not recorded"


def diff_runs(old_dir: Path, new_dir: Path) -> Diff:
    old, new = Run.open(old_dir), Run.open(new_dir)
    old_lints = set(old.lints) | set(pc.unique(old.findings["lint"]).to_pylist())
    new_lints = set(new.lints) | set(pc.unique(new.findings["lint"]).to_pylist())

    joined = _side(old.findings, "old").join(
        _side(new.findings, "new"), keys=[KEY, "lint"], join_type="full outer"
    )
    lint = joined["lint"]
    in_old, in_new = pc.is_valid(joined["old_status"]), pc.is_valid(joined["new_status"])
    lint_in_old = pc.is_in(lint, pa.array(sorted(old_lints), pa.string()))
    lint_in_new = pc.is_in(lint, pa.array(sorted(new_lints), pa.string()))
    key = joined[KEY]
    was_audited = pc.is_in(key, old.population)
    still_audited = pc.is_in(key, new.population)

    conditions = pc.make_struct(
        pc.invert(lint_in_new),
        pc.invert(lint_in_old),
        pc.and_(in_old, in_new),
        in_new,
        pa.array([True] * joined.num_rows, pa.bool_()),
        field_names=["a", "b", "c", "d", "e"],
    )
    change = pc.case_when(conditions, NOT_RUN, NOT_RUN, PERSISTING, NEW, RESOLVED)
    status_changed = pc.binary_join_element_wise(
        "status ", joined["old_status"], " → ", joined["new_status"], ""
    )
    reason = pc.case_when(
        conditions,
        "lint not run in the new run",
        "lint not run in the old run",
        pc.if_else(pc.equal(joined["old_status"], joined["new_status"]), None, status_changed),
        pc.if_else(
            was_audited,
            "certificate was audited in the old run",
            "certificate new to the population",
        ),
        pc.if_else(
            still_audited,
            "lint passes now",
            "certificate left the population (expired, revoked or not active)",
        ),
    )
    columns = {
        "lint": lint,
        "change": change,
        "reason": reason,
        KEY: key,
        **{c: pc.coalesce(joined[f"new_{c}"], joined[f"old_{c}"]) for c in _DESCRIBE},
        **{f"{s}_{c}": joined[f"{s}_{c}"] for s in ("old", "new") for c in ("status", "message")},
    }
    by_certificate = (
        pa.table(columns).select(BY_CERTIFICATE_SCHEMA.names).cast(BY_CERTIFICATE_SCHEMA)
    )
    by_certificate = by_certificate.sort_by(
        [
            ("lint", "ascending"),
            ("change", "ascending"),
            ("not_before", "ascending"),
            (KEY, "ascending"),
        ]
    )
    return Diff(old, new, by_certificate, _by_lint(old, new, old_lints, new_lints, by_certificate))


def _side(findings: pa.Table, prefix: str) -> pa.Table:
    """One run's findings, its columns prefixed so the two sides can be joined."""
    keep = [*_DESCRIBE, "status", "message"]
    table = findings.select([KEY, "lint", *keep])
    return table.rename_columns([KEY, "lint", *(f"{prefix}_{c}" for c in keep)])


def lint_changes(old_dir: Path, new_dir: Path) -> tuple[Run, Run, pa.Table]:
    """The two runs and `diff_runs(...).by_lint` alone, with memory bounded however many
    findings they have: both runs' findings are joined bucket by bucket (see
    audit/outputs/buckets.py) and only counted, never held whole."""
    old, new = Run.open(old_dir), Run.open(new_dir)
    sides = {"old": Counter[str](), "new": Counter[str]()}
    pairs: Counter[tuple[str, bool, bool]] = Counter()  # joined rows per (lint, in old, in new)

    def source(run: Run, side: str) -> tuple[Callable[[], Iterator[pa.Table]], pa.Schema]:
        schema = pa.schema(
            [pa.field("lint", pa.string()), pa.field(f"{side}_status", pa.string()),
             pa.field(KEY, pa.string())]
        )  # fmt: skip

        def tables() -> Iterator[pa.Table]:
            for table in run.finding_batches(["lint", "status"]):
                yield table.rename_columns(schema.names).cast(schema)

        return tables, schema

    for old_part, new_part in bucketed([source(old, "old"), source(new, "new")], ["lint", KEY]):
        for side, part in (("old", old_part), ("new", new_part)):
            sides[side].update(_count_by_lint(part))
        joined = old_part.join(
            new_part, keys=[KEY, "lint"], join_type="full outer", use_threads=False
        )
        if not joined.num_rows:
            continue
        flags = pa.table(
            {
                "lint": joined["lint"],
                "in_old": pc.is_valid(joined["old_status"]),
                "in_new": pc.is_valid(joined["new_status"]),
            }
        )
        grouped = flags.group_by(["lint", "in_old", "in_new"], use_threads=False).aggregate(
            [("lint", "count")]
        )
        for r in grouped.to_pylist():
            pairs[(r["lint"], r["in_old"], r["in_new"])] += r["lint_count"]
    old_lints, new_lints = set(old.lints) | set(sides["old"]), set(new.lints) | set(sides["new"])
    counts: Counter[tuple[str, str]] = Counter()
    for (lint, in_old, in_new), n in pairs.items():  # as diff_runs's `change`, row by row
        if lint not in new_lints or lint not in old_lints:
            change = NOT_RUN
        elif in_old and in_new:
            change = PERSISTING
        else:
            change = NEW if in_new else RESOLVED
        counts[(lint, change)] += n
    by_lint = _lint_rows(old, new, old_lints, new_lints, counts, sides["old"], sides["new"])
    return old, new, by_lint


def _by_lint(
    old: Run, new: Run, old_lints: set[str], new_lints: set[str], by_certificate: pa.Table
) -> pa.Table:
    counts: dict[tuple[str, str], int] = {}
    if by_certificate.num_rows:
        grouped = by_certificate.group_by(["lint", "change"]).aggregate([(KEY, "count")])
        counts = {(r["lint"], r["change"]): r[f"{KEY}_count"] for r in grouped.to_pylist()}
    old_counts = _count_by_lint(old.findings)
    new_counts = _count_by_lint(new.findings)
    return _lint_rows(old, new, old_lints, new_lints, counts, old_counts, new_counts)


def _lint_rows(
    old: Run,
    new: Run,
    old_lints: set[str],
    new_lints: set[str],
    counts: Mapping[tuple[str, str], int],
    old_counts: Mapping[str, int],
    new_counts: Mapping[str, int],
) -> pa.Table:
    rows = []
    for name in sorted(old_lints | new_lints):
        state = COMPARED
        if name not in new_lints:
            state = NOT_RUN_NEW
        elif name not in old_lints:
            state = NOT_RUN_OLD
        rows.append(
            {
                "lint": name,
                "state": state,
                "old_version": old.lints.get(name),
                "new_version": new.lints.get(name),
                "old_findings": old_counts.get(name, 0),
                "new_findings": new_counts.get(name, 0),
                **{c.replace(" ", "_"): counts.get((name, c), 0) for c in CHANGES},
            }
        )
    return pa.Table.from_pylist(rows, schema=BY_LINT_SCHEMA)


def _count_by_lint(findings: pa.Table) -> dict[str, int]:
    if not findings.num_rows:
        return {}
    return {r["values"]: r["counts"] for r in pc.value_counts(findings["lint"]).to_pylist()}

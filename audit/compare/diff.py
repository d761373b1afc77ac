"""`certcensus diff OLD NEW`: new, resolved and persisting findings between two runs, per lint
and per certificate.

A finding is one (certificate, lint) pair; certificates are matched by SHA-256, or by their
database key where the row holds no certificate bytes (see `audit.outputs.reader.cert_key`). A lint that
only one of the two runs applied cannot say whether a finding was resolved or is new, so its
findings are "not run" (with the run that did not apply it), never "resolved" or "new".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.outputs import sql
from audit.outputs.reader import KEY, RunDirectory
from audit.outputs.rules_date import unlike
from audit.outputs.schemas import TIMESTAMP

NEW, RESOLVED, PERSISTING, NOT_RUN = "new", "resolved", "persisting", "not run"
CHANGES = (NEW, RESOLVED, PERSISTING, NOT_RUN)
COMPARED, NOT_RUN_OLD, NOT_RUN_NEW = "compared", "not run in old", "not run in new"

# Rows per row group of by_certificate.parquet: what writing it holds in memory. A diff of
# fewer rows is one row group, as `pq.write_table` wrote it before.
ROW_GROUP = 64 * 1024
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
    old: RunDirectory
    new: RunDirectory
    by_lint: pa.Table  # BY_LINT_SCHEMA, one row per lint either run applied

    @cached_property
    def by_certificate(self) -> pa.Table:
        """BY_CERTIFICATE_SCHEMA, one row per finding of either run, whole (`write` streams
        it instead: it may not fit in memory)."""
        return pa.concat_tables([BY_CERTIFICATE_SCHEMA.empty_table(), *self.certificate_rows()])

    def certificate_rows(self) -> Iterator[pa.Table]:
        """`by_certificate` in batches, in its order (lint, change, notBefore, certificate)."""
        with sql.connect(memory_limit=sql.JOIN_MEMORY_LIMIT) as con:
            self.old.views(con, "old_")
            self.new.views(con, "new_")
            for side, lints in (("old", self.old_lints), ("new", self.new_lints)):
                con.register(
                    f"{side}_lints", pa.table({"lint": pa.array(sorted(lints), pa.string())})
                )
            for table in sql.batches(con, _BY_CERTIFICATE):
                yield table.cast(BY_CERTIFICATE_SCHEMA)

    @property
    def old_lints(self) -> set[str]:
        """The lints the old run applied, or gave findings of."""
        return {r["lint"] for r in self.by_lint.to_pylist() if r["state"] != NOT_RUN_OLD}

    @property
    def new_lints(self) -> set[str]:
        return {r["lint"] for r in self.by_lint.to_pylist() if r["state"] != NOT_RUN_NEW}

    def totals(self) -> dict[str, int]:
        return {
            c: int(pc.sum(self.by_lint[c]).as_py() or 0)
            for c in ("new", "resolved", "persisting", "not_run")
        }

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Write both tables; by_certificate is streamed, in row groups of exactly ROW_GROUP
        rows (the last shorter), so memory stays bounded however many findings there are and
        the file depends on its rows alone."""
        out_dir.mkdir(parents=True, exist_ok=True)
        meta = {b"old_run": self.old.run_id.encode(), b"new_run": self.new.run_id.encode()}
        by_lint, by_certificate = out_dir / BY_LINT, out_dir / BY_CERTIFICATE
        pq.write_table(self.by_lint.replace_schema_metadata(meta), by_lint)
        schema = BY_CERTIFICATE_SCHEMA.with_metadata(meta)
        with pq.ParquetWriter(by_certificate, schema) as writer:
            held: list[pa.Table] = []
            rows = 0
            for table in self.certificate_rows():
                held.append(table)
                rows += table.num_rows
                while rows >= ROW_GROUP:
                    whole = pa.concat_tables(held)
                    writer.write_table(whole.slice(0, ROW_GROUP).combine_chunks().cast(schema))
                    held = [whole.slice(ROW_GROUP)]
                    rows = held[0].num_rows
            if rows or not held:
                whole = pa.concat_tables([BY_CERTIFICATE_SCHEMA.empty_table(), *held])
                writer.write_table(whole.combine_chunks().cast(schema))
        return by_lint, by_certificate

    def table_text(self) -> str:
        """The per-lint table for a terminal: lints with findings in either run."""
        head = (
            f"old: {self.old.run_id} (as of {self.old.meta.get('as_of')}; {_audited(self.old)})\n"
            f"new: {self.new.run_id} (as of {self.new.meta.get('as_of')}; {_audited(self.new)})\n"
        )
        if note := unlike(self.old.meta, self.new.meta):  # one date's rules against another's
            head += f"warning: {note}\n"
        head += "findings per lint (a finding is one certificate failing one lint):\n"
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


def _audited(run: RunDirectory) -> str:
    scanned = (run.meta.get("counts") or {}).get("scanned")
    return f"{scanned:,} rows audited" if isinstance(scanned, int) else "rows audited not recorded"


def diff_runs(old_dir: Path, new_dir: Path) -> Diff:
    """The comparison of two complete runs: per lint now, per finding when asked for (see
    `Diff.by_certificate` and `Diff.write`)."""
    old, new, by_lint = lint_changes(old_dir, new_dir)
    return Diff(old, new, by_lint)


# Every finding of either run, joined on (certificate, lint), with what changed and why.
_LINT = "coalesce(n.lint, o.lint)"
_BY_CERTIFICATE = f"""
    WITH joined AS (
        SELECT
            {_LINT} AS lint,
            {_LINT} IN (SELECT lint FROM old_lints) AS lint_in_old,
            {_LINT} IN (SELECT lint FROM new_lints) AS lint_in_new,
            coalesce(n.{KEY}, o.{KEY}) AS {KEY},
            {", ".join(f"coalesce(n.{c}, o.{c}) AS {c}" for c in _DESCRIBE)},
            o.status AS old_status, n.status AS new_status,
            o.message AS old_message, n.message AS new_message,
            o._file AS old_file, o._row AS old_row, n._file AS new_file, n._row AS new_row
        FROM old_findings o FULL OUTER JOIN new_findings n
            ON o.{KEY} = n.{KEY} AND o.lint = n.lint
    ),
    old_population AS (SELECT DISTINCT {KEY} FROM old_certificates),
    new_population AS (SELECT DISTINCT {KEY} FROM new_certificates),
    changed AS (
        SELECT j.*,
            CASE
                WHEN NOT lint_in_new OR NOT lint_in_old THEN '{NOT_RUN}'
                WHEN old_status IS NOT NULL AND new_status IS NOT NULL THEN '{PERSISTING}'
                WHEN new_status IS NOT NULL THEN '{NEW}'
                ELSE '{RESOLVED}'
            END AS change,
            CASE
                WHEN NOT lint_in_new THEN 'lint not run in the new run'
                WHEN NOT lint_in_old THEN 'lint not run in the old run'
                WHEN old_status IS NOT NULL AND new_status IS NOT NULL THEN
                    CASE WHEN old_status = new_status THEN NULL
                         ELSE 'status ' || old_status || ' → ' || new_status END
                WHEN new_status IS NOT NULL THEN
                    CASE WHEN op.{KEY} IS NOT NULL THEN 'certificate was audited in the old run'
                         ELSE 'certificate new to the population' END
                ELSE
                    CASE WHEN np.{KEY} IS NOT NULL THEN 'lint passes now'
                         ELSE 'certificate left the population (expired, revoked or not active)'
                    END
            END AS reason
        FROM joined j
            LEFT JOIN old_population op ON j.{KEY} = op.{KEY}
            LEFT JOIN new_population np ON j.{KEY} = np.{KEY}
    )
    SELECT lint, change, reason, {KEY}, {", ".join(_DESCRIBE)},
        old_status, new_status, old_message, new_message
    FROM changed
    ORDER BY lint, change, not_before, {KEY}, old_file, old_row, new_file, new_row"""


def lint_changes(
    old_dir: Path, new_dir: Path | RunDirectory
) -> tuple[RunDirectory, RunDirectory, pa.Table]:
    """The two runs and `diff_runs(...).by_lint` alone, with memory bounded however many
    findings they have: the query engine joins both runs' findings and only counts them.

    `new_dir` may be a run already opened: the job's report compares the run it is about to
    publish, which `RunDirectory.open` would refuse as incomplete."""
    old = RunDirectory.open(old_dir)
    new = new_dir if isinstance(new_dir, RunDirectory) else RunDirectory.open(new_dir)
    with sql.connect() as con:
        old.views(con, "old_")
        new.views(con, "new_")
        joined = sql.table(
            con,
            f"""SELECT coalesce(o.lint, n.lint) AS lint, o.lint IS NOT NULL AS in_old,
                    n.lint IS NOT NULL AS in_new, count(*) AS n
                FROM old_findings o FULL OUTER JOIN new_findings n
                    ON o.{KEY} = n.{KEY} AND o.lint = n.lint
                GROUP BY ALL""",
        )
        sides = {
            side: {
                r["lint"]: r["n"]
                for r in sql.table(
                    con, f"SELECT lint, count(*) AS n FROM {side}_findings GROUP BY lint"
                ).to_pylist()
            }
            for side in ("old", "new")
        }
    old_lints, new_lints = set(old.lints) | set(sides["old"]), set(new.lints) | set(sides["new"])
    counts: Counter[tuple[str, str]] = Counter()
    for r in joined.to_pylist():  # as diff_runs's `change`, row by row
        lint, in_old, in_new = r["lint"], r["in_old"], r["in_new"]
        if lint not in new_lints or lint not in old_lints:
            change = NOT_RUN
        elif in_old and in_new:
            change = PERSISTING
        else:
            change = NEW if in_new else RESOLVED
        counts[(lint, change)] += r["n"]
    by_lint = _lint_rows(old, new, old_lints, new_lints, counts, sides["old"], sides["new"])
    return old, new, by_lint


def _lint_rows(
    old: RunDirectory,
    new: RunDirectory,
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

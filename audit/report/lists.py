"""The complete lists of affected certificates, as CSV: one per lint beside the report (its
rows written by the summary's part-file tasks, put together by `render.write_lists`) and one per
incident draft (`incidents`), with the same columns, the same dates (the summary's
`dated_part`, which `Ledger.batches` also uses) and the same neutralised cells.

A CSV cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or
carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from audit.engine.profiles import family

CSV_COLUMNS = [
    "sha256", "crtsh", "serial", "issuer", "subject", "not_before", "not_after", "status",
    "message", "cert_id", "profile", "family", "first_seen", "first_seen_run",
    "revocation_deadline", "revoked_at", "past_deadline",
]  # fmt: skip
# The findings columns a list is made from (the summary's `dated_part` adds the dates).
READ = [
    "lint", "cert_id", "sha256", "serial", "issuer", "subject", "not_before", "not_after",
    "status", "message", "profile", "revoked_at", "decoded",
]  # fmt: skip
CSV_SCHEMA = pa.schema(
    [pa.field(c, pa.string()) for c in CSV_COLUMNS[:-1]] + [pa.field("past_deadline", pa.bool_())]
)
# A cell starting with one of these is a formula to a spreadsheet (OWASP's CSV injection list).
_FORMULA = r"^[=+\-@\t\r]"


def file_stem(lint: str, used: set[str]) -> str:
    """A file name stem for a lint's list: its name made safe (at most 80 characters), and
    not yet in `used` even on a case-insensitive file system (then added to it)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", lint).strip(".-")[:80] or "lint"
    name, n = stem, 1
    while name.lower() in used:
        n += 1
        name = f"{stem}-{n}"
    used.add(name.lower())
    return name


def by_lint(batches: Iterator[pa.Table]) -> Iterator[tuple[str, pa.Table]]:
    """Each batch's rows, lint by lint, in their order (a stable sort by lint)."""
    for table in batches:
        order = pc.sort_indices(table, sort_keys=[("lint", "ascending")])
        ordered = table.take(order)
        runs = pc.run_end_encode(ordered["lint"].combine_chunks())
        start = 0
        for lint, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
            yield lint, ordered.slice(start, end - start)
            start = end


def crtsh_links(rows: pa.Table) -> pa.ChunkedArray | pa.Array:
    """`https://crt.sh/?sha256=<fingerprint>` where the row holds a certificate (64 hex digits of
    bytes that decode as one: crt.sh knows nothing else), else null."""
    sha = pc.utf8_lower(rows["sha256"])
    hex64 = pc.fill_null(pc.match_substring_regex(sha, r"^[0-9a-f]{64}$"), False)
    hex64 = pc.and_(hex64, pc.fill_null(rows["decoded"], True))
    return pc.if_else(hex64, pc.binary_join_element_wise("https://crt.sh/?sha256=", sha, ""), None)


def csv_rows(rows: pa.Table) -> pa.Table:
    """Dated findings rows (see `Ledger.annotate`) as CSV cells."""
    columns = {
        "sha256": rows["sha256"],
        "crtsh": crtsh_links(rows),
        "serial": rows["serial"],
        "issuer": rows["issuer"],
        "subject": rows["subject"],
        "not_before": csv_time(rows["not_before"]),
        "not_after": csv_time(rows["not_after"]),
        "status": rows["status"],
        "message": rows["message"],
        "cert_id": rows["cert_id"],
        "profile": rows["profile"],
        "family": families(rows["profile"]),
        "first_seen": csv_time(rows["first_seen"]),
        "first_seen_run": rows["first_seen_run"],
        "revocation_deadline": csv_time(rows["deadline"]),
        "revoked_at": csv_time(rows["revoked_at"]),
    }
    cells = {name: inert(col.cast(pa.string())) for name, col in columns.items()}
    cells["past_deadline"] = rows["past_deadline"]
    return pa.table(cells, schema=CSV_SCHEMA)


def families(profiles: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Each profile's certificate family (audit/engine/profiles.py), named once per profile."""
    distinct = pc.unique(profiles)
    names = pa.array([str(family(p or "unknown")) for p in distinct.to_pylist()], pa.string())
    return pc.take(names, pc.index_in(profiles, value_set=distinct))


def csv_time(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """UTC to the second, as the report and the incident drafts print it. Each distinct time is
    formatted once: formatting costs far more than finding the distinct values, and many repeat
    (first-seen dates, deadlines, a CA's batch issuance)."""
    seconds = pc.cast(values, pa.timestamp("s", tz="UTC"), safe=False)
    distinct = pc.unique(seconds)
    text = pc.strftime(distinct, format="%Y-%m-%d %H:%M:%SZ")
    return pc.take(text, pc.index_in(seconds, value_set=distinct))


def inert(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A cell a spreadsheet would evaluate as a formula is prefixed with an apostrophe."""
    formula = pc.fill_null(pc.match_substring_regex(values, _FORMULA), False)
    return pc.if_else(formula, pc.binary_join_element_wise("'", values, ""), values)

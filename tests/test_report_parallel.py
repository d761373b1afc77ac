"""The report's aggregates and CSV lists as tasks over part files (`summarize(map=...)`,
`render_report(map=...)`): the same bytes whatever runs the tasks and in whatever order, on
runs of several part files (one of them empty), with and without findings first seen before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.compare.first_seen import write_first_seen
from audit.outputs import sql
from audit.outputs.reader import KEY, RunDirectory
from audit.population.batch_gcd import Mapper, local_map
from audit.report import summary as summary_module
from audit.report.render import REPORT_FILES, render_report
from audit.report.summary import Ledger
from tests.test_report import (
    BASELINE_FINISHED,
    BASELINE_ID,
    DV_CA,
    ENTROPY,
    LOCALITY,
    VALIDITY,
    RunBuilder,
    cert,
    standard_run,
)

# Where each dataset is cut into part files: a file of one row, an empty one, then uneven ones.
CUTS = (1, 1, 60, 97, 180)


def reverse_map(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """Runs the last item first, and returns the results in the items' order."""
    return [function(item) for item in reversed(items)][::-1]


def split_parts(run_dir: Path) -> None:
    """Rewrite the run's certificates and findings as several part files each, cut at CUTS."""
    for name in ("certificates", "findings"):
        files = sorted((run_dir / name).glob("part-*.parquet"))
        table = pa.concat_tables([pq.read_table(f) for f in files])
        for f in files:
            f.unlink()
        bounds = [0, *CUTS, table.num_rows]
        for i, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            pq.write_table(
                table.slice(start, end - start), run_dir / name / f"part-{i:05d}.parquet"
            )


def first_run(root: Path, *, ledger: bool) -> Path:
    """The standard run in several part files; with its own ledger (every finding first seen
    by it) or none."""
    run_dir = standard_run().write(root / "run")
    split_parts(run_dir)
    if ledger:
        write_first_seen(run_dir, None)
    return run_dir


def run_with_baseline(root: Path) -> Path:
    """The standard run in several part files, after a baseline that saw some of its findings
    (LOCALITY on 0-4, VALIDITY on 100-199: errors, past their deadlines now) and one it no
    longer has (ENTROPY on 40)."""
    old = RunBuilder()
    for i in range(5):
        old.add(cert(i), (LOCALITY, "error", "organizationName without localityName"))
    for i in range(100, 200):
        old.add(cert(i, issuer=DV_CA, profile="subscriber_dv"), (VALIDITY, "error", "1095 days"))
    old.add(cert(40), (ENTROPY, "warn", "63 bits"))
    old_dir = old.write(
        root / "baseline",
        run_id=BASELINE_ID,
        as_of="2026-08-20T00:00:00+00:00",
        started_at="2026-08-20T21:00:00+00:00",
        finished_at=BASELINE_FINISHED.isoformat(),
    )
    write_first_seen(old_dir, None)
    run_dir = standard_run().write(
        root / "run", baseline={"run_id": BASELINE_ID, "path": str(old_dir)}
    )
    split_parts(run_dir)
    write_first_seen(run_dir, old_dir)
    return run_dir


RUNS: dict[str, Callable[[Path], Path]] = {
    "first run, no ledger": lambda root: first_run(root, ledger=False),
    "first run, its own ledger": lambda root: first_run(root, ledger=True),
    "with a baseline": run_with_baseline,
}


@pytest.fixture(scope="module", params=list(RUNS))
def run_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = RUNS[request.param](tmp_path_factory.mktemp("parallel"))
    assert len(RunDirectory.read(run_dir).finding_files) == len(CUTS) + 1
    return run_dir


@pytest.fixture(scope="module")
def cluster() -> Iterator[Mapper]:
    """A real two-process dask cluster, and the map that runs each item as a task on it."""
    distributed = pytest.importorskip("distributed")
    from audit.population.rsa_moduli import cluster_map

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield cluster_map(client)


def rendered(run_dir: Path, out: Path, map_: Mapper, cap: int) -> dict[str, bytes]:
    """report.html and every CSV list, as bytes, rendered into `out` with this map."""
    render_report(run_dir, cap=cap, out=out / "report.html", map=map_)
    files = {"report.html": (out / "report.html").read_bytes()}
    for path in sorted((out / REPORT_FILES).iterdir()):
        files[path.name] = path.read_bytes()
    left = [p.name for p in [*out.iterdir(), *run_dir.iterdir()] if p.name.startswith(".")]
    assert not left, f"staging left behind: {left}"
    return files


@pytest.mark.parametrize("cap", [200, 3])
@pytest.mark.parametrize("mapped", ["reverse", "cluster"])
def test_the_report_is_the_same_bytes_whatever_the_map(
    run_dir: Path, tmp_path: Path, request: pytest.FixtureRequest, mapped: str, cap: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    map_ = reverse_map if mapped == "reverse" else request.getfixturevalue("cluster")
    serial = rendered(run_dir, tmp_path / "serial", local_map, cap)  # all files in one task
    # Tasks of a few part files each (the files' rows gathered across them), on the map.
    monkeypatch.setattr(summary_module, "GROUP_ROWS", 50)
    parallel = rendered(run_dir, tmp_path / "parallel", map_, cap)
    assert len(serial) > 3  # the report and a list per lint
    assert serial.keys() == parallel.keys()
    for name, content in serial.items():
        assert parallel[name] == content, name


def test_dates_by_part_file_are_the_ledgers(tmp_path: Path) -> None:
    """Each finding row gets its own entry's date, however the findings are split in files."""
    run_dir = run_with_baseline(tmp_path)
    run = RunDirectory.read(run_dir)
    ledger = Ledger.open(run)
    assert ledger.earlier_findings == 105
    entries = pq.read_table(run_dir / "first_seen.parquet").to_pylist()
    seen = {(e[KEY], e["lint"]): (e["first_seen"], e["first_seen_run"]) for e in entries}
    keys = run.finding_rows(["lint", "cert_id"]).to_pylist()
    rows = pa.concat_tables(ledger.batches(run, ["lint", "cert_id"])).to_pylist()
    assert [(r["lint"], r["cert_id"]) for r in rows] == [(k["lint"], k["cert_id"]) for k in keys]
    earlier = 0
    for row, key in zip(rows, keys, strict=True):
        when, by = seen[(key[KEY], key["lint"])]
        assert (row["first_seen"], row["first_seen_run"]) == (when, by)
        earlier += row["earlier"]
        if row["earlier"]:
            assert by == BASELINE_ID and row["first_seen"] == BASELINE_FINISHED
            if row["status"] == "error":
                assert row["deadline"] == BASELINE_FINISHED + timedelta(days=5)
                assert row["past_deadline"]
    assert earlier == 105


def test_a_run_without_earlier_findings_makes_no_dates_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = RunDirectory.read(first_run(tmp_path, ledger=True))
    ledger = Ledger.open(run)
    assert ledger.recorded and not ledger.earlier_findings

    def no_query(*args: object, **kwargs: object) -> None:
        raise AssertionError("no query is needed when every finding is this run's")

    monkeypatch.setattr(sql, "connect", no_query)
    with ledger.earlier(run) as dates:
        assert dates == {}
    assert sum(t.num_rows for t in ledger.batches(run, ["lint"])) == 216

"""The one reader of a run directory (audit/outputs/reader.py) and the query engine beneath it
(audit/outputs/sql.py): closed part files only, complete runs only, bounded settings, the same
answers in any batch size, and no import circles among the modules that read runs."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import audit
from audit.compare.diff import diff_runs, lint_changes
from audit.compare.first_seen import first_seen, ledger, write_first_seen
from audit.errors import InputError
from audit.outputs import sql
from audit.outputs.digest import population_digest
from audit.outputs.reader import RunDirectory
from audit.outputs.runjson import PARTIAL_MARKER
from audit.outputs.schemas import FINDINGS
from audit.report import summary as summary_module
from audit.report.summary import summarize
from tests.test_report import LOCALITY, baseline_pair, standard_run

PACKAGE = Path(audit.__file__).parent
# The packages that read a run directory: their modules must go through audit.outputs.reader.
READERS = ("report", "compare", "evidence", "population", "outputs")


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return baseline_pair(tmp_path_factory.mktemp("reader"))


def _half_written(run_dir: Path) -> None:
    """A findings part still being written beside the closed ones, holding a finding of a
    certificate of its own (what a crash mid-write leaves behind)."""
    closed = pq.read_table(run_dir / "findings" / "part-00000.parquet")
    extra = closed.slice(0, 1)
    extra = extra.set_column(
        extra.schema.get_field_index("cert_id"), "cert_id", pa.array(["half-written"])
    )
    pq.write_table(extra, run_dir / "findings" / ".part-00007.parquet.writing")
    pq.write_table(extra, run_dir / "certificates" / ".part-00007.parquet.writing")


def test_files_being_written_are_never_read(compared: Path, tmp_path: Path) -> None:
    baseline = compared.parent / "baseline"
    run_dir = Path(shutil.copytree(compared, tmp_path / "run"))
    _half_written(run_dir)
    run = RunDirectory.open(run_dir)
    assert all(not f.name.startswith(".") for f in run.finding_files + run.certificate_files)
    assert "half-written" not in run.finding_rows(["cert_id"])["cert_id"].to_pylist()
    with run.query() as con:
        ids = sql.table(con, "SELECT cert_id FROM findings")["cert_id"].to_pylist()
    assert "half-written" not in ids
    # Every consumer gives what it gives without the half-written file.
    clean = summarize(compared)
    dirty = summarize(run_dir)
    assert [(x.name, x.certificates) for x in dirty.lints] == [
        (x.name, x.certificates) for x in clean.lints
    ]
    assert first_seen(run_dir, baseline).equals(first_seen(compared, baseline))
    assert lint_changes(baseline, run_dir)[2].equals(lint_changes(baseline, compared)[2])
    assert population_digest(run_dir / "certificates") == population_digest(
        compared / "certificates"
    )


def test_a_partial_run_is_refused(compared: Path, tmp_path: Path) -> None:
    staging = Path(shutil.copytree(compared, tmp_path / "20261126T210000Z-ab12cd.partial"))
    with pytest.raises(InputError, match="incomplete run"):
        RunDirectory.open(staging)
    marked = Path(shutil.copytree(compared, tmp_path / "marked"))
    (marked / PARTIAL_MARKER).write_text("{}")
    for read in (RunDirectory.open, lambda p: diff_runs(compared, p)):
        with pytest.raises(InputError, match="incomplete run"):
            read(marked)
    with pytest.raises(InputError, match="incomplete run"):
        lint_changes(marked, compared)


def test_the_query_engine_is_bounded_and_cleans_up(tmp_path: Path) -> None:
    with sql.connect(tmp_path) as con:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('memory_limit', 'threads', 'temp_directory', 'TimeZone')"
            ).fetchall()
        )
        spill = Path(settings["temp_directory"])
        assert spill.parent == tmp_path and spill.is_dir()
    assert settings["threads"] == "2"
    assert settings["TimeZone"] == "UTC"
    assert settings["memory_limit"].replace(" ", "").startswith(("244.1MiB", "256.0MB", "256MB"))
    assert not spill.exists(), "the spill directory goes with the connection"


def test_a_query_error_is_one_input_error(tmp_path: Path) -> None:
    broken = tmp_path / "part-00000.parquet"
    broken.write_bytes(b"not parquet at all")
    with sql.connect() as con, pytest.raises(InputError, match="reading the run's Parquet"):
        sql.parquet_view(con, "findings", [broken], FINDINGS)
        sql.table(con, "SELECT count(*) FROM findings")


def test_dates_are_the_same_in_any_batch_size(
    compared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = summarize(compared)
    assert whole.ledger is not None and whole.ledger.earlier_findings > 0
    monkeypatch.setattr(summary_module, "BATCH_ROWS", 2)
    monkeypatch.setattr(sql, "FETCH_ROWS", 1)
    batched = summarize(compared)
    fields = lambda s: [  # noqa: E731
        (x.name, x.first_seen, x.first_seen_run, x.deadline, x.seen_earlier, x.affected)
        for x in s.lints
    ]
    assert fields(batched) == fields(whole)


def test_the_ledger_is_written_the_same_whatever_the_batches(
    compared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = compared.parent / "baseline"
    written = (compared / "first_seen.parquet").read_bytes()
    again = Path(shutil.copytree(compared, tmp_path / "run"))
    monkeypatch.setattr(sql, "FETCH_ROWS", 1)
    write_first_seen(again, baseline)
    assert (again / "first_seen.parquet").read_bytes() == written
    # The run's own entries come sorted by lint and certificate, the carried ones after them.
    table = ledger(again)
    carried = table["carried"].to_pylist()
    assert carried == sorted(carried) and any(carried)
    own = table.filter(pc.invert(table["carried"]))
    keys = list(zip(own["lint"].to_pylist(), own["cert_key"].to_pylist(), strict=True))
    assert keys == sorted(keys)


def _reversed_map(function, items):  # noqa: ANN001, ANN202 - a Mapper
    """Every task here, the last first: results in order all the same."""
    return [function(item) for item in reversed(items)][::-1]


def test_the_ledger_is_the_same_over_any_key_ranges_and_tasks(
    compared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dating against a baseline as tasks over ranges of certificate keys (one range per
    finding here, rows gathered three at a time, tasks in reverse order, or on a cluster of
    two worker processes) writes the same ledger, byte for byte, and leaves no spill behind."""
    from distributed import Client, LocalCluster

    from audit.compare import first_seen as first_seen_module
    from audit.population.rsa_moduli import cluster_map

    baseline = compared.parent / "baseline"
    written = (compared / "first_seen.parquet").read_bytes()
    again = Path(shutil.copytree(compared, tmp_path / "run"))
    assert len(first_seen_module.key_bounds(6)) == 5
    monkeypatch.setattr(first_seen_module, "RANGE_ROWS", 1)
    monkeypatch.setattr(first_seen_module, "SPLIT_ROWS", 3)
    write_first_seen(again, baseline, map=_reversed_map, parallelism=3)
    assert (again / "first_seen.parquet").read_bytes() == written
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        as cluster, Client(cluster) as client,
    ):  # fmt: skip
        write_first_seen(again, baseline, map=cluster_map(client), parallelism=4)
    assert (again / "first_seen.parquet").read_bytes() == written
    assert not (again / first_seen_module.SPILL_DIR).exists()
    # A baseline without a ledger of its own: its findings, each first seen in it.
    bare = Path(shutil.copytree(baseline, tmp_path / "bare"))
    (bare / "first_seen.parquet").unlink()
    ranged = first_seen(again, bare)
    monkeypatch.undo()
    assert ranged.equals(first_seen(again, bare))
    assert ranged.num_rows == 6 and pc.sum(pc.is_valid(ranged["first_seen"])).as_py() == 6


def test_lint_changes_agree_with_the_whole_diff(compared: Path) -> None:
    baseline = compared.parent / "baseline"
    assert lint_changes(baseline, compared)[2].equals(diff_runs(baseline, compared).by_lint)
    by_lint = {r["lint"]: r for r in diff_runs(baseline, compared).by_lint.to_pylist()}
    assert (by_lint[LOCALITY]["persisting"], by_lint[LOCALITY]["new"]) == (3, 2)
    assert by_lint[LOCALITY]["resolved"] == 2


def test_the_digest_sorts_as_the_bytes_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = standard_run().write(tmp_path / "run")
    monkeypatch.setattr(sql, "FETCH_ROWS", 3)
    small = population_digest(run_dir / "certificates")
    monkeypatch.undo()
    assert small == population_digest(run_dir / "certificates")
    from audit.outputs.digest import merkle_root

    shas = pq.read_table(run_dir / "certificates", columns=["sha256"])["sha256"].to_pylist()
    expected = merkle_root(sorted(bytes.fromhex(h) for h in shas))
    assert small["root"] == expected.hex() and small["leaves"] == len(shas)


def _imports(path: Path) -> set[str]:
    """The audit modules a module imports, at its top or inside a function (a lazy import
    still ties the two modules together)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("audit"):
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("audit"))
    return names


def _modules() -> dict[str, Path]:
    return {
        ".".join(("audit", *p.relative_to(PACKAGE).with_suffix("").parts)): p
        for package in READERS
        for p in (PACKAGE / package).glob("*.py")
        if p.name != "__init__.py"
    }


def test_no_import_circles_among_the_readers() -> None:
    modules = _modules()
    graph = {m: {n for n in _imports(p) if n in modules and n != m} for m, p in modules.items()}
    circles = []

    def walk(module: str, path: list[str]) -> None:
        for nxt in graph[module]:
            if nxt in path:
                circles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif len(path) < len(graph):
                walk(nxt, [*path, nxt])

    for module in graph:
        walk(module, [module])
    assert not circles, circles


def test_run_directories_are_read_in_one_place() -> None:
    """Outside audit.outputs, no module opens a run's datasets or run.json on its own, and
    none sorts or joins rows by hand (the bucketed external sort is gone from them)."""
    offenders = []
    for module, path in _modules().items():
        if module.startswith("audit.outputs."):
            continue
        source = path.read_text(encoding="utf-8")
        for needle in ("ds.dataset(", "RUN_JSON).read_text", "outputs.buckets", "bucketed("):
            if needle in source:
                offenders.append(f"{module}: {needle}")
    assert not offenders, offenders


def test_the_jobs_own_report_compares_with_the_baseline(compared: Path, tmp_path: Path) -> None:
    """The job renders the report in its staging directory, before the run is published: the
    comparison with the baseline must not be refused because this run is not finished yet."""
    staging = Path(shutil.copytree(compared, tmp_path / "20261126T210000Z-ab12cd.partial"))
    (staging / PARTIAL_MARKER).write_text("{}")
    changes = summarize(staging).changes
    assert changes is not None
    assert changes.note is None and changes.compared
    assert changes.lines == summarize(compared).changes.lines

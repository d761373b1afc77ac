"""`certcensus lint`: the output of the batched engine path against the per-certificate full
path (Engine.lint_der) it replaced, and the zlint-style --include/--exclude selection."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from audit.engine.inputs import Unreadable, read_certificate_file
from audit.engine.profiles import Profile
from audit.engine.registry import Catalogue
from audit.engine.runner import CertReport, Engine
from audit.outputs.runjson import parse_time
from tests.zlint_conformance import CORPUS

AS_OF = "2026-11-01T00:00:00Z"
CATALOGUE = Catalogue.load()
ZLINT_FILES = sorted((CORPUS / "certs").rglob("*.pem"))


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=600
    )


# -- what the per-certificate full path printed (the implementation before the batched one) ----


def _full_path_reports(catalogue: Catalogue, files: list[Path]):  # type: ignore[no-untyped-def]
    """(file, index, report or Unreadable) of every input, each linted alone in full."""
    engine = Engine(catalogue, as_of=parse_time(AS_OF))
    for path in files:
        for index, found in enumerate(read_certificate_file(path)):
            yield path, index, found if isinstance(found, Unreadable) else engine.lint_der(found)


def expected_text(files: list[Path], catalogue: Catalogue = CATALOGUE) -> str:
    lines: list[str] = []
    for path, index, report in _full_path_reports(catalogue, files):
        if isinstance(report, Unreadable):
            sha256 = hashlib.sha256(report.data).hexdigest()
            lines += [f"{path}[{index}] sha256={sha256} profile={Profile.UNKNOWN}"]
            lines += [f"  error: {report.reason}"]
            continue
        head = f"{path}[{index}] sha256={report.sha256} profile={report.profile}"
        if report.error:
            lines += [head, f"  error: {report.error}"]
            continue
        findings = sorted(report.findings, key=lambda r: (-r.status, r.lint.name))
        lines.append(f"{head}: {len(findings)} finding(s)")
        lines += [
            f"  {r.status.label:<7} {r.lint.name}: {r.message}  [{r.lint.citation}]"
            for r in findings
        ]
    return "".join(line + "\n" for line in lines)


def expected_json(files: list[Path], catalogue: Catalogue = CATALOGUE) -> str:
    lines = []
    for path, index, report in _full_path_reports(catalogue, files):
        if isinstance(report, Unreadable):
            sha256 = hashlib.sha256(report.data).hexdigest()
            obj = {"file": str(path), "index": index, "sha256": sha256}
            obj |= {"profile": str(Profile.UNKNOWN), "error": report.reason}
        else:
            obj = _json_object(catalogue, str(path), index, report)
        lines.append(json.dumps(obj) + "\n")
    return "".join(lines)


def _json_object(catalogue: Catalogue, file: str, index: int, report: CertReport) -> dict:
    obj: dict[str, object] = {"file": file, "index": index, "sha256": report.sha256}
    obj["profile"] = str(report.profile)
    if report.error:
        obj["error"] = report.error
        return obj
    results: dict[str, dict[str, str]] = {name: {"status": "na"} for name in catalogue.names}
    for r in report.results:
        results[r.lint.name] = {"status": r.status.label}
        if r.message:
            results[r.lint.name]["message"] = r.message
    obj["results"] = results
    return obj


# -- the same output as the full path ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_zlint_corpus_output_is_the_full_paths(fmt: str) -> None:
    out = certcensus("lint", "--format", fmt, "--as-of", AS_OF, *map(str, ZLINT_FILES))
    assert out.returncode == 0, out.stderr
    expected = expected_text(ZLINT_FILES) if fmt == "text" else expected_json(ZLINT_FILES)
    assert out.stdout == expected


@pytest.fixture(scope="module")
def sample_files(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sample database's certificates (its broken ones too) in PEM files of 70 blocks,
    so that the engine's batches of 64 straddle files."""
    import base64

    db = sample_db.removeprefix("sqlite:///")
    query = "SELECT der FROM certificates WHERE der IS NOT NULL ORDER BY id"
    ders = [bytes(row[0]) for row in sqlite3.connect(db).execute(query)]
    out = tmp_path_factory.mktemp("sample_pem")
    files = []
    for start in range(0, len(ders), 70):
        path = out / f"certs_{start:05d}.pem"
        path.write_text(
            "".join(
                "-----BEGIN CERTIFICATE-----\n"
                + base64.encodebytes(der).decode()
                + "-----END CERTIFICATE-----\n"
                for der in ders[start : start + 70]
            )
        )
        files.append(path)
    return files


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_sample_certificates_output_is_the_full_paths(fmt: str, sample_files: list[Path]) -> None:
    out = certcensus("lint", "--format", fmt, "--as-of", AS_OF, *map(str, sample_files))
    assert out.returncode == 0, out.stderr
    expected = expected_text(sample_files) if fmt == "text" else expected_json(sample_files)
    assert out.stdout == expected
    assert "error: " in out.stdout or '"error": ' in out.stdout  # the sample's broken rows


def test_unreadable_blocks_keep_their_place_among_batched_certificates(
    tmp_path: Path, sample_files: list[Path]
) -> None:
    """A block that cannot be decoded is reported between the certificates around it, with the
    index it has in its file, whatever batch they are linted in."""
    blocks = sample_files[0].read_text().split("-----END CERTIFICATE-----\n")[:-1]
    broken = "-----BEGIN CERTIFICATE-----\n%%%\n"
    mixed = tmp_path / "mixed.pem"
    mixed.write_text(
        "".join(b + "-----END CERTIFICATE-----\n" for b in [broken, *blocks[:65], broken])
    )
    for fmt, expected in (("text", expected_text), ("json", expected_json)):
        out = certcensus("lint", "--format", fmt, "--as-of", AS_OF, str(mixed), str(mixed))
        assert out.returncode == 0, out.stderr
        assert out.stdout == expected([mixed, mixed])
        assert out.stdout.count("not base64") == 4


def test_text_output_takes_the_batched_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text prints findings only: the engine's batched findings path (Engine.lint_rows), not
    the full per-certificate one."""
    from audit.cli import cli

    def full_path(*args: object, **kw: object) -> None:
        raise AssertionError("lint --format text took Engine.lint_der")

    files = ZLINT_FILES[:200]
    monkeypatch.setattr(Engine, "lint_der", full_path)
    cli.main(["lint", "--as-of", AS_OF, *map(str, files)], standalone_mode=False)
    monkeypatch.undo()
    assert capsys.readouterr().out == expected_text(files)


def test_json_output_takes_the_batched_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON prints every lint's status: the batched path keeping every status
    (Engine.lint_rows(every_status=True)), not the per-certificate full one, same bytes."""
    from audit.cli import cli

    def full_path(*args: object, **kw: object) -> None:
        raise AssertionError("lint --format json took Engine.lint_der")

    files = ZLINT_FILES[:200]
    expected = expected_json(files)
    monkeypatch.setattr(Engine, "lint_der", full_path)
    cli.main(
        ["lint", "--format", "json", "--as-of", AS_OF, *map(str, files)], standalone_mode=False
    )
    monkeypatch.undo()
    assert capsys.readouterr().out == expected


# -- --include / --exclude -----------------------------------------------------------------------


def _names(source: str) -> set[str]:
    return {x.name for x in CATALOGUE if x.source == source}


def _selected(*args: str) -> set[str]:
    """The lints whose results `lint --format json` gives with these options."""
    out = certcensus("lint", "--format", "json", *args, str(ZLINT_FILES[0]))
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout)["results"])


def test_include_and_exclude_take_names_and_sources() -> None:
    br, rfc, ev = _names("cabf_br"), _names("rfc5280"), _names("cabf_ev")
    one_br, one_rfc = sorted(br)[0], sorted(rfc)[0]
    assert _selected("--include", "cabf_ev") == ev
    assert _selected("--include", f"source:rfc5280, {one_br}") == rfc | {one_br}
    assert _selected("--exclude", "cabf_br,rfc5280") == set(CATALOGUE.names) - br - rfc
    # as zlint: the included lints, less the excluded ones
    assert _selected("--include", "rfc5280,cabf_ev", "--exclude", f"cabf_ev,{one_rfc}") == (
        rfc - {one_rfc}
    )


def test_text_findings_follow_the_selection() -> None:
    """The findings of the selected lints, as the full path gives them for that catalogue."""
    files = ZLINT_FILES[:300]
    everything = expected_text(files)
    found = {line.split()[1].rstrip(":") for line in everything.splitlines() if line[:2] == "  "}
    dropped = sorted(found)[:3]
    kept = Catalogue(tuple(x for x in CATALOGUE if x.name not in dropped))
    out = certcensus("lint", "--as-of", AS_OF, "--exclude", ",".join(dropped), *map(str, files))
    assert out.returncode == 0, out.stderr
    assert out.stdout == expected_text(files, kept) != everything
    only = CATALOGUE.select(",".join(dropped))
    out = certcensus("lint", "--as-of", AS_OF, "--include", ",".join(dropped), *map(str, files))
    assert out.returncode == 0, out.stderr
    assert out.stdout == expected_text(files, only)


@pytest.mark.parametrize("option", ["--include", "--exclude"])
def test_an_unknown_lint_or_source_is_one_line_and_exit_2(option: str) -> None:
    out = certcensus("lint", option, "cabf_br,no_such_lint", str(ZLINT_FILES[0]))
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith(f"certcensus: {option}: 'no_such_lint' is neither a lint name")
    assert out.stderr.count("\n") == 1


def test_a_selection_of_no_lint_is_exit_2() -> None:
    out = certcensus("lint", "--include", "cabf_ev", "--exclude", "cabf_ev", str(ZLINT_FILES[0]))
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr == "certcensus: no lint left to run after --include and --exclude\n"

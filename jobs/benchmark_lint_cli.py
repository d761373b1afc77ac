"""Benchmark: certificates per second on one core of `certcensus lint`, in each output format.

    python -m audit.jobs.benchmark_lint_cli [--count 20000] [--per-file 100] [--repeat 5]
    python -m audit.jobs.benchmark_lint_cli --instructions [--count 2000]

Writes certificates of the sample issuance database (the one benchmark_lint_speed uses, built in
/tmp if absent) to PEM files of --per-file blocks, then runs the `lint` command on them in this
process, as a user's `certcensus lint FILE...` runs it but without the interpreter's start-up
and imports (a first, untimed run over one file pays those): reading the files, choosing the
catalogue, making the engine, linting, formatting, writing to /dev/null. Each format runs
--repeat times, in CPU seconds of this process pinned to one core, taking turns so that a slow
spell of the machine is less likely to fall on one format only; the best, median and worst
passes are printed, the spread being how much the machine's other work moved them.

--instructions counts instead, under valgrind's callgrind, the instructions per certificate of
one run of the command in each format: they repeat exactly whatever else the machine does.
Run by hand; the figures go in the closing note, not a test.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from audit.jobs.benchmark_lint_speed import (
    DEFAULT_DB,
    callgrind_instructions,
    engine_kind,
    load_certificates,
)

FORMATS = ("text", "json")


def write_pem_files(ders: list[bytes], out: Path, per_file: int) -> list[Path]:
    """`ders` as PEM files of `per_file` blocks each, in order."""
    files = []
    for start in range(0, len(ders), per_file):
        path = out / f"certificates_{start // per_file:05d}.pem"
        path.write_text(
            "".join(
                f"-----BEGIN CERTIFICATE-----\n{base64.encodebytes(der).decode()}"
                "-----END CERTIFICATE-----\n"
                for der in ders[start : start + per_file]
            )
        )
        files.append(path)
    return files


def run_lint(fmt: str, files: list[Path]) -> None:
    """`certcensus lint --format FMT FILE...` in this process, its output thrown away."""
    from audit.cli import cli

    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        try:
            cli.main(["lint", "--format", fmt, *map(str, files)], standalone_mode=False)
        except SystemExit as exc:  # --fail-on is not given: only a failure exits
            raise RuntimeError(f"certcensus lint exited {exc.code}") from None


def cpu_seconds(fmt: str, files: list[Path]) -> float:
    start = time.process_time()
    run_lint(fmt, files)
    return time.process_time() - start


def instructions_per_certificate(fmt: str, files_dir: Path, linted: int) -> float:
    """Instructions per certificate of one `lint --format FMT` over the PEM files in
    `files_dir`, counted by callgrind in a process that has first linted one file untimed."""
    args = ["--count-format", fmt, "--files-dir", str(files_dir)]
    return callgrind_instructions(__spec__.name, args) / linted


def count_one_format(fmt: str, files_dir: Path) -> None:
    """(Under callgrind.) Lint one file to import and warm up, then every file inside
    functools.reduce, whose instructions (and its callees') are all that callgrind counts."""
    files = sorted(files_dir.glob("*.pem"))
    run_lint(fmt, files[:1])
    functools.reduce(lambda _, fmt: run_lint(fmt, files), [fmt], None)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--per-file", type=int, default=100, help="certificates per PEM file")
    parser.add_argument("--repeat", type=int, default=5, help="passes per format")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions (callgrind), not time"
    )
    parser.add_argument("--count-format", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--files-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, measured in CPU time
    if args.count_format:
        count_one_format(args.count_format, args.files_dir)
        return
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    ders = load_certificates(args.db, args.count)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_pem_files(ders, Path(tmp), args.per_file)
        about = f"{len(ders)} certificates in {len(files)} files, {engine_kind()}"
        if args.instructions:
            for fmt in FORMATS:
                per = instructions_per_certificate(fmt, Path(tmp), len(ders))
                print(f"lint --format {fmt}: {per:,.0f} instructions per certificate ({about})")
            return
        run_lint("text", files[:1])  # imports and the catalogue, as the interpreter's start-up
        seconds: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
        for turn in range(args.repeat):
            for fmt in FORMATS if turn % 2 == 0 else reversed(FORMATS):
                seconds[fmt].append(cpu_seconds(fmt, files))
    for fmt in FORMATS:
        rates = sorted((len(ders) / s for s in seconds[fmt]), reverse=True)
        print(
            f"lint --format {fmt}: {rates[0]:,.0f} certificates/s on one core, best of "
            f"{args.repeat} passes (median {statistics.median(rates):,.0f}, worst "
            f"{rates[-1]:,.0f}; {about})"
        )


if __name__ == "__main__":
    main()

"""Benchmark: certificates per second on one core, certcensus against pkilint, same certificates.

    python -m audit.jobs.benchmark_lint_speed [--count 2000] [--repeat 3] [--db PATH]
    python -m audit.jobs.benchmark_lint_speed --instructions [--count 400]

Reads subscriber certificates from the sample issuance database (built in /tmp if --db is not
given), lints them with the full catalogue in one process (findings-only, as `run` does), then
lints the same certificates with pkilint's CA/B Forum TLS validators (`pip install pkilint`;
optional), and prints both rates and their ratio. Each side runs --repeat times over the whole
set and its best pass counts (as `timeit` does: the least disturbed by other work on the
machine); the first certcensus pass starts with nothing shared between certificates yet. Run by
hand; the figures go in the closing note, not a test.

Timings on a shared machine vary (passes of the same code here differ by a quarter), so
--instructions counts instead: each linter lints the certificates twice under valgrind's
callgrind (Debian's valgrind), the second pass counted, and the instructions per certificate
and their ratio are printed. The counts repeat exactly from run to run, whatever else the
machine does; they take some minutes (pkilint's side is the slow one).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit.engine.certview import CertView, NotACertificate
from audit.engine.registry import Catalogue
from audit.engine.runner import CertReport, Engine

DEFAULT_DB = Path("/tmp/certcensus-benchmark.sqlite")


def load_certificates(db_path: Path, count: int) -> list[bytes]:
    if not db_path.is_file():
        from audit.sample_db.generate import build_sample_db

        build_sample_db(f"sqlite:///{db_path}", count=max(20000, count * 2), seed=3)
    query = "SELECT der FROM certificates WHERE der IS NOT NULL AND length(der) > 200 ORDER BY id DESC LIMIT ?"
    ders = [bytes(r[0]) for r in sqlite3.connect(db_path).execute(query, (count,))]
    # The sample's deliberately broken rows are not a benchmark.
    return [d for d in ders if _decodes(d)]


def _decodes(der: bytes) -> bool:
    try:
        CertView(der)
    except NotACertificate:
        return False
    return True


def certcensus_linter(catalogue: Catalogue | None = None) -> Callable[[bytes], CertReport]:
    """The engine as `run` lints a row: findings only, one engine for every certificate."""
    engine = Engine(catalogue or Catalogue.load())
    return lambda der: engine.lint_der(der, findings_only=True)


def certcensus_rate(ders: list[bytes], repeat: int) -> dict[str, float]:
    catalogue = Catalogue.load()
    Engine(catalogue).lint_der(ders[0], findings_only=True)  # warm-up: imports, module caches
    parse = min(_seconds(lambda: [CertView(der).profile for der in ders]) for _ in range(repeat))
    lint = certcensus_linter(catalogue)  # a fresh engine: nothing shared between certificates yet
    findings = 0

    def lint_all() -> None:
        nonlocal findings
        findings = sum(len(lint(der).results) for der in ders)

    passes = [_seconds(lint_all) for _ in range(repeat)]
    total = min(passes)
    return {
        "lints": len(catalogue),
        "certs_per_second": len(ders) / total,
        "first_pass_certs_per_second": len(ders) / passes[0],
        "parse_and_profile_us": parse / len(ders) * 1e6,
        "total_us": total / len(ders) * 1e6,
        "findings": findings,
    }


def _seconds(work: Callable[[], object]) -> float:
    """CPU seconds of this process spent on `work` (one core: see main)."""
    start = time.process_time()
    work()
    return time.process_time() - start


def pkilint_linter() -> Callable[[bytes], object] | None:
    """pkilint's CA/B Forum TLS linter as its own CLI runs it: detect the type, validate, filter.
    Validators are built once per certificate type, as a fair bulk user would."""
    try:
        from pkilint import finding_filter, loader
        from pkilint.cabf import serverauth
        from pkilint.pkix import certificate
    except ImportError:
        return None
    validators: dict[object, object] = {}

    def lint(der: bytes) -> object:
        cert = loader.load_der_certificate(der, "benchmark")
        cert_type = serverauth.determine_certificate_type(cert)
        if cert_type not in validators:
            validators[cert_type] = certificate.create_pkix_certificate_validator_container(
                serverauth.create_decoding_validators(),
                serverauth.create_validators(cert_type),
            )
        results = validators[cert_type].validate(cert.root)
        return finding_filter.filter_results(
            serverauth.create_serverauth_finding_filters(cert_type), results
        )

    return lint


def pkilint_rate(ders: list[bytes], repeat: int) -> float | None:
    lint = pkilint_linter()
    if lint is None:
        return None
    return len(ders) / min(_seconds(lambda: [lint(der) for der in ders]) for _ in range(repeat))


def engine_kind() -> str:
    from audit.engine import certview

    return "compiled" if not certview.__file__.endswith(".py") else "Python"


# -- instructions, counted by callgrind --------------------------------------------------------

_COUNTED = "functools_reduce"  # the one C function callgrind counts in: it drives the counted pass


def count_one_side(side: str, ders: list[bytes]) -> None:
    """(Under callgrind.) Lint every certificate once to warm up, then again inside
    functools.reduce, whose instructions (and its callees') are all that callgrind counts."""
    lint = certcensus_linter() if side == "certcensus" else pkilint_linter()
    if lint is None:
        raise SystemExit("pkilint is not installed (pip install pkilint)")
    for der in ders:
        lint(der)
    functools.reduce(lambda n, der: n + (lint(der) is not None), ders, 0)


def instructions_per_certificate(side: str, db: Path, count: int, linted: int) -> float:
    """Instructions per certificate of one linter over `linted` certificates (what
    load_certificates(db, count) gives, in the counting process as here)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind", "--tool=callgrind", f"--toggle-collect={_COUNTED}",
                f"--callgrind-out-file={out}", sys.executable, "-m", __spec__.name,
                "--count-side", side, "--db", str(db), "--count", str(count),
            ],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        total = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
    if total is None:
        raise SystemExit("callgrind wrote no totals")
    return int(total.group(1)) / linted


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="passes per linter; the best counts")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions (callgrind), not time"
    )
    parser.add_argument("--count-side", choices=("certcensus", "pkilint"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, measured in CPU time
    ders = load_certificates(args.db, args.count)
    if args.count_side:
        count_one_side(args.count_side, ders)
        return
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
        ours_i = instructions_per_certificate("certcensus", args.db, args.count, len(ders))
        print(f"certcensus: {ours_i:,.0f} instructions per certificate ({engine_kind()} engine)")
        theirs_i = instructions_per_certificate("pkilint", args.db, args.count, len(ders))
        print(f"pkilint:    {theirs_i:,.0f} instructions per certificate")
        print(f"ratio:      certcensus uses {theirs_i / ours_i:.1f}x fewer instructions")
        return
    ours = certcensus_rate(ders, args.repeat)
    print(
        f"certcensus: {ours['certs_per_second']:,.0f} certificates/s on one core, best of "
        f"{args.repeat} (first pass {ours['first_pass_certs_per_second']:,.0f}/s; {len(ders)} "
        f"certificates, {ours['lints']} lints, {engine_kind()} engine; "
        f"parse+profile {ours['parse_and_profile_us']:.0f} µs, "
        f"all {ours['total_us']:.0f} µs per certificate; {ours['findings']} findings)"
    )
    theirs = pkilint_rate(ders, args.repeat)
    if theirs is None:
        print("pkilint: not installed (pip install pkilint) - no ratio")
        return
    print(
        f"pkilint:    {theirs:,.0f} certificates/s on one core, best of {args.repeat} "
        f"(the same {len(ders)} certificates)"
    )
    print(
        f"ratio:      certcensus is {ours['certs_per_second'] / theirs:.1f}x faster per certificate"
    )


if __name__ == "__main__":
    main()

"""Benchmark: certificates per second on one core, certcensus against pkilint, same certificates.

    python -m audit.jobs.benchmark_lint_speed [--count 2000] [--repeat 3] [--db PATH]

Reads subscriber certificates from the sample issuance database (built in /tmp if --db is not
given), lints them with the full catalogue in one process (findings-only, as `run` does), then
lints the same certificates with pkilint's CA/B Forum TLS validators (`pip install pkilint`;
optional), and prints both rates and their ratio. Each side runs --repeat times over the whole
set and its best pass counts (as `timeit` does: the least disturbed by other work on the
machine); the first certcensus pass starts with nothing shared between certificates yet. Run by
hand; the figures go in the closing note, not a test.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from audit.engine.certview import CertView, NotACertificate
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine

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


def certcensus_rate(ders: list[bytes], repeat: int) -> dict[str, float]:
    catalogue = Catalogue.load()
    Engine(catalogue).lint_der(ders[0], findings_only=True)  # warm-up: imports, module caches
    parse = min(_seconds(lambda: [CertView(der).profile for der in ders]) for _ in range(repeat))
    engine = Engine(catalogue)  # a fresh engine: nothing shared between certificates yet
    findings = 0

    def lint_all() -> None:
        nonlocal findings
        findings = sum(len(engine.lint_der(der, findings_only=True).results) for der in ders)

    passes = [_seconds(lint_all) for _ in range(repeat)]
    total = min(passes)
    return {
        "lints": len(engine.catalogue),
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


def pkilint_rate(ders: list[bytes], repeat: int) -> float | None:
    """pkilint's CA/B Forum TLS linter as its own CLI runs it: detect the type, validate, filter.
    Validators are built once per certificate type, as a fair bulk user would."""
    try:
        from pkilint import finding_filter, loader
        from pkilint.cabf import serverauth
        from pkilint.pkix import certificate
    except ImportError:
        return None
    validators: dict[object, object] = {}

    def lint_all() -> None:
        for der in ders:
            cert = loader.load_der_certificate(der, "benchmark")
            cert_type = serverauth.determine_certificate_type(cert)
            if cert_type not in validators:
                validators[cert_type] = certificate.create_pkix_certificate_validator_container(
                    serverauth.create_decoding_validators(),
                    serverauth.create_validators(cert_type),
                )
            results = validators[cert_type].validate(cert.root)
            finding_filter.filter_results(
                serverauth.create_serverauth_finding_filters(cert_type), results
            )

    return len(ders) / min(_seconds(lint_all) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="passes per linter; the best counts")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, measured in CPU time
    ders = load_certificates(args.db, args.count)
    ours = certcensus_rate(ders, args.repeat)
    print(
        f"certcensus: {ours['certs_per_second']:,.0f} certificates/s on one core, best of "
        f"{args.repeat} (first pass {ours['first_pass_certs_per_second']:,.0f}/s; {len(ders)} "
        f"certificates, {ours['lints']} lints; parse+profile {ours['parse_and_profile_us']:.0f} µs, "
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

"""Benchmark: certificates per second on one core, certcensus against pkilint, same certificates.

    python -m audit.jobs.benchmark_lint_speed [--count 4000] [--pkilint-count 300] [--db URL]

Reads subscriber certificates from the sample issuance database (built in /tmp if --db is not
given), lints them with the full catalogue in one process (findings-only, as `run` does), then
lints a subset with pkilint's CA/B Forum TLS validators (`pip install pkilint`; optional), and
prints both rates and their ratio. Run by hand; the figures go in the closing note, not a test.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time
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


def certcensus_rate(ders: list[bytes]) -> dict[str, float]:
    engine = Engine(Catalogue.load())
    for der in ders[:50]:  # warm-up: imports, caches
        engine.lint_der(der, findings_only=True)
    start = time.process_time()
    for der in ders:
        CertView(der).profile  # noqa: B018 - parse and profile only
    parse = time.process_time() - start
    start = time.process_time()
    findings = 0
    for der in ders:
        findings += len(engine.lint_der(der, findings_only=True).results)
    total = time.process_time() - start
    return {
        "lints": len(engine.catalogue),
        "certs_per_second": len(ders) / total,
        "parse_and_profile_us": parse / len(ders) * 1e6,
        "total_us": total / len(ders) * 1e6,
        "findings": findings,
    }


def pkilint_rate(ders: list[bytes]) -> float | None:
    """pkilint's CA/B Forum TLS linter as its own CLI runs it: detect the type, validate, filter.
    Validators are built once per certificate type, as a fair bulk user would."""
    try:
        from pkilint import finding_filter, loader
        from pkilint.cabf import serverauth
        from pkilint.pkix import certificate
    except ImportError:
        return None
    validators: dict[object, object] = {}
    start = time.process_time()
    for der in ders:
        cert = loader.load_der_certificate(der, "benchmark")
        cert_type = serverauth.determine_certificate_type(cert)
        if cert_type not in validators:
            validators[cert_type] = certificate.create_pkix_certificate_validator_container(
                serverauth.create_decoding_validators(), serverauth.create_validators(cert_type)
            )
        results = validators[cert_type].validate(cert.root)
        finding_filter.filter_results(
            serverauth.create_serverauth_finding_filters(cert_type), results
        )
    return len(ders) / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--pkilint-count", type=int, default=300)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, measured in CPU time
    ders = load_certificates(args.db, args.count)
    ours = certcensus_rate(ders)
    print(
        f"certcensus: {ours['certs_per_second']:,.0f} certificates/s on one core "
        f"({len(ders)} certificates, {ours['lints']} lints; parse+profile {ours['parse_and_profile_us']:.0f} µs, "
        f"all {ours['total_us']:.0f} µs per certificate; {ours['findings']} findings)"
    )
    theirs = pkilint_rate(ders[: args.pkilint_count])
    if theirs is None:
        print("pkilint: not installed (pip install pkilint) - no ratio")
        return
    print(
        f"pkilint:    {theirs:,.0f} certificates/s on one core ({min(len(ders), args.pkilint_count)} certificates)"
    )
    print(
        f"ratio:      certcensus is {ours['certs_per_second'] / theirs:.1f}x faster per certificate"
    )


if __name__ == "__main__":
    main()

"""Benchmark: certificates per second on one core, certcensus against pkilint, same certificates.

    python -m audit.jobs.benchmark_lint_speed [--count 2000] [--repeat 3] [--db PATH]
    python -m audit.jobs.benchmark_lint_speed --instructions [--count 400]
    python -m audit.jobs.benchmark_lint_speed --family smime [--count 2000] [--instructions]

Reads subscriber certificates from the sample issuance database (built in /tmp if --db is not
given), lints them with the full catalogue in one process (findings-only, as `run` does), then
lints the same certificates with pkilint's CA/B Forum TLS validators (`pip install pkilint`;
optional), and prints both rates and their ratio. Each side runs --repeat times over the whole
set and its best pass counts (as `timeit` does: the least disturbed by other work on the
machine). The two take turns pass by pass, so that a slow spell of the machine is less likely
to fall on one only. Run by hand; the figures go in the closing note, not a test.

--family smime measures S/MIME subscriber certificates instead, against pkilint's CA/B Forum
S/MIME linter (its CLI's `lint --guess`: the type from the reserved policy OID, validators built
once per type). They are built here (`smime_certificates`: the twelve validation types and
generations in turn, EC and RSA keys, one subscriber each), since a sample database holds few.

Both sides are also given a least-disturbed rate, timeit's reasoning applied per slice of 64
certificates (the engine's batch): each slice's fastest pass, added up. A pass of this size takes seconds, long
enough for other work on a shared machine to slow parts of every pass; the slices' minimum is
the closest estimate of what the code itself costs there.

Each certificate is linted once per pass, as in a run. Every pass starts with a fresh linter
that has first linted as many *other* certificates of the same database (older ones), and at
least WARM_UP of them (TLS; the S/MIME ones, built here one key each, as many as measured): a run over a large population is in that steady state for all but its
first certificates, with what the engine shares between certificates (an issuer's policies,
AIA, profile) already seen, what a CA writes per subscriber (names, key, SCTs) never seen
before, and each shared group past its trial (audit/engine/shared.py: 500 lookups, after which
a group whose results repeat too seldom stops sharing; a group that sees a third of the
certificates needs some 1,500 to get there). A warm-up as long as the measured set, as it
once was, measured groups still on trial: 10% more instructions per certificate than the
steady state. Linting the same certificates twice would instead find the second time what
the first one kept.

Timings on a shared machine vary (passes of the same code here differ by a quarter), so
--instructions counts instead: each linter lints the other certificates, then the measured
ones under valgrind's callgrind (Debian's valgrind), only the latter counted, and the
instructions per certificate and their ratio are printed. The counts repeat exactly from run to
run, whatever else the machine does; they take some minutes (pkilint's side is the slow one).
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from audit.engine import profiles
from audit.engine.certview import CertView, NotACertificate
from audit.engine.registry import Catalogue
from audit.engine.runner import BATCH, CertReport, Engine
from audit.jobs.partition import quiet_garbage_collector

DEFAULT_DB = Path("/tmp/certcensus-benchmark.sqlite")
WARM_UP = 5000  # certificates linted before a pass, at least (see the docstring)


def load_certificates(db_path: Path, count: int, skip: int = 0) -> list[bytes]:
    """Up to `count` certificates, the newest after the newest `skip` rows (broken ones left out)."""
    if not db_path.is_file():
        from audit.sample_db.generate import build_sample_db

        build_sample_db(f"sqlite:///{db_path}", count=max(20000, count * 4), seed=3)
    query = (
        "SELECT der FROM certificates WHERE der IS NOT NULL AND length(der) > 200"
        " ORDER BY id DESC LIMIT ? OFFSET ?"
    )
    ders = [bytes(r[0]) for r in sqlite3.connect(db_path).execute(query, (count, skip))]
    # The sample's deliberately broken rows are not a benchmark (nor those pkilint cannot
    # decode at all, such as an empty RDN: its linter stops there); nor, against pkilint's TLS
    # linter, its S/MIME, code-signing and time-stamping certificates (--family smime).
    return [d for d in ders if _decodes_as_tls(d) and _pkilint_decodes(d)]


def _decodes_as_tls(der: bytes) -> bool:
    try:
        profile = CertView(der).profile
    except NotACertificate:
        return False
    return profile not in profiles.SMIME and profile not in profiles.CODE_SIGNING_BR


def _pkilint_decodes(der: bytes) -> bool:
    try:
        from pkilint import loader
    except ImportError:  # no pkilint: certcensus is measured alone
        return True
    try:
        loader.load_der_certificate(der, "benchmark").root  # noqa: B018  (decodes it)
    except Exception:
        return False
    return True


def smime_certificates(count: int, first: int = 0) -> list[bytes]:
    """`count` S/MIME subscriber certificates, the `first`-th onward of a fixed series: the
    twelve S/MIME BR profiles in turn, a mailbox and a key (EC P-256, or one of sixteen pooled
    RSA keys for every fourth) of their own, subject attributes as each validation type has them."""
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    from audit.sample_db.certbuilder import (
        RFC822_NAME,
        CertSpec,
        Issuer,
        der,
        ec_key,
        general_names,
        name,
        rsa_key,
        test_issuer,
    )

    base = test_issuer()
    issuer = Issuer(base.subject, base.key, base.key_id, "http://pki.example.com")
    types = ("mailbox", "organization", "sponsor", "individual")
    out = []
    for n in range(first, first + count):
        validation, generation = types[n % 4], 1 + n // 4 % 3
        mailbox = f"user{n}@example.com"
        person = ((NameOID.GIVEN_NAME, "Alex"), (NameOID.SURNAME, f"Example{n}"))
        org = ((NameOID.ORGANIZATION_NAME, "Example GmbH"), ("2.5.4.97", "NTRDE-DER3306.HRB12345"))
        attrs = {
            "mailbox": (), "organization": org, "sponsor": org + person, "individual": person,
        }[validation]  # fmt: skip
        rsa = n % 4 == 3
        country = ((NameOID.COUNTRY_NAME, "DE"),) if attrs else ()
        spec = CertSpec(
            subject=name(*country, *attrs, (NameOID.COMMON_NAME, mailbox)),
            dns_names=None,
            issuer=issuer,
            days=365,
            subject_key_id=True,
            not_before=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=n),
            key=rsa_key(2048, n % 16) if rsa else ec_key("secp256r1", 1000 + n),
            key_usage=("digital_signature", "key_encipherment") if rsa else ("digital_signature",),
            eku=(ExtendedKeyUsageOID.EMAIL_PROTECTION,),
            policies=(f"2.23.140.1.5.{types.index(validation) + 1}.{generation}",),
        ).with_extension_der("2.5.29.17", general_names((RFC822_NAME, mailbox.encode())))
        out.append(der(spec))
    return out


# A linter lints a list of certificates and returns what it found for each.
Linter = Callable[[list[bytes]], list[object]]


def certcensus_linter(
    catalogue: Catalogue | None = None,
) -> Callable[[list[bytes]], list[CertReport]]:
    """The engine as `run` lints a partition's rows: findings only, one engine for every
    certificate, a batch at a time (Engine.lint_rows), its garbage collector quieted as a worker quiets it."""
    engine = Engine(catalogue or Catalogue.load())
    quiet_garbage_collector()
    return lambda ders: list(engine.lint_rows((der, None) for der in ders))


@dataclass(frozen=True)
class Rate:
    """Certificates per second over the measured certificates, two ways (see the docstring)."""

    best_pass: float  # the fastest whole pass
    least_disturbed: float  # each slice of certificates at its fastest pass


_SLICE = BATCH  # certificates timed together for the least-disturbed figure: the engine's batch


def _slices(ders: list[bytes]) -> list[list[bytes]]:
    """`ders` in slices of _SLICE, as every pass (timed, warming up or counted) lints them."""
    return [ders[i : i + _SLICE] for i in range(0, len(ders), _SLICE)]


def rates(
    linters: dict[str, Callable[[], Linter]], ders: list[bytes], repeat: int
) -> dict[str, Rate]:
    """Lint `ders` once per pass with each linter (a new one from its factory, warmed up, per
    pass), a slice of _SLICE certificates at a time, timed in CPU seconds of this process. The
    linters take turns pass by pass (in alternating order), so that a slow spell of the machine
    is less likely to fall on one of them only; within a pass, one linter runs alone, as in
    production (taking turns slice by slice, each would evict the other from the processor's
    caches)."""
    slices = _slices(ders)
    names = list(linters)
    fastest = {name: [float("inf")] * len(slices) for name in names}
    passes: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(repeat):
        for name in names if turn % 2 == 0 else reversed(names):
            lint = linters[name]()
            total = 0.0
            for i, chunk in enumerate(slices):
                start = time.process_time()
                lint(chunk)
                seconds = time.process_time() - start
                fastest[name][i] = min(fastest[name][i], seconds)
                total += seconds
            passes[name].append(total)
    return {
        name: Rate(len(ders) / min(passes[name]), len(ders) / sum(fastest[name])) for name in names
    }


def certcensus_facts(ders: list[bytes], catalogue: Catalogue, repeat: int) -> dict[str, float]:
    findings = sum(len(report.results) for report in certcensus_linter(catalogue)(ders))
    # (that first lint also warmed up imports and module caches for the parse timing)
    parse = min(_seconds(lambda: [CertView(der).profile for der in ders]) for _ in range(repeat))
    return {
        "lints": len(catalogue),
        "parse_and_profile_us": parse / len(ders) * 1e6,
        "findings": findings,
    }


def _warmed(lint: Linter, others: list[bytes]) -> Linter:
    """`lint` after linting `others` once: the steady state of a long run (see the docstring)."""
    for chunk in _slices(others):
        lint(chunk)
    return lint


def _seconds(work: Callable[[], object]) -> float:
    """CPU seconds of this process spent on `work` (one core: see main)."""
    start = time.process_time()
    work()
    return time.process_time() - start


class PkilintLinter:
    """pkilint's CA/B Forum TLS linter as its own CLI runs it: detect the type, validate, filter.
    Validators are built once per certificate type, as a fair bulk user would, and before any
    timing or counting (`prepare`): building one costs as much as linting hundreds."""

    def __init__(self) -> None:
        from pkilint import finding_filter, loader
        from pkilint.cabf import serverauth
        from pkilint.pkix import certificate

        self._filter, self._loader, self._serverauth = finding_filter, loader, serverauth
        self._certificate = certificate
        self._validators: dict[object, object] = {}

    def _type_and_validator(self, der: bytes) -> tuple[object, object, object]:
        cert = self._loader.load_der_certificate(der, "benchmark")
        cert_type = self._serverauth.determine_certificate_type(cert)
        validator = self._validators.get(cert_type)
        if validator is None:
            validator = self._validators[cert_type] = (
                self._certificate.create_pkix_certificate_validator_container(
                    self._serverauth.create_decoding_validators(),
                    self._serverauth.create_validators(cert_type),
                )
            )
        return cert, cert_type, validator

    def prepare(self, ders: list[bytes]) -> None:
        """Build the validators of these certificates' types (without linting them)."""
        for der in ders:
            self._type_and_validator(der)

    def __call__(self, ders: list[bytes]) -> list[object]:
        out = []
        for der in ders:
            cert, cert_type, validator = self._type_and_validator(der)
            results = validator.validate(cert.root)  # type: ignore[attr-defined]
            filters = self._serverauth.create_serverauth_finding_filters(cert_type)
            out.append(self._filter.filter_results(filters, results))
        return out


class PkilintSmimeLinter(PkilintLinter):
    """pkilint's CA/B Forum S/MIME linter as its CLI runs it with --guess: the validation type
    and generation from the reserved policy OID (else its heuristics), then validate; its CLI
    filters nothing."""

    def __init__(self) -> None:
        super().__init__()
        from pkilint.cabf import smime

        self._smime = smime

    def _type_and_validator(self, der: bytes) -> tuple[object, object, object]:
        cert = self._loader.load_der_certificate(der, "benchmark")
        cert_type = self._smime.guess_validation_level_and_generation(cert)
        validator = self._validators.get(cert_type)
        if validator is None:
            validator = self._validators[cert_type] = (
                self._certificate.create_pkix_certificate_validator_container(
                    self._smime.create_decoding_validators(),
                    self._smime.create_subscriber_validators(*cert_type),
                )
            )
        return cert, cert_type, validator

    def __call__(self, ders: list[bytes]) -> list[object]:
        out = []
        for der in ders:
            cert, _, validator = self._type_and_validator(der)
            out.append(validator.validate(cert.root))  # type: ignore[attr-defined]
        return out


def pkilint_linter(ders: list[bytes], family: str = "tls") -> PkilintLinter | None:
    """pkilint (its S/MIME linter for family 'smime'), prepared for `ders` (None when it is
    not installed)."""
    try:
        lint = PkilintSmimeLinter() if family == "smime" else PkilintLinter()
    except ImportError:
        return None
    lint.prepare(ders)
    quiet_garbage_collector()  # the validators, as certcensus's engine is (see certcensus_linter)
    return lint


def ready(
    side: str,
    ders: list[bytes],
    others: list[bytes],
    catalogue: Catalogue | None = None,
    family: str = "tls",
) -> Linter | None:
    """A linter to measure on `ders`, warmed up on `others` (None: pkilint is not installed).
    certcensus lints them all, as a long run would have; pkilint keeps nothing between
    certificates but its validators (built by `prepare`), so a tenth of them warms up the rest
    at a tenth of the time."""
    if side == "certcensus":
        return _warmed(certcensus_linter(catalogue), others)
    lint = pkilint_linter(ders, family)
    return None if lint is None else _warmed(lint, others[: max(1, len(others) // 10)])


def engine_kind() -> str:
    """What runs compiled: setup.py compiles the engine and the hottest lint modules."""
    from audit.engine import certview
    from audit.lints.cabf_br import san, subject_encoding

    compiled = [not m.__file__.endswith(".py") for m in (certview, subject_encoding, san)]
    return {
        (True, True, True): "compiled engine and lints",
        (True, True, False): "compiled engine and hottest lints",
        (True, False, False): "compiled engine, Python lints",
        (False, False, False): "Python engine and lints",
    }.get(tuple(compiled), "partly compiled")


# -- instructions, counted by callgrind --------------------------------------------------------

_COUNTED = "functools_reduce"  # the one C function callgrind counts in: it drives the counted pass


def count_one_side(side: str, ders: list[bytes], others: list[bytes], family: str = "tls") -> None:
    """(Under callgrind.) Lint the other certificates to warm up, then the measured ones inside
    functools.reduce, whose instructions (and its callees') are all that callgrind counts."""
    lint = ready(side, ders, others, family=family)
    if lint is None:
        raise SystemExit("pkilint is not installed (pip install pkilint)")
    slices = _slices(ders)
    functools.reduce(lambda n, chunk: n + len(lint(chunk)), slices, 0)


def instructions_per_certificate(
    side: str, db: Path, count: int, linted: int, family: str = "tls"
) -> float:
    """Instructions per certificate of one linter over `linted` certificates (what
    load_certificates(db, count) gives, in the counting process as here)."""
    args = ["--count-side", side, "--db", str(db), "--count", str(count), "--family", family]
    return callgrind_instructions(__spec__.name, args) / linted


def callgrind_instructions(module: str, args: list[str]) -> int:
    """Instructions that `python -m module *args` executes inside its counted pass (the one
    call of functools.reduce it makes, _COUNTED), as callgrind counts them."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind", "--tool=callgrind", f"--toggle-collect={_COUNTED}",
                f"--callgrind-out-file={out}", sys.executable, "-m", module, *args,
            ],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        total = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
    if total is None:
        raise SystemExit("callgrind wrote no totals")
    return int(total.group(1))


_KIND = {"tls": "", "smime": "S/MIME "}  # what the printed rates count


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
    parser.add_argument(
        "--family", choices=("tls", "smime"), default="tls",
        help="tls: the sample database against pkilint's TLS linter; smime: S/MIME "
        "certificates against its S/MIME linter",
    )  # fmt: skip
    parser.add_argument("--count-side", choices=("certcensus", "pkilint"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, measured in CPU time
    if args.family == "smime":
        ders = smime_certificates(args.count)
        others = smime_certificates(args.count, first=args.count)  # to warm up on
    else:
        ders = load_certificates(args.db, args.count)
        others = load_certificates(
            args.db, max(args.count, WARM_UP), skip=args.count
        )  # to warm up on
    if args.count_side:
        count_one_side(args.count_side, ders, others, args.family)
        return
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
        ours_i = instructions_per_certificate(
            "certcensus", args.db, args.count, len(ders), args.family
        )
        print(f"certcensus: {ours_i:,.0f} instructions per certificate ({engine_kind()})")
        theirs_i = instructions_per_certificate(
            "pkilint", args.db, args.count, len(ders), args.family
        )
        print(f"pkilint:    {theirs_i:,.0f} instructions per certificate")
        print(f"ratio:      certcensus uses {theirs_i / ours_i:.1f}x fewer instructions")
        return
    catalogue = Catalogue.load()
    facts = certcensus_facts(ders, catalogue, args.repeat)
    # a fresh engine per pass, warmed up on other certificates: each pass lints them anew
    linters = {"certcensus": lambda: ready("certcensus", ders, others, catalogue)}
    pkilint = ready("pkilint", ders, others, family=args.family)
    if pkilint is not None:  # it keeps nothing between certificates: one for every pass
        linters["pkilint"] = lambda: pkilint
    found = rates(linters, ders, args.repeat)
    ours = found["certcensus"]
    print(
        f"certcensus: {ours.best_pass:,.0f} {_KIND[args.family]}certificates/s on one core, best of {args.repeat} "
        f"passes; least disturbed {ours.least_disturbed:,.0f}/s ({len(ders)} certificates, "
        f"{facts['lints']} lints, {engine_kind()}; parse+profile "
        f"{facts['parse_and_profile_us']:.0f} µs, all {1e6 / ours.best_pass:.0f} µs per "
        f"certificate; {facts['findings']} findings)"
    )
    if pkilint is None:
        print("pkilint: not installed (pip install pkilint) - no ratio")
        return
    theirs = found["pkilint"]
    print(
        f"pkilint:    {theirs.best_pass:,.0f} {_KIND[args.family]}certificates/s on one core, best of {args.repeat} "
        f"passes; least disturbed {theirs.least_disturbed:,.0f}/s (the same {len(ders)} "
        "certificates, taking turns with certcensus pass by pass)"
    )
    print(
        f"ratio:      certcensus is {ours.best_pass / theirs.best_pass:.1f}x faster per "
        f"certificate (best passes; least disturbed: "
        f"{ours.least_disturbed / theirs.least_disturbed:.1f}x)"
    )


if __name__ == "__main__":
    main()

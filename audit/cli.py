"""The `certcensus` command line. It parses arguments and calls a job or a library function;
the work itself lives in audit/ and jobs/."""

from __future__ import annotations

import json
import operator
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from audit import __version__
from audit.errors import InputError, OperationalError
from audit.outputs.runjson import finished_run_dir, parse_time

if TYPE_CHECKING:
    from collections.abc import Iterator

    from audit.engine.inputs import Found, Unreadable
    from audit.engine.registry import Catalogue
    from audit.engine.runner import CertReport, Engine
    from audit.jobs.quarterly_audit import AuditOutcome

FAIL_ON_LEVELS = ["info", "notice", "warn", "error", "fatal"]
RULES_AS_OF_HELP = (
    "Judge every certificate by the rules in force at DATE (ISO 8601 date or time, UTC; or "
    "`now`) instead of those in force at its notBefore."
)


def parse_as_of(value: str | None) -> datetime:
    """ISO 8601; a date alone means its midnight UTC; no zone means UTC."""
    if not value:
        return datetime.now(UTC)
    parsed = parse_time(value)
    if parsed is None:
        raise InputError(f"--as-of: {value!r} is not an ISO 8601 date or time")
    return parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="certcensus")
def cli() -> None:
    """certcensus: the full-population self-audit for certificate authorities."""


@cli.command()
@click.option(
    "--db",
    "db_url",
    envvar="CERTCENSUS_DB",
    show_envvar=True,
    help="SQLAlchemy URL of the issuance database (default: the embedded sample). A password in "
    "it is best kept off the command line: give the URL in CERTCENSUS_DB or --db-file.",
)
@click.option(
    "--db-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file whose first line is the database URL (instead of --db).",
)
@click.option(
    "--schema",
    default="generic",
    show_default=True,
    help="Schema mapping: a preset name or a TOML file.",
)
@click.option(
    "--as-of", "as_of", help="Audit the certificates active at this time (ISO 8601; default now)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("runs"),
    show_default=True,
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Local worker processes (default: one per core)."
)
@click.option("--scheduler", help="Address of an existing dask.distributed scheduler to run on.")
@click.option("--lints", "selector", help="Only these lints: comma-separated names or sources.")
@click.option("--rules-as-of", "rules_as_of", metavar="DATE", help=RULES_AS_OF_HELP)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    help="How many partitions to plan (default: from the population).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    help="Exit 1 when a finding at or above this status exists, or nothing was audited.",
)
@click.option(
    "--baseline",
    help="The previous run: findings keep the date they were first seen. `latest`: the newest "
    "complete run in --out (none: a warning, and the run has no baseline).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar (default: when stderr is a terminal).",
)
@click.option(
    "--resume",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Finish the interrupted run in this .partial directory, as it was asked (its request is "
    "recorded in it); with --db/--db-file/CERTCENSUS_DB again when its URL had a password.",
)
@click.option(
    "--db-retry-seconds",
    type=click.FloatRange(min=0),
    default=120,
    show_default=True,
    help="How long a partition whose database connection is lost is read again (with growing "
    "pauses) before the run stops with exit 3.",
)
@click.option(
    "--badkeys-data",
    envvar="CERTCENSUS_BADKEYS_DATA",
    show_envvar=True,
    type=click.Path(exists=True, path_type=Path),
    help="A local copy of badkeys' blocklist data (the directory `badkeys --update-bl` fills, "
    "with blocklist.dat): keys on its lists are reported weak. Without it that check does not "
    "run (run.json's scope says so).",
)
def run(
    db_url: str | None, db_file: Path | None, schema: str, as_of: str | None, out_dir: Path,
    workers: int | None,
    scheduler: str | None, selector: str | None, rules_as_of: str | None,
    partitions: int | None, fail_on: str | None, baseline: str | None, progress: bool | None,
    resume: Path | None, db_retry_seconds: float, badkeys_data: Path | None,
) -> None:  # fmt: skip
    """The full-population audit of every active certificate."""
    from audit.jobs.quarterly_audit import AuditRequest, NothingToRescan, resume_audit, run_audit
    from audit.jobs.rescan import run_rescan
    from audit.outputs.rules_date import parse_rules_as_of

    if workers and scheduler:
        raise InputError("--workers and --scheduler exclude each other")
    db_url = _database_url(db_url, db_file)
    show_progress = sys.stderr.isatty() if progress is None else progress
    if resume is not None:
        _resume_alone()
        outcome = resume_audit(
            resume, db_url, workers, scheduler, show_progress, db_retry_seconds
        )  # fmt: skip
        _report_run(outcome, fail_on)
        return
    request = AuditRequest(
        db_url=db_url, schema=schema, as_of=parse_as_of(as_of), out_dir=out_dir, workers=workers,
        scheduler=scheduler, selector=selector, partitions=partitions,
        rules_as_of=parse_rules_as_of(rules_as_of),
        baseline=baseline if baseline in (None, "latest") else Path(baseline),
        progress=show_progress, db_retry_seconds=db_retry_seconds, badkeys_data=badkeys_data,
    )  # fmt: skip
    try:
        outcome = run_rescan(request) if selector else run_audit(request)
    except NothingToRescan as exc:
        click.echo(str(exc))
        return
    _report_run(outcome, fail_on)


# What a resume takes from the run's partial.json, and so may not be given again.
_RECORDED_REQUEST = (
    "schema", "as_of", "out_dir", "selector", "partitions", "baseline", "rules_as_of",
    "badkeys_data",
)  # fmt: skip


def _resume_alone() -> None:
    """InputError when `run --resume` is given an option that its recorded request fixes."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    given = [
        p.opts[0]
        for p in ctx.command.params
        if p.name in _RECORDED_REQUEST
        and ctx.get_parameter_source(p.name) is ParameterSource.COMMANDLINE
    ]
    if given:
        raise InputError(
            f"--resume takes the request recorded in the run; {', '.join(given)} cannot change it"
        )


def _report_run(outcome: AuditOutcome, fail_on: str | None) -> None:
    """What a run that finished prints, and its exit status under --fail-on."""
    click.echo(f"run directory: {outcome.run_dir}")
    click.echo(f"report: {outcome.run_dir / 'report.html'}")
    click.echo(outcome.summary_line)
    if judged := outcome.judged_by_date:
        click.echo(judged)
    if fail_on and (met := outcome.fail_on(fail_on)):  # names an empty population too
        click.echo(f"certcensus: {met}", err=True)
        sys.exit(1)
    if nothing := outcome.nothing_audited:
        click.echo(f"certcensus: warning: {nothing}", err=True)


def _database_url(given: str | None, url_file: Path | None) -> str | None:
    """--db, else --db-file, else CERTCENSUS_DB; checked here, where an error can say which."""
    from click.core import ParameterSource

    from audit.source.urls import parse_url, readable_by_others, url_from_file

    from_env = (
        click.get_current_context().get_parameter_source("db_url") is ParameterSource.ENVIRONMENT
    )
    source = "CERTCENSUS_DB" if from_env else "--db"
    if url_file is not None:
        if given is not None and not from_env:
            raise InputError("--db and --db-file exclude each other")
        given, source = url_from_file(url_file), f"--db-file {url_file}"
        if readable_by_others(url_file):
            click.echo(
                f"certcensus: warning: {url_file} is readable by every user (chmod 600 it)",
                err=True,
            )
    if given is not None:
        parse_url(given, source)
    return given


@cli.command("lint")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--as-of", "as_of", help="The time of the audit (ISO 8601; default now).")
@click.option("--rules-as-of", "rules_as_of", metavar="DATE", help=RULES_AS_OF_HELP)
@click.option(
    "--include",
    metavar="LINTS",
    help="Only these lints: comma-separated lint names or sources (as zlint's -includeNames "
    "and -includeSources).",
)
@click.option(
    "--exclude",
    metavar="LINTS",
    help="Not these lints: comma-separated lint names or sources (as zlint's -excludeNames and "
    "-excludeSources); taken out of --include's.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    help="Exit 1 when a finding at or above this status exists.",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def lint_files(
    fmt: str, as_of: str | None, rules_as_of: str | None, include: str | None,
    exclude: str | None, fail_on: str | None, files: tuple[Path, ...],
) -> None:  # fmt: skip
    """Lint certificate files (PEM, DER, base64 or PKCS#7) with the run's engine and catalogue."""
    from audit.engine.inputs import read_certificate_file
    from audit.engine.runner import Engine
    from audit.engine.status import Status
    from audit.outputs.lint_report import JsonReport, text_head, text_report
    from audit.outputs.rules_date import parse_rules_as_of

    rules_date = parse_rules_as_of(rules_as_of)
    catalogue = _lint_selection(include, exclude)
    # Every file is read before any is linted: one that holds no certificate ends the command
    # (exit 2) before it has printed results a script could take for the whole answer.
    inputs = [(path, read_certificate_file(path)) for path in files]
    engine = Engine(catalogue, as_of=parse_as_of(as_of), rules_as_of=rules_date)
    json_report = JsonReport(engine.catalogue, rules_date) if fmt == "json" else None
    if json_report is None and (head := text_head(rules_date)):
        click.echo(head, nl=False)
    worst, by_status = Status.PASS, operator.attrgetter("status")
    for path, index, report in _lint_inputs(engine, inputs, every_status=fmt == "json"):
        # Statuses below `info` (pass, na, ne) reach no --fail-on level: the highest of all
        # is as good as the highest finding, and JSON's reports hold every lint's status.
        worst = max(worst, max(map(by_status, report.results), default=Status.PASS))
        if json_report is not None:
            click.echo(json_report.line(str(path), index, report))
        else:
            click.echo(text_report(str(path), index, report), nl=False)
    if fail_on and worst >= Status.parse(fail_on):
        sys.exit(1)


def _lint_selection(include: str | None, exclude: str | None) -> Catalogue:
    """The catalogue's lints named in --include (all when it is not given), less those named in
    --exclude; each a comma-separated list of lint names and sources, read by Catalogue.select
    as `run --lints` is."""
    from audit.engine.registry import Catalogue

    catalogue = Catalogue.load()

    def select(terms: str, option: str) -> Catalogue:
        try:
            return catalogue.select(terms)
        except ValueError as exc:  # it names `--lints`, the option it was written for
            message = str(exc)
            rest = message[len("--lints") :] if message.startswith("--lints") else f": {message}"
            raise InputError(f"{option}{rest}") from None

    chosen = select(include, "--include") if include else catalogue
    if exclude:
        dropped = set(select(exclude, "--exclude").lints)
        chosen = Catalogue(tuple(x for x in chosen if x not in dropped))
    if not len(chosen):
        given = [
            option for option, terms in (("--include", include), ("--exclude", exclude)) if terms
        ]
        raise InputError(f"no lint left to run after {' and '.join(given)}")
    return chosen


def _lint_inputs(
    engine: Engine, inputs: list[tuple[Path, list[Found]]], *, every_status: bool
) -> Iterator[tuple[Path, int, CertReport]]:
    """(file, index, report) of every input, in order, on the engine's batched path
    (Engine.lint_rows: a batch at a time, results shared), several times faster than linting
    each certificate alone: findings for text, every lint's status (`every_status`) for JSON.
    Batches run across files, so that files of one certificate each are batched too."""
    found = [(path, index, item) for path, items in inputs for index, item in enumerate(items)]

    def batched(item: Found) -> bool:
        # (lint_rows takes empty bytes for a database row that stores none: not one of ours)
        return isinstance(item, bytes) and len(item) > 0

    rows = ((item, None) for _, _, item in found if batched(item))
    linted = engine.lint_rows(rows, every_status=every_status)
    for path, index, item in found:
        if batched(item):
            yield path, index, next(linted)
        elif isinstance(item, bytes):  # empty bytes: not a certificate, as lint_der says
            yield path, index, engine.lint_der(item)
        else:
            yield path, index, _unreadable(engine, item)


def _unreadable(engine: Engine, found: Unreadable) -> CertReport:
    """The report of a part labelled as a certificate that could not be decoded: as the engine
    reports bytes that are not a certificate."""
    return engine.not_a_certificate(found.data, found.reason)


@cli.command("lints")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_lints(fmt: str) -> None:
    """The lint catalogue."""
    from audit.engine.registry import Catalogue
    from audit.report.catalogue import catalogue_text

    catalogue = Catalogue.load()
    if fmt == "json":
        click.echo(json.dumps([x.metadata() for x in catalogue], indent=1))
    else:
        click.echo(catalogue_text(catalogue), nl=False)


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
def report(run_dir: Path) -> None:
    """Render (again) the report of a finished run."""
    from audit.report.render import render_report

    click.echo(render_report(finished_run_dir(run_dir)))


@cli.command("sample-db")
@click.option("--count", type=click.IntRange(min=0), default=20000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--url", help="SQLAlchemy URL to fill (default: the SQLite file under sample_db/).")
@click.option("--schema", default="generic", show_default=True, help="The CA product's layout.")
def sample_db(count: int, seed: int, url: str | None, schema: str) -> None:
    """Build a sample issuance database."""
    from audit.sample_db.generate import build_sample_db
    from audit.source.urls import parse_url

    if url:
        parse_url(url, "--url")
    if schema != "generic":
        from audit.sample_db.products import fill

        if not url:
            raise InputError(f"--schema {schema}: give --url (a PostgreSQL or MariaDB database)")
        click.echo(str(fill(url, schema, count, seed, progress=sys.stderr.isatty())))
        return
    summary = build_sample_db(url, count=count, seed=seed, progress=sys.stderr.isatty())
    click.echo(str(summary))


@cli.command("evidence")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The package file to write (an uncompressed tar archive).",
)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM private key (Ed25519, or ECDSA P-256/384/521) to sign the manifest with.",
)
def evidence_package(run_dir: Path, out: Path, sign_key: Path | None) -> None:
    """Write the auditor evidence package of a finished run."""
    from audit.evidence.package import build_package

    info = build_package(run_dir, out, sign_key=sign_key)
    click.echo(info.summary())
    for line in info.skipped:
        click.echo(f"not packaged: {line}", err=True)


@cli.command("incidents")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The directory to write the drafts into (created if missing).",
)
def incident_drafts(run_dir: Path, out: Path) -> None:
    """Write incident report drafts (CCADB format) for a finished run's problems."""
    from audit.report.incidents import INDEX, write_incident_drafts

    drafts = write_incident_drafts(finished_run_dir(run_dir), out)
    click.echo(f"{len(drafts):,} incident drafts: {out / INDEX}")


@cli.command("verify")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM public key the package must be signed with: what authenticates its signer.",
)
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept a package whose signer is not authenticated (unsigned, or no --public-key).",
)
@click.option(
    "--proof",
    "proofs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A proof printed by `certcensus prove`, to check against the package (repeatable).",
)
def verify_evidence(
    package: Path, public_key: Path | None, allow_unsigned: bool, proofs: tuple[Path, ...]
) -> None:
    """Verify an evidence package: exit 0 when every check holds, 1 when one fails (without
    --public-key, the signer is not authenticated: that fails unless --allow-unsigned)."""
    from audit.evidence.verify import verify_package

    result = verify_package(
        package, public_key=public_key, allow_unsigned=allow_unsigned, proofs=list(proofs)
    )
    click.echo(result.text(), nl=False)
    if not result.ok:
        sys.exit(1)


@cli.command("prove")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("cert_file", type=click.Path(dir_okay=False, path_type=Path))
def prove_inclusion(package: Path, cert_file: Path) -> None:
    """Print the proof that each certificate in CERT_FILE was in the audited population;
    exit 1 when one was not."""
    from audit.evidence.proofs import prove

    proofs = prove(package, cert_file)
    click.echo(json.dumps(proofs.to_json(), indent=2))
    click.echo(proofs.summary(), err=True)
    if not proofs.all_included:
        sys.exit(1)


@cli.command("diff")
@click.argument("old_run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new_run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write by_lint.parquet and by_certificate.parquet (default: diffs/OLD_vs_NEW).",
)
def diff_runs_command(old_run_dir: Path, new_run_dir: Path, out_dir: Path | None) -> None:
    """New, resolved and persisting findings between two runs."""
    from audit.compare.diff import diff_runs

    result = diff_runs(old_run_dir, new_run_dir)
    out_dir = out_dir or Path("diffs") / f"{result.old.run_id}_vs_{result.new.run_id}"
    by_lint, by_certificate = result.write(out_dir)
    click.echo(result.table_text(), nl=False)
    click.echo(f"written: {by_lint} and {by_certificate}")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C (a run catches its own: see jobs/failures.py)
        _fail(3, "interrupted")
    except click.UsageError as exc:  # one line, not click's usage block
        command = exc.ctx.command_path if exc.ctx else "certcensus"
        _fail(2, f"{exc.format_message()} (see `{command} --help`)")
    except click.ClickException as exc:
        _fail(2 if isinstance(exc, click.BadParameter) else exc.exit_code, exc.format_message())
    except InputError as exc:
        _fail(2, str(exc))
    except OperationalError as exc:
        _fail(3, str(exc))
    except OSError as exc:  # a file a command reads or writes, outside a run's own handling
        from audit.jobs.failures import operational_cause

        if cause := operational_cause(exc):
            _fail(3, cause)
        _fail(2, f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
    except SystemExit:
        raise
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: one line here, the traceback kept for the bug report
        if os.environ.get("CERTCENSUS_DEBUG"):
            raise
        _fail(3, f"internal error ({type(exc).__name__}); traceback in {_keep_traceback()}")


def _fail(status: int, message: str) -> NoReturn:
    """The one line on stderr that ends a failed command, and its exit status."""
    click.echo(f"certcensus: {' '.join(message.split())}", err=True)
    sys.exit(status)


def _keep_traceback() -> str:
    """The current exception's traceback in a private file; its path. Not printed: it may quote
    certificate text or a statement, and it is for a bug report, not for the terminal."""
    fd, path = tempfile.mkstemp(prefix="certcensus-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        traceback.print_exc(file=out)
    return path

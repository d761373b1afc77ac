"""Reading the issuance database: read-only connections, one consistent view, partition planning,
keyset pages streamed through server-side cursors.

The job never holds the population in memory: each partition walks its key range in keyset
pages (`WHERE key > :last ORDER BY key LIMIT :page`, never OFFSET), and each page is streamed
from the server (psycopg named cursor; PyMySQL's unbuffered SSCursor) in small batches.

Read-only: every transaction is opened read-only (PostgreSQL `BEGIN ... READ ONLY`; MariaDB /
MySQL `START TRANSACTION READ ONLY`; SQLite `mode=ro`), at REPEATABLE READ, and the job creates
nothing on the server (no temporary tables, no views): an account that may only SELECT suffices.

One consistent view, and what the as-of predicate guarantees:

- PostgreSQL: the driver opens one REPEATABLE READ READ ONLY transaction, exports its snapshot
  (`pg_export_snapshot()`) and keeps it open for the whole run; the count, the partition plan and
  every partition (on any worker, local or remote) import that snapshot (`SET TRANSACTION
  SNAPSHOT`). The audited population is exactly the rows active at T in the database as it was
  when the run started: rows inserted, updated (revoked) or deleted during the run are invisible.
- MariaDB / MySQL have no snapshot to share between connections. The count and plan run in one
  consistent snapshot, each partition in its own (`WITH CONSISTENT SNAPSHOT`). What keeps the
  population fixed across them is the as-of predicate itself: a revocation recorded during the
  run has revoked_at > T, and a row revoked after T is active at T, so it stays; a row inserted
  during the run is issued after T, so it is out (Boulder's `issued`, a not-before after T).
  Not covered there: a row inserted during the run with a notBefore backdated to before T (use
  an --as-of that is earlier than the run by more than the CA's backdating), a revocation
  backdated to before T and recorded during the run, and rows deleted during the run. Any of
  these shows as `counts.reconciled = false` in run.json, never as a silent difference.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Connection,
    Engine,
    String,
    and_,
    cast,
    column,
    create_engine,
    func,
    inspect,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import _Binary

from audit.engine.certview import RowFacts
from audit.engine.inputs import decode_column
from audit.errors import InputError, OperationalError
from audit.source.schema import SchemaMapping
from audit.source.urls import mask_url, parse_url

BATCH_ROWS = 1000  # rows handed to the linter at a time (what one worker holds)
PAGE_ROWS = 20000  # rows per keyset query, streamed from the server BATCH_ROWS at a time
CONNECT_TIMEOUT_S = 5

_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?$")


class DatabaseUnreachable(OperationalError):
    """The connection was lost, or could not be made again, after the run's check passed: what a
    server restarting or a network cut gives, and what a partition retries (jobs/partition.py)."""


class SnapshotGone(OperationalError):
    """The run's exported PostgreSQL snapshot can no longer be imported: the driver's
    transaction that held it ended. A partition read again falls back to a new snapshot."""


def _with_installed_driver(parsed: URL) -> URL:
    """`postgresql://` and `mysql://` with the driver this project installs, when the dialect's
    default driver (psycopg2, mysqlclient) is absent."""
    name = parsed.drivername
    found = importlib.util.find_spec
    if name == "postgresql" and not found("psycopg2") and found("psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if name in ("mysql", "mariadb") and not found("MySQLdb") and found("pymysql"):
        return parsed.set(drivername=f"{name}+pymysql")
    return parsed


# SQLAlchemy's pool logs, with a traceback, its failure to close a cursor or roll back a
# connection that is already lost ("Error closing cursor"); with no logging set up, Python prints
# that on stderr. The loss itself is what the job reports (or retries): the pool need not.
POOL_LOGGER = "sqlalchemy.pool"


@cache
def read_only_engine(url: str) -> Engine:
    """One engine per process and URL; every connection is read-only where the driver can say so."""
    logging.getLogger(POOL_LOGGER).setLevel(logging.CRITICAL)
    parsed = parse_url(url)
    try:
        backend = parsed.get_backend_name()
        if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            path = Path(parsed.database)
            if not path.is_file():
                raise InputError(f"--db: no SQLite database at {path}")
            # mode=ro: SQLite itself refuses writes, whatever the job does.
            return create_engine("sqlite://", creator=lambda: _sqlite_ro(path), pool_pre_ping=False)
        parsed = _with_installed_driver(parsed)
        connect_args: dict[str, Any] = {}
        if backend == "postgresql":
            # UTC sessions: naive UTC parameters compare correctly with timestamptz columns.
            connect_args = {
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": "-c TimeZone=UTC",
                "application_name": "certcensus",
            }
        elif backend in ("mysql", "mariadb"):
            # UTC sessions: TIMESTAMP columns (cfssl) are converted with the session time zone.
            connect_args = {
                "connect_timeout": CONNECT_TIMEOUT_S,
                "init_command": "SET time_zone = '+00:00'",
            }
        engine = create_engine(
            parsed, pool_pre_ping=True, pool_size=1, max_overflow=2, connect_args=connect_args
        )
    except NoSuchModuleError:
        raise InputError(f"--db: no SQLAlchemy dialect for {parsed.drivername!r}") from None
    except ModuleNotFoundError as exc:
        raise InputError(
            f"--db: the database driver is not installed ({exc.name}); install the matching extra"
            " (certcensus[postgres] or certcensus[mysql])"
        ) from None
    return engine


def _sqlite_ro(path: Path) -> Any:
    import sqlite3

    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


@dataclass(frozen=True)
class Partition:
    """A key range [low, high) of the active population: one dask task.

    For a composite key, `low` and `high` are tuples. `snapshot` is the PostgreSQL snapshot the
    partition reads in (see the module docstring), None where there is none to share.
    `precertificates`: a range of the precertificates' own table (SchemaMapping.precertificates)
    rather than of the main table.
    """

    index: int
    low: Any
    high: Any  # exclusive; None means no upper bound
    snapshot: str | None = None
    precertificates: bool = False


@dataclass(frozen=True)
class SourceRow:
    der: bytes | None
    facts: RowFacts


class IssuanceDatabase:
    def __init__(self, url: str, mapping: SchemaMapping) -> None:
        self.url = url
        self.mapping = mapping
        self.engine = read_only_engine(url)
        self._password = parse_url(url).password
        self._view: Connection | None = None
        self.snapshot: str | None = None

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- connections -------------------------------------------------------------------------
    #
    # What a database error means depends on when it comes. Before the run (check), the URL, the
    # account or the schema is wrong: InputError, exit 2. Once the check has passed, a
    # connection that drops or cannot be made again, or a query the server gives up on, is an
    # operational failure: OperationalError, exit 3. A missing grant is the account's whenever
    # it shows: InputError.

    def _connect(self, task: str, at_start: bool) -> Connection:
        try:
            return self.engine.connect()
        except SQLAlchemyError as exc:
            cause = self._cause(exc)
            if _denied(exc):
                raise InputError(
                    f"the account may not connect to {self.masked_url}: {cause}; "
                    f"it needs: {self._connect_grant(cause)}"
                ) from None
            if at_start:
                raise InputError(f"cannot connect to {self.masked_url}: {cause}") from None
            raise DatabaseUnreachable(
                f"{task}: cannot connect to {self.masked_url}: {cause}"
            ) from None

    @contextlib.contextmanager
    def _read(
        self, task: str, snapshot: str | None = None, at_start: bool = False
    ) -> Iterator[Connection]:
        """A read-only REPEATABLE READ transaction (in `snapshot`, on PostgreSQL, when given).

        A database error in it is raised as InputError or OperationalError (see above) whose one
        line names `task` ("reading partition 3"), the masked URL and the server's cause.
        """
        if self._view is not None and snapshot in (None, self.snapshot):
            try:
                yield self._view  # inside consistent_view(): the driver's own transaction
            except SQLAlchemyError as exc:
                raise self._failure(exc, task, at_start) from None
            return
        conn = self._connect(task, at_start)
        try:
            if self.dialect == "postgresql":
                conn = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
                conn.begin()
                if snapshot:
                    if not _SNAPSHOT_ID.match(snapshot):
                        raise InputError(f"not a PostgreSQL snapshot id: {snapshot!r}")
                    self._import_snapshot(conn, snapshot, task)
            elif self.dialect in ("mysql", "mariadb"):
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                conn.begin()
                conn.exec_driver_sql("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT")
            else:
                conn.begin()
            yield conn
        except SQLAlchemyError as exc:
            raise self._failure(exc, task, at_start) from None
        finally:
            # A lost connection fails these too; what it was lost in is already being raised.
            with contextlib.suppress(SQLAlchemyError):
                conn.rollback()
            with contextlib.suppress(SQLAlchemyError):
                conn.close()

    def _import_snapshot(self, conn: Connection, snapshot: str, task: str) -> None:
        try:
            # Utility statement: no bind parameters; the id was checked by the caller.
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        except SQLAlchemyError as exc:
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                raise  # this connection lost: said by _failure
            # The snapshot lives as long as the driver's transaction that exported it.
            raise SnapshotGone(
                f"{task} of {self.masked_url}: the run's snapshot is gone: the driver's"
                " transaction that holds it ended (its connection lost, or ended by the server,"
                f" e.g. idle_in_transaction_session_timeout): {self._cause(exc)}"
            ) from None

    def _failure(
        self, exc: SQLAlchemyError, task: str, at_start: bool
    ) -> InputError | OperationalError:
        cause, where = self._cause(exc), f"{task} of {self.masked_url}"
        if _denied(exc):
            return InputError(f"{where}: the account may not read it: {cause}")
        if at_start:
            return InputError(f"{where}: {cause}")
        if isinstance(exc, DBAPIError) and (exc.connection_invalidated or _server_gone(exc)):
            return DatabaseUnreachable(f"database connection lost {where}: {cause}")
        return OperationalError(f"{where} failed: {cause}")

    def _cause(self, exc: BaseException) -> str:
        """The error's first line, without the password should the driver have echoed it."""
        line = _first_line(exc)
        if self._password and len(self._password) > 3:
            for form in (self._password, quote(self._password, safe="")):
                line = line.replace(form, "***")
        return line

    @contextlib.contextmanager
    def consistent_view(self) -> Iterator[str | None]:
        """Hold one read-only snapshot open for count_active, plan and every partition.

        On PostgreSQL it yields the exported snapshot id that plan() puts in each Partition; the
        transaction (and so the snapshot) lives until the block ends, so the run's partitions
        must finish inside it.
        """
        with self._read("opening the run's snapshot") as conn:
            snapshot = None
            if self.dialect == "postgresql":
                snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            self._view, self.snapshot = conn, snapshot
            try:
                yield snapshot
            finally:
                self._view, self.snapshot = None, None

    def leave_view(self) -> None:
        """The run's snapshot died with the driver's connection (a server restart): later reads
        take a transaction of their own, at the same as-of time."""
        self._view, self.snapshot = None, None

    # -- checks ------------------------------------------------------------------------------

    def check(self) -> None:
        """Fail fast with one line when the server, a table, a mapped column or a grant is
        missing.

        Resolves the mapping's names against the database (case-insensitively) first, so that
        `mapping` afterwards holds the database's own spelling; workers use it as it is.
        """
        m = self.mapping
        with self._read("checking the schema", at_start=True) as conn:
            if not m.resolved:
                try:
                    catalogue, binary = _catalogue(conn, m)
                except SQLAlchemyError as exc:
                    raise InputError(
                        f"schema {m.name!r}: cannot read the catalogue of {self.masked_url}: {self._cause(exc)}"
                    ) from None
                try:
                    self.mapping = m = m.resolve(catalogue, binary)
                except InputError as exc:
                    # MariaDB lists only the tables an account may read: one it may not looks
                    # missing, so ask the server before saying that it is.
                    listed = {name.lower() for name in catalogue}
                    unlisted = [t for t in m.referenced() if t.lower() not in listed]
                    self._check_grants(conn, {t: set() for t in unlisted}, listed=False)
                    raise InputError(f"{exc} ({self.masked_url})") from None
            self._check_grants(conn, m.referenced(), listed=True)
            for source, _ in self._sources():
                probe = select(*source.selected()).select_from(source.from_clause).limit(1)
                try:
                    conn.execute(probe).fetchall()
                except SQLAlchemyError as exc:
                    raise InputError(
                        f"schema {m.name!r} does not match {self.masked_url}: {self._cause(exc)}"
                    ) from None

    def _check_grants(self, conn: Connection, tables: dict[str, set[str]], listed: bool) -> None:
        """InputError naming the GRANT the account lacks to read one of `tables` (each with the
        columns the mapping reads of it). `listed`: the catalogue shows these tables."""
        if self.dialect not in ("postgresql", "mysql", "mariadb"):
            return  # SQLite: no accounts
        for name, columns in tables.items():
            selected = [column(c) for c in sorted(columns)] or [literal_column("1")]
            try:
                with conn.begin_nested():  # a failed probe must not end the transaction
                    conn.execute(select(*selected).select_from(table(name)).limit(0)).fetchall()
            except SQLAlchemyError as exc:
                if not _denied(exc):
                    continue  # a missing table or column: resolve() and the probe say which
                account, qualified = self._account(conn), self._qualified(conn, name)
                unsure = "" if listed else " (or it does not exist: the server does not say which)"
                raise InputError(
                    f"schema {self.mapping.name!r}: the account {account} cannot read {qualified}"
                    f"{unsure}: GRANT SELECT ON {qualified} TO {account} ({self.masked_url})"
                ) from None

    def _account(self, conn: Connection) -> str:
        """The account as a GRANT names it."""
        if self.dialect == "postgresql":
            return str(conn.execute(text("SELECT current_user")).scalar_one())
        current = str(conn.execute(text("SELECT CURRENT_USER()")).scalar_one())
        user, _, host = current.rpartition("@")
        return f"'{user}'@'{host}'"

    def _qualified(self, conn: Connection, name: str) -> str:
        quote_ = conn.dialect.identifier_preparer.quote
        if self.dialect == "postgresql":
            return quote_(name)
        return f"{quote_(str(conn.execute(text('SELECT DATABASE()')).scalar_one()))}.{quote_(name)}"

    def _connect_grant(self, cause: str) -> str:
        """What an account refused at connection time needs (it cannot be asked its name)."""
        url = self.engine.url
        if self.dialect == "postgresql":
            return f"GRANT CONNECT ON DATABASE {url.database} TO {url.username}"
        named = re.search(r"'([^']*)'@'([^']*)'", cause)
        account = f"'{named[1]}'@'{named[2]}'" if named else f"'{url.username}'@'%'"
        return "; ".join(
            f"GRANT SELECT ON `{url.database}`.`{t}` TO {account}"
            for t in self.mapping.referenced()
        )

    # -- planning ----------------------------------------------------------------------------

    def _sources(self) -> list[tuple[SchemaMapping, bool]]:
        """What the audited population is read from: the main table, then the precertificates'
        own table where the schema has one (True)."""
        precertificates = self.mapping.precertificate_table()
        return [(self.mapping, False)] + ([(precertificates, True)] if precertificates else [])

    def _mapping_of(self, partition: Partition) -> SchemaMapping:
        if partition.precertificates:
            precertificates = self.mapping.precertificate_table()
            assert precertificates is not None, "a precertificates partition of a schema without"
            return precertificates
        return self.mapping

    def count_active(self, as_of: datetime) -> int:
        with self._read("counting the active certificates") as conn:
            return sum(self._count(conn, m, as_of) for m, _ in self._sources())

    @staticmethod
    def _count(conn: Connection, m: SchemaMapping, as_of: datetime) -> int:
        query = select(func.count()).select_from(m.from_clause).where(m.active_at(as_of))
        return int(conn.execute(query).scalar_one())

    def plan(self, as_of: datetime, partitions: int) -> list[Partition]:
        """Split the active population's key range into about `partitions` ranges of equal rows
        (the precertificates' own table, if any, in ranges of its own, numbered after: at least
        one range per table that has active rows)."""
        with self._read("planning the partitions") as conn:
            totals = [(m, flag, self._count(conn, m, as_of)) for m, flag in self._sources()]
            everything = sum(total for _, _, total in totals)
            if everything == 0:
                return [Partition(0, None, None, self.snapshot)]
            totals = [t for t in totals if t[2]]
            shares = _shares([total for _, _, total in totals], partitions)
            plan: list[Partition] = []
            for (m, flag, total), share in zip(totals, shares, strict=True):
                for low, high in self._ranges(conn, m, as_of, total, share):
                    plan.append(Partition(len(plan), low, high, self.snapshot, flag))
            return plan

    @staticmethod
    def _ranges(
        conn: Connection, m: SchemaMapping, as_of: datetime, total: int, partitions: int
    ) -> list[tuple[Any, Any]]:
        """(low, high) of about `partitions` key ranges of equal rows over `m`'s active rows."""
        keys, active = m.key_cols(), m.active_at(as_of)
        step = max(1, -(-total // max(1, partitions)))
        # Every step-th active key, numbered by the server in one ordered pass: equal-sized
        # ranges whatever the key (integer, hex fingerprint, composite) and however sparse.
        # The bounds are compared by the server only, in its own collation.
        labels = [f"k{i}" for i in range(len(keys))]
        numbered = (
            select(
                *(k.label(n) for k, n in zip(keys, labels, strict=True)),
                func.row_number().over(order_by=keys).label("n"),
            )
            .select_from(m.from_clause)
            .where(active)
            .subquery()
        )
        ordered = [numbered.c[n] for n in labels]
        bounds = [
            tuple(r) if len(keys) > 1 else r[0]
            for r in conn.execute(
                select(*ordered).where((numbered.c.n - 1) % step == 0).order_by(*ordered)
            )
        ]
        # The first range is open below so that no active key can fall outside every range.
        lows: list[Any] = [None, *bounds[1:]]
        highs: list[Any] = [*bounds[1:], None]
        return list(zip(lows, highs, strict=True))

    # -- reading -----------------------------------------------------------------------------

    def _compare(self, op: str, values: Any, m: SchemaMapping) -> ColumnElement[bool]:
        """`m`'s scan key compared with a bound (tuples compared as rows, left to right)."""
        keys = m.key_cols()
        vals = values if len(keys) > 1 else (values,)
        ops = {
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
        }
        if len(keys) == 1:
            return ops[op](keys[0], vals[0])
        if self.dialect not in ("mysql", "mariadb"):
            return ops[op](tuple_(*keys), tuple_(*vals))
        # MariaDB's range optimizer does not use an index for a row comparison: spell it out.
        strict = ops[op.rstrip("=")]
        terms = []
        for i in range(len(keys)):
            last = i == len(keys) - 1
            cmp = ops[op] if last else strict
            terms.append(and_(*(keys[j] == vals[j] for j in range(i)), cmp(keys[i], vals[i])))
        return or_(*terms)

    def rows(
        self, partition: Partition, as_of: datetime, batch: int = BATCH_ROWS
    ) -> Iterator[list[SourceRow]]:
        """The partition's active rows, in key order, `batch` at a time.

        Keyset pages of PAGE_ROWS rows, each streamed from a server-side cursor: neither the
        page nor the partition is ever held in memory at once.
        """
        m = self._mapping_of(partition)
        nkeys = len(m.key_columns)
        fields_ = list(m.columns)
        base = select(*m.selected()).select_from(m.from_clause).where(m.active_at(as_of))
        if partition.low is not None:
            base = base.where(self._compare(">=", partition.low, m))
        if partition.high is not None:
            base = base.where(~self._compare(">=", partition.high, m))
        streaming = self.dialect in ("postgresql", "mysql", "mariadb")
        options = {"stream_results": True, "yield_per": batch} if streaming else {}
        page = max(PAGE_ROWS, batch)
        last: Any = None
        with self._read(f"reading partition {partition.index}", partition.snapshot) as conn:
            if self.dialect == "postgresql":
                # A page is a small ordered range scan, and the run's workers send theirs side by
                # side: parallel query would add server processes to each for nothing (measured
                # on a million rows: 62-72 ms per page without, 120-173 ms with), competing with
                # the workers and with the CA's own load. This transaction only.
                conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            while True:
                query = base if last is None else base.where(self._compare(">", last, m))
                result = conn.execution_options(**options).execute(
                    query.order_by(*m.key_cols()).limit(page)
                )
                seen = 0
                for chunk in result.partitions(batch):
                    seen += len(chunk)
                    tail = chunk[-1]
                    last = tuple(tail[:nkeys]) if nkeys > 1 else tail[0]
                    yield [
                        self._to_row(
                            dict(zip(fields_, r, strict=True)), m, partition.precertificates
                        )
                        for r in chunk
                    ]
                if seen < page:
                    return

    def key_compromise_rows(
        self, as_of: datetime, batch: int = BATCH_ROWS
    ) -> Iterator[list[SourceRow]]:
        """The rows revoked for keyCompromise (RFC 5280 CRLReason 1, stored as the code or its
        name) at or before `as_of`, active or not: the keys Mozilla's policy 6.1.1 asks to be
        revoked wherever else they appear. Read in the run's snapshot when inside
        `consistent_view`; nothing when the schema maps no revocation reason or time."""
        for m, precertificate_table in self._sources():
            if not (m.revocation_reason and m.revoked_at):
                continue
            reason = func.lower(cast(m.col("revocation_reason"), String))
            query = (
                select(*m.selected())
                .select_from(m.from_clause)
                .where(reason.in_(["1", "keycompromise"]))
                .where(m.col("revoked_at") <= m.to_db_time(as_of))
                .order_by(*m.key_cols())
            )
            streaming = self.dialect in ("postgresql", "mysql", "mariadb")
            options = {"stream_results": True, "yield_per": batch} if streaming else {}
            fields_ = list(m.columns)
            with self._read("reading the rows revoked for keyCompromise") as conn:
                result = conn.execution_options(**options).execute(query)
                for chunk in result.partitions(batch):
                    rows = [
                        self._to_row(dict(zip(fields_, r, strict=True)), m, precertificate_table)
                        for r in chunk
                    ]
                    # What the row says once read as the job reads rows (a status that is not
                    # revoked, EJBCA's -1 date): only real revocations at or before `as_of`.
                    yield [
                        r
                        for r in rows
                        if r.facts.revocation_reason == 1
                        and r.facts.revoked_at is not None
                        and r.facts.revoked_at <= as_of
                    ]

    def _to_row(
        self, values: dict[str, Any], m: SchemaMapping, precertificate_table: bool = False
    ) -> SourceRow:
        """A row as read by `m` (the main mapping, or the precertificates' own table's)."""
        status = values.get("status")
        status_text = None if status is None else _text(status)
        revoked_at = m.from_db_time(values.get("revoked_at"))
        revoked = revoked_at is not None
        if m.status and status is not None:
            # A time in the revocation column of a row that is not revoked (EJBCA's row taken
            # off hold keeps its removeFromCRL bookkeeping) is not a revocation.
            revoked = m.is_revoked_status(status)
            revoked_at = revoked_at if revoked else None
        key = ":".join(_text(values[f"key{i}"]) for i in range(len(m.key_columns)))
        if precertificate_table:  # its own key space: told apart from the main table's keys
            key = f"{m.table}:{key}"
        facts = RowFacts(
            cert_id=key,
            serial_hex=_hex_serial(values.get("serial"), m.serial_format),
            issuer=_text_or_none(values.get("issuer")),
            subject=_text_or_none(values.get("subject")),
            not_before=m.from_db_time(values.get("not_before")),
            not_after=m.from_db_time(values.get("not_after")),
            status=status_text,
            revoked_at=revoked_at,
            # What the row says of a revocation, only for a row that is revoked (products keep
            # placeholders otherwise: EJBCA -1, or removeFromCRL on a row taken off hold).
            revocation_reason=crl_reason(values.get("revocation_reason")) if revoked else None,
            issued=m.from_db_time(values.get("issued")),
            precertificate=precertificate_table
            or m.is_precertificate_marker(values.get("precertificate")),
        )
        # The first column that holds something; an empty value only when every one is empty
        # (then the decoder reports it), None when none holds anything.
        candidates = [values.get(f"certificate{i}") for i in range(len(m.certificate_columns))]
        present = [c for c in candidates if c is not None]
        stored = next((c for c in present if len(c) > 0), present[-1] if present else None)
        return SourceRow(decode_column(stored, m.encoding), facts)


def _catalogue(
    conn: Connection, mapping: SchemaMapping
) -> tuple[dict[str, list[str]], set[tuple[str, str]]]:
    """The database's tables (and views) with the columns of those the mapping uses."""
    inspector = inspect(conn)
    names = [*inspector.get_table_names(), *inspector.get_view_names()]
    wanted = {t.lower() for t in mapping.referenced()}
    catalogue: dict[str, list[str]] = {n: [] for n in names}
    binary: set[tuple[str, str]] = set()
    for name in names:
        if name.lower() not in wanted:
            continue
        for col in inspector.get_columns(name):
            catalogue[name].append(col["name"])
            if isinstance(col["type"], _Binary):
                binary.add((name, col["name"]))
    return catalogue, binary


def _shares(totals: list[int], partitions: int) -> list[int]:
    """How many of `partitions` ranges each source of these row counts gets: at least one each,
    then each next one to the source with the most rows per range."""
    shares = [1] * len(totals)
    for _ in range(partitions - len(totals)):
        most = max(range(len(totals)), key=lambda i: totals[i] / shares[i])
        shares[most] += 1
    return shares


# RFC 5280 5.3.1 CRLReason, by name (as OpenXPKI stores it; compared without case).
CRL_REASONS = {
    "unspecified": 0, "keycompromise": 1, "cacompromise": 2, "affiliationchanged": 3,
    "superseded": 4, "cessationofoperation": 5, "certificatehold": 6, "removefromcrl": 8,
    "privilegewithdrawn": 9, "aacompromise": 10,
}  # fmt: skip


def crl_reason(value: Any) -> int | None:
    """A stored revocation reason as its RFC 5280 CRLReason code: a number or a name. None when
    none is recorded (NULL, EJBCA's -1) or the value names no reason."""
    if value is None:
        return None
    if isinstance(value, int | Decimal):
        return int(value) if int(value) >= 0 else None
    text = _text(value).strip()
    if text.lstrip("-").isdigit():
        return int(text) if int(text) >= 0 else None
    return CRL_REASONS.get(text.lower())


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    return str(value)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def _hex_serial(value: Any, serial_format: str = "hex") -> str | None:
    if value is None:
        return None
    if isinstance(value, int | Decimal):
        return format(int(value), "x")
    text = _text(value).strip()
    if serial_format == "decimal":
        try:
            return format(int(text), "x")
        except ValueError:
            return text.lower()  # not a number: reported as stored, the serial lint will say so
    return text.lower().removeprefix("0x").replace(":", "")


def _first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


# SQLSTATE classes of a server that went away or is not taking sessions: connection exception
# (08), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up).
_GONE_STATES = ("08", "57P")


def _server_gone(exc: DBAPIError) -> bool:
    state = getattr(exc.orig, "sqlstate", None)
    return isinstance(state, str) and state.startswith(_GONE_STATES)


# MariaDB / MySQL: SELECT (1142) or column (1143) command denied, access denied to a database
# (1044). Not 1045 (a wrong password): that is the credentials, not a grant.
_DENIED_CODES = frozenset({1044, 1142, 1143})


def _denied(exc: SQLAlchemyError) -> bool:
    """Whether the server refused the account a privilege (rather than failing otherwise)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "42501":  # PostgreSQL insufficient_privilege
        return True
    code = orig.args[0] if orig is not None and orig.args else None
    if isinstance(code, int) and code in _DENIED_CODES:
        return True
    # libpq refuses a connection without CONNECT before any SQLSTATE exists.
    return "permission denied for database" in str(orig)

"""Sample issuance databases in the layouts of real CA products, on PostgreSQL or MariaDB/MySQL.

One module per product holds its DDL (written from the product's published schema) and how the
product stores one certificate (`rows`). `fill` creates the tables, signs the population in
worker processes and bulk-loads it (PostgreSQL COPY; multi-row INSERT on MariaDB/MySQL), then
creates the indexes.

    certcensus sample-db --url postgresql+psycopg://postgres@127.0.0.1/ca --schema ejbca --count 100000
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from audit.errors import InputError
from audit.sample_db.products import boulder, cfssl, ejbca, openxpki
from audit.sample_db.products.population import ACTIVE_KINDS, ANCHOR, Kind, record

PRODUCTS: dict[str, ModuleType] = {m.NAME: m for m in (ejbca, boulder, cfssl, openxpki)}
CHUNK = 2000  # certificates per worker task and per bulk insert
IN_PROCESS_BELOW = 4000  # smaller populations are signed in this process (no pool start-up)


@dataclass
class FillSummary:
    product: str
    url: str  # password masked
    count: int
    by_kind: Counter[str]
    seconds: float
    active_ids: list[str] | None = field(default=None, repr=False)

    @property
    def active(self) -> int:
        return sum(n for k, n in self.by_kind.items() if Kind(k) in ACTIVE_KINDS)

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return (
            f"{self.product}: {self.count} certificates into {self.url} in {self.seconds:.1f} s "
            f"({self.active} active at {ANCHOR.date().isoformat()}; {kinds})"
        )


def product(name: str) -> ModuleType:
    try:
        return PRODUCTS[name]
    except KeyError:
        raise InputError(
            f"--schema: no sample layout for {name!r} (layouts: generic, {', '.join(PRODUCTS)})"
        ) from None


def _indexes(module: ModuleType, dialect: str) -> list[str]:
    return module.indexes(dialect) if hasattr(module, "indexes") else list(module.INDEXES)


def _chunk(
    name: str, dialect: str, seed: int, start: int, stop: int, want_ids: bool
) -> tuple[dict[str, list[tuple[Any, ...]]], Counter[str], list[str]]:
    """Sign certificates start..stop-1 and encode them as the product stores them."""
    module = PRODUCTS[name]
    tables: dict[str, list[tuple[Any, ...]]] = {t: [] for t in module.COLUMNS}
    kinds: Counter[str] = Counter()
    ids: list[str] = []
    for i in range(start, stop):
        r = record(i, seed, module.KINDS)
        kinds[r.kind.value] += 1
        if want_ids and r.active:
            ids.append(module.cert_id(r))
        for t, rows in module.rows(r, dialect).items():
            tables[t].extend(rows)
    return tables, kinds, ids


def _chunks(
    name: str, dialect: str, count: int, seed: int, want_ids: bool, workers: int | None
) -> Iterator[tuple[dict[str, list[tuple[Any, ...]]], Counter[str], list[str]]]:
    bounds = [(s, min(count, s + CHUNK)) for s in range(0, count, CHUNK)]
    if count < IN_PROCESS_BELOW:
        for s, e in bounds:
            yield _chunk(name, dialect, seed, s, e, want_ids)
        return
    n = workers or os.cpu_count() or 1
    # spawn: the caller may be a process with threads (a dask client); fork would copy them.
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [
            pool.submit(_chunk, name, dialect, seed, s, e, want_ids) for s, e in bounds[: 2 * n]
        ]
        ahead = 2 * n
        while futures:
            yield futures.pop(0).result()  # in order, at most 2 chunks per worker in flight
            if ahead < len(bounds):
                futures.append(pool.submit(_chunk, name, dialect, seed, *bounds[ahead], want_ids))
                ahead += 1


def fill(
    url: str,
    name: str,
    count: int,
    seed: int = 2026,
    *,
    progress: bool = False,
    want_ids: bool = False,
    workers: int | None = None,
) -> FillSummary:
    """Create `name`'s certificate tables in the (empty) database at `url` and load `count` rows."""
    module = product(name)
    started = time.perf_counter()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError("--url: not a SQLAlchemy database URL") from None
    from audit.source.database import _with_installed_driver, mask_url

    masked = mask_url(parsed)
    dialect = parsed.get_backend_name()
    if dialect not in ("postgresql", "mysql", "mariadb"):
        raise InputError(f"--schema {name}: needs a PostgreSQL or MariaDB/MySQL URL, not {dialect}")
    dialect = "postgresql" if dialect == "postgresql" else "mysql"
    engine = create_engine(_with_installed_driver(parsed))
    try:
        with engine.connect() as conn:
            if inspect(conn).has_table(module.MAIN_TABLE) or inspect(conn).has_table(
                module.MAIN_TABLE.lower()
            ):
                raise InputError(
                    f"{masked} already has a {module.MAIN_TABLE} table: fill an empty database"
                )
            for statement in module.tables(dialect):
                conn.exec_driver_sql(statement)
            conn.commit()
        kinds: Counter[str] = Counter()
        ids: list[str] = []
        from tqdm import tqdm

        with tqdm(total=count, unit="cert", disable=not progress, desc=f"{name} rows") as bar:
            raw = engine.raw_connection()
            try:
                for tables, chunk_kinds, chunk_ids in _chunks(
                    name, dialect, count, seed, want_ids, workers
                ):
                    _load(raw, dialect, module, tables)
                    kinds.update(chunk_kinds)
                    ids.extend(chunk_ids)
                    bar.update(sum(chunk_kinds.values()))
                raw.commit()
            finally:
                raw.close()
        with engine.connect() as conn:
            for statement in _indexes(module, dialect):
                conn.exec_driver_sql(statement)
            if dialect == "postgresql":
                conn.exec_driver_sql("ANALYZE")
            conn.commit()
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise InputError(f"filling {masked}: {first[0][:300] if first else exc}") from None
    finally:
        engine.dispose()
    return FillSummary(
        name, masked, count, kinds, time.perf_counter() - started, ids if want_ids else None
    )


def _load(
    raw: Any, dialect: str, module: ModuleType, tables: dict[str, list[tuple[Any, ...]]]
) -> None:
    cursor = raw.cursor()
    try:
        for table, rows in tables.items():
            if not rows:
                continue
            columns = module.COLUMNS[table]
            if dialect == "postgresql":
                # Unquoted, as the product's DDL is: the server folds the names the same way.
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO `{table}` ({', '.join(f'`{c}`' for c in columns)}) VALUES ({marks})",
                    rows,
                )
        raw.commit()
    finally:
        cursor.close()

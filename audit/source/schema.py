"""Schema mappings: where an issuance database keeps its certificates and how to read them.

A mapping names the table (and the tables joined to it), the scan key (one column or several),
the certificate column(s) and their encoding, the columns that decide "active at T", how times
are stored and which status codes mean what. The SQL is built from these names with SQLAlchemy
Core (quoted identifiers, bound parameters): nothing is interpolated as text.

A column is named `column` (in the main table) or `Table.column` (in a joined table). Names are
matched to the database case-insensitively by `resolve` (PostgreSQL folds the unquoted names of
EJBCA's and Boulder's DDL to lower case; MariaDB keeps them as written).

Built-in presets: `generic` (the sample database), `ejbca`, `boulder`, `cfssl`, `openxpki`; any
other layout is a TOML file with the SchemaMapping fields at its top level (see `load_mapping`).

Precertificates (RFC 6962 3.1) are audited as rows of their own where the schema keeps them
(`Precertificates`): rows of the main table the product marks (EJBCA's tag 'P'), or a table of
their own laid out like the main one (Boulder's `precertificates`), read in partitions of their
own with a cert_id prefixed by that table's name.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import and_, column, false, or_, table
from sqlalchemy.sql.elements import ColumnElement

from audit.errors import InputError

# Values that products store for "no time": EJBCA's -1 revocationDate, Boulder's zero Go time
# (0001-01-01), cfssl's MySQL default '0000-00-00 00:00:00'.
_ZERO_DATE_PREFIXES = ("0000-00-00", "0001-01-01")


@dataclass(frozen=True)
class Join:
    """Another table joined to the main one: `on` pairs (column already in the query, its column)."""

    table: str
    on: tuple[tuple[str, str], ...]
    outer: bool = False  # LEFT OUTER JOIN: the main row counts even without a partner row


@dataclass(frozen=True)
class Precertificates:
    """Where a schema keeps its precertificates.

    Either `column` and `values`: rows of the main table whose `column` holds one of `values`
    (EJBCA's `tag` 'P'); or `table`: a table of their own whose columns are named as the main
    table's (Boulder's `precertificates` beside `certificates`), joined to the same tables.
    """

    column: str | None = None
    values: tuple[Any, ...] = ()
    table: str | None = None
    optional: bool = False  # `table` may be absent: then the schema keeps no precertificates
    # Set by SchemaMapping.resolve() for `table`: the mapping that reads it, in the database's
    # own spelling.
    mapping: SchemaMapping | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SchemaMapping:
    name: str
    table: str
    key: (
        str | tuple[str, ...]
    )  # the scan key: unique, indexed, ordered (several columns: composite)
    certificate: str | tuple[str, ...]  # several: the first non-empty one holds the certificate
    encoding: str = "der"  # der | base64 (line breaks allowed) | pem
    serial: str | None = None
    serial_format: str = "hex"  # hex | decimal: how the serial column spells the number
    issuer: str | None = None
    subject: str | None = None
    not_before: str | None = None
    not_after: str = "not_after"
    issued: str | None = None  # when the row was issued, if not notBefore (Boulder's `issued`)
    status: str | None = None
    active_statuses: tuple[Any, ...] = ()  # empty: every status that is not a revoked one
    revoked_statuses: tuple[Any, ...] = ("revoked",)
    revoked_at: str | None = None
    revocation_reason: str | None = None  # RFC 5280 CRLReason: a code, or its name (OpenXPKI)
    time_format: str = "datetime"  # datetime (naive UTC) | epoch_s | epoch_ms
    joins: tuple[Join, ...] = ()
    skip: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # rows that are not certificates to audit
    key_type: str = "integer"  # informational: integer | string | composite
    precertificates: Precertificates | None = None  # where precertificates are kept, if anywhere
    description: str = ""
    # Set by resolve(): the names are the database's own, binary columns are known.
    resolved: bool = field(default=False, compare=False)
    binary_columns: tuple[str, ...] = field(default=(), compare=False)

    # -- names -------------------------------------------------------------------------------

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)

    @property
    def certificate_columns(self) -> tuple[str, ...]:
        return (self.certificate,) if isinstance(self.certificate, str) else tuple(self.certificate)

    @property
    def columns(self) -> dict[str, str]:
        """Our field name -> column reference, for every column the job reads, in select order."""
        wanted: dict[str, str | None] = {f"key{i}": c for i, c in enumerate(self.key_columns)}
        wanted |= {f"certificate{i}": c for i, c in enumerate(self.certificate_columns)}
        wanted |= {
            "serial": self.serial, "issuer": self.issuer, "subject": self.subject,
            "not_before": self.not_before, "not_after": self.not_after, "issued": self.issued,
            "status": self.status, "revoked_at": self.revoked_at,
            "revocation_reason": self.revocation_reason,
            "precertificate": self.precertificates.column if self.precertificates else None,
        }  # fmt: skip
        return {k: v for k, v in wanted.items() if v}

    def precertificate_table(self) -> SchemaMapping | None:
        """The mapping that reads the precertificates' own table, if the schema has one: this
        one with that table as its main table (resolved, once `resolve` has run)."""
        p = self.precertificates
        if p is None or p.table is None:
            return None
        return p.mapping or replace(self, table=p.table, precertificates=None)

    def is_precertificate_marker(self, value: Any) -> bool:
        """Whether a main-table row's marker column value marks it as a precertificate."""
        p = self.precertificates
        return (
            p is not None and value is not None and _plain(value) in {_plain(v) for v in p.values}
        )

    def referenced(self) -> dict[str, set[str]]:
        """Table -> the columns of it that the mapping uses (selected, joined on or filtered by)."""
        refs = [*self.columns.values(), *(c for c, _ in self.skip)]
        for j in self.joins:
            for left, right in j.on:
                refs.append(left)
                refs.append(f"{j.table}.{right}")
        out: dict[str, set[str]] = {self.table: set()}
        for j in self.joins:
            out.setdefault(j.table, set())
        for ref in refs:
            t, c = self._split(ref)
            out.setdefault(t, set()).add(c)
        if (precertificates := self.precertificate_table()) is not None:
            for t, cs in precertificates.referenced().items():
                out.setdefault(t, set()).update(cs)
        return out

    def _split(self, ref: str) -> tuple[str, str]:
        t, dot, c = ref.rpartition(".")
        return (t, c) if dot else (self.table, ref)

    def resolve(
        self, catalogue: dict[str, list[str]], binary: set[tuple[str, str]]
    ) -> SchemaMapping:
        """The mapping with the database's own spelling of every table and column.

        `catalogue` maps each table in the database to its columns; `binary` holds the
        (table, column) pairs whose type is binary. Raises InputError naming what is missing.
        """
        tables = _folded(catalogue)
        p = self.precertificates
        absent = p and p.table and p.table not in catalogue and p.table.lower() not in tables
        if absent and p.optional:  # type: ignore[union-attr]
            return replace(self, precertificates=None).resolve(catalogue, binary)

        def table_name(t: str) -> str:
            found = t if t in catalogue else tables.get(t.lower())
            if found is None:
                raise InputError(f"schema {self.name!r}: no table {t!r} in the database")
            return found

        # Each table is looked up when first named, in the order below: what is missing from
        # the main table is reported before an absent precertificates table.
        names: dict[str, str] = {}

        def name_of(t: str) -> str:
            if t not in names:
                names[t] = table_name(t)
            return names[t]

        def ref(r: str) -> str:
            t, c = self._split(r)
            actual_t = name_of(t)
            cols = catalogue[actual_t]
            actual_c = c if c in cols else _folded({x: [] for x in cols}).get(c.lower())
            if actual_c is None:
                raise InputError(f"schema {self.name!r}: no column {c!r} in table {actual_t!r}")
            return actual_c if t == self.table else f"{actual_t}.{actual_c}"

        def opt(r: str | None) -> str | None:
            return None if r is None else ref(r)

        key = tuple(ref(k) for k in self.key_columns)
        cert = tuple(ref(c) for c in self.certificate_columns)
        resolved = replace(
            self,
            table=name_of(self.table),
            key=key[0] if isinstance(self.key, str) else key,
            certificate=cert[0] if isinstance(self.certificate, str) else cert,
            serial=opt(self.serial), issuer=opt(self.issuer), subject=opt(self.subject),
            not_before=opt(self.not_before), not_after=ref(self.not_after), issued=opt(self.issued),
            status=opt(self.status), revoked_at=opt(self.revoked_at),
            revocation_reason=opt(self.revocation_reason),
            precertificates=self._resolved_precertificates(ref, catalogue, binary),
            joins=tuple(
                Join(name_of(j.table), tuple((ref(a), ref(f"{j.table}.{b}").rpartition(".")[2]) for a, b in j.on), j.outer)
                for j in self.joins
            ),
            skip=tuple((ref(c), v) for c, v in self.skip),
            resolved=True,
        )  # fmt: skip
        binary_refs = tuple(
            r
            for r in {*resolved.columns.values(), *(c for c, _ in resolved.skip)}
            if (names.get(resolved._split(r)[0], resolved._split(r)[0]), resolved._split(r)[1])
            in binary
        )
        return replace(resolved, binary_columns=binary_refs)

    def _resolved_precertificates(
        self, ref: Any, catalogue: dict[str, list[str]], binary: set[tuple[str, str]]
    ) -> Precertificates | None:
        p = self.precertificates
        if p is None:
            return None
        table_mapping = self.precertificate_table()
        return replace(
            p,
            column=None if p.column is None else ref(p.column),
            mapping=None if table_mapping is None else table_mapping.resolve(catalogue, binary),
        )

    # -- SQL pieces ----------------------------------------------------------------------------

    @cached_property
    def _tables(self) -> dict[str, Any]:
        return {
            t: table(t, *(column(c) for c in sorted(cs))) for t, cs in self.referenced().items()
        }

    @cached_property
    def from_clause(self) -> Any:
        tables = self._tables
        clause = tables[self.table]
        for j in self.joins:
            on = and_(*(self.ref(a) == tables[j.table].c[b] for a, b in j.on))
            clause = clause.join(tables[j.table], on, isouter=j.outer)
        return clause

    @property
    def sql_table(self) -> Any:  # kept for callers of the first version
        return self.from_clause

    def ref(self, reference: str) -> ColumnElement[Any]:
        t, c = self._split(reference)
        return self._tables[t].c[c]

    def col(self, field_name: str) -> ColumnElement[Any]:
        if field_name == "key":
            return self.ref(self.key_columns[0])
        return self.ref(self.columns[field_name])

    def key_cols(self) -> list[ColumnElement[Any]]:
        return [self.ref(k) for k in self.key_columns]

    def selected(self) -> list[ColumnElement[Any]]:
        return [self.ref(c) for c in self.columns.values()]

    def _value(self, reference: str, value: Any) -> Any:
        """A status literal as the column stores it (cfssl's PostgreSQL status column is bytea)."""
        if reference in self.binary_columns and isinstance(value, str):
            return value.encode()
        return value

    def _in(self, reference: str, values: tuple[Any, ...]) -> ColumnElement[bool]:
        if not values:
            return false()
        return self.ref(reference).in_([self._value(reference, v) for v in values])

    def to_db_time(self, moment: datetime) -> Any:
        moment = moment.astimezone(UTC)
        if self.time_format == "epoch_s":
            return int(moment.timestamp())
        if self.time_format == "epoch_ms":
            return int(moment.timestamp() * 1000)
        return moment.replace(tzinfo=None)

    def from_db_time(self, value: Any) -> datetime | None:
        """A stored time as an aware UTC datetime; None for NULL and the products' "no time" values."""
        if value is None:
            return None
        if self.time_format in ("epoch_s", "epoch_ms"):
            number = int(value)
            if number <= 0:  # EJBCA stores -1 for "not revoked"
                return None
            return datetime.fromtimestamp(
                number / (1000 if self.time_format == "epoch_ms" else 1), UTC
            )
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if isinstance(value, str):  # SQLite without declared types, MySQL zero dates
            if value.startswith(_ZERO_DATE_PREFIXES):
                return None
            value = datetime.fromisoformat(value)
        if value.year <= 1:  # Go's zero time, Boulder's "never revoked"
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def is_revoked_status(self, status: Any) -> bool:
        if status is None or not self.status:
            return self.status is None
        wanted = {_plain(v) for v in self.revoked_statuses}
        return _plain(status) in wanted

    def active_at(self, as_of: datetime) -> ColumnElement[bool]:
        """Issued at or before T, not expired at T, not revoked at T, and a certificate to audit.

        A row revoked after T is active at T (the revocation has a time, and it is later); a row
        whose status says revoked with no time recorded is not. With `active_statuses`, a status
        outside both lists (EJBCA's inactive, archived or rollover-pending rows) is not active.
        """
        t = self.to_db_time(as_of)
        conditions = [self.col("not_after") > t]
        if self.not_before:
            conditions.append(self.col("not_before") <= t)
        if self.issued:
            conditions.append(self.col("issued") <= t)
        if self.status:
            status = self.columns["status"]
            revoked_later = (
                and_(self._in(status, self.revoked_statuses), self.col("revoked_at") > t)
                if self.revoked_at
                else false()
            )
            if self.active_statuses:
                conditions.append(or_(self._in(status, self.active_statuses), revoked_later))
            else:
                conditions.append(or_(~self._in(status, self.revoked_statuses), revoked_later))
        elif self.revoked_at:
            conditions.append(or_(self.col("revoked_at").is_(None), self.col("revoked_at") > t))
        for reference, values in self.skip:
            # NULL-safe: a row whose marker column is NULL is not one to skip.
            conditions.append(
                or_(self.ref(reference).is_(None), ~self._in(reference, tuple(values)))
            )
        return and_(*conditions)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    if isinstance(value, Decimal):
        return int(value)
    return str(value) if not isinstance(value, int) else value


def _folded(catalogue: dict[str, list[str]]) -> dict[str, str]:
    return {name.lower(): name for name in catalogue}


GENERIC = SchemaMapping(
    name="generic",
    table="certificates",
    key="id",
    certificate="der",
    encoding="der",
    serial="serial",
    issuer="issuer_dn",
    subject="subject_dn",
    not_before="not_before",
    not_after="not_after",
    status="status",
    revoked_at="revoked_at",
    revocation_reason="revocation_reason",
    # Precertificates: rows of `certificates` (told by their poison extension), or a table of
    # their own laid out like it, where the sample has one.
    precertificates=Precertificates(table="precertificates", optional=True),
    description="the sample issuance database (sample_db/schema.py)",
)

# EJBCA (Keyfactor/ejbca-ce doc/sql-scripts/create-tables-ejbca-*.sql; CertificateData.java):
# times are Java milliseconds, serialNumber is BigInteger.toString() (decimal), the certificate
# is base64 of the DER (line-wrapped) in CertificateData.base64Cert or, with
# database.useSeparateCertificateTable, in Base64CertData.base64Cert (same fingerprint).
# Status codes (CertificateConstants): 20 active, 21 notified about expiration, 40 revoked
# (revocationReason 6 = on hold), 10 inactive, 50 rollover pending, 60 archived. A certificate
# taken off hold is status 20 again, revocationReason 8 (removeFromCRL), revocationDate -1;
# revocationReason is -1 when not revoked. Precertificate rows are tagged 'P' (tag column):
# audited as precertificates.
EJBCA = SchemaMapping(
    name="ejbca",
    table="CertificateData",
    key="fingerprint",
    certificate=("base64Cert", "Base64CertData.base64Cert"),
    encoding="base64",
    serial="serialNumber",
    serial_format="decimal",
    issuer="issuerDN",
    subject="subjectDN",
    not_before="notBefore",
    not_after="expireDate",
    status="status",
    active_statuses=(20, 21),
    revoked_statuses=(40,),
    revoked_at="revocationDate",
    revocation_reason="revocationReason",
    time_format="epoch_ms",
    joins=(Join("Base64CertData", (("fingerprint", "fingerprint"),), outer=True),),
    key_type="string",
    precertificates=Precertificates(column="tag", values=("P",)),
    description="EJBCA CertificateData (+ Base64CertData), SHA-1 fingerprint key",
)

# Boulder (letsencrypt/boulder sa/db/boulder_sa/*CombinedSchema.sql): final certificates in
# `certificates` (der), their status in `certificateStatus` joined on the hex serial; times are
# DATETIME (UTC); revokedDate is Go's zero time when not revoked, revokedReason the CRLReason.
# Precertificates are in `precertificates` (same columns: id, serial, der, issued, expires),
# whose rows share the serial's certificateStatus row with the final certificate: they are read
# from there, so a precertificate whose final certificate was never issued is audited too.
BOULDER = SchemaMapping(
    name="boulder",
    table="certificates",
    key="id",
    certificate="der",
    encoding="der",
    serial="serial",
    not_after="expires",
    issued="issued",
    status="certificateStatus.status",
    active_statuses=("good",),
    revoked_statuses=("revoked",),
    revoked_at="certificateStatus.revokedDate",
    revocation_reason="certificateStatus.revokedReason",
    joins=(Join("certificateStatus", (("serial", "serial"),)),),
    precertificates=Precertificates(table="precertificates"),
    description="Boulder certificates (and precertificates) joined to certificateStatus on serial",
)

# cfssl (cloudflare/cfssl certdb/{pg,mysql}/migrations): one `certificates` table keyed by
# (serial_number, authority_key_identifier); serial is the decimal string, AKI lower-case hex,
# status 'good' | 'revoked' (bytea on PostgreSQL, varbinary on MySQL), PEM in `pem`, `reason` the
# CRLReason code. cfssl keeps no precertificates.
CFSSL = SchemaMapping(
    name="cfssl",
    table="certificates",
    key=("authority_key_identifier", "serial_number"),
    certificate="pem",
    encoding="pem",
    serial="serial_number",
    serial_format="decimal",
    not_before="not_before",
    not_after="expiry",
    status="status",
    active_statuses=("good",),
    revoked_statuses=("revoked",),
    revoked_at="revoked_at",
    revocation_reason="reason",
    key_type="composite",
    description="cfssl certdb certificates, composite key (authority_key_identifier, serial_number)",
)

# OpenXPKI (openxpki-config contrib/sql/schema-*.sql): `certificate`, PEM in `data`, times in
# epoch seconds, cert_key is the serial as a decimal number, `identifier` (base64url SHA-1) is
# unique under MariaDB's case-insensitive utf8 collation: it is compared and ordered only by
# the server, never in Python. reason_code is the CRLReason's name (keyCompromise, ...).
OPENXPKI = SchemaMapping(
    name="openxpki",
    table="certificate",
    key="identifier",
    certificate="data",
    encoding="pem",
    serial="cert_key",
    serial_format="decimal",
    issuer="issuer_dn",
    subject="subject",
    not_before="notbefore",
    not_after="notafter",
    status="status",
    active_statuses=("ISSUED",),
    revoked_statuses=("REVOKED", "CRL_ISSUANCE_PENDING", "HOLD"),
    revoked_at="revocation_time",
    revocation_reason="reason_code",
    time_format="epoch_s",
    key_type="string",
    description="OpenXPKI certificate table, identifier key (case-insensitive collation on MariaDB)",
)

PRESETS = {m.name: m for m in (GENERIC, EJBCA, BOULDER, CFSSL, OPENXPKI)}


def load_mapping(name_or_file: str) -> SchemaMapping:
    """A preset by name, or a TOML file with the SchemaMapping fields at its top level.

    In TOML, `key` and `certificate` may be lists (composite key; fall-back certificate columns),
    `joins` an array of tables `{table = "...", on = [["left", "right"]], outer = false}`,
    `skip` a table `{column = [values...]}`, and `precertificates` a table: `{column = "tag",
    values = ["P"]}` (marked rows of the main table) or `{table = "precertificates"}` (a table
    of their own, its columns named as the main table's).
    """
    if name_or_file in PRESETS:
        return PRESETS[name_or_file]
    path = Path(name_or_file)
    if not name_or_file.endswith(".toml"):
        raise InputError(
            f"--schema: unknown preset {name_or_file!r} (presets: {', '.join(PRESETS)}; or a .toml file)"
        )
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"--schema: cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"--schema: {path} is not valid TOML: {exc}") from None
    known = {f.name for f in fields(SchemaMapping)} - {"resolved", "binary_columns"}
    unknown = set(data) - known
    if unknown:
        raise InputError(f"--schema: {path}: unknown keys {sorted(unknown)}")
    data.setdefault("name", path.stem)
    try:
        for name in ("key", "certificate"):
            if isinstance(data.get(name), list):
                data[name] = tuple(data[name])
        for name in ("revoked_statuses", "active_statuses"):
            if name in data:
                data[name] = tuple(data[name])
        if "joins" in data:
            data["joins"] = tuple(
                Join(j["table"], tuple(tuple(p) for p in j["on"]), bool(j.get("outer", False)))
                for j in data["joins"]
            )
        if "skip" in data:
            data["skip"] = tuple((c, tuple(v)) for c, v in dict(data["skip"]).items())
        if "precertificates" in data:
            p = dict(data["precertificates"])
            data["precertificates"] = Precertificates(
                column=p.pop("column", None), values=tuple(p.pop("values", ())),
                table=p.pop("table", None), optional=bool(p.pop("optional", False)),
            )  # fmt: skip
            if p:
                raise ValueError(f"precertificates: unknown keys {sorted(p)}")
            if (data["precertificates"].column is None) == (data["precertificates"].table is None):
                raise ValueError("precertificates: give either column and values, or table")
        return SchemaMapping(**data)
    except (TypeError, KeyError, ValueError) as exc:
        raise InputError(f"--schema: {path}: {exc}") from None

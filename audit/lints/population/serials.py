"""Serial numbers across the population. Population lints each read the audited population (the certificates dataset, as an Arrow
table) and names the certificates that break the rule.

They are declared in the catalogue like every lint (`@population_lint`), run once per audit after
every partition is linted, and their findings join the others in `findings/`.

Both rules compare the certificates of one issuer, and read the population with bounded memory:
the uniqueness rule has the query engine find the few certificates whose (issuer, serial) could
repeat, by a 64-bit hash, and groups only those; the other spreads the rows over buckets by
issuer and serial number (see `audit.outputs.buckets`), so that what is held at once is one
bucket, however many certificates the run has.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from audit.engine.registry import Source, population_lint
from audit.engine.status import Status
from audit.lints import dates
from audit.outputs import sql
from audit.outputs.buckets import bucketed

if TYPE_CHECKING:
    from audit.population.apply import Population

PopulationFinding = tuple[str, str]  # (cert_id, message)

# Serials closer than this under one issuer are not plausibly 64 bits of CSPRNG output: two
# random 64-bit values fall this close once in ~2^44 pairs.
NEAR_SERIAL_DISTANCE = 1 << 20


@population_lint(
    name="population_serial_unique_per_issuer",
    description="No two different certificates from the same issuer carry the same serial number "
    "(a precertificate and its certificate share one by design, RFC 6962 3.1).",
    citation="RFC 5280 4.1.2.2; BR 7.1",
    source=Source.POPULATION,
    severity=Status.ERROR,
    effective=dates.RFC_3280,
    columns=("cert_id", "sha256", "issuer", "serial", "profile"),
)
def serial_unique_per_issuer(population: Population) -> Iterator[PopulationFinding]:
    # The few certificates that could clash are found first, by a 64-bit hash of (issuer,
    # serial, kind) that repeats (the query engine holds a million such hashes in some 60 MB,
    # where the strings would take several times that); then they are grouped exactly. A
    # precertificate and its certificate are of different kinds: they share a serial by design.
    kind = """CASE WHEN profile IS NULL THEN 'null'
                   WHEN starts_with(profile, 'precertificate') THEN 'pre'
                   ELSE 'final' END"""
    where = "serial IS NOT NULL"
    repeated_hashes = f"""
        SELECT hash(issuer, serial, {kind}) AS h FROM certificates WHERE {where}
        GROUP BY h HAVING count(*) > 1
    """
    query = f"""
        SELECT cert_id, sha256, issuer, serial, {kind} AS kind FROM certificates
        WHERE {where} AND hash(issuer, serial, {kind}) IN (SELECT h FROM repeated)
        ORDER BY _file, _row  -- the population's order
    """
    with population.query() as con:
        repeated = sql.table(con, repeated_hashes)
        if not repeated.num_rows:
            return
        con.register("repeated", repeated)
        candidates = sql.table(con, query)
    # The issuer as a number, a certificate without one included (joins never match nulls).
    issuer = pc.dictionary_encode(candidates["issuer"].combine_chunks(), null_encoding="encode")
    candidates = candidates.append_column(
        "_issuer", pc.cast(issuer.indices, pa.int64())
    ).append_column("_row", pa.array(range(candidates.num_rows), pa.int64()))
    keys = ["_issuer", "serial", "kind"]
    groups = candidates.group_by(keys, use_threads=False).aggregate(
        [("sha256", "count_distinct"), ("_row", "min")]
    )
    groups = groups.filter(pc.greater(groups["sha256_count_distinct"], 1))
    members = candidates.join(
        groups.select([*keys, "_row_min"]), keys=keys, join_type="inner", use_threads=False
    ).sort_by([("_row_min", "ascending"), ("_row", "ascending")])  # by first certificate
    if not members.num_rows:
        return
    runs = pc.run_end_encode(members["_row_min"].combine_chunks())
    start = 0
    for end in runs.run_ends.to_pylist():
        group = members.slice(start, end - start)
        serial, ids = group["serial"][0].as_py(), group["cert_id"].to_pylist()
        for cert_id in ids:
            others = ", ".join(i for i in ids if i != cert_id)[:300]
            yield (
                cert_id,
                f"serial {serial} is also the serial of certificate(s) {others} from this issuer",
            )
        start = end


@population_lint(
    name="population_serials_not_sequential",
    description="Serial numbers from one issuer are not close to each other: serials within "
    f"{NEAR_SERIAL_DISTANCE:,} of another show they do not hold 64 bits of CSPRNG output.",
    citation="BR 7.1 (Ballot 164: at least 64 bits of CSPRNG output in the serial number)",
    source=Source.POPULATION,
    severity=Status.WARN,
    effective=dates.BR_SERIAL_64_BITS,
    columns=("cert_id", "issuer", "serial", "not_before"),
)
def serials_not_sequential(population: Population) -> Iterator[PopulationFinding]:
    where = pc.is_valid(pc.field("serial")) & (
        pc.field("not_before") >= pa.scalar(dates.BR_SERIAL_64_BITS)
    )
    issuers = _issuer_ids(population, where)  # numbered as they first appear
    schema = pa.schema(
        [("cert_id", pa.string()), ("_issuer", pa.string()), ("_number", pa.string()),
         ("_hex", pa.string())]
    )  # fmt: skip

    def rows() -> Iterator[pa.Table]:
        for t in population.batches(["cert_id", "issuer", "serial", "not_before"], where):
            hexes, order = _numeric_keys(t["serial"])
            keep = pc.is_valid(hexes)  # a serial that is not hex (e.g. "n/a"): not comparable
            yield pa.table(
                [t["cert_id"], issuers(t["issuer"]), order, hexes], schema=schema
            ).filter(keep)

    # Buckets in the order (issuer, serial as a number): each issuer's serials in numeric order,
    # ties by certificate, as one sorted list per issuer would hold them.
    message = f"serial within {NEAR_SERIAL_DISTANCE:,} of another serial from the same issuer"
    previous: tuple[str, int, str] | None = None  # (issuer, serial, cert_id) last seen
    flagged: dict[str, int] = {}  # this issuer's, in the order they were found
    for (bucket,) in bucketed([(rows, schema)], ["_issuer", "_number"], prefix=_NUMBER_PREFIX):
        ordered = bucket.sort_by(
            [("_issuer", "ascending"), ("_number", "ascending"), ("cert_id", "ascending")]
        )
        for issuer, hexed, cert_id in zip(
            ordered["_issuer"].to_pylist(),
            ordered["_hex"].to_pylist(),
            ordered["cert_id"].to_pylist(),
            strict=True,
        ):
            serial = int(hexed, 16)
            if previous is not None and previous[0] != issuer:  # the last issuer is done
                yield from ((c, message) for c in flagged)
                flagged = {}
            # The same issuer's next serial (equal serials are the other lint's finding).
            elif previous is not None and 0 < serial - previous[1] < NEAR_SERIAL_DISTANCE:
                flagged[previous[2]] = flagged.get(previous[2], 0) + 1
                flagged[cert_id] = flagged.get(cert_id, 0) + 1
            previous = (issuer, serial, cert_id)
    yield from ((c, message) for c in flagged)


def _issuer_ids(population: Population, where: pc.Expression) -> Callable[[pa.Array], pa.Array]:
    """A function giving each issuer (None included) its number as text ("00000000", ...), in
    the order the issuers first appear among the rows `where` selects: a short key that sorts
    in that order."""
    seen: dict[str | None, None] = {}
    for t in population.batches(["issuer"], where):
        seen.update(dict.fromkeys(pc.unique(t["issuer"]).to_pylist()))
    known = pa.array(list(seen), pa.string())

    def number(issuer: pa.ChunkedArray | pa.Array) -> pa.Array:
        at = pc.index_in(issuer, value_set=known, skip_nulls=False)
        return pc.utf8_lpad(pc.cast(at, pa.string()), 8, "0")

    return number


_CANONICAL_HEX = r"^(0|[1-9a-f][0-9a-f]*)$"  # what CertView.serial_hex gives for a serial >= 0
_LENGTH_DIGITS = 6
_NUMBER_PREFIX = 1 + _LENGTH_DIGITS + 2  # sign, length, the first two digits: spreads buckets
_COMPLEMENT = str.maketrans("0123456789abcdef", "fedcba9876543210")


def _numeric_keys(serials: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """Per serial: its value as lowercase hex ("-" for a negative one; null when `int(s, 16)`
    cannot read it), and a text key that sorts as the values do: "+", the digit count, the
    digits; a negative one "!", then the count and digits complemented so that larger
    magnitudes come first."""
    canonical = pc.fill_null(pc.match_substring_regex(serials, _CANONICAL_HEX), False)
    lengths = pc.utf8_lpad(pc.cast(pc.utf8_length(serials), pa.string()), _LENGTH_DIGITS, "0")
    hexes = pc.if_else(canonical, serials, pa.scalar(None, pa.string()))
    keys = pc.if_else(canonical, pc.binary_join_element_wise("+", lengths, serials, ""), None)
    if pc.all(canonical).as_py():
        return hexes, keys
    # The rare other spellings (upper case, leading zeros, "0x", a sign): read as int() does.
    odd_hexes, odd_keys = [], []
    for text, plain in zip(serials.to_pylist(), canonical.to_pylist(), strict=True):
        value = None
        if not plain and text is not None:
            with contextlib.suppress(ValueError):
                value = int(text, 16)
        if value is None:
            odd_hexes.append(None)
            odd_keys.append(None)
        elif value >= 0:
            digits = format(value, "x")
            odd_hexes.append(digits)
            odd_keys.append(f"+{len(digits):0{_LENGTH_DIGITS}d}{digits}")
        else:
            digits = format(-value, "x")
            count = 10**_LENGTH_DIGITS - 1 - len(digits)
            odd_hexes.append("-" + digits)
            odd_keys.append(f"!{count:0{_LENGTH_DIGITS}d}{digits.translate(_COMPLEMENT)}")
    return (
        pc.coalesce(hexes, pa.array(odd_hexes, pa.string())),
        pc.coalesce(keys, pa.array(odd_keys, pa.string())),
    )

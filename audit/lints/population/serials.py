"""Serial numbers across the population. Population lints each read the audited population (the certificates dataset, as an Arrow
table) and names the certificates that break the rule.

They are declared in the catalogue like every lint (`@population_lint`), run once per audit after
every partition is linted, and their findings join the others in `findings/`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from audit.engine.registry import Source, population_lint
from audit.engine.status import Status
from audit.lints import dates

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
def serial_unique_per_issuer(population: pa.Table) -> Iterator[PopulationFinding]:
    kind = pc.if_else(pc.starts_with(population["profile"], "precertificate"), "pre", "final")
    keyed = population.append_column("kind", kind).filter(pc.is_valid(population["serial"]))
    groups = keyed.group_by(["issuer", "serial", "kind"]).aggregate(
        [("sha256", "count_distinct"), ("cert_id", "list")]
    )
    clashes = groups.filter(pc.greater(groups["sha256_count_distinct"], 1))
    for row in clashes.to_pylist():
        ids = row["cert_id_list"]
        for cert_id in ids:
            others = ", ".join(i for i in ids if i != cert_id)[:300]
            yield (
                cert_id,
                f"serial {row['serial']} is also the serial of certificate(s) {others} from this issuer",
            )


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
def serials_not_sequential(population: pa.Table) -> Iterator[PopulationFinding]:
    recent = population.filter(
        pc.and_(
            pc.is_valid(population["serial"]),
            pc.greater_equal(population["not_before"], pa.scalar(dates.BR_SERIAL_64_BITS)),
        )
    )
    for issuer in pc.unique(recent["issuer"]).to_pylist():
        rows = (
            recent.filter(pc.equal(recent["issuer"], issuer))
            if issuer is not None
            else recent.filter(pc.is_null(recent["issuer"]))
        )
        serials = []
        for cert_id, serial in zip(
            rows["cert_id"].to_pylist(), rows["serial"].to_pylist(), strict=True
        ):
            try:
                serials.append((int(serial, 16), cert_id))
            except ValueError:  # a serial that is not hex (e.g. a negative one): not comparable
                continue
        serials.sort()
        flagged: dict[str, int] = {}
        for (a, id_a), (b, id_b) in zip(serials, serials[1:], strict=False):
            if 0 < b - a < NEAR_SERIAL_DISTANCE:  # equal serials are the other lint's finding
                flagged[id_a] = flagged.get(id_a, 0) + 1
                flagged[id_b] = flagged.get(id_b, 0) + 1
        for cert_id in flagged:
            yield (
                cert_id,
                f"serial within {NEAR_SERIAL_DISTANCE:,} of another serial from the same issuer",
            )

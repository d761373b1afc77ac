"""Precertificates and the certificates based on them, across the audited population.

A precertificate (RFC 6962 3.1) is the certificate to be issued with the poison extension
added, signed by the issuing CA or by a Precertificate Signing CA it certified. MRSP 5.4: "A
final certificate is 'based on' a precertificate if they have the same serial and issuer, or
they have the same serial and the final certificate's issuer matches the precertificate's
issuer's issuer"; issuing one that does not "exactly match [the precertificate] according to RFC
6962, section 3.1" is misissuance, and a precertificate implies its certificate "even if the
certificate does not actually exist". RFC 6962 3.2 says what may differ: the poison extension
(gone), the SCT list extension (added), and, from a Precertificate Signing CA, the issuer and the
authorityKeyIdentifier; BR 7.1.2.9 requires every other field byte for byte, extensions in the
same order.

The partition phase records per certificate the SHA-256 of its TBSCertificate without those
extensions, and of the same without issuer and authorityKeyIdentifier (audit/engine/ct_tbs.py;
columns `ct_tbs_sha256`, `ct_tbs_sha256_other_issuer`); pairing and comparing them is one join,
run by DuckDB with bounded memory (audit/outputs/sql.py). The issuer's issuer is known when the
Precertificate Signing CA's certificate is itself among the audited certificates (its subject is
the precertificate's issuer).

Per certificate, the precertificate is linted as the certificate it implies: its profile is a
precertificate profile, and the subscriber lints apply to those (audit/engine/profiles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.engine import profiles
from audit.engine.registry import Source, population_lint
from audit.engine.status import Status
from audit.lints import dates
from audit.outputs import sql

if TYPE_CHECKING:
    from audit.population.apply import Population

PopulationFinding = tuple[str, str]  # (cert_id, message)

_LIST = ", ".join(sql.quote(str(p)) for p in sorted(profiles.PRECERTIFICATE))
_CA_LIST = ", ".join(sql.quote(str(p)) for p in sorted(profiles.CA))
_READ = (
    "cert_id", "issuer", "serial", "subject", "not_before", "not_after", "profile", "decoded",
    "ct_tbs_sha256", "ct_tbs_sha256_other_issuer",
)  # fmt: skip

# Every (precertificate, certificate based on it) pair, with whether they match: directly (the
# same issuer: every field but the CT extensions), or through a Precertificate Signing CA (the
# certificate's issuer is the precertificate's issuer's issuer: issuer and AKI may differ too).
_PAIRS = f"""
WITH pre AS (
    SELECT cert_id, issuer, serial, subject, not_before, not_after, ct_tbs_sha256 AS tbs,
           ct_tbs_sha256_other_issuer AS tbs_other, _file, _row
    FROM certificates
    WHERE profile IN ({_LIST}) AND serial IS NOT NULL AND issuer IS NOT NULL
), final AS (
    SELECT cert_id, issuer, serial, subject, not_before, not_after, ct_tbs_sha256 AS tbs,
           ct_tbs_sha256_other_issuer AS tbs_other, _file, _row
    FROM certificates
    WHERE decoded AND profile NOT IN ({_LIST}) AND serial IS NOT NULL AND issuer IS NOT NULL
      -- Only those a precertificate could pair with (both joins below need the same serial):
      -- the query engine then holds a few rows per precertificate, not every certificate.
      AND serial IN (SELECT serial FROM pre)
), signing_ca AS (
    SELECT DISTINCT subject, issuer FROM certificates
    WHERE profile IN ({_CA_LIST}) AND subject IS NOT NULL AND issuer IS NOT NULL
      AND subject <> issuer
), pairs AS (
    SELECT pre.cert_id AS pre_id, final.cert_id AS final_id, FALSE AS via_signing_ca,
           coalesce(pre.tbs = final.tbs, FALSE) AS same, pre.tbs IS NULL OR final.tbs IS NULL
           AS unreadable, pre.subject = final.subject AS same_subject,
           pre.not_before = final.not_before AS same_not_before,
           pre.not_after = final.not_after AS same_not_after,
           pre._file AS pre_file, pre._row AS pre_row, final._file AS final_file,
           final._row AS final_row
    FROM pre JOIN final ON final.issuer = pre.issuer AND final.serial = pre.serial
    UNION ALL
    SELECT pre.cert_id, final.cert_id, TRUE, coalesce(pre.tbs_other = final.tbs_other, FALSE),
           pre.tbs_other IS NULL OR final.tbs_other IS NULL, pre.subject = final.subject,
           pre.not_before = final.not_before, pre.not_after = final.not_after,
           pre._file, pre._row, final._file, final._row
    FROM pre JOIN signing_ca ON signing_ca.subject = pre.issuer
    JOIN final ON final.issuer = signing_ca.issuer AND final.serial = pre.serial
)
"""


@population_lint(
    name="population_precertificate_matches_certificate",
    description="A certificate based on a precertificate (the same issuer and serial, or the "
    "precertificate's issuer's issuer) differs from it only as RFC 6962 allows: the poison "
    "extension removed, the SCT list added, and, from a Precertificate Signing CA, the issuer "
    "and authorityKeyIdentifier. Both are reported.",
    citation="MRSP 5.4 (it is misissuance to issue a final certificate based on a precertificate "
    "if they do not exactly match each other according to RFC 6962, section 3.1); RFC 6962 3.1, "
    "3.2; BR 7.1.2.9",
    source=Source.POPULATION,
    severity=Status.ERROR,
    effective=dates.RFC_6962,
    columns=_READ,
)
def precertificate_matches_certificate(population: Population) -> Iterator[PopulationFinding]:
    query = (
        _PAIRS + "SELECT * FROM pairs WHERE NOT same "
        "ORDER BY pre_file, pre_row, final_file, final_row, via_signing_ca"
    )
    with population.query() as con:
        for table in sql.batches(con, query):
            for pair in table.to_pylist():
                how = _difference(pair)
                yield pair["final_id"], f"differs from precertificate {pair['pre_id']}: {how}"
                yield pair["pre_id"], f"its certificate {pair['final_id']} differs from it: {how}"


def _difference(pair: dict[str, object]) -> str:
    if pair["unreadable"]:
        return "one of their TBSCertificates could not be read to compare them"
    named = [
        label
        for label, same in (
            ("subject", pair["same_subject"]),
            ("notBefore", pair["same_not_before"]),
            ("notAfter", pair["same_not_after"]),
        )
        if same is False
    ]
    allowed = (
        "poison, SCT list, issuer and authorityKeyIdentifier (via a Precertificate Signing CA)"
        if pair["via_signing_ca"]
        else "poison and SCT list extensions"
    )
    where = f"in {', '.join(named)}" if named else "in another field or extension"
    return f"their TBSCertificates differ beyond the {allowed} ({where})"


@population_lint(
    name="population_precertificate_has_certificate",
    description="A precertificate whose certificate is not among the audited certificates: it "
    "implies that certificate, which the CA must treat as issued (revocation, CRL and OCSP) and "
    "which was linted as the precertificate. Not itself misissuance: information.",
    citation="MRSP 5.4 (a CA MUST provide CRL and OCSP services and responses ... for all "
    "certificates presumed to exist based on the presence of a precertificate); BR 7.1.2.9; "
    "RFC 6962 3.1",
    source=Source.POPULATION,
    severity=Status.INFO,
    effective=dates.RFC_6962,
    columns=_READ,
)
def precertificate_has_certificate(population: Population) -> Iterator[PopulationFinding]:
    query = (
        _PAIRS + "SELECT cert_id FROM pre WHERE cert_id NOT IN (SELECT pre_id FROM pairs) "
        "ORDER BY _file, _row"
    )
    message = (
        "no certificate with this issuer and serial (or this issuer's issuer) is among the "
        "audited certificates: the precertificate stands for it"
    )
    with population.query() as con:
        for table in sql.batches(con, query):
            for cert_id in table.column("cert_id").to_pylist():
                yield cert_id, message

"""One key, many certificates: what the audited population's keys say together.

Each rule reads the keys dataset the partitions write (`keys/`, audit/outputs/keys.py: per
certificate its SubjectPublicKeyInfo SHA-256, key identifier, authority key identifier, whether
it is a CA, and who its subscriber is) through DuckDB, with bounded memory.

Who the subscriber is, as far as a certificate tells: the registrable domains of its dNSNames
(public suffix list with its private suffixes, so two customers of one hosting platform are two
subscribers), those of its rfc822Names' mail domains, and its subject organizationName. Two
certificates are of the same subscriber when they share any of these, directly or through
other certificates of the same key (a renewal that adds a domain stays one subscriber). A
certificate that names none of them stands for its subject DN alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from audit.engine.registry import Source, population_lint
from audit.engine.status import Status
from audit.lints import dates
from audit.outputs import sql
from audit.population.apply import COMPROMISED_KEYS

if TYPE_CHECKING:
    from audit.population.apply import Population

PopulationFinding = tuple[str, str]  # (cert_id, message)

NAMED = 5  # other certificates a message names at most
_CUT = 400  # and its length


def _names(items: Sequence[str], total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = ", ".join(items[:NAMED])
    return shown + (f" and {total - NAMED} more" if total > NAMED else "")


@population_lint(
    name="population_key_not_shared_by_unrelated_subscribers",
    description="A subscriber key is not certified for unrelated subscribers: certificates "
    "with the same subjectPublicKeyInfo have a registrable domain, a mail domain or a subject "
    "organizationName in common (directly or through the key's other certificates). The same "
    "key for unrelated subscribers means the private key is held by more than one of them, or "
    "by a third party for all: the CA must revoke every certificate with a key communicated "
    "to an unaffiliated organization. A warning, not an error: a hosting provider may hold one "
    "key for its customers' sites, which certificates show only when they share the "
    "provider's own domain or organization; the CA's records (the account that requested "
    "them) settle it.",
    citation="BR 6.1.2 (a Subscriber's Private Key communicated to an organization not "
    "affiliated with the Subscriber: revoke all certificates with its Public Key); "
    "BR 4.9.1.1 (3)",
    source=Source.POPULATION,
    severity=Status.WARN,
    # BR 6.1.2's text, as the BRs read in their RFC 3647 layout (BR 1.3.0, Ballot 146).
    effective=dates.BR_1_3_0,
)
def key_not_shared_by_unrelated_subscribers(population: Population) -> Iterator[PopulationFinding]:
    # Only keys whose certificates do not all name the same subscriber the same way (most
    # shared keys are renewals that kept theirs) need the closer look below. Memory stays with
    # the shared keys, not the population: the keys in more than one certificate are found by
    # a 64-bit hash of the key's digest first (a million distinct 64-character strings, held as
    # strings, take 150-300 MB more), in a query of its own (so that a population without a
    # shared key reads nothing more); then they are grouped exactly among the rows whose hash
    # repeats, and only their certificates' subjects are looked up.
    repeated_hashes = """
        SELECT hash(spki_sha256) AS h FROM keys
        WHERE spki_sha256 IS NOT NULL AND NOT coalesce(is_ca, false)
        GROUP BY h HAVING count(*) > 1
    """
    query = """
        WITH shared AS (
            SELECT spki_sha256 FROM keys
            WHERE spki_sha256 IS NOT NULL AND NOT coalesce(is_ca, false)
              AND hash(spki_sha256) IN (SELECT h FROM repeated)
            GROUP BY spki_sha256
            HAVING count(*) > 1 AND (
                min(hash(domains, email_domains, organization))
                    <> max(hash(domains, email_domains, organization))
                OR bool_or(len(domains) = 0 AND len(email_domains) = 0 AND organization IS NULL)
            )
        ), members AS (
            SELECT k.* FROM keys k JOIN shared USING (spki_sha256)
            WHERE NOT coalesce(k.is_ca, false)
        )
        SELECT m.spki_sha256, m.cert_id, m.domains, m.email_domains, m.organization, c.subject
        FROM members m LEFT JOIN (
            SELECT cert_id, subject FROM certificates
            WHERE cert_id IN (SELECT cert_id FROM members)
        ) c USING (cert_id)
        ORDER BY m.spki_sha256, length(m.cert_id), m.cert_id  -- the same order in a resumed run
    """
    group: list[dict[str, Any]] = []
    with population.query() as con:
        repeated = sql.table(con, repeated_hashes)
        if not repeated.num_rows:
            return
        con.register("repeated", repeated)
        for table in sql.batches(con, query):
            for row in table.to_pylist():
                if group and row["spki_sha256"] != group[0]["spki_sha256"]:
                    yield from _unrelated(group)
                    group = []
                group.append(row)
    yield from _unrelated(group)


def _unrelated(group: list[dict[str, Any]]) -> Iterator[PopulationFinding]:
    """The findings of one key's certificates: each names those of the other subscribers."""
    if len(group) < 2:
        return
    parent = list(range(len(group)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, row in enumerate(group):
        for token in _identity(row):
            j = first_with.setdefault(token, i)
            parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(group)):
        members.setdefault(root(i), []).append(i)
    if len(members) < 2:
        return
    spki = group[0]["spki_sha256"]
    # Each subscriber's message names the first few certificates and subscribers of the others
    # (a walk that stops once it has them: one key may be in very many certificates).
    firsts = [indices[0] for indices in members.values()]
    roots = [root(i) for i in range(len(group))]
    for key, subscriber in members.items():
        others = list(islice((i for i, r in enumerate(roots) if r != key), NAMED + 1))
        mine = subscriber[0]
        who = [_label(group[i]) for i in islice((i for i in firsts if i != mine), NAMED + 1)]
        message = (
            f"the same key (SPKI SHA-256 {spki[:16]}…) is in certificate(s) "
            f"{_names([group[i]['cert_id'] for i in others], len(group) - len(subscriber))} of "
            f"{len(members) - 1} other subscriber(s) ({_names(who, len(members) - 1)}) that share "
            f"no registrable domain or organization with this one ({_label(group[mine])})"
        )[:_CUT]
        for i in subscriber:
            yield group[i]["cert_id"], message


_NOT_WORD = re.compile(r"[\W_]+")


def _identity(row: dict[str, Any]) -> list[str]:
    tokens = [f"domain:{d}" for d in (row["domains"] or []) + (row["email_domains"] or [])]
    organization = _NOT_WORD.sub("", (row["organization"] or "").casefold())
    if organization:
        tokens.append(f"organization:{organization}")
    if not tokens:
        tokens.append(f"subject:{row['subject'] or row['cert_id']}")
    return tokens


def _label(row: dict[str, Any]) -> str:
    named = (row["domains"] or []) + (row["email_domains"] or [])
    if row["organization"]:
        named = [row["organization"], *named]
    return "; ".join(named[:2]) if named else (row["subject"] or "no subscriber named")


@population_lint(
    name="population_subscriber_key_not_a_ca_key",
    description="A subscriber certificate does not certify a CA's key: its "
    "subjectPublicKeyInfo is not that of a CA certificate in the population, and its key "
    "identifier (RFC 5280 4.2.1.2 method 1) is not the authorityKeyIdentifier of certificates "
    "the CA issued. Either the subscriber holds the CA's private key (a CA key compromise) or "
    "the certificate names a key its subscriber cannot use; the CA generated that key pair, "
    "which a subscriber certificate may not carry.",
    citation="BR 6.1.1.3 (3); BR 6.1.2; Mozilla Root Store Policy 5.2 (CA operators MUST NOT "
    "generate the key pairs for end entity certificates)",
    source=Source.POPULATION,
    severity=Status.ERROR,
    effective=dates.BR_1_0,
)
def subscriber_key_not_a_ca_key(population: Population) -> Iterator[PopulationFinding]:
    # The subscriber certificates with a CA's key, then (for those few) whose key it is.
    candidates = """
        WITH ca_keys AS (
            SELECT DISTINCT spki_sha256 FROM keys
            WHERE coalesce(is_ca, false) AND spki_sha256 IS NOT NULL
        ), issuer_keys AS (
            SELECT DISTINCT authority_key_id AS key_id FROM keys WHERE authority_key_id IS NOT NULL
        )
        SELECT cert_id, spki_sha256, key_id, authority_key_id, _file, _row FROM keys
        WHERE NOT coalesce(is_ca, false)
          AND (spki_sha256 IN (SELECT spki_sha256 FROM ca_keys)
               OR key_id IN (SELECT key_id FROM issuer_keys))
    """
    with population.query() as con:
        found = sql.table(con, candidates)
        if not found.num_rows:
            return
        con.register("candidates", found)
        ca_certificates = _lists(
            con,
            """SELECT k.spki_sha256 AS k, k.cert_id AS c, NULL AS issuer FROM keys k
               WHERE coalesce(k.is_ca, false)
                 AND k.spki_sha256 IN (SELECT spki_sha256 FROM candidates)""",
        )
        issued = _lists(
            con,
            """SELECT k.authority_key_id AS k, k.cert_id AS c, ce.issuer FROM keys k
               LEFT JOIN certificates ce USING (cert_id)
               WHERE k.authority_key_id IN (SELECT key_id FROM candidates)""",
        )
        for row in sql.table(con, "SELECT * FROM candidates ORDER BY _file, _row").to_pylist():
            said = []
            if (cas := ca_certificates.get(row["spki_sha256"])) is not None:
                said.append(f"the key of CA certificate(s) {_names(cas[0], cas[2])}")
            if (signed := issued.get(row["key_id"])) is not None:
                others = [c for c in signed[0] if c != row["cert_id"]]
                total = signed[2] - (row["authority_key_id"] == row["key_id"])  # less itself
                if others:  # a self-signed subscriber certificate signed nothing else
                    said.append(
                        f"the key of the issuing CA {signed[1] or '(issuer unknown)'} (key "
                        f"identifier {row['key_id']}), which signed certificate(s) "
                        f"{_names(others, total)}"
                    )
            if said:
                message = f"this subscriber certificate certifies {'; '.join(said)}"
                yield row["cert_id"], message[:_CUT]


def _lists(con: Any, query: str) -> dict[str, tuple[list[str], str | None, int]]:
    """Per key (`k`): the first certificates (`c`, by certificate id, numbers in order: the
    same in a resumed run, whatever its part files) of `query`'s rows, an issuer among them,
    and how many."""
    grouped = f"""
        SELECT k, list(c ORDER BY length(c), c)[1:{NAMED + 1}] AS first, min(issuer) AS issuer,
               count(*) AS total
        FROM (SELECT q.*, kk._file, kk._row FROM ({query}) q JOIN keys kk ON kk.cert_id = q.c)
        GROUP BY k
    """
    return {
        r["k"]: (r["first"], r["issuer"], r["total"]) for r in sql.table(con, grouped).to_pylist()
    }


@population_lint(
    name="population_key_compromised_key_not_in_active_certificate",
    description="No active certificate carries a key the CA has revoked a certificate for as "
    "keyCompromise: once a key is known compromised every certificate with it is revoked, and "
    "none is issued for it again. The keys of the rows revoked with reason keyCompromise at or "
    "before the as-of time are read from the database beside the active population (run.json "
    "`scope` says so, and how many).",
    citation="Mozilla Root Store Policy 6.1.1 (keyCompromise: revoke all instances of that key "
    "across all subscribers); BR 4.9.1.1 (3); BR 6.1.1.3 (4)",
    source=Source.POPULATION,
    severity=Status.ERROR,
    effective=dates.BR_1_0,
)
def key_compromised_key_not_in_active_certificate(
    population: Population,
) -> Iterator[PopulationFinding]:
    query = """
        SELECT k.cert_id,
               list(ck.cert_id || ' (serial ' || coalesce(ck.serial, '?') || ', revoked '
                    || coalesce(strftime(ck.revoked_at, '%Y-%m-%d'), '?') || ')'
                    ORDER BY ck.revoked_at, ck.cert_id) AS revoked
        FROM keys k JOIN compromised_keys ck USING (spki_sha256)
        GROUP BY k.cert_id, k._file, k._row
        ORDER BY k._file, k._row
    """
    if not (population.run_dir / COMPROMISED_KEYS).is_file():
        return  # the run did not read them (run.json's scope says why)
    with population.query() as con:
        for table in sql.batches(con, query):
            for row in table.to_pylist():
                yield (
                    row["cert_id"],
                    "its key is the key of certificate(s) revoked for keyCompromise: "
                    f"{_names(row['revoked'])}"[:_CUT],
                )

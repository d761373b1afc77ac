"""Where the Baseline Requirements explicitly permit what an RFC 5280 rule forbids (or advise
against what it recommends): the RFC rule gives way for the certificates the BRs govern.

One table, `CARVE_OUTS`. An RFC lint that a carve-out names declares it in its `when`:

    when=br_carve_outs.outside(br_carve_outs.NON_CRITICAL_NAME_CONSTRAINTS)

and is then `na` for a certificate of the carve-out's profiles judged inside its window (the
BR rule named in `governed_by`, a lint of its own, judges those certificates instead), while it
applies as before to everything else: a root, an S/MIME or code-signing certificate, a
certificate issued before the BRs said so. Nothing is inferred: a carve-out takes effect only
where its RFC lint names it, and tests/lints/test_pkilint_tls_rules.py holds every entry of the
table to the lints it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from audit.engine import profiles
from audit.engine.profiles import Profile
from audit.lints import dates

if TYPE_CHECKING:
    from audit.engine.certview import CertView

Predicate = Callable[["CertView"], bool]


@dataclass(frozen=True)
class CarveOut:
    """An explicit BR permission over an RFC rule, for certificates of `profiles` judged from
    `since` (until `until`, when the permission was withdrawn)."""

    rfc_lints: tuple[str, ...]  # the RFC lints that give way
    permission: str  # what the BRs allow, in one sentence
    citation: str
    profiles: frozenset[Profile]
    since: datetime
    until: datetime | None = None
    governed_by: tuple[str, ...] = ()  # the BR lints that judge these certificates instead

    def covers(self, cert: CertView) -> bool:
        if cert.profile not in self.profiles:
            return False
        judged = cert.judged_at
        return judged >= self.since and (self.until is None or judged < self.until)


NON_CRITICAL_NAME_CONSTRAINTS = CarveOut(
    rfc_lints=("name_constraints_critical",),
    permission="nameConstraints SHOULD be critical but MAY be non-critical, 'as an explicit "
    "exception from RFC 5280', for legacy applications that do not support it",
    citation="BR 7.1.2.2(f) (BR 1.0.2, Ballot 75); BR 2.0 7.1.2.5.2, 7.1.2.10.8",
    profiles=profiles.SUBORDINATE,
    since=dates.BR_1_0,
    governed_by=("subordinate_ca_name_constraints_critical",),
)

SUBSCRIBER_SUBJECT_KEY_IDENTIFIER = CarveOut(
    rfc_lints=("end_entity_subject_key_identifier_present",),
    permission="subjectKeyIdentifier is NOT RECOMMENDED in a subscriber certificate, where RFC "
    "5280 4.2.1.2 says SHOULD",
    citation="BR 2.0 7.1.2.7.6",
    profiles=profiles.SUBSCRIBER_TLS,
    since=dates.BR_2_0,
    governed_by=("subscriber_subject_key_identifier_not_recommended",),
)

SC12_UNDERSCORES = CarveOut(
    rfc_lints=(
        "dns_name_registrable_label_no_underscore",
        "dns_name_subdomain_label_no_underscore",
    ),
    permission="until 2019-04-01, dNSNames MAY hold underscores (not in the leftmost label, a "
    "valid label once each '_' is '-', in a certificate valid for at most 30 days), where RFC "
    "5280's preferred name syntax has none",
    citation="BR 1.6.2 7.1.4.2.1 (Ballot SC12)",
    profiles=profiles.SUBSCRIBER_TLS,
    since=dates.BR_1_6_2,
    until=dates.BR_UNDERSCORE_PROHIBITED,
    governed_by=(
        "san_dns_name_underscore_sunset_syntax",
        "san_dns_name_underscore_sunset_validity",
    ),
)

CARVE_OUTS = (NON_CRITICAL_NAME_CONSTRAINTS, SUBSCRIBER_SUBJECT_KEY_IDENTIFIER, SC12_UNDERSCORES)


def outside(carve_out: CarveOut, when: Predicate | None = None) -> Predicate:
    """An RFC lint's `when`: it applies where `when` (if given) holds and `carve_out` does not
    cover the certificate. The predicate names its carve-out (`.carve_out`) for the tests."""

    def applies(cert: CertView) -> bool:
        if when is not None and not when(cert):
            return False
        return not carve_out.covers(cert)

    applies.carve_out = carve_out  # type: ignore[attr-defined]
    return applies

"""RFC 3161 2.3: the certificate of a Time-Stamping Authority.

A TSA signs time-stamp tokens with a key reserved for that purpose, and its certificate says so:
exactly one extKeyUsage extension, critical, whose only purpose is id-kp-timeStamping. The rule
is the TSA's (end-entity) certificate's; a CA certificate listing the purpose, to allow its
subordinates to be TSAs, is not a TSA certificate. Which certificates the Code Signing BRs call
time-stamping certificates is theirs to say; RFC 3161 applies to every certificate that claims
the purpose.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names


def is_tsa_certificate(cert: CertView) -> bool:
    """An end-entity certificate whose extKeyUsage holds id-kp-timeStamping."""
    return oids.EKU_TIME_STAMPING in (cert.eku or ()) and not cert.is_ca


_END_ENTITY = profiles.ANY - profiles.CA


@lint(
    name="time_stamping_eku_critical",
    description="A certificate with id-kp-timeStamping in extKeyUsage (a Time-Stamping "
    "Authority's) marks the extKeyUsage extension critical. zlint has no equivalent.",
    citation="RFC 3161 2.3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=_END_ENTITY,
    effective=dates.RFC_3161,
    when=is_tsa_certificate,
    needs=(oids.EXTENDED_KEY_USAGE,),
)
def time_stamping_eku_critical(cert: CertView) -> Outcome:
    if not cert.is_critical(oids.EXTENDED_KEY_USAGE):
        return fail("extKeyUsage with id-kp-timeStamping is not marked critical")
    return PASS


@lint(
    name="time_stamping_eku_only",
    description="A certificate with id-kp-timeStamping in extKeyUsage (a Time-Stamping "
    "Authority's) has that purpose and no other: a TSA's key is reserved for time-stamping. "
    "zlint has no equivalent.",
    citation="RFC 3161 2.3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=_END_ENTITY,
    effective=dates.RFC_3161,
    when=is_tsa_certificate,
    needs=(oids.EXTENDED_KEY_USAGE,),
)
def time_stamping_eku_only(cert: CertView) -> Outcome:
    other = frozenset(cert.eku or ()) - {oids.EKU_TIME_STAMPING}
    if other or len(cert.eku or ()) > 1:
        shown = eku_names(other) if other else "id-kp-timeStamping twice"
        return fail(f"extKeyUsage with id-kp-timeStamping also has {shown}")
    return PASS

"""BR 2.0 7.1.2.4: the Technically Constrained Precertificate Signing CA Certificate Profile.

A Precertificate Signing CA (RFC 6962 3.1) signs precertificates on behalf of the CA that issues
the final certificates; its certificate is a subordinate CA certificate whose extKeyUsage holds
the Precertificate Signing Certificate purpose (1.3.6.1.4.1.11129.2.4.4). Ballot SC-092 ended
the profile: no such CA certificate may be issued from 2026-03-15.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names


def is_precertificate_signing_ca(cert: CertView) -> bool:
    return oids.EKU_PRECERT_SIGNING in (cert.eku or ())


@lint(
    name="precertificate_signing_ca_eku_only",
    description="The extKeyUsage of a Precertificate Signing CA certificate holds the "
    "Precertificate Signing Certificate purpose and nothing else. (serverAuth beside it is "
    "also subordinate_ca_eku_tls_purposes's finding, under the TLS CA profile.) zlint has no "
    "equivalent.",
    citation="BR 2.0 7.1.2.4, 7.1.2.4.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_2_0,
    when=is_precertificate_signing_ca,
    needs=(oids.EXTENDED_KEY_USAGE,),
)
def precertificate_signing_ca_eku_only(cert: CertView) -> Outcome:
    other = frozenset(cert.eku or ()) - {oids.EKU_PRECERT_SIGNING}
    if other:
        return fail(f"Precertificate Signing CA extKeyUsage also has {eku_names(other)}")
    return PASS


@lint(
    name="precertificate_signing_ca_not_issued",
    description="No subordinate CA certificate issued from 2026-03-15 is a Precertificate "
    "Signing CA certificate: Ballot SC-092 sunset the profile (a CA MUST NOT use it to issue "
    "certificates, nor a Precertificate Signing CA to issue precertificates). A certificate "
    "issued earlier is 'ne'.",
    citation="BR 7.1.2.4, 1.2.2 (Ballot SC-092)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_PRECERTIFICATE_SIGNING_CA_SUNSET,
)
def precertificate_signing_ca_not_issued(cert: CertView) -> Outcome:
    if is_precertificate_signing_ca(cert):
        return fail("Precertificate Signing CA certificate issued after the profile's sunset")
    return PASS

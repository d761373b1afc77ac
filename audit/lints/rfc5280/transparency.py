"""RFC 6962 3.3: the embedded SignedCertificateTimestampList.

SCTs are embedded in the final certificate, one or more of them; a precertificate is what the
logs sign, so it carries none.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

_FINAL_TLS = profiles.SUBSCRIBER_TLS - profiles.PRECERTIFICATE


@lint(
    name="sct_list_not_empty",
    description="A SignedCertificateTimestampList extension, when present in a subscriber "
    "certificate, holds at least one SCT.",
    citation="RFC 6962 3.3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=_FINAL_TLS,
    effective=dates.RFC_6962,
    zlint=("e_empty_sct_list",),
)
def sct_list_not_empty(cert: CertView) -> Outcome:
    scts = cert.sct_fields
    if scts is not None and not scts:
        return fail("the SignedCertificateTimestampList extension holds no SCT")
    return PASS


@lint(
    name="precertificate_without_sct_list",
    description="A precertificate carries no SignedCertificateTimestampList: SCTs are "
    "embedded in the final certificate, after the logs have signed the precertificate.",
    citation="RFC 6962 3.1, 3.3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.PRECERTIFICATE,
    effective=dates.RFC_6962,
    zlint=("e_precert_with_sct_list",),
)
def precertificate_without_sct_list(cert: CertView) -> Outcome:
    if cert.has_extension(oids.CT_SCT_LIST):
        return fail("precertificate carries a SignedCertificateTimestampList extension")
    return PASS

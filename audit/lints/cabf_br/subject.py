"""BR 7.1.4.2: the subject of subscriber certificates."""

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


@lint(
    name="subject_organization_requires_locality_or_state",
    description="If subject:organizationName is present, subject:localityName or "
    "subject:stateOrProvinceName is present. Required since BR 1.0 (2012-07-01); zlint dates "
    "its lints from 2017, which misses certificates such as those of Bugzilla 1544722.",
    citation="BR 7.1.4.2.2(d)-(e); BR 1.0 9.2.4(d)-(e)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_locality_name_must_appear", "e_sub_cert_province_must_appear"),
)
def organization_requires_locality_or_state(cert: CertView) -> Outcome:
    s = cert.subject
    if s.has(oids.ORGANIZATION) and not (s.has(oids.LOCALITY) or s.has(oids.STATE)):
        return fail("subject has organizationName but neither localityName nor stateOrProvinceName")
    return PASS


@lint(
    name="subject_organizational_unit_prohibited",
    description="subject:organizationalUnitName is not present.",
    citation="BR 7.1.4.2.2(i); Ballot SC47",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_OU_PROHIBITED,
    zlint=("e_subject_contains_organizational_unit_name_and_no_organization_name",),
)
def organizational_unit_prohibited(cert: CertView) -> Outcome:
    if cert.subject.has(oids.ORGANIZATIONAL_UNIT):
        return fail(
            f"subject has organizationalUnitName {cert.subject.values(oids.ORGANIZATIONAL_UNIT)!r}"
        )
    return PASS

"""Profile detection outside TLS (audit/engine/profiles.py): which BR governs an end-entity
certificate that is not a TLS server certificate, and the families the report groups by."""

from __future__ import annotations

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.profiles import Family, Profile
from audit.sample_db.certbuilder import CertSpec, der, name

QCP_N = "0.4.0.194112.1.0"  # EU qualified certificate for a natural person (signatures)
QEVCP_W = "0.4.0.194112.1.4"  # EU qualified website certificate
PERSON = name((NameOID.COMMON_NAME, "Erika Mustermann"), (NameOID.COUNTRY_NAME, "DE"))
NO_EKU_PERSON = CertSpec(subject=PERSON, dns_names=None, eku=None)


def profile_of(spec: CertSpec) -> Profile:
    return Profile(CertView(der(spec)).profile)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (CertSpec(eku=(EKU.CODE_SIGNING,), policies=(oids.POLICY_CODE_SIGNING,), dns_names=None),
         Profile.CODE_SIGNING),
        (CertSpec(eku=(EKU.CODE_SIGNING,), policies=(oids.POLICY_EV_CODE_SIGNING,),
                  dns_names=None), Profile.EV_CODE_SIGNING),
        (CertSpec(eku=(EKU.TIME_STAMPING,), policies=(oids.POLICY_TIME_STAMPING,),
                  dns_names=None), Profile.TIME_STAMPING),
        (CertSpec(eku=(EKU.CODE_SIGNING,), policies=None, dns_names=None), Profile.CODE_SIGNING),
        # anyExtendedKeyUsage allows TLS, but the reserved policy says what it was issued as.
        (CertSpec(eku=(oids.EKU_ANY,), policies=(oids.POLICY_CODE_SIGNING,), dns_names=None),
         Profile.CODE_SIGNING),
        (CertSpec(eku=(oids.EKU_ANY,), policies=None), Profile.SUBSCRIBER_DV),
        (CertSpec(eku=(EKU.CLIENT_AUTH,), policies=None, dns_names=None), Profile.NON_TLS),
        # No EKU: an EU qualified policy for signatures is not a TLS certificate (zlint 951) ...
        (NO_EKU_PERSON.but(policies=(QCP_N,)), Profile.NON_TLS),
        # ... a qualified website certificate, or no evidence either way, is judged as TLS.
        (NO_EKU_PERSON.but(policies=(QEVCP_W,)), Profile.SUBSCRIBER_DV),
        (NO_EKU_PERSON.but(policies=None), Profile.SUBSCRIBER_DV),
    ],
)  # fmt: skip
def test_the_profile_outside_tls(spec: CertSpec, expected: Profile) -> None:
    assert profile_of(spec) == expected


def test_every_profile_has_one_family() -> None:
    families = {p: profiles.family(p) for p in Profile}
    assert families[Profile.ROOT_CA] is Family.CA
    assert families[Profile.PRECERTIFICATE_EV] is Family.TLS
    assert families[Profile.SMIME_SPONSOR_STRICT] is Family.SMIME
    assert families[Profile.SMIME_UNMARKED] is Family.SMIME
    assert families[Profile.EV_CODE_SIGNING] is Family.CODE_SIGNING
    assert families[Profile.TIME_STAMPING] is Family.TIME_STAMPING
    assert families[Profile.OCSP_RESPONDER] is Family.OCSP
    assert families[Profile.NON_TLS] is Family.OTHER and families[Profile.UNKNOWN] is Family.OTHER
    assert set(profiles.FAMILY_TITLES) == set(Family)


def test_outside_tls_and_tls_profiles_do_not_overlap() -> None:
    assert not profiles.OUTSIDE_TLS & profiles.TLS_HIERARCHY
    assert profiles.OUTSIDE_TLS | profiles.TLS_HIERARCHY | {Profile.UNKNOWN} == profiles.ANY

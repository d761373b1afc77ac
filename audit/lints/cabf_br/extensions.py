"""BR 7.1.2: the extensions of CA and subscriber certificates.

Section numbers: BR 1.x (7.1.2.1 root, 7.1.2.2 subordinate CA, 7.1.2.3 subscriber, 7.1.6.1 policy
OIDs) and BR 2.0 (Ballot SC62, from 2023-09-15: 7.1.2.7.x subscriber, 7.1.2.10.x CA,
7.1.2.11.x common). A certificate is held to the text in force at its notBefore, so a rule that
changed in BR 2.0 is two lints, each with its window.
"""

from __future__ import annotations

from datetime import timedelta

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Predicate, Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import (
    access_description_problem,
    aia_ca_issuers_url_http,
    aia_ocsp_url_http,
    eku_names,
    error_from_br_2,
    has_policy,
    is_http,
    one_reserved_policy,
    repeated_location,
)

# Every profile a BR rule about CA certificates may meet: a certificate asserting keyCertSign is
# a CA certificate whatever the rest of it says, and the profile of a broken one may not say CA.
_ALL_DECODED = profiles.TLS_HIERARCHY | profiles.OUTSIDE_TLS
_SUBORDINATE_CA = frozenset({Profile.SUBORDINATE_CA})
_ROOT_CA = frozenset({Profile.ROOT_CA})

_CA_KEY_USAGE = frozenset({"key_cert_sign", "crl_sign"})

# BR 2.0 7.1.2.7.10: these purposes MUST NOT be in a TLS subscriber certificate.
_EKU_PROHIBITED_BR2 = frozenset(
    {
        oids.EKU_CODE_SIGNING,
        oids.EKU_EMAIL_PROTECTION,
        oids.EKU_TIME_STAMPING,
        oids.EKU_OCSP_SIGNING,
        oids.EKU_ANY,
        oids.EKU_PRECERT_SIGNING,
    }
)
_EKU_ALLOWED_BR2 = frozenset({oids.EKU_SERVER_AUTH, oids.EKU_CLIENT_AUTH})
_EKU_ALLOWED_BR1 = frozenset(
    {oids.EKU_SERVER_AUTH, oids.EKU_CLIENT_AUTH, oids.EKU_EMAIL_PROTECTION}
)

# BR 2.0 7.1.2.7.11: key usages a subscriber key of each type may assert.
_EC_KEY_USAGE = frozenset({"digital_signature", "key_agreement"})
_RSA_KEY_USAGE = frozenset({"digital_signature", "key_encipherment", "data_encipherment"})

# BR 1.x 7.1.6.1: a DV certificate lacks verified identity, so none of these may appear.
_IDENTITY_ATTRIBUTES = (
    oids.ORGANIZATION, oids.GIVEN_NAME, oids.SURNAME, oids.STREET, oids.LOCALITY, oids.STATE,
    oids.POSTAL_CODE,
)  # fmt: skip
# BR 2.0 7.1.2.7.2: the only subject attributes of a DV certificate.
_DV_SUBJECT_ATTRIBUTES = frozenset({oids.COUNTRY, oids.COMMON_NAME})

# BR 1.x 1.6.1 / BR 2.0 7.1.2.11.2 (SC63): short-lived subscriber certificates need no CRL DP.
_SHORT_LIVED_10_DAYS = timedelta(days=10).total_seconds()
_SHORT_LIVED_7_DAYS = timedelta(days=7).total_seconds()


def _short_lived(cert: CertView) -> bool:
    """SC63's Short-lived Subscriber Certificate: <= 10 days, <= 7 days from 2026-03-15."""
    if cert.judged_at < dates.BR_OCSP_OPTIONAL:
        return False
    limit = (
        _SHORT_LIVED_7_DAYS
        if cert.judged_at >= dates.BR_SHORT_LIVED_7_DAYS
        else _SHORT_LIVED_10_DAYS
    )
    return cert.validity_seconds <= limit


# -- keyUsage ------------------------------------------------------------------------------------


@lint(
    name="ca_key_usage_critical",
    description="The keyUsage extension of a root or subordinate CA certificate is marked "
    "critical.",
    citation="BR 7.1.2.1(b), 7.1.2.2(e); BR 2.0 7.1.2.10.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    when=lambda cert: cert.key_usage is not None,
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_1_0,
    zlint=("e_ca_key_usage_not_critical", "e_root_ca_key_usage_must_be_critical"),
)
def ca_key_usage_critical(cert: CertView) -> Outcome:
    if not cert.is_critical(oids.KEY_USAGE):
        return fail("keyUsage is not marked critical in a CA certificate")
    return PASS


@lint(
    name="ca_key_usage_cert_sign_and_crl_sign",
    description="The keyUsage of a root or subordinate CA certificate asserts both keyCertSign "
    "and cRLSign.",
    citation="BR 7.1.2.1(b), 7.1.2.2(e); BR 2.0 7.1.2.10.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_1_0,
    zlint=("e_ca_key_cert_sign_not_set", "e_ca_crl_sign_not_set"),
)
def ca_key_usage_cert_sign_and_crl_sign(cert: CertView) -> Outcome:
    missing = sorted(_CA_KEY_USAGE - (cert.key_usage or frozenset()))
    if missing:
        return fail(f"CA certificate keyUsage lacks {', '.join(missing)}")
    return PASS


@lint(
    name="ca_key_usage_digital_signature_for_ocsp",
    description="The keyUsage of a CA certificate does not assert digitalSignature, so the CA key "
    "cannot sign OCSP responses itself (BR: digitalSignature MUST be set if it does).",
    citation="BR 7.1.2.1(b), 7.1.2.2(e); BR 2.0 7.1.2.10.7",
    source=Source.CABF_BR,
    severity=Status.NOTICE,
    applies=profiles.CA,
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_1_0,
    zlint=("n_ca_digital_signature_not_set",),
)
def ca_key_usage_digital_signature_for_ocsp(cert: CertView) -> Outcome:
    if "digital_signature" not in (cert.key_usage or frozenset()):
        return fail("CA keyUsage lacks digitalSignature: the CA key cannot sign OCSP responses")
    return PASS


@lint(
    name="subscriber_key_usage_no_cert_sign_or_crl_sign",
    description="The keyUsage of a subscriber certificate, if present, asserts neither "
    "keyCertSign nor cRLSign.",
    citation="BR 7.1.2.3(e); BR 2.0 7.1.2.7.11",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_key_usage_cert_sign_bit_set", "e_sub_cert_key_usage_crl_sign_bit_set"),
)
def subscriber_key_usage_no_cert_sign_or_crl_sign(cert: CertView) -> Outcome:
    present = sorted(_CA_KEY_USAGE & (cert.key_usage or frozenset()))
    if present:
        return fail(f"subscriber certificate keyUsage asserts {', '.join(present)}")
    return PASS


@lint(
    name="subscriber_ec_key_usage",
    description="A subscriber certificate with an EC key asserts digitalSignature in keyUsage and "
    "nothing but digitalSignature and keyAgreement.",
    citation="BR 2.0 7.1.2.7.11",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.key_usage is not None and cert.key_algorithm == "ec",
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_2_0,
    zlint=("e_cabf_ecc_allowed_key_usages",),
)
def subscriber_ec_key_usage(cert: CertView) -> Outcome:
    usage = cert.key_usage or frozenset()
    if "digital_signature" not in usage:
        return fail(f"EC subscriber keyUsage lacks digitalSignature (has {sorted(usage)})")
    extra = sorted(usage - _EC_KEY_USAGE)
    if extra:
        return fail(f"EC subscriber keyUsage asserts prohibited {', '.join(extra)}")
    return PASS


@lint(
    name="subscriber_ec_key_agreement_not_recommended",
    description="A subscriber certificate with an EC key does not assert keyAgreement "
    "(allowed, but NOT RECOMMENDED).",
    citation="BR 2.0 7.1.2.7.11",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.key_usage is not None and cert.key_algorithm == "ec",
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_2_0,
    zlint=("w_cabf_ecc_ku_keyagreement_present",),
)
def subscriber_ec_key_agreement_not_recommended(cert: CertView) -> Outcome:
    if "key_agreement" in (cert.key_usage or frozenset()):
        return fail("EC subscriber keyUsage asserts keyAgreement (NOT RECOMMENDED)")
    return PASS


@lint(
    name="subscriber_rsa_key_usage",
    description="A subscriber certificate with an RSA key asserts in keyUsage nothing but "
    "digitalSignature, keyEncipherment and dataEncipherment. zlint has no equivalent.",
    citation="BR 2.0 7.1.2.7.11",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.key_usage is not None and cert.key_algorithm == "rsa",
    needs=(oids.KEY_USAGE,),
    effective=dates.BR_2_0,
)
def subscriber_rsa_key_usage(cert: CertView) -> Outcome:
    extra = sorted((cert.key_usage or frozenset()) - _RSA_KEY_USAGE)
    if extra:
        return fail(f"RSA subscriber keyUsage asserts prohibited {', '.join(extra)}")
    return PASS


# -- extKeyUsage ---------------------------------------------------------------------------------


@lint(
    name="subscriber_eku_present",
    description="A subscriber certificate has the extKeyUsage extension.",
    citation="BR 7.1.2.3(f); BR 2.0 7.1.2.7.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_eku_missing",),
)
def subscriber_eku_present(cert: CertView) -> Outcome:
    if cert.eku is None:
        return fail("subscriber certificate has no extKeyUsage extension")
    return PASS


@lint(
    name="subscriber_eku_server_or_client_auth",
    description="The extKeyUsage of a subscriber certificate has id-kp-serverAuth or "
    "id-kp-clientAuth or both (BR 1.x; BR 2.0 requires serverAuth).",
    citation="BR 7.1.2.3(f)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.BR_1_0,
    ineffective=dates.BR_2_0,
    zlint=("e_sub_cert_eku_server_auth_client_auth_missing",),
)
def subscriber_eku_server_or_client_auth(cert: CertView) -> Outcome:
    eku = cert.eku or ()
    if oids.EKU_SERVER_AUTH not in eku and oids.EKU_CLIENT_AUTH not in eku:
        return fail(f"extKeyUsage has neither serverAuth nor clientAuth: {eku_names(eku)}")
    return PASS


@lint(
    name="subscriber_eku_extra_values",
    description="The extKeyUsage of a subscriber certificate has no purposes other than "
    "serverAuth, clientAuth and emailProtection (BR 1.x: SHOULD NOT).",
    citation="BR 7.1.2.3(f)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.BR_1_0,
    ineffective=dates.BR_2_0,
    zlint=("w_sub_cert_eku_extra_values",),
)
def subscriber_eku_extra_values(cert: CertView) -> Outcome:
    extra = frozenset(cert.eku or ()) - _EKU_ALLOWED_BR1
    if extra:
        return fail(f"extKeyUsage has purposes other than serverAuth/clientAuth/emailProtection: "
                    f"{eku_names(extra)}")  # fmt: skip
    return PASS


@lint(
    name="subscriber_eku_server_auth",
    description="The extKeyUsage of a subscriber certificate has id-kp-serverAuth.",
    citation="BR 2.0 7.1.2.7.10",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.BR_2_0,
    zlint=("e_sub_cert_eku_check",),
)
def subscriber_eku_server_auth(cert: CertView) -> Outcome:
    eku = cert.eku or ()
    if oids.EKU_SERVER_AUTH not in eku:
        return fail(f"extKeyUsage lacks serverAuth: {eku_names(eku)}")
    return PASS


@lint(
    name="subscriber_eku_prohibited_purposes",
    description="The extKeyUsage of a subscriber certificate has none of anyExtendedKeyUsage, "
    "emailProtection, codeSigning, timeStamping, OCSPSigning, precertificate signing.",
    citation="BR 2.0 7.1.2.7.10",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.BR_2_0,
    zlint=("e_sub_cert_eku_check",),
)
def subscriber_eku_prohibited_purposes(cert: CertView) -> Outcome:
    prohibited = frozenset(cert.eku or ()) & _EKU_PROHIBITED_BR2
    if prohibited:
        return fail(f"extKeyUsage has prohibited purposes: {eku_names(prohibited)}")
    return PASS


@lint(
    name="subscriber_eku_other_purposes",
    description="The extKeyUsage of a subscriber certificate has no purposes besides serverAuth "
    "and clientAuth (others not prohibited are NOT RECOMMENDED).",
    citation="BR 2.0 7.1.2.7.10",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.BR_2_0,
    zlint=("e_sub_cert_eku_check",),
)
def subscriber_eku_other_purposes(cert: CertView) -> Outcome:
    other = frozenset(cert.eku or ()) - _EKU_ALLOWED_BR2 - _EKU_PROHIBITED_BR2
    if other:
        return fail(f"extKeyUsage has purposes that are NOT RECOMMENDED: {eku_names(other)}")
    return PASS


@lint(
    name="subscriber_eku_not_critical",
    description="The extKeyUsage extension of a subscriber certificate is not critical.",
    citation="BR 2.0 7.1.2.7.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.eku is not None,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.BR_2_0,
    zlint=("e_eku_critical",),
)
def subscriber_eku_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.EXTENDED_KEY_USAGE):
        return fail("extKeyUsage is marked critical in a subscriber certificate")
    return PASS


@lint(
    name="root_ca_eku_absent",
    description="A root CA certificate has no extKeyUsage extension.",
    citation="BR 7.1.2.1(d); BR 2.0 7.1.2.1.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_ROOT_CA,
    effective=dates.BR_1_0,
    zlint=("e_root_ca_extended_key_usage_present",),
)
def root_ca_eku_absent(cert: CertView) -> Outcome:
    if cert.eku is not None:
        return fail(f"root CA certificate has extKeyUsage: {eku_names(cert.eku)}")
    return PASS


# -- basicConstraints ----------------------------------------------------------------------------


@lint(
    name="ca_basic_constraints_ca_true",
    description="A certificate whose keyUsage asserts keyCertSign, i.e. a CA certificate, has "
    "basicConstraints cA set true. Applies to every profile, since a CA certificate with cA false "
    "is not detected as a CA.",
    citation="BR 7.1.2.1(a), 7.1.2.2(d); BR 2.0 7.1.2.10.4",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_ALL_DECODED,
    when=lambda cert: (
        cert.basic_constraints is not None and "key_cert_sign" in (cert.key_usage or ())
    ),
    needs=(oids.BASIC_CONSTRAINTS,),
    effective=dates.BR_1_0,
    zlint=("e_ca_is_ca",),
)
def ca_basic_constraints_ca_true(cert: CertView) -> Outcome:
    if not cert.is_ca:
        return fail("keyUsage asserts keyCertSign but basicConstraints cA is not true")
    return PASS


def _end_entity_by_key_usage(cert: CertView) -> bool:
    """A certificate whose key may sign neither certificates nor CRLs, and which names a TLS
    server, is a subscriber certificate whatever its cA says (its profile may say CA)."""
    if cert.profile in profiles.SUBSCRIBER_TLS:
        return True
    usage = cert.key_usage
    if usage is None or usage & _CA_KEY_USAGE:
        return False
    eku = cert.eku or ()
    return oids.EKU_SERVER_AUTH in eku or bool(cert.dns_names)


@lint(
    name="subscriber_basic_constraints_not_ca",
    description="The basicConstraints of a subscriber certificate, if present, does not set cA "
    "true. A certificate with cA true whose keyUsage asserts neither keyCertSign nor cRLSign and "
    "which names a TLS server is taken as a subscriber certificate.",
    citation="BR 7.1.2.3(d); BR 2.0 7.1.2.7.8",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS | profiles.CA,
    when=_end_entity_by_key_usage,
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_not_is_ca",),
)
def subscriber_basic_constraints_not_ca(cert: CertView) -> Outcome:
    if cert.is_ca:
        return fail("subscriber certificate has basicConstraints cA true")
    return PASS


@lint(
    name="subscriber_basic_constraints_critical",
    description="The basicConstraints extension of a subscriber certificate, if present, is "
    "critical.",
    citation="BR 2.0 7.1.2.7.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.basic_constraints is not None,
    needs=(oids.BASIC_CONSTRAINTS,),
    effective=dates.BR_2_0,
    zlint=("e_sub_cert_basic_constraints_not_critical",),
)
def subscriber_basic_constraints_critical(cert: CertView) -> Outcome:
    if not cert.is_critical(oids.BASIC_CONSTRAINTS):
        return fail("basicConstraints is not marked critical in a subscriber certificate")
    return PASS


@lint(
    name="root_ca_path_length_absent",
    description="The basicConstraints of a root CA certificate has no pathLenConstraint "
    "(SHOULD NOT / NOT RECOMMENDED).",
    citation="BR 7.1.2.1(a); BR 2.0 7.1.2.1.4",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=_ROOT_CA,
    needs=(oids.BASIC_CONSTRAINTS,),
    effective=dates.BR_1_0,
    zlint=("w_root_ca_basic_constraints_path_len_constraint_field_present",),
)
def root_ca_path_length_absent(cert: CertView) -> Outcome:
    bc = cert.basic_constraints
    if bc is not None and bc.path_length is not None:
        return fail(f"root CA certificate has pathLenConstraint {bc.path_length}")
    return PASS


# -- subjectKeyIdentifier ------------------------------------------------------------------------


@lint(
    name="subscriber_subject_key_identifier_not_recommended",
    description="A subscriber certificate has no subjectKeyIdentifier extension (NOT "
    "RECOMMENDED since BR 2.0; RFC 5280 4.2.1.2 had said SHOULD).",
    citation="BR 2.0 7.1.2.7.6",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_2_0,
    zlint=("w_ext_subject_key_identifier_not_recommended_subscriber",),
)
def subscriber_subject_key_identifier_not_recommended(cert: CertView) -> Outcome:
    if cert.has_extension(oids.SUBJECT_KEY_IDENTIFIER):
        return fail("subscriber certificate has subjectKeyIdentifier (NOT RECOMMENDED)")
    return PASS


# -- authorityInformationAccess ------------------------------------------------------------------


@lint(
    name="subscriber_aia_present",
    description="A subscriber certificate has the authorityInformationAccess extension.",
    citation="BR 7.1.2.3(c); BR 2.0 7.1.2.7.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_aia_missing",),
)
def subscriber_aia_present(cert: CertView) -> Outcome:
    if cert.aia is None:
        return fail("subscriber certificate has no authorityInformationAccess extension")
    return PASS


@lint(
    name="subscriber_aia_ocsp_url",
    description="The authorityInformationAccess of a subscriber certificate has the HTTP URL of "
    "the issuing CA's OCSP responder, until Ballot SC63 made OCSP optional on 2024-03-15 (BR 2.0.0 "
    "kept id-ad-ocsp as MUST; zlint ends this rule at 2023-09-15). BR 1.x let a subscriber that "
    "staples OCSP responses go without; a certificate cannot show that.",
    citation="BR 7.1.2.3(c); BR 2.0.0 7.1.2.7.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_1_0,
    ineffective=dates.BR_OCSP_OPTIONAL,
    zlint=("e_sub_cert_aia_does_not_contain_ocsp_url",),
)
def subscriber_aia_ocsp_url(cert: CertView) -> Outcome:
    return aia_ocsp_url_http(cert)


@lint(
    name="subscriber_aia_ca_issuers_url",
    description="The authorityInformationAccess of a subscriber certificate has the HTTP URL of "
    "the issuing CA's certificate (id-ad-caIssuers; SHOULD).",
    citation="BR 7.1.2.3(c); BR 2.0 7.1.2.7.7",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_1_0,
    zlint=("w_sub_cert_aia_does_not_contain_issuing_ca_url",),
)
def subscriber_aia_ca_issuers_url(cert: CertView) -> Outcome:
    return aia_ca_issuers_url_http(cert)


def _access_methods(cert: CertView) -> frozenset[str]:
    return frozenset([m for m, _ in cert.aia_descriptions or ()])


def _has_access_method(method: str) -> Predicate:
    def present(cert: CertView) -> bool:
        return method in _access_methods(cert)

    return present


def _non_http(cert: CertView, method: str, label: str) -> Outcome:
    bad = [
        gn.value for m, gn in cert.aia_descriptions or ()
        if m == method and not (gn.kind == "uri" and is_http(gn.value))
    ]  # fmt: skip
    if bad:
        return fail(f"{label} accessLocation is not an HTTP URL: {bad!r}")
    return PASS


@lint(
    name="subscriber_aia_ocsp_urls_http",
    description="Every id-ad-ocsp accessLocation in a subscriber certificate is an http:// URL "
    "(not https, not LDAP).",
    citation="BR 2.0 7.1.2.7.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=_has_access_method(oids.AD_OCSP),
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_2_0,
    zlint=("e_aia_ocsp_must_have_http_only",),
)
def subscriber_aia_ocsp_urls_http(cert: CertView) -> Outcome:
    return _non_http(cert, oids.AD_OCSP, "id-ad-ocsp")


@lint(
    name="subscriber_aia_ca_issuers_urls_http",
    description="Every id-ad-caIssuers accessLocation in a subscriber certificate is an http:// "
    "URL (not https, not LDAP).",
    citation="BR 2.0 7.1.2.7.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=_has_access_method(oids.AD_CA_ISSUERS),
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_2_0,
    zlint=("e_aia_ca_issuers_must_have_http_only",),
)
def subscriber_aia_ca_issuers_urls_http(cert: CertView) -> Outcome:
    return _non_http(cert, oids.AD_CA_ISSUERS, "id-ad-caIssuers")


@lint(
    name="subscriber_aia_access_methods",
    description="The authorityInformationAccess of a subscriber certificate has only id-ad-ocsp "
    "and id-ad-caIssuers access descriptions, each located by a uniformResourceIdentifier.",
    citation="BR 2.0 7.1.2.7.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_2_0,
    zlint=("e_aia_must_contain_permitted_access_method",),
)
def subscriber_aia_access_methods(cert: CertView) -> Outcome:
    for method, location in cert.aia_descriptions or ():
        why = access_description_problem(method, location)
        if why:
            return fail(why)
    return PASS


@lint(
    name="subscriber_aia_locations_unique",
    description="Access descriptions with the same access method in the authorityInformationAccess "
    "of a subscriber certificate have different locations (compared ignoring case).",
    citation="BR 2.0 7.1.2.7.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_2_0,
    zlint=("e_aia_unique_access_locations",),
)
def subscriber_aia_locations_unique(cert: CertView) -> Outcome:
    seen: set[tuple[str, str]] = set()
    for method, location in cert.aia_descriptions or ():
        why = repeated_location(method, location, seen)
        if why:
            return fail(why)
    return PASS


@lint(
    name="ca_aia_urls_http",
    description="Every id-ad-ocsp and id-ad-caIssuers accessLocation in a subordinate CA "
    "certificate is an http:// URL.",
    citation="BR 2.0 7.1.2.10.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_SUBORDINATE_CA,
    when=lambda cert: any(
        m in (oids.AD_OCSP, oids.AD_CA_ISSUERS) for m, _ in cert.aia_descriptions or ()
    ),
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.BR_2_0,
    zlint=("e_ca_aia_non_http_url",),
)
def ca_aia_urls_http(cert: CertView) -> Outcome:
    for method, label in ((oids.AD_OCSP, "id-ad-ocsp"), (oids.AD_CA_ISSUERS, "id-ad-caIssuers")):
        result = _non_http(cert, method, label)
        if result is not PASS:
            return result
    return PASS


# -- cRLDistributionPoints -----------------------------------------------------------------------


@lint(
    name="subscriber_crl_distribution_points_without_ocsp",
    description="A subscriber certificate without an id-ad-ocsp URL in authorityInformationAccess "
    "has cRLDistributionPoints, unless it is short-lived (validity <= 10 days; <= 7 days from "
    "2026-03-15). The validity period counts both ends (BR 1.6.1), so a certificate whose "
    "notAfter is exactly 10 days after notBefore lasts 864,001 seconds and is not short-lived; "
    "zlint leaves out the last second and calls it short-lived.",
    citation="BR 2.0 7.1.2.11.2 (Ballot SC63); BR 1.6.1 (Short-lived Subscriber Certificate)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: not _short_lived(cert),
    effective=dates.BR_OCSP_OPTIONAL,
    zlint=("e_missing_crl_distrib_point",),
)
def subscriber_crl_distribution_points_without_ocsp(cert: CertView) -> Outcome:
    if cert.has_extension(oids.CRL_DISTRIBUTION_POINTS):
        return PASS
    if cert.aia is not None and cert.aia.ocsp:
        return PASS
    return fail("neither cRLDistributionPoints nor an OCSP URL: no revocation information")


@lint(
    name="subordinate_ca_crl_distribution_points_present",
    description="A subordinate CA certificate has the cRLDistributionPoints extension.",
    citation="BR 7.1.2.2(b); BR 2.0 7.1.2.11.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_SUBORDINATE_CA,
    effective=dates.BR_1_0,
    zlint=("e_sub_ca_crl_distribution_points_missing",),
)
def subordinate_ca_crl_distribution_points_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.CRL_DISTRIBUTION_POINTS):
        return fail("subordinate CA certificate has no cRLDistributionPoints extension")
    return PASS


_CDP_HOLDERS = profiles.SUBSCRIBER_TLS | _SUBORDINATE_CA


@lint(
    name="crl_distribution_points_not_critical",
    description="The cRLDistributionPoints extension of a subordinate CA or subscriber "
    "certificate is not critical (RFC 5280 says SHOULD NOT; the BRs say MUST NOT).",
    citation="BR 7.1.2.2(b), 7.1.2.3(b); BR 2.0 7.1.2.7.6, 7.1.2.11.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_CDP_HOLDERS,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    effective=dates.BR_1_0,
    zlint=(
        "e_sub_ca_crl_distribution_points_marked_critical",
        "e_sub_cert_crl_distribution_points_marked_critical",
    ),
)
def crl_distribution_points_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CRL_DISTRIBUTION_POINTS):
        return fail("cRLDistributionPoints is marked critical")
    return PASS


@lint(
    name="crl_distribution_points_contain_http_url",
    description="The cRLDistributionPoints of a subordinate CA or subscriber certificate, if "
    "present, contains the HTTP URL of the CA's CRL service.",
    citation="BR 7.1.2.2(b), 7.1.2.3(b); BR 2.0 7.1.2.11.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_CDP_HOLDERS,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    effective=dates.BR_1_0,
    zlint=(
        "e_sub_cert_crl_distribution_points_does_not_contain_url",
        "e_sub_ca_crl_distribution_points_does_not_contain_url",
    ),
)
def crl_distribution_points_contain_http_url(cert: CertView) -> Outcome:
    urls = cert.crl_urls or ()
    if not any(is_http(u) for u in urls):
        return fail(f"cRLDistributionPoints has no HTTP URL (URIs: {list(urls)!r})")
    return PASS


@lint(
    name="crl_distribution_points_http_only",
    description="Every URI in the cRLDistributionPoints of a subordinate CA or subscriber "
    "certificate has the http scheme.",
    citation="BR 2.0 7.1.2.11.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_CDP_HOLDERS,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    effective=dates.BR_2_0,
    zlint=("e_crl_distrib_points_not_http",),
)
def crl_distribution_points_http_only(cert: CertView) -> Outcome:
    bad = [u for u in cert.crl_urls or () if not is_http(u)]
    if bad:
        return fail(f"cRLDistributionPoints has non-HTTP URIs: {bad!r}")
    return PASS


def _distribution_point_fields(cert: CertView) -> list[str]:
    """The names of the reasons / cRLIssuer fields set in any DistributionPoint."""
    points = cert.crl_distribution_points or ()
    return sorted(
        {"reasons" for dp in points if dp.reasons}
        | {"cRLIssuer" for dp in points if dp.crl_issuer is not None}
    )


@lint(
    name="crl_distribution_points_no_reasons_or_crl_issuer",
    description="No DistributionPoint in the cRLDistributionPoints of a subordinate CA or "
    "subscriber certificate has the reasons or cRLIssuer field.",
    citation="BR 2.0 7.1.2.11.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_CDP_HOLDERS,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    effective=dates.BR_2_0,
    zlint=("e_crlissuer_must_not_be_present_in_cdp",),
)
def crl_distribution_points_no_reasons_or_crl_issuer(cert: CertView) -> Outcome:
    fields = _distribution_point_fields(cert)
    if fields:
        return fail(f"cRLDistributionPoints has {' and '.join(fields)}")
    return PASS


# -- certificatePolicies -------------------------------------------------------------------------


@lint(
    name="subscriber_certificate_policies_present",
    description="A subscriber certificate has a certificatePolicies extension with at least one "
    "policy identifier.",
    citation="BR 7.1.2.3(a); BR 2.0 7.1.2.7.6, 7.1.2.7.9",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_certificate_policies_missing", "e_sub_cert_cert_policy_empty"),
)
def subscriber_certificate_policies_present(cert: CertView) -> Outcome:
    if not cert.policies:
        return fail("subscriber certificate has no certificate policy identifier")
    return PASS


@lint(
    name="subscriber_certificate_policies_not_critical",
    description="The certificatePolicies extension of a subscriber certificate is not critical: "
    "SHOULD NOT under BR 1.x (warn), MUST NOT from BR 2.0 (error).",
    citation="BR 7.1.2.3(a); BR 2.0 7.1.2.7.6",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.policies is not None,
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_1_0,
    zlint=("w_sub_cert_certificate_policies_marked_critical",),
)
def subscriber_certificate_policies_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CERTIFICATE_POLICIES):
        return error_from_br_2(
            cert, "certificatePolicies is marked critical in a subscriber certificate"
        )
    return PASS


@lint(
    name="subscriber_one_reserved_policy",
    description="The certificatePolicies of a subscriber certificate has exactly one CA/Browser "
    "Forum reserved policy identifier (DV, OV, IV or EV). zlint has no equivalent.",
    citation="BR 2.0 7.1.2.7.9",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_2_0,
)
def subscriber_one_reserved_policy(cert: CertView) -> Outcome:
    return one_reserved_policy(cert)


@lint(
    name="subscriber_any_policy_absent",
    description="The certificatePolicies of a subscriber certificate does not have anyPolicy. "
    "zlint has no equivalent.",
    citation="BR 2.0 7.1.2.7.9",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_2_0,
)
def subscriber_any_policy_absent(cert: CertView) -> Outcome:
    if oids.POLICY_ANY in (cert.policies or ()):
        return fail("subscriber certificate asserts anyPolicy (2.5.29.32.0)")
    return PASS


@lint(
    name="subordinate_ca_certificate_policies_present",
    description="A subordinate CA certificate has the certificatePolicies extension.",
    citation="BR 7.1.2.2(a); BR 2.0 7.1.2.10.5",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_SUBORDINATE_CA,
    effective=dates.BR_1_0,
    zlint=("e_sub_ca_certificate_policies_missing",),
)
def subordinate_ca_certificate_policies_present(cert: CertView) -> Outcome:
    if not cert.policies:
        return fail("subordinate CA certificate has no certificatePolicies")
    return PASS


@lint(
    name="subordinate_ca_certificate_policies_not_critical",
    description="The certificatePolicies extension of a subordinate CA certificate is not "
    "critical (SHOULD NOT).",
    citation="BR 7.1.2.2(a)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=_SUBORDINATE_CA,
    when=lambda cert: cert.policies is not None,
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_1_0,
    zlint=("w_sub_ca_certificate_policies_marked_critical",),
)
def subordinate_ca_certificate_policies_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CERTIFICATE_POLICIES):
        return fail("certificatePolicies is marked critical in a subordinate CA certificate")
    return PASS


@lint(
    name="root_ca_certificate_policies_absent",
    description="A root CA certificate has no certificatePolicies extension (SHOULD NOT / NOT "
    "RECOMMENDED).",
    citation="BR 7.1.2.1(c); BR 2.0 7.1.2.1.2",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=_ROOT_CA,
    effective=dates.BR_1_0,
    zlint=("w_root_ca_contains_cert_policy",),
)
def root_ca_certificate_policies_absent(cert: CertView) -> Outcome:
    if cert.policies is not None:
        return fail(f"root CA certificate has certificatePolicies {list(cert.policies)!r}")
    return PASS


# -- reserved policy identifiers and the subject they promise -----------------------------------


@lint(
    name="dv_policy_without_identity_attributes",
    description="A certificate asserting the DV policy (2.23.140.1.2.1) has none of "
    "organizationName, givenName, surname, streetAddress, localityName, stateOrProvinceName, "
    "postalCode in its subject (BR 1.x; BR 2.0 narrows the subject further).",
    citation="BR 7.1.6.1 (BR 1.x)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=has_policy(oids.POLICY_DV),
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_1_0,
    ineffective=dates.BR_2_0,
    zlint=(
        "e_cab_dv_conflicts_with_org", "e_cab_dv_conflicts_with_locality",
        "e_cab_dv_conflicts_with_province", "e_cab_dv_conflicts_with_street",
        "e_cab_dv_conflicts_with_postal",
    ),
)  # fmt: skip
def dv_policy_without_identity_attributes(cert: CertView) -> Outcome:
    present = [oids.SHORT_NAMES[a] for a in _IDENTITY_ATTRIBUTES if cert.subject.has(a)]
    if present:
        return fail(f"DV certificate subject has identity attributes: {', '.join(present)}")
    return PASS


@lint(
    name="dv_policy_subject_country_and_common_name_only",
    description="The subject of a certificate asserting the DV policy (2.23.140.1.2.1) has no "
    "attributes but countryName and commonName.",
    citation="BR 2.0 7.1.2.7.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=has_policy(oids.POLICY_DV),
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_2_0,
    zlint=("e_cab_dv_subject_invalid_values",),
)
def dv_policy_subject_country_and_common_name_only(cert: CertView) -> Outcome:
    if cert.subject.attribute_types <= _DV_SUBJECT_ATTRIBUTES:
        return PASS
    other = sorted(
        {oids.SHORT_NAMES.get(a.oid, a.oid) for a in cert.subject.attributes}
        - {oids.SHORT_NAMES[a] for a in _DV_SUBJECT_ATTRIBUTES}
    )
    if other:
        return fail(f"DV certificate subject has attributes besides C and CN: {', '.join(other)}")
    return PASS


@lint(
    name="ov_policy_requires_organization",
    description="The subject of a certificate asserting the OV policy (2.23.140.1.2.2) has "
    "organizationName.",
    citation="BR 7.1.6.1 (BR 1.x); BR 2.0 7.1.2.7.4",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=has_policy(oids.POLICY_OV),
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_1_0,
    zlint=("e_cab_ov_requires_org",),
)
def ov_policy_requires_organization(cert: CertView) -> Outcome:
    if not cert.subject.has(oids.ORGANIZATION):
        return fail("OV certificate subject has no organizationName")
    return PASS


@lint(
    name="iv_policy_requires_organization_or_personal_name",
    description="The subject of a certificate asserting the IV policy (2.23.140.1.2.3) has "
    "organizationName, or both givenName and surname (BR 1.x).",
    citation="BR 7.1.6.1 (BR 1.3.1 to 1.8.7)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=has_policy(oids.POLICY_IV),
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_IV_POLICY,
    ineffective=dates.BR_2_0,
    zlint=("e_cab_iv_requires_personal_name",),
)
def iv_policy_requires_organization_or_personal_name(cert: CertView) -> Outcome:
    s = cert.subject
    if not (s.has(oids.ORGANIZATION) or (s.has(oids.GIVEN_NAME) and s.has(oids.SURNAME))):
        return fail("IV certificate subject has neither organizationName nor givenName+surname")
    return PASS


@lint(
    name="iv_policy_requires_given_name_and_surname",
    description="The subject of a certificate asserting the IV policy (2.23.140.1.2.3) has "
    "givenName and surname.",
    citation="BR 2.0 7.1.2.7.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=has_policy(oids.POLICY_IV),
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.BR_2_0,
    zlint=("e_cab_iv_requires_personal_name_strict",),
)
def iv_policy_requires_given_name_and_surname(cert: CertView) -> Outcome:
    missing = [n for a, n in ((oids.GIVEN_NAME, "givenName"), (oids.SURNAME, "surname"))
               if not cert.subject.has(a)]  # fmt: skip
    if missing:
        return fail(f"IV certificate subject lacks {' and '.join(missing)}")
    return PASS


@lint(
    name="personal_name_requires_iv_policy",
    description="A subscriber certificate whose subject has givenName or surname asserts the IV "
    "policy (2.23.140.1.2.3).",
    citation="BR 7.1.4.2.2(c) (Ballot 175); BR 2.0 7.1.2.7.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    when=lambda cert: cert.subject.has(oids.GIVEN_NAME) or cert.subject.has(oids.SURNAME),
    effective=dates.BR_GIVEN_NAME_SURNAME,
    zlint=("e_sub_cert_given_name_surname_contains_correct_policy",),
)
def personal_name_requires_iv_policy(cert: CertView) -> Outcome:
    if oids.POLICY_IV not in (cert.policies or ()):
        return fail(f"subject has givenName/surname but policies are {list(cert.policies or ())!r}")
    return PASS

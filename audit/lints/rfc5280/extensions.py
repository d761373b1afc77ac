"""RFC 5280 4.2 (and RFC 6962, RFC 8813): extensions every certificate must get right.

These apply to every profile: an RFC 5280 rule does not care whether the certificate is TLS.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cryptography import x509

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates
from audit.lints.br_carve_outs import SUBSCRIBER_SUBJECT_KEY_IDENTIFIER, outside

# Extensions a certificate-using system can be expected to recognise (RFC 5280 4.2.1 and 4.2.2,
# plus those the Web PKI defines); a critical extension outside this set makes relying parties
# reject the certificate (RFC 5280 4.2).
_RECOGNIZED = frozenset(
    {
        oids.SUBJECT_KEY_IDENTIFIER, oids.KEY_USAGE, oids.SUBJECT_ALT_NAME, oids.ISSUER_ALT_NAME,
        oids.BASIC_CONSTRAINTS, oids.NAME_CONSTRAINTS, oids.CRL_DISTRIBUTION_POINTS,
        oids.CERTIFICATE_POLICIES, oids.POLICY_MAPPINGS, oids.AUTHORITY_KEY_IDENTIFIER,
        oids.POLICY_CONSTRAINTS, oids.EXTENDED_KEY_USAGE, oids.INHIBIT_ANY_POLICY,
        oids.AUTHORITY_INFO_ACCESS, oids.SUBJECT_INFO_ACCESS, oids.CT_PRECERT_POISON,
        oids.CT_SCT_LIST,
        oids.SUBJECT_DIRECTORY_ATTRIBUTES, oids.FRESHEST_CRL,
        "2.5.29.16",  # privateKeyUsagePeriod
        "1.3.6.1.5.5.7.1.3",  # qcStatements (RFC 3739)
        "1.3.6.1.5.5.7.1.24",  # TLS feature (RFC 7633)
        "1.3.6.1.5.5.7.48.1.5",  # id-pkix-ocsp-nocheck (RFC 6960)
        "2.23.140.3.1",  # CA/B Forum organizationIdentifier (EV Guidelines 9.8.2)
        "2.23.140.1.31",  # CA/B Forum Tor service descriptor
    }
)  # fmt: skip
_NULL = b"\x05\x00"


# -- structure -----------------------------------------------------------------------------------


@lint(
    name="extensions_only_in_v3",
    description="A certificate with extensions is a version 3 certificate.",
    citation="RFC 5280 4.1.2.9",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_cert_extensions_version_not_3",),
)
def extensions_only_in_v3(cert: CertView) -> Outcome:
    if cert.extension_list and cert.version != 3:
        return fail(f"version {cert.version} certificate has {len(cert.extension_list)} extensions")
    return PASS


@lint(
    name="extension_not_duplicated",
    description="No extension appears more than once in a certificate.",
    citation="RFC 5280 4.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_ext_duplicate_extension",),
)
def extension_not_duplicated(cert: CertView) -> Outcome:
    if len(cert.extensions) == len(cert.extension_list):  # one entry per OID: no duplicate
        return PASS
    counts = Counter(e.oid for e in cert.extension_list)
    repeated = sorted(oid for oid, n in counts.items() if n > 1)
    if repeated:
        return fail(f"extensions appear more than once: {', '.join(repeated)}")
    return PASS


@lint(
    name="critical_extension_recognized",
    description="Every critical extension is one relying parties can be expected to recognise "
    "(RFC 5280, RFC 6962, RFC 3739, RFC 7633, RFC 6960, the CA/B Forum's); an unrecognised "
    "critical extension makes a conforming relying party reject the certificate. zlint has no "
    "equivalent.",
    citation="RFC 5280 4.2",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
)
def critical_extension_recognized(cert: CertView) -> Outcome:
    unknown = sorted(
        {e.oid for e in cert.extension_list if e.critical and e.oid not in _RECOGNIZED}
    )
    if unknown:
        return fail(f"critical extensions relying parties will not recognise: {', '.join(unknown)}")
    return PASS


@lint(
    name="precertificate_poison_critical",
    description="The Certificate Transparency precertificate poison extension is critical and "
    "its value is ASN.1 NULL. zlint has no equivalent.",
    citation="RFC 6962 3.1",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.CT_PRECERT_POISON,),
    effective=dates.RFC_6962,
)
def precertificate_poison_critical(cert: CertView) -> Outcome:
    ext = cert.extensions[oids.CT_PRECERT_POISON]
    if not ext.critical:
        return fail("precertificate poison extension is not marked critical")
    # The strict decoder accepts only NULL here; on the tolerant path look at the octets.
    if ext.crypto is None and ext.asn1 is not None and ext.asn1["extn_value"].contents != _NULL:
        return fail(f"precertificate poison value is not NULL: {ext.asn1['extn_value'].contents!r}")
    return PASS


# -- basicConstraints ----------------------------------------------------------------------------


@lint(
    name="ca_basic_constraints_present_and_critical",
    description="A CA certificate has the basicConstraints extension, marked critical.",
    citation="RFC 5280 4.2.1.9; BR 7.1.2.1(a), 7.1.2.2(d); BR 2.0 7.1.2.10.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.RFC_3280,
    zlint=("e_basic_constraints_not_critical",),
)
def ca_basic_constraints_present_and_critical(cert: CertView) -> Outcome:
    if cert.basic_constraints is None:
        return fail("CA certificate (keyUsage asserts keyCertSign) has no basicConstraints")
    if not cert.is_critical(oids.BASIC_CONSTRAINTS):
        return fail("basicConstraints is not marked critical in a CA certificate")
    return PASS


@lint(
    name="key_cert_sign_requires_ca",
    description="A certificate whose keyUsage asserts keyCertSign has basicConstraints with cA "
    "asserted.",
    citation="RFC 5280 4.2.1.3, 4.2.1.9",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.KEY_USAGE,),
    effective=dates.RFC_3280,
    zlint=("e_ext_key_usage_cert_sign_without_ca",),
)
def key_cert_sign_requires_ca(cert: CertView) -> Outcome:
    if "key_cert_sign" in (cert.key_usage or ()) and not cert.is_ca:
        state = "absent" if cert.basic_constraints is None else "cA false"
        return fail(f"keyUsage asserts keyCertSign but basicConstraints is {state}")
    return PASS


@lint(
    name="path_length_only_with_ca_and_key_cert_sign",
    description="basicConstraints has a pathLenConstraint only if cA is asserted and keyUsage "
    "asserts keyCertSign.",
    citation="RFC 5280 4.2.1.9",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.BASIC_CONSTRAINTS,),
    effective=dates.RFC_3280,
    zlint=("e_path_len_constraint_improperly_included",),
)
def path_length_only_with_ca_and_key_cert_sign(cert: CertView) -> Outcome:
    if cert.basic_constraints is None or cert.basic_constraints.path_length is None:
        return PASS
    if not cert.is_ca:
        return fail("pathLenConstraint present but basicConstraints cA is not asserted")
    if "key_cert_sign" not in (cert.key_usage or ()):
        return fail("pathLenConstraint present but keyUsage does not assert keyCertSign")
    return PASS


@lint(
    name="path_length_not_negative",
    description="A pathLenConstraint is zero or greater.",
    citation="RFC 5280 4.2.1.9",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.BASIC_CONSTRAINTS,),
    effective=dates.ALWAYS,
    zlint=("e_path_len_constraint_zero_or_less",),
)
def path_length_not_negative(cert: CertView) -> Outcome:
    length = cert.basic_constraints.path_length if cert.basic_constraints else None
    if length is not None and length < 0:
        return fail(f"pathLenConstraint is negative: {length}")
    return PASS


# -- keyUsage ------------------------------------------------------------------------------------


@lint(
    name="ca_key_usage_present",
    description="A CA certificate has the keyUsage extension. Dated from RFC 3280 (2002); zlint's "
    "root CA lint has no date, so it also judges older roots.",
    citation="RFC 5280 4.2.1.3; BR 7.1.2.1(b), 7.1.2.2(e); BR 2.0 7.1.2.10.7",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.RFC_3280,
    zlint=("e_ca_key_usage_missing", "e_root_ca_key_usage_present"),
)
def ca_key_usage_present(cert: CertView) -> Outcome:
    if cert.key_usage is None:
        return fail("CA certificate has no keyUsage extension")
    return PASS


@lint(
    name="key_usage_has_bits",
    description="A keyUsage extension asserts at least one bit.",
    citation="RFC 5280 4.2.1.3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.KEY_USAGE,),
    effective=dates.RFC_5280,
    zlint=("e_ext_key_usage_without_bits",),
)
def key_usage_has_bits(cert: CertView) -> Outcome:
    if not cert.key_usage:
        return fail("keyUsage asserts no bits")
    return PASS


@lint(
    name="key_usage_critical",
    description="A keyUsage extension is marked critical (SHOULD).",
    citation="RFC 5280 4.2.1.3",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    needs=(oids.KEY_USAGE,),
    effective=dates.ALWAYS,
    zlint=("w_ext_key_usage_not_critical", "w_key_usage_criticality"),
)
def key_usage_critical(cert: CertView) -> Outcome:
    if not cert.is_critical(oids.KEY_USAGE):
        return fail("keyUsage is not marked critical")
    return PASS


@lint(
    name="ec_key_usage_no_encipherment",
    description="A certificate with an id-ecPublicKey key asserts neither keyEncipherment nor "
    "dataEncipherment.",
    citation="RFC 8813 3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    when=lambda cert: cert.key_usage is not None and cert.key_algorithm == "ec",
    needs=(oids.KEY_USAGE,),
    effective=dates.RFC_8813,
    zlint=("e_ecdsa_allowed_ku",),
)
def ec_key_usage_no_encipherment(cert: CertView) -> Outcome:
    bad = sorted((cert.key_usage or frozenset()) & {"key_encipherment", "data_encipherment"})
    if bad:
        return fail(f"EC key certificate keyUsage asserts {', '.join(bad)}")
    return PASS


# -- extKeyUsage ---------------------------------------------------------------------------------


@lint(
    name="eku_with_any_purpose_not_critical",
    description="An extKeyUsage extension containing anyExtendedKeyUsage is not critical "
    "(SHOULD NOT).",
    citation="RFC 5280 4.2.1.12",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    needs=(oids.EXTENDED_KEY_USAGE,),
    effective=dates.RFC_3280,
    zlint=("w_eku_critical_improperly",),
)
def eku_with_any_purpose_not_critical(cert: CertView) -> Outcome:
    if oids.EKU_ANY in (cert.eku or ()) and cert.is_critical(oids.EXTENDED_KEY_USAGE):
        return fail("extKeyUsage with anyExtendedKeyUsage is marked critical")
    return PASS


# -- key identifiers -----------------------------------------------------------------------------


@lint(
    name="authority_key_identifier_present",
    description="A certificate that is not self-signed has authorityKeyIdentifier with its "
    "keyIdentifier field.",
    citation="RFC 5280 4.2.1.1; BR 2.0 7.1.2.11.1",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    zlint=(
        "e_ext_authority_key_identifier_no_key_identifier",
        "e_authority_key_identifier_correct",  # S/MIME BR 7.1.2.3(g), with the two below
    ),
)
def authority_key_identifier_present(cert: CertView) -> Outcome:
    aki = cert.authority_key_id
    if aki:
        return PASS
    # Only now check whether it is self-signed: that costs a signature verification.
    if cert.is_self_signed:
        return outcome(Status.NA, "self-signed: the authorityKeyIdentifier may be omitted")
    if aki is None:
        return fail("certificate has no authorityKeyIdentifier")
    if not aki:
        return fail("authorityKeyIdentifier has no keyIdentifier")
    return PASS


@lint(
    name="authority_key_identifier_not_critical",
    description="The authorityKeyIdentifier extension is not critical.",
    citation="RFC 5280 4.2.1.1",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.AUTHORITY_KEY_IDENTIFIER,),
    effective=dates.ALWAYS,
    zlint=("e_ext_authority_key_identifier_critical", "e_authority_key_identifier_correct"),
)
def authority_key_identifier_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.AUTHORITY_KEY_IDENTIFIER):
        return fail("authorityKeyIdentifier is marked critical")
    return PASS


@lint(
    name="ca_subject_key_identifier_present",
    description="A CA certificate has the subjectKeyIdentifier extension.",
    citation="RFC 5280 4.2.1.2; BR 2.0 7.1.2.11.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.ALWAYS,
    zlint=("e_ext_subject_key_identifier_missing_ca",),
)
def ca_subject_key_identifier_present(cert: CertView) -> Outcome:
    if cert.subject_key_id is None:
        return fail("CA certificate has no subjectKeyIdentifier")
    return PASS


@lint(
    name="end_entity_subject_key_identifier_present",
    description="An end-entity certificate SHOULD have the subjectKeyIdentifier extension. For "
    "TLS subscriber certificates issued from 2023-09-15 the BRs make it NOT RECOMMENDED "
    "instead (subscriber_subject_key_identifier_not_recommended), so this RFC rule gives way "
    "there ('na', br_carve_outs.SUBSCRIBER_SUBJECT_KEY_IDENTIFIER); zlint keeps applying it.",
    citation="RFC 5280 4.2.1.2, 4.2",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS | profiles.OUTSIDE_TLS | {profiles.Profile.OCSP_RESPONDER},
    effective=dates.RFC_2459,
    when=outside(SUBSCRIBER_SUBJECT_KEY_IDENTIFIER),
    zlint=("w_ext_subject_key_identifier_missing_sub_cert",),
)
def end_entity_subject_key_identifier_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.SUBJECT_KEY_IDENTIFIER):
        return fail("end-entity certificate has no subjectKeyIdentifier")
    return PASS


@lint(
    name="subject_key_identifier_not_critical",
    description="The subjectKeyIdentifier extension is not critical.",
    citation="RFC 5280 4.2.1.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.SUBJECT_KEY_IDENTIFIER,),
    effective=dates.ALWAYS,
    zlint=("e_ext_subject_key_identifier_critical",),
)
def subject_key_identifier_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.SUBJECT_KEY_IDENTIFIER):
        return fail("subjectKeyIdentifier is marked critical")
    return PASS


# -- access and distribution points --------------------------------------------------------------


@lint(
    name="aia_not_critical",
    description="The authorityInformationAccess extension is not critical.",
    citation="RFC 5280 4.2.2.1; BR 7.1.2.2(c), 7.1.2.3(c); BR 2.0 7.1.2.7.6, 7.1.2.10.3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    effective=dates.ALWAYS,
    zlint=(
        "e_ext_aia_marked_critical", "e_sub_cert_aia_marked_critical",
        "e_sub_ca_aia_marked_critical",
    ),
)  # fmt: skip
def aia_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.AUTHORITY_INFO_ACCESS):
        return fail("authorityInformationAccess is marked critical")
    return PASS


@lint(
    name="crl_distribution_points_should_not_be_critical",
    description="The cRLDistributionPoints extension is not critical (SHOULD NOT; the BRs make "
    "it MUST NOT for the certificates they govern).",
    citation="RFC 5280 4.2.1.13",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    effective=dates.ALWAYS,
    zlint=("w_ext_crl_distribution_marked_critical",),
)
def crl_distribution_points_should_not_be_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CRL_DISTRIBUTION_POINTS):
        return fail("cRLDistributionPoints is marked critical")
    return PASS


@lint(
    name="certificate_policy_not_duplicated",
    description="No policy identifier appears more than once in certificatePolicies.",
    citation="RFC 5280 4.2.1.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.CERTIFICATE_POLICIES,),
    effective=dates.RFC_5280,
    zlint=("e_ext_cert_policy_duplicate",),
)
def certificate_policy_not_duplicated(cert: CertView) -> Outcome:
    policies = cert.policies or ()
    if len(set(policies)) == len(policies):  # the common case: nothing repeated
        return PASS
    counts = Counter(policies)
    repeated = sorted(p for p, n in counts.items() if n > 1)
    if repeated:
        return fail(f"policy identifiers appear more than once: {', '.join(repeated)}")
    return PASS


# -- criticality of the other RFC 5280 extensions ------------------------------------------------


def _must_be(is_critical: bool, label: str, critical: bool) -> Outcome:
    if is_critical != critical:
        return fail(f"{label} is {'not ' if critical else ''}marked critical")
    return PASS


@lint(
    name="policy_constraints_critical",
    description="The policyConstraints extension is critical.",
    citation="RFC 5280 4.2.1.11",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.POLICY_CONSTRAINTS,),
    effective=dates.RFC_5280,  # RFC 3280 let it be either
    zlint=("e_ext_policy_constraints_not_critical",),
)
def policy_constraints_critical(cert: CertView) -> Outcome:
    return _must_be(cert.is_critical(oids.POLICY_CONSTRAINTS), "policyConstraints", critical=True)


@lint(
    name="inhibit_any_policy_critical",
    description="The inhibitAnyPolicy extension is critical.",
    citation="RFC 5280 4.2.1.14",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.INHIBIT_ANY_POLICY,),
    effective=dates.RFC_3280,
    zlint=("e_inhibit_any_policy_not_critical",),
)
def inhibit_any_policy_critical(cert: CertView) -> Outcome:
    return _must_be(cert.is_critical(oids.INHIBIT_ANY_POLICY), "inhibitAnyPolicy", critical=True)


@lint(
    name="policy_mappings_critical",
    description="The policyMappings extension is critical (SHOULD; RFC 3280 had required it "
    "non-critical, so this applies from RFC 5280).",
    citation="RFC 5280 4.2.1.5",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    needs=(oids.POLICY_MAPPINGS,),
    effective=dates.RFC_5280,
    zlint=("w_ext_policy_map_not_critical",),
)
def policy_mappings_critical(cert: CertView) -> Outcome:
    return _must_be(cert.is_critical(oids.POLICY_MAPPINGS), "policyMappings", critical=True)


@lint(
    name="freshest_crl_not_critical",
    description="The freshestCRL extension is not critical.",
    citation="RFC 5280 4.2.1.15",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.FRESHEST_CRL,),
    effective=dates.RFC_3280,
    zlint=("e_ext_freshest_crl_marked_critical",),
)
def freshest_crl_not_critical(cert: CertView) -> Outcome:
    return _must_be(cert.is_critical(oids.FRESHEST_CRL), "freshestCRL", critical=False)


@lint(
    name="subject_info_access_not_critical",
    description="The subjectInfoAccess extension is not critical.",
    citation="RFC 5280 4.2.2.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.SUBJECT_INFO_ACCESS,),
    effective=dates.RFC_3280,
    zlint=("e_subject_info_access_marked_critical",),
)
def subject_info_access_not_critical(cert: CertView) -> Outcome:
    return _must_be(cert.is_critical(oids.SUBJECT_INFO_ACCESS), "subjectInfoAccess", critical=False)


@lint(
    name="subject_directory_attributes_not_critical",
    description="The subjectDirectoryAttributes extension is not critical.",
    citation="RFC 5280 4.2.1.8",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    needs=(oids.SUBJECT_DIRECTORY_ATTRIBUTES,),
    effective=dates.RFC_3280,
    zlint=("e_ext_subject_directory_attr_critical",),
)
def subject_directory_attributes_not_critical(cert: CertView) -> Outcome:
    return _must_be(
        cert.is_critical(oids.SUBJECT_DIRECTORY_ATTRIBUTES),
        "subjectDirectoryAttributes",
        critical=False,
    )


@lint(
    name="issuer_alt_name_not_critical",
    description="The issuerAltName extension is not critical (SHOULD NOT).",
    citation="RFC 5280 4.2.1.7",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    needs=(oids.ISSUER_ALT_NAME,),
    effective=dates.RFC_3280,
    zlint=("w_ext_ian_critical",),
)
def issuer_alt_name_not_critical(cert: CertView) -> Outcome:
    return _must_be(cert.is_critical(oids.ISSUER_ALT_NAME), "issuerAltName", critical=False)


# -- SEQUENCE SIZE (1..MAX) ----------------------------------------------------------------------

# Extensions whose value is a SEQUENCE SIZE (1..MAX) OF something: never empty.
_NON_EMPTY_SEQUENCES = {
    oids.AUTHORITY_INFO_ACCESS: "authorityInfoAccess",
    oids.SUBJECT_INFO_ACCESS: "subjectInfoAccess",
    oids.CERTIFICATE_POLICIES: "certificatePolicies",
    oids.EXTENDED_KEY_USAGE: "extKeyUsage",
    oids.SUBJECT_ALT_NAME: "subjectAltName",
    oids.ISSUER_ALT_NAME: "issuerAltName",
    oids.CRL_DISTRIBUTION_POINTS: "cRLDistributionPoints",
    oids.FRESHEST_CRL: "freshestCRL",
    oids.POLICY_MAPPINGS: "policyMappings",
    oids.SUBJECT_DIRECTORY_ATTRIBUTES: "subjectDirectoryAttributes",
}
_EMPTY_SEQUENCE = b"\x30\x00"
# cryptography's values for those extensions it parses: sequences, with no `value` of their own.
_CRYPTO_SEQUENCES = frozenset(
    {
        x509.AuthorityInformationAccess, x509.SubjectInformationAccess, x509.CertificatePolicies,
        x509.ExtendedKeyUsage, x509.SubjectAlternativeName, x509.IssuerAlternativeName,
        x509.CRLDistributionPoints, x509.FreshestCRL,
    }
)  # fmt: skip


def _is_empty_sequence(ext: Any) -> bool:
    if ext.asn1 is not None:
        return bool(ext.asn1["extn_value"].contents == _EMPTY_SEQUENCE)
    value = ext.crypto
    if type(value) in _CRYPTO_SEQUENCES:  # the common case, without a failing attribute lookup
        return len(value) == 0
    raw = getattr(value, "value", None)  # an extension cryptography does not parse keeps its DER
    if isinstance(raw, bytes):
        return raw == _EMPTY_SEQUENCE
    try:
        return len(value) == 0
    except TypeError:
        return False


@lint(
    name="extension_sequence_not_empty",
    description="No extension defined as SEQUENCE SIZE (1..MAX) OF (authorityInfoAccess, "
    "subjectInfoAccess, certificatePolicies, extKeyUsage, subjectAltName, issuerAltName, "
    "cRLDistributionPoints, freshestCRL, policyMappings, subjectDirectoryAttributes) is empty.",
    citation="RFC 5280 4.2.1.4-4.2.1.15, 4.2.2.1-4.2.2.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_ext_cannot_be_empty_sequence",),
)
def extension_sequence_not_empty(cert: CertView) -> Outcome:
    empty = []
    for e in cert.extension_list:
        what = _NON_EMPTY_SEQUENCES.get(e.oid)
        if what is None:
            continue
        value = e.crypto  # cryptography's sequences are asked directly (_is_empty_sequence)
        if len(value) == 0 if type(value) in _CRYPTO_SEQUENCES else _is_empty_sequence(e):
            empty.append(what)
    if empty:
        return fail(f"empty SEQUENCE in {', '.join(empty)}")
    return PASS

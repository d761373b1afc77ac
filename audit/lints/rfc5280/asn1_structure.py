"""Every known extension's value matches its ASN.1 definition, at every depth.

A decoder that reads what it needs accepts much that the definition forbids: an empty
policyQualifiers (SIZE (1..MAX)), an empty GeneralSubtrees, a BER length, a wrong tag deep
inside a structure it does not read. One lint per extension (so that each carries its own
citation and effective date, and a report groups by extension) decodes the whole extnValue
against the type its defining module gives it (asn1_check: pyasn1-fasder over
pyasn1-alt-modules' schemas), and names the path of the first violation.

Extensions certcensus does not know are out of scope: nothing says what their value should be.

Most extension values repeat across a CA's certificates: the engine shares these lints' results
by the extension's octets (each reads only `encoded_extension`), and the verdicts are kept here
too, by the same octets. The values written per subscriber (subjectAltName, subjectKeyIdentifier,
the SCT list) rarely repeat, so their common shapes are recognised here without the decoder:
GeneralNames of IA5String and iPAddress names, and a lone OCTET STRING. Each such shortcut
accepts only what the decoder accepts (tests/lints/test_asn1_structure.py holds it to that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyasn1.type import univ
from pyasn1_alt_modules import rfc3739, rfc5280, rfc5751, rfc6962, rfc7633

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.lean_stdlib import BoundedCache
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.rfc5280 import asn1_schemas
from audit.lints.rfc5280.asn1_check import first_violation

# -- shapes recognised without the decoder ---------------------------------------------------


def _contents(value: bytes, pos: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the contents of the TLV at `pos`, when its length is in DER's minimal
    definite form (up to two length octets) and its contents end by `end`; else None."""
    if pos + 2 > end:
        return None
    length = value[pos + 1]
    if length < 0x80:
        start = pos + 2
    elif length == 0x81 and pos + 3 <= end and value[pos + 2] >= 0x80:
        start, length = pos + 3, value[pos + 2]
    elif length == 0x82 and pos + 4 <= end and value[pos + 2]:
        start, length = pos + 4, value[pos + 2] << 8 | value[pos + 3]
    else:
        return None
    return (start, start + length) if start + length <= end else None


_IA5_NAMES = frozenset({0x81, 0x82, 0x86})  # rfc822Name, dNSName, uniformResourceIdentifier
_IP_ADDRESS = 0x87
_PLAIN_NAMES = _IA5_NAMES | {_IP_ADDRESS}


def plain_general_names(value: bytes) -> bool:
    """A non-empty GeneralNames of rfc822Name, dNSName, URI (IA5String) and iPAddress (OCTET
    STRING) names only, every length minimal, nothing trailing: valid as RFC 5280 defines it.
    (Run for every certificate's subjectAltName: the one-octet lengths are read in place.)"""
    end = len(value)
    whole = _contents(value, 0, end) if end and value[0] == 0x30 else None
    if whole is None or whole[1] != end or whole[0] == end:
        return False
    pos = whole[0]
    while pos < end:
        tag = value[pos]
        if tag not in _PLAIN_NAMES or pos + 1 == end:
            return False
        length = value[pos + 1]
        if length < 0x80:
            start = pos + 2
            stop = start + length
        else:
            inner = _contents(value, pos, end)
            if inner is None:
                return False
            start, stop = inner
        if stop > end or (tag != _IP_ADDRESS and not value[start:stop].isascii()):
            return False
        pos = stop
    return True


def plain_octet_string(value: bytes) -> bool:
    """One primitive OCTET STRING, its length minimal, nothing trailing."""
    size = len(value)
    if size < 2 or value[0] != 0x04:
        return False
    if value[1] < 0x80:
        return value[1] + 2 == size
    whole = _contents(value, 0, size)
    return whole is not None and whole[1] == size


def plain_null(value: bytes) -> bool:
    return value == b"\x05\x00"


# -- the check -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """An extension and the ASN.1 type its value is defined as."""

    oid: str
    name: str  # the extension's ASN.1 name: the root of the paths in messages
    spec: Any  # the pyasn1 schema of extnValue's contents
    plain: Callable[[bytes], bool] | None = None  # a shape that is valid without decoding


_MISSING = object()
_VERDICTS: BoundedCache[tuple[str, bytes], str | None] = BoundedCache(4096)


def violation(definition: Definition, value: bytes) -> str | None:
    """Where and how extnValue's contents break the definition ("path: what"), or None."""
    if definition.oid in oids.PER_SUBSCRIBER_EXTENSIONS:  # rarely repeats: not kept
        return first_violation(value, definition.spec, definition.name)
    key = (definition.oid, value)
    found = _VERDICTS.get(key, _MISSING)
    if found is _MISSING:
        found = _VERDICTS.keep(key, first_violation(value, definition.spec, definition.name))
    return found  # type: ignore[return-value]


def _declare(
    definition: Definition,
    *,
    lint_name: str,
    type_name: str,
    citation: str,
    effective: datetime,
    source: Source = Source.RFC5280,
) -> None:
    """Declare the lint holding one extension's value to its definition."""

    oid, plain = definition.oid, definition.plain

    def check(cert: CertView) -> Outcome:
        ext = cert.encoded_extension(oid)
        if ext is None or (plain is not None and plain(ext.value)):
            return PASS
        found = violation(definition, ext.value)
        return fail(found[:500]) if found else PASS

    check.__name__ = check.__qualname__ = lint_name
    lint(
        name=lint_name,
        description=f"The {definition.name} extension's value is the DER encoding of one "
        f"{type_name} as its ASN.1 definition gives it, at every depth: each component of the "
        "type the definition gives it (an open type, such as a policy qualifier, an otherName "
        "value or an attribute value, as the type its identifier names, where one is known), "
        "within its SIZE and range constraints, in DER form (minimal lengths, no encoded "
        "DEFAULT, sorted SET OF), with nothing trailing.",
        citation=citation,
        source=source,
        severity=Status.ERROR,
        applies=profiles.ANY,
        effective=effective,
        needs=(definition.oid,),
    )(check)


_IMPLICIT = "PKIX1Implicit88 (RFC 5280 A.2)"

# RFC 5280 4.2.1: the standard extensions (RFC 2459 defined them, bar those RFC 3280 added).
_declare(
    Definition(oids.AUTHORITY_KEY_IDENTIFIER, "authorityKeyIdentifier",
               rfc5280.AuthorityKeyIdentifier()),
    lint_name="authority_key_identifier_value_matches_asn1", type_name="AuthorityKeyIdentifier",
    citation=f"RFC 5280 4.2.1.1; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.SUBJECT_KEY_IDENTIFIER, "subjectKeyIdentifier",
               rfc5280.SubjectKeyIdentifier(), plain_octet_string),
    lint_name="subject_key_identifier_value_matches_asn1", type_name="SubjectKeyIdentifier",
    citation=f"RFC 5280 4.2.1.2; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.KEY_USAGE, "keyUsage", rfc5280.KeyUsage()),
    lint_name="key_usage_value_matches_asn1", type_name="KeyUsage",
    citation=f"RFC 5280 4.2.1.3; {_IMPLICIT}; X.690 11.2.2", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.CERTIFICATE_POLICIES, "certificatePolicies", rfc5280.CertificatePolicies()),
    lint_name="certificate_policies_value_matches_asn1", type_name="CertificatePolicies",
    citation=f"RFC 5280 4.2.1.4; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.POLICY_MAPPINGS, "policyMappings", rfc5280.PolicyMappings()),
    lint_name="policy_mappings_value_matches_asn1", type_name="PolicyMappings",
    citation=f"RFC 5280 4.2.1.5; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.SUBJECT_ALT_NAME, "subjectAltName", rfc5280.SubjectAltName(),
               plain_general_names),
    lint_name="subject_alt_name_value_matches_asn1", type_name="GeneralNames",
    citation=f"RFC 5280 4.2.1.6; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.ISSUER_ALT_NAME, "issuerAltName", rfc5280.IssuerAltName(),
               plain_general_names),
    lint_name="issuer_alt_name_value_matches_asn1", type_name="GeneralNames",
    citation=f"RFC 5280 4.2.1.7; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.SUBJECT_DIRECTORY_ATTRIBUTES, "subjectDirectoryAttributes",
               rfc5280.SubjectDirectoryAttributes()),
    lint_name="subject_directory_attributes_value_matches_asn1",
    type_name="SubjectDirectoryAttributes",
    citation=f"RFC 5280 4.2.1.8; {_IMPLICIT}; RFC 3739 3.2.2", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.BASIC_CONSTRAINTS, "basicConstraints", rfc5280.BasicConstraints()),
    lint_name="basic_constraints_value_matches_asn1", type_name="BasicConstraints",
    citation=f"RFC 5280 4.2.1.9; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.NAME_CONSTRAINTS, "nameConstraints", rfc5280.NameConstraints()),
    lint_name="name_constraints_value_matches_asn1", type_name="NameConstraints",
    citation=f"RFC 5280 4.2.1.10; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.POLICY_CONSTRAINTS, "policyConstraints", rfc5280.PolicyConstraints()),
    lint_name="policy_constraints_value_matches_asn1", type_name="PolicyConstraints",
    citation=f"RFC 5280 4.2.1.11; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.EXTENDED_KEY_USAGE, "extKeyUsage", rfc5280.ExtKeyUsageSyntax()),
    lint_name="ext_key_usage_value_matches_asn1", type_name="ExtKeyUsageSyntax",
    citation=f"RFC 5280 4.2.1.12; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.CRL_DISTRIBUTION_POINTS, "cRLDistributionPoints",
               rfc5280.CRLDistributionPoints()),
    lint_name="crl_distribution_points_value_matches_asn1", type_name="CRLDistributionPoints",
    citation=f"RFC 5280 4.2.1.13; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.INHIBIT_ANY_POLICY, "inhibitAnyPolicy", rfc5280.InhibitAnyPolicy()),
    lint_name="inhibit_any_policy_value_matches_asn1", type_name="InhibitAnyPolicy",
    citation=f"RFC 5280 4.2.1.14; {_IMPLICIT}", effective=dates.RFC_3280,
)  # fmt: skip
_declare(
    Definition(oids.FRESHEST_CRL, "freshestCRL", rfc5280.FreshestCRL()),
    lint_name="freshest_crl_value_matches_asn1", type_name="FreshestCRL",
    citation=f"RFC 5280 4.2.1.15; {_IMPLICIT}", effective=dates.RFC_3280,
)  # fmt: skip
# RFC 5280 4.2.2: private Internet extensions.
_declare(
    Definition(oids.AUTHORITY_INFO_ACCESS, "authorityInfoAccess",
               rfc5280.AuthorityInfoAccessSyntax()),
    lint_name="authority_info_access_value_matches_asn1", type_name="AuthorityInfoAccessSyntax",
    citation=f"RFC 5280 4.2.2.1; {_IMPLICIT}", effective=dates.RFC_2459,
)  # fmt: skip
_declare(
    Definition(oids.SUBJECT_INFO_ACCESS, "subjectInfoAccess", rfc5280.SubjectInfoAccessSyntax()),
    lint_name="subject_info_access_value_matches_asn1", type_name="SubjectInfoAccessSyntax",
    citation=f"RFC 5280 4.2.2.2; {_IMPLICIT}", effective=dates.RFC_3280,
)  # fmt: skip
# Other IETF profiles.
_declare(
    Definition(oids.OCSP_NO_CHECK, "ocspNoCheck", univ.Null(), plain_null),
    lint_name="ocsp_no_check_value_matches_asn1", type_name="NULL",
    citation="RFC 6960 4.2.2.2.1 (RFC 2560 4.2.2.2.1)", effective=dates.RFC_2560,
)  # fmt: skip
_declare(
    Definition(oids.CT_PRECERT_POISON, "precertificatePoison", univ.Null(), plain_null),
    lint_name="precertificate_poison_value_matches_asn1", type_name="NULL",
    citation="RFC 6962 3.1", effective=dates.RFC_6962,
)  # fmt: skip
_declare(
    Definition(oids.CT_SCT_LIST, "signedCertificateTimestampList",
               rfc6962.SignedCertificateTimestampList(), plain_octet_string),
    lint_name="sct_list_value_matches_asn1",
    type_name="SignedCertificateTimestampList (an OCTET STRING; its TLS contents are not ASN.1)",
    citation="RFC 6962 3.3", effective=dates.RFC_6962,
)  # fmt: skip
_declare(
    Definition(oids.QC_STATEMENTS, "qcStatements", rfc3739.QCStatements()),
    lint_name="qc_statements_value_matches_asn1",
    type_name="QCStatements (the statements of RFC 3739 and ETSI EN 319 412-5 decoded)",
    citation="RFC 3739 3.2.6 (PKIXqualified97); ETSI EN 319 412-5 Annex B",
    effective=dates.RFC_3039,
)  # fmt: skip
_declare(
    Definition(oids.TLS_FEATURE, "tlsFeature", rfc7633.Features()),
    lint_name="tls_feature_value_matches_asn1", type_name="Features",
    citation="RFC 7633 4.2 (TLS-FEATURE-MODULE)", effective=dates.RFC_7633,
)  # fmt: skip
_declare(
    Definition(oids.SMIME_CAPABILITIES, "smimeCapabilities", rfc5751.SMIMECapabilities()),
    lint_name="smime_capabilities_value_matches_asn1", type_name="SMIMECapabilities",
    citation="RFC 4262 2; RFC 8551 2.5.2", effective=dates.RFC_4262,
)  # fmt: skip
# CA/Browser Forum extensions.
_declare(
    Definition(oids.CABF_ORGANIZATION_IDENTIFIER, "cabfOrganizationIdentifier",
               asn1_schemas.CabfOrganizationIdentifier()),
    lint_name="cabf_organization_identifier_value_matches_asn1",
    type_name="CABFOrganizationIdentifier", citation="EVG 9.8.2",
    effective=dates.EV_ORGANIZATION_IDENTIFIER, source=Source.CABF_EV,
)  # fmt: skip
_declare(
    Definition(oids.TOR_SERVICE_DESCRIPTOR, "torServiceDescriptor",
               asn1_schemas.TorServiceDescriptorSyntax()),
    lint_name="tor_service_descriptor_value_matches_asn1",
    type_name="TorServiceDescriptorSyntax", citation="EVG Appendix F (Ballot 201)",
    effective=dates.EV_BALLOT_201, source=Source.CABF_EV,
)  # fmt: skip

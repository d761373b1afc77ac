"""The ASN.1 types of the extensions certcensus knows, and of the open types inside them.

Most come from pyasn1-alt-modules (the RFC modules, as pyasn1 schemas with their SIZE and range
constraints). Defined here, from the documents' own ASN.1, are those it does not have: the
CA/Browser Forum's cabfOrganizationIdentifier (EVG 9.8.2) and TorServiceDescriptor (EVG
Appendix F), the ETSI EN 319 412-5 QC statements, and Microsoft's userPrincipalName otherName.

`OPEN_TYPES` says which type an open type (ANY DEFINED BY) holds for each identifier: written
out here rather than read from pyasn1-alt-modules' shared maps, which grow with every module
any code in the process imports (so a check would depend on what else ran).
"""

from __future__ import annotations

from typing import Any

from pyasn1.type import char, constraint, namedtype, tag, univ
from pyasn1_alt_modules import (
    rfc3739,
    rfc4043,
    rfc4108,
    rfc4985,
    rfc5280,
    rfc6120,
    rfc8398,
)

MAX = float("inf")


def _sized(kind: type, low: int, high: float) -> Any:
    return kind().subtype(subtypeSpec=constraint.ValueSizeConstraint(low, high))


# -- CA/Browser Forum ----------------------------------------------------------------------


class CabfOrganizationIdentifier(univ.Sequence):
    """EVG 9.8.2: CABFOrganizationIdentifier."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("registrationSchemeIdentifier", _sized(char.PrintableString, 3, 3)),
        namedtype.NamedType("registrationCountry", _sized(char.PrintableString, 2, 2)),
        namedtype.OptionalNamedType(
            "registrationStateOrProvince",
            char.PrintableString().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0),
                subtypeSpec=constraint.ValueSizeConstraint(0, 128),
            ),
        ),
        namedtype.NamedType("registrationReference", char.UTF8String()),
    )


class TorServiceDescriptorHash(univ.Sequence):
    """EVG Appendix F: one .onion service's key hash."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("onionURI", char.UTF8String()),
        namedtype.NamedType("algorithm", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("subjectPublicKeyHash", univ.BitString()),
    )


class TorServiceDescriptorSyntax(univ.SequenceOf):
    """EVG Appendix F: SEQUENCE (1..MAX) OF TorServiceDescriptorHash."""

    componentType = TorServiceDescriptorHash()
    subtypeSpec = constraint.ValueSizeConstraint(1, MAX)


# -- ETSI EN 319 412-5 (Annex B, ETSIQCstatementsMod) --------------------------------------

ETSI_QCS = "0.4.0.1862.1"
QC_COMPLIANCE, QC_LIMIT_VALUE, QC_RETENTION_PERIOD = (f"{ETSI_QCS}.{n}" for n in (1, 2, 3))
QC_SSCD, QC_PDS, QC_TYPE, QC_CC_LEGISLATION = (f"{ETSI_QCS}.{n}" for n in (4, 5, 6, 7))
QC_IDENT_METHOD, QC_QSCD_LEGISLATION = f"{ETSI_QCS}.8", f"{ETSI_QCS}.9"


class Iso4217CurrencyCode(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("alphabetic", _sized(char.PrintableString, 3, 3)),
        namedtype.NamedType(
            "numeric", univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, 999))
        ),
    )


class MonetaryValue(univ.Sequence):
    """QcEuLimitValue ::= MonetaryValue."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("currency", Iso4217CurrencyCode()),
        namedtype.NamedType("amount", univ.Integer()),
        namedtype.NamedType("exponent", univ.Integer()),
    )


class PdsLocation(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("url", char.IA5String()),
        namedtype.NamedType("language", _sized(char.PrintableString, 2, 2)),
    )


class PdsLocations(univ.SequenceOf):
    """QcEuPDS ::= PdsLocations ::= SEQUENCE SIZE (1..MAX) OF PdsLocation."""

    componentType = PdsLocation()
    subtypeSpec = constraint.ValueSizeConstraint(1, MAX)


class QcType(univ.SequenceOf):
    """SEQUENCE OF OBJECT IDENTIFIER, as every version before V2.5.1 has it (V2.5.1 narrows it
    to SIZE (1): certificates issued under the earlier versions may list several types)."""

    componentType = univ.ObjectIdentifier()


class CountryNames(univ.SequenceOf):
    """QcCClegislation ::= SEQUENCE OF CountryName (PrintableString (SIZE (2)))."""

    componentType = _sized(char.PrintableString, 2, 2)


class QcIdentMethod(univ.SequenceOf):
    componentType = univ.ObjectIdentifier()
    subtypeSpec = constraint.ValueSizeConstraint(1, 1)


class QcQscdLegislation(univ.SequenceOf):
    componentType = _sized(char.PrintableString, 2, 2)
    subtypeSpec = constraint.ValueSizeConstraint(1, MAX)


# A statement IDENTIFIED BY its identifier with no SYNTAX carries no statementInfo.
NO_INFO = univ.Null()  # a marker, never decoded against

QC_STATEMENTS: dict[univ.ObjectIdentifier, Any] = {
    rfc3739.id_qcs_pkixQCSyntax_v1: rfc3739.SemanticsInformation(),
    rfc3739.id_qcs_pkixQCSyntax_v2: rfc3739.SemanticsInformation(),
    univ.ObjectIdentifier(QC_COMPLIANCE): NO_INFO,
    univ.ObjectIdentifier(QC_LIMIT_VALUE): MonetaryValue(),
    univ.ObjectIdentifier(QC_RETENTION_PERIOD): univ.Integer(),
    univ.ObjectIdentifier(QC_SSCD): NO_INFO,
    univ.ObjectIdentifier(QC_PDS): PdsLocations(),
    univ.ObjectIdentifier(QC_TYPE): QcType(),
    univ.ObjectIdentifier(QC_CC_LEGISLATION): CountryNames(),
    univ.ObjectIdentifier(QC_IDENT_METHOD): QcIdentMethod(),
    univ.ObjectIdentifier(QC_QSCD_LEGISLATION): QcQscdLegislation(),
}


# -- open types ----------------------------------------------------------------------------

USER_PRINCIPAL_NAME = univ.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")  # Microsoft: UTF8String

OTHER_NAMES: dict[univ.ObjectIdentifier, Any] = {
    rfc4043.id_on_permanentIdentifier: rfc4043.PermanentIdentifier(),
    rfc4108.id_on_hardwareModuleName: rfc4108.HardwareModuleName(),
    rfc4985.id_on_dnsSRV: rfc4985.SRVName(),
    rfc6120.id_on_xmppAddr: rfc6120.XmppAddr(),
    rfc8398.id_on_SmtpUTF8Mailbox: rfc8398.SmtpUTF8Mailbox(),
    USER_PRINCIPAL_NAME: char.UTF8String(),
}

POLICY_QUALIFIERS: dict[univ.ObjectIdentifier, Any] = {
    rfc5280.id_qt_cps: rfc5280.CPSuri(),
    rfc5280.id_qt_unotice: rfc5280.UserNotice(),
}

# RFC 5280 A.1's attribute types, and RFC 3739 3.2.2's personal data attributes.
ATTRIBUTES: dict[univ.ObjectIdentifier, Any] = {
    rfc5280.id_at_name: rfc5280.X520name(),
    rfc5280.id_at_surname: rfc5280.X520name(),
    rfc5280.id_at_givenName: rfc5280.X520name(),
    rfc5280.id_at_initials: rfc5280.X520name(),
    rfc5280.id_at_generationQualifier: rfc5280.X520name(),
    rfc5280.id_at_commonName: rfc5280.X520CommonName(),
    rfc5280.id_at_localityName: rfc5280.X520LocalityName(),
    rfc5280.id_at_stateOrProvinceName: rfc5280.X520StateOrProvinceName(),
    rfc5280.id_at_organizationName: rfc5280.X520OrganizationName(),
    rfc5280.id_at_organizationalUnitName: rfc5280.X520OrganizationalUnitName(),
    rfc5280.id_at_title: rfc5280.X520Title(),
    rfc5280.id_at_dnQualifier: rfc5280.X520dnQualifier(),
    rfc5280.id_at_countryName: rfc5280.X520countryName(),
    rfc5280.id_at_serialNumber: rfc5280.X520SerialNumber(),
    rfc5280.id_at_pseudonym: rfc5280.X520Pseudonym(),
    rfc5280.id_domainComponent: rfc5280.DomainComponent(),
    rfc5280.id_emailAddress: rfc5280.EmailAddress(),
    rfc3739.id_pda_dateOfBirth: rfc3739.DateOfBirth(),
    rfc3739.id_pda_placeOfBirth: rfc3739.PlaceOfBirth(),
    rfc3739.id_pda_gender: rfc3739.Gender(),
    rfc3739.id_pda_countryOfCitizenship: rfc3739.CountryOfCitizenship(),
    rfc3739.id_pda_countryOfResidence: rfc3739.CountryOfResidence(),
}

# The open types decoded, by the type and field that hold them; the others (algorithm
# parameters, S/MIME capability parameters) are left as they are.
OPEN_TYPES: dict[tuple[type, str], dict[univ.ObjectIdentifier, Any]] = {
    (rfc5280.AnotherName, "value"): OTHER_NAMES,
    (rfc5280.PolicyQualifierInfo, "qualifier"): POLICY_QUALIFIERS,
    (rfc5280.AttributeTypeAndValue, "value"): ATTRIBUTES,
    (rfc5280.Attribute, "values"): ATTRIBUTES,
    (rfc3739.QCStatement, "statementInfo"): QC_STATEMENTS,
    # x400Address extension attributes: RFC 5280 defines them all
    (rfc5280.ExtensionAttribute, "extension-attribute-value"): dict(
        rfc5280.orAddressExtensionAttributesMap
    ),
}

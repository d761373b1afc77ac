"""Object identifiers the lints talk about, by name (dotted strings)."""

# Subject and issuer attributes (X.520, EV Guidelines, RFC 4519).
COMMON_NAME = "2.5.4.3"
SURNAME = "2.5.4.4"
SERIAL_NUMBER = "2.5.4.5"
COUNTRY = "2.5.4.6"
LOCALITY = "2.5.4.7"
STATE = "2.5.4.8"
STREET = "2.5.4.9"
ORGANIZATION = "2.5.4.10"
ORGANIZATIONAL_UNIT = "2.5.4.11"
BUSINESS_CATEGORY = "2.5.4.15"
POSTAL_CODE = "2.5.4.17"
GIVEN_NAME = "2.5.4.42"
ORGANIZATION_IDENTIFIER = "2.5.4.97"
EMAIL_ADDRESS = "1.2.840.113549.1.9.1"
DOMAIN_COMPONENT = "0.9.2342.19200300.100.1.25"
JURISDICTION_LOCALITY = "1.3.6.1.4.1.311.60.2.1.1"
JURISDICTION_STATE = "1.3.6.1.4.1.311.60.2.1.2"
JURISDICTION_COUNTRY = "1.3.6.1.4.1.311.60.2.1.3"
TITLE = "2.5.4.12"
POST_OFFICE_BOX = "2.5.4.18"
NAME = "2.5.4.41"
INITIALS = "2.5.4.43"
GENERATION_QUALIFIER = "2.5.4.44"
PSEUDONYM = "2.5.4.65"

SHORT_NAMES = {
    COMMON_NAME: "CN",
    SURNAME: "SN",
    SERIAL_NUMBER: "serialNumber",
    COUNTRY: "C",
    LOCALITY: "L",
    STATE: "ST",
    STREET: "street",
    ORGANIZATION: "O",
    ORGANIZATIONAL_UNIT: "OU",
    BUSINESS_CATEGORY: "businessCategory",
    POSTAL_CODE: "postalCode",
    GIVEN_NAME: "GN",
    ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    EMAIL_ADDRESS: "emailAddress",
    DOMAIN_COMPONENT: "DC",
    JURISDICTION_LOCALITY: "jurisdictionL",
    JURISDICTION_STATE: "jurisdictionST",
    JURISDICTION_COUNTRY: "jurisdictionC",
}

# Extensions (RFC 5280 4.2, RFC 6962).
SUBJECT_KEY_IDENTIFIER = "2.5.29.14"
KEY_USAGE = "2.5.29.15"
SUBJECT_ALT_NAME = "2.5.29.17"
ISSUER_ALT_NAME = "2.5.29.18"
BASIC_CONSTRAINTS = "2.5.29.19"
NAME_CONSTRAINTS = "2.5.29.30"
CRL_DISTRIBUTION_POINTS = "2.5.29.31"
CERTIFICATE_POLICIES = "2.5.29.32"
POLICY_MAPPINGS = "2.5.29.33"
AUTHORITY_KEY_IDENTIFIER = "2.5.29.35"
POLICY_CONSTRAINTS = "2.5.29.36"
EXTENDED_KEY_USAGE = "2.5.29.37"
INHIBIT_ANY_POLICY = "2.5.29.54"
SUBJECT_DIRECTORY_ATTRIBUTES = "2.5.29.9"
FRESHEST_CRL = "2.5.29.46"
AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1"
OCSP_NO_CHECK = "1.3.6.1.5.5.7.48.1.5"  # RFC 6960 4.2.2.2.1 id-pkix-ocsp-nocheck
SUBJECT_INFO_ACCESS = "1.3.6.1.5.5.7.1.11"
CT_PRECERT_POISON = "1.3.6.1.4.1.11129.2.4.3"
CT_SCT_LIST = "1.3.6.1.4.1.11129.2.4.2"
TOR_SERVICE_DESCRIPTOR = "2.23.140.1.31"  # Ballot 201 / EVG Appendix F: .onion key hashes
CABF_ORGANIZATION_IDENTIFIER = "2.23.140.3.1"  # EVG 9.8.2 cabfOrganizationIdentifier
QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"  # RFC 3739 3.2.6 qcStatements (ETSI EN 319 412-5)
TLS_FEATURE = "1.3.6.1.5.5.7.1.24"  # RFC 7633 4.2 TLS feature (OCSP must-staple)
SMIME_CAPABILITIES = "1.2.840.113549.1.9.15"  # RFC 4262 S/MIME capabilities

# Extended key usages.
EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3"
EKU_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4"
EKU_TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
EKU_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9"
EKU_ANY = "2.5.29.37.0"
EKU_PRECERT_SIGNING = "1.3.6.1.4.1.11129.2.4.4"

# Certificate policies (BR 7.1.6.1, EV Guidelines 9.7).
POLICY_ANY = "2.5.29.32.0"
POLICY_EV = "2.23.140.1.1"
POLICY_DV = "2.23.140.1.2.1"
POLICY_OV = "2.23.140.1.2.2"
POLICY_IV = "2.23.140.1.2.3"
# Code Signing BR 7.1.6.1 (and EVG for code signing, now CS BR): the reserved policy OIDs.
POLICY_EV_CODE_SIGNING = "2.23.140.1.3"
POLICY_CODE_SIGNING = "2.23.140.1.4.1"
POLICY_TIME_STAMPING = "2.23.140.1.4.2"
# S/MIME BR 7.1.6.1: 2.23.140.1.5.<validation>.<generation>, validation 1 mailbox, 2
# organization, 3 sponsor, 4 individual; generation 1 legacy, 2 multipurpose, 3 strict.
POLICY_SMIME_ARC = "2.23.140.1.5."
# ETSI EN 319 411-2 5.3: EU qualified certificates for natural (QCP-n) and legal persons (QCP-l),
# with or without a QSCD: signatures and seals, never websites (those are QEVCP-w, QNCP-w).
POLICIES_ETSI_QUALIFIED_NOT_WEB = frozenset(
    {"0.4.0.194112.1.0", "0.4.0.194112.1.1", "0.4.0.194112.1.2", "0.4.0.194112.1.3"}
)
CPS_QUALIFIER = "1.3.6.1.5.5.7.2.1"
USER_NOTICE_QUALIFIER = "1.3.6.1.5.5.7.2.2"

# Access methods.
AD_OCSP = "1.3.6.1.5.5.7.48.1"
AD_CA_ISSUERS = "1.3.6.1.5.5.7.48.2"

# Public key and signature algorithms.
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSASSA_PSS = "1.2.840.113549.1.1.10"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
DSA = "1.2.840.10040.4.1"
ED25519 = "1.3.101.112"
ED448 = "1.3.101.113"
MD2_WITH_RSA = "1.2.840.113549.1.1.2"
MD5_WITH_RSA = "1.2.840.113549.1.1.4"
SHA1_WITH_RSA = "1.2.840.113549.1.1.5"
SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
SHA384_WITH_RSA = "1.2.840.113549.1.1.12"
SHA512_WITH_RSA = "1.2.840.113549.1.1.13"
ECDSA_WITH_SHA1 = "1.2.840.10045.4.1"
ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2"
ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3"
ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4"
DSA_WITH_SHA1 = "1.2.840.10040.4.3"
DSA_WITH_SHA224 = "2.16.840.1.101.3.4.3.1"
DSA_WITH_SHA256 = "2.16.840.1.101.3.4.3.2"
MD4_WITH_RSA = "1.2.840.113549.1.1.3"
SHA224_WITH_RSA = "1.2.840.113549.1.1.14"
ECDSA_WITH_SHA224 = "1.2.840.10045.4.3.1"

SHA1_SIGNATURES = frozenset({SHA1_WITH_RSA, ECDSA_WITH_SHA1, DSA_WITH_SHA1})

# EV policy OIDs of individual CAs (EVG 9.3.2 (iii), 9.3.3: a CA's own policy identifier "that,
# by pre-agreement with the Application Software Supplier, marks the Certificate as being an EV
# Certificate"). Browsers keep these in their EV root metadata; older EV certificates often carry
# only these and not 2.23.140.1.1. The set zlint also recognises, with the CA each belongs to.
EV_POLICIES_CA_SPECIFIC = frozenset({
    "0.4.0.2042.1.4",  # ETSI TS 102 042 EVCP
    "0.4.0.2042.1.5",  # ETSI TS 102 042 EVCP+
    "1.2.392.200091.100.721.1",  # SECOM Trust Systems
    "1.2.40.0.17.1.22",  # A-Trust
    "1.3.159.1.17.1",  # Actalis
    "1.3.6.1.4.1.13177.10.1.3.10",  # Firmaprofesional
    "1.3.6.1.4.1.14370.1.6",  # GeoTrust
    "1.3.6.1.4.1.14777.6.1.1",  # Izenpe
    "1.3.6.1.4.1.17326.10.14.2.1.2",  # Camerfirma (Chambers of Commerce Root)
    "1.3.6.1.4.1.17326.10.8.2.1.2",  # Camerfirma (Global Chambersign Root)
    "1.3.6.1.4.1.22234.2.5.2.3.1",  # Keynectis / OpenTrust
    "1.3.6.1.4.1.23223.1.1.1",  # StartCom
    "1.3.6.1.4.1.23223.2",  # StartCom
    "1.3.6.1.4.1.34697.2.1",  # AffirmTrust Commercial
    "1.3.6.1.4.1.34697.2.2",  # AffirmTrust Networking
    "1.3.6.1.4.1.34697.2.3",  # AffirmTrust Premium
    "1.3.6.1.4.1.34697.2.4",  # AffirmTrust Premium ECC
    "1.3.6.1.4.1.36305.2",  # WoSign
    "1.3.6.1.4.1.4146.1.1",  # GlobalSign
    "1.3.6.1.4.1.6334.1.100.1",  # Cybertrust
    "1.3.6.1.4.1.6449.1.2.1.5.1",  # Comodo / Sectigo
    "1.3.6.1.4.1.7879.13.24.1",  # T-Systems (Deutsche Telekom)
    "1.3.6.1.4.1.782.1.2.1.8.1",  # Network Solutions
    "1.3.6.1.4.1.8024.0.2.100.1.2",  # QuoVadis
    "2.16.528.1.1001.1.1.1.12.6.1.1.1",  # DigiNotar
    "2.16.578.1.26.1.3.3",  # Buypass
    "2.16.756.1.83.21.0",  # Swisscom
    "2.16.756.1.89.1.2.1.1",  # SwissSign
    "2.16.792.1.2.1.1.5.7.1.9",  # Kamu SM (TUBITAK)
    "2.16.792.3.0.4.1.1.4",  # E-Tugra
    "2.16.840.1.113733.1.7.23.6",  # VeriSign / Symantec
    "2.16.840.1.113733.1.7.48.1",  # Thawte
    "2.16.840.1.114028.10.1.2",  # Entrust
    "2.16.840.1.114171.500.9",  # Wells Fargo
    "2.16.840.1.114404.1.1.2.4.1",  # Trustwave (SecureTrust, XRamp)
    "2.16.840.1.114412.1.3.0.2",  # DigiCert
    "2.16.840.1.114412.2.1",  # DigiCert High Assurance EV
    "2.16.840.1.114413.1.7.23.3",  # Go Daddy
    "2.16.840.1.114414.1.7.23.3",  # Starfield
})  # fmt: skip

# Extensions a CA writes per subscriber (names, key, SCTs), not per issuer or certificate
# profile: their encodings rarely repeat across certificates, so nothing is kept by them.
PER_SUBSCRIBER_EXTENSIONS = frozenset({SUBJECT_ALT_NAME, SUBJECT_KEY_IDENTIFIER, CT_SCT_LIST})

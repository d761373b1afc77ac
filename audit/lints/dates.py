"""Every date a rule takes effect or is retired, named once.

Dates are UTC midnights. A certificate is judged by the rules in force at its notBefore.
"""

from __future__ import annotations

from datetime import UTC, datetime


def _d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


ALWAYS = _d(1950, 1, 1)  # before any certificate worth auditing

# RFC 5280 (May 2008) and its predecessor RFC 3280 (April 2002).
RFC_2459 = _d(1999, 1, 1)  # RFC 2459: the first PKIX profile (preferred name syntax, SAN rules)
RFC_3280 = _d(2002, 4, 1)
RFC_2560 = _d(1999, 6, 1)  # RFC 2560 4.2.2.2.1: id-pkix-ocsp-nocheck (June 1999)
RFC_3039 = _d(2001, 1, 1)  # RFC 3039 3.2.6: qcStatements (January 2001; RFC 3739 keeps it)
RFC_4262 = _d(2005, 12, 1)  # RFC 4262: the S/MIME capabilities extension (December 2005)
RFC_7633 = _d(2015, 10, 1)  # RFC 7633 4.2: the TLS feature extension (October 2015)
RFC_3279 = _d(2002, 4, 1)  # RFC 3279 2.3: key usages allowed with RSA, DSA and EC keys
RFC_3490 = _d(2003, 3, 1)  # IDNA2003: xn-- labels are Punycode of a Unicode label
RFC_5280 = _d(2008, 5, 1)
RFC_5480 = _d(2009, 3, 1)  # RFC 5480 3: key usages of id-ecPublicKey end-entity certificates
RFC_6818 = _d(2013, 1, 1)  # RFC 6818 s3 (January 2013): how explicitText is encoded
RFC_6962 = _d(2013, 6, 1)  # Certificate Transparency: precertificates and their poison
RFC_3161 = _d(2001, 8, 1)  # RFC 3161 2.3: a TSA certificate's extKeyUsage (August 2001)
RFC_8813 = _d(2020, 8, 1)  # RFC 8813 s3: no key/data encipherment with id-ecPublicKey keys

# CA/Browser Forum Baseline Requirements.
BR_1_0 = _d(2012, 7, 1)  # BR 1.0 effective date ("CABEffectiveDate")
BR_RSA_PARAMETERS = _d(2013, 1, 1)  # Ballot 93 (BR 1.1.1) 6.1.6: RSA exponent / modulus checks
BR_DSA_PERMITTED = _d(2013, 5, 3)  # Ballot 99 (BR 1.1.4) 6.1.5: DSA keys added to the list
BR_TECHNICALLY_CONSTRAINED = _d(2013, 7, 29)  # Ballot 105 (BR 1.1.6): sub-CA EKU / 7.1.5 rules
BR_2048_BIT_CA_VALIDITY_START = _d(2011, 1, 1)  # BR 1.0 App. A: sub-CAs valid from before: 1024 ok
BR_1024_BIT_SUBSCRIBER_EXPIRY = _d(2014, 1, 1)  # BR 1.0 App. A: 1024-bit RSA if notAfter before
BR_SHA1_EXPIRY_SHOULD_NOT = _d(2015, 1, 16)  # Ballot 118 (BR 1.2.1) 7.1.3: SHA-1 expiry SHOULD
BR_39_MONTHS = _d(2015, 4, 2)  # BR 1.0 9.4 / 6.3.2: "issued after 1 April 2015": <= 39 months
BR_39_MONTHS_EXCEPTIONS_END = _d(2016, 7, 1)  # BR 6.3.2: 60-month exceptions "until 30 June 2016"
BR_SHA1_OCSP_RESPONDER_PROHIBITED = _d(2017, 1, 1)  # BR 7.1.3: SHA-1 OCSP responders until 2017
BR_SHA1_EXPIRY_LIMIT = _d(2017, 1, 1)  # BR 7.1.3: SHA-1 subscriber certs SHOULD expire by this
BR_825_DAYS_ISSUED_AFTER = _d(2018, 3, 2)  # Ballot 193 text: "issued after 1 March 2018"
BR_1_7_1 = _d(2020, 8, 20)  # Ballot SC31 (BR 1.7.1): 7.1.3 algorithm lists, no DSA, RSA % 8
BR_1_3_0 = _d(2015, 4, 16)  # Ballot 146 (BR 1.3.0): RFC 3647 layout; 7.1.1 X.509 v3 only
BR_CA_COMMON_NAME = _d(2017, 6, 8)  # Ballot 199 (BR 1.4.8): commonName in CA certificates
BR_IV_POLICY = _d(2015, 9, 28)  # Ballot 151 (BR 1.3.1): the individual-validated policy OID
BR_INTERNAL_NAMES_PROHIBITED = _d(2015, 11, 1)  # BR 1.0 9.2.1 / 4.2.2: internal names sunset
BR_ONION_EV_ONLY = _d(2015, 5, 1)  # Ballot 144: .onion names only per EVG Appendix F (EV)
BR_SHA1_PROHIBITED = _d(2016, 1, 1)  # BR 7.1.3: no SHA-1 subscriber certificates
BR_GIVEN_NAME_SURNAME = _d(2016, 9, 7)  # Ballot 175 (BR 1.4.1): subject givenName / surname
BR_SERIAL_64_BITS = _d(2016, 9, 30)  # Ballot 164: >= 64 bits of CSPRNG output in serials
BR_825_DAYS = _d(2018, 3, 1)  # Ballot 193: validity <= 825 days
BR_UNDERSCORE_PROHIBITED = _d(2019, 4, 1)  # Ballot SC12: no underscores in dNSNames
BR_1_6_2 = _d(2018, 12, 10)  # Ballot SC12 (BR 1.6.2): the underscore sunset period begins
BR_ONION_V3_ANY_VALIDATION = _d(2020, 3, 27)  # Ballot SC27 (BR 1.6.9): v3 .onion in DV/OV/IV
BR_398_DAYS = _d(2020, 9, 1)  # Ballot SC31: validity <= 398 days
BR_CN_COPIED_FROM_SAN = _d(2021, 8, 25)  # Ballot SC48 (BR 1.8.0): CN encoded per 7.1.4.3
BR_OU_REQUIRES_ORGANIZATION = _d(2021, 8, 16)  # Ballot SC47 (BR 1.7.9): no OU without O
BR_RESERVED_LABELS_PROHIBITED = _d(2021, 10, 1)  # Ballot SC48: only P-Labels / non-reserved LDH
BR_OU_PROHIBITED = _d(2022, 9, 1)  # Ballot SC47: subject:organizationalUnitName prohibited
BR_2_0 = _d(2023, 9, 15)  # Ballot SC62: the 7.1.2.x certificate profiles
BR_OCSP_OPTIONAL = _d(2024, 3, 15)  # Ballot SC63: CRL DP required, OCSP optional
# Ballot SC31 (BR 1.7.1) 7.2.2: a CRL entry for a Root or Subordinate CA certificate carries a
# reasonCode, never unspecified (0); revocations from this date.
BR_CA_REVOCATION_REASON_REQUIRED = _d(2020, 9, 30)
# Ballot SC-061 (BR 1.8.7) 7.2.2: only keyCompromise, affiliationChanged, superseded,
# cessationOfOperation and privilegeWithdrawn (or none) for Subscriber certificates revoked
# after July 15, 2023.
BR_SUBSCRIBER_REVOCATION_REASONS = _d(2023, 7, 15)
BR_SHORT_LIVED_7_DAYS = _d(2026, 3, 15)  # Ballot SC63: short-lived means <= 7 days, not 10
BR_200_DAYS = _d(2026, 3, 15)  # Ballot SC081: validity <= 200 days
BR_100_DAYS = _d(2027, 3, 15)  # Ballot SC081: validity <= 100 days
BR_47_DAYS = _d(2029, 3, 15)  # Ballot SC081: validity <= 47 days
BR_REVERSE_ZONE_PROHIBITED = _d(2026, 3, 15)  # Ballot SC-086v3 4.2.2: no in-addr/ip6.arpa names
BR_PRECERTIFICATE_SIGNING_CA_SUNSET = _d(2026, 3, 15)  # Ballot SC-092: 7.1.2.4 profile sunset

# EV Guidelines.
EV_1_0 = _d(2007, 6, 12)
EV_825_DAYS = BR_825_DAYS
EV_BALLOT_193 = _d(2017, 3, 17)  # EVG 1.6.2 (Ballot 193) 9.4: 825 days, effective on adoption
EV_BALLOT_201 = _d(2017, 7, 28)  # Ballot 201: EVG App. F TorServiceDescriptor for .onion names
EV_1_4 = _d(2012, 5, 29)  # EVG 1.4 (Ballot 72): the first version the EVG's own history records
EV_ONION = _d(2015, 2, 18)  # Ballot 144 (EVG 1.5.3): .onion names in EV certificates, App. F
EV_OTHER_SUBJECT_ATTRIBUTES = _d(2019, 4, 16)  # Ballot SC16 (EVG 1.6.9) 9.2.9: no other attributes
EV_ORGANIZATION_IDENTIFIER = _d(2019, 6, 21)  # Ballot SC17 (EVG 1.7.0) 9.2.8, 9.8.2, App. H
EV_CABF_ORGANIZATION_IDENTIFIER_REQUIRED = _d(2020, 1, 31)  # EVG 1.7.0 9.8.2: ext. with orgId
EV_CPS_QUALIFIER_NOT_REQUIRED = _d(2024, 5, 6)  # Ballot SC-72: EVG 9.7 drops the cPSuri MUST

# S/MIME Baseline Requirements 1.0.0 (Ballot SMC01), in force from 2023-09-01: 7.2.2 keeps
# certificateHold (6) off Strict-generation certificates.
SMIME_BR_CRL_REASONS = _d(2023, 9, 1)

# CA/Browser Forum S/MIME Baseline Requirements (1.2.1's tables: the "Additional Compliance
# Date" where a ballot gave one, else the version's publication date).
SMIME_BR_1_0_0 = _d(2023, 9, 1)  # Ballot SMC01 (S/MIME BR 1.0.0): initial implementation date
SMIME_LEGACY_SUNSET = _d(2025, 7, 15)  # Ballot SMC08 (1.0.6) 7.1.6.1: no more Legacy Generation
SMIME_NTR_EUID = _d(2025, 5, 14)  # Ballot SMC011 (1.0.9) 7.1.4.2.2(d) Note 3: EUID for NTR
SMIME_PQC = _d(2025, 8, 22)  # Ballot SMC013 (1.0.11) 6.1.5, 7.1.2.3(e), 7.1.3: ML-DSA, ML-KEM
SMIME_CA_RSA_4096 = _d(2026, 9, 15)  # Ballot SMC017 (1.0.15) 6.1.5: new CA RSA keys >= 4096
SMIME_EKU_EMAIL_AND_CLIENT_ONLY = _d(2027, 7, 1)  # Ballot SMC018 (1.0.16): emailProtection
# (and optionally clientAuth) the only extKeyUsage values, in subordinate CA and subscriber
# certificates alike
SMIME_ISSUER_RSA_3072 = _d(2027, 9, 15)  # Ballot SMC017 (1.0.15) 6.1.5: no subscriber
# certificates from a CA whose RSA modulus is under 3072 bits

# Code Signing Baseline Requirements. Before CSC-1 the same text was the CA Security Council's
# "Minimum Requirements", which Microsoft enforced from 2017-02-01: not a CA/B Forum document, so
# the rules start at its adoption. The dates are those of the CSBR's own revision table (1.2.1).
CS_BR_1_2 = _d(2019, 8, 13)  # Ballot CSC-1 (CS BR 1.2): 9.x, App. A (keys), App. B (extensions)
CS_BR_2_0 = _d(2020, 9, 2)  # Ballot CSC-2 (CS BR 2.0): the EV Code Signing Guidelines merged in
CS_RSA_3072 = _d(2021, 6, 1)  # Ballot CSC-4 (CS BR 2.1), 1.2.2: RSA >= 3072, no SHA-1 certificates
CS_SHA1_TIMESTAMP_END = _d(2022, 5, 1)  # CS BR 7.1.3.2.1: SHA-1 if notBefore "not greater than
# 2022-04-30", for Timestamp Authority certificates only
CS_BR_3_0 = _d(2022, 6, 29)  # Ballot CSC-14 (CS BR 3.0, RFC 3647 layout): 7.1.2.2 / 7.1.2.3 as
# today: cRLDistributionPoints required (App. B (3)(B), (5)(B): "MAY be present" before), OCSP
# only "if the CA provides OCSP responses", emailProtection and the other of codeSigning /
# timeStamping prohibited in a Subordinate CA's extKeyUsage
CS_460_DAYS = _d(2026, 3, 1)  # Ballot CSC-31 (CS BR 3.10) 6.3.2: validity <= 460 days

# ETSI certificate profiles, by the version whose text the rule is checked against (ETSI ENs
# carry a publication month, not an effective date; the first day of that month is used).
ETSI_EN_319_412_5_V2_2_1 = _d(2017, 11, 1)  # EN 319 412-5 V2.2.1 (2017-11): QCStatements
ETSI_EN_319_412_5_V2_4_1 = _d(2023, 9, 1)  # EN 319 412-5 V2.4.1 (2023-09) 4.3.4: https PDS URLs
ETSI_EN_319_412_5_V2_5_0 = _d(2025, 3, 1)  # EN 319 412-5 V2.5.0 (2025-03, published as V2.5.1):
# QcType ::= SEQUENCE SIZE (1) OF OBJECT IDENTIFIER
ETSI_EN_319_412_5_V2_6_1 = _d(2026, 5, 1)  # EN 319 412-5 V2.6.1 QCS-4.1-02A: each statement once
ETSI_EN_319_412_2020 = _d(2020, 7, 1)  # EN 319 412-1 V1.4.2, -2 V2.2.1, -3 V1.2.1 (2020-07):
# semantics identifiers, natural- and legal-person subjects, key usage types A to F
ETSI_TS_119_495_V1_1_1 = _d(2018, 5, 1)  # TS 119 495 V1.1.1 (2018-05): PSD2 qcStatement, roles

# Root programs.
MOZILLA_POLICY_2_4 = _d(2017, 2, 28)  # MRSP 2.4 5.1: RSA >= 2048 and % 8, P-256/P-384, no DSA
MOZILLA_POLICY_2_7 = _d(2020, 1, 1)  # Mozilla Root Store Policy 2.7: EC curve / RSA rules
MOZILLA_POLICY_3_0 = _d(2025, 3, 15)  # MRSP 3.0 5.1: P-521 (and ECDSA with SHA-512) allowed
MOZILLA_POLICY_2_2 = _d(2013, 7, 26)  # Mozilla CA Certificate Policy 2.2: forbidden AKI form (5.2)
MOZILLA_INTERMEDIATE_EKU = _d(2019, 1, 1)  # MRSP 5.3: intermediates "created after January 1, 2019"
APPLE_CT = _d(2018, 10, 15)  # Apple CT policy (HT205280): TLS certificates must be CT-qualified
APPLE_CT_2021 = _d(2021, 4, 21)  # Apple CT policy: 2 SCTs up to 180 days, 3 above
CHROME_TLS_ONLY_SUBORDINATES = _d(2026, 6, 15)  # Chrome policy 1.3.2(1): sub-CA EKU serverAuth only
CHROME_TLS_ONLY_SUBSCRIBERS = _d(2027, 3, 15)  # Chrome policy 1.3.2(2): leaf EKU serverAuth only

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
RFC_3279 = _d(2002, 4, 1)  # RFC 3279 2.3: key usages allowed with RSA, DSA and EC keys
RFC_3490 = _d(2003, 3, 1)  # IDNA2003: xn-- labels are Punycode of a Unicode label
RFC_5280 = _d(2008, 5, 1)
RFC_5480 = _d(2009, 3, 1)  # RFC 5480 3: key usages of id-ecPublicKey end-entity certificates
RFC_6818 = _d(2013, 1, 1)  # RFC 6818 s3 (January 2013): how explicitText is encoded
RFC_6962 = _d(2013, 6, 1)  # Certificate Transparency: precertificates and their poison
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
BR_SHORT_LIVED_7_DAYS = _d(2026, 3, 15)  # Ballot SC63: short-lived means <= 7 days, not 10
BR_200_DAYS = _d(2026, 3, 15)  # Ballot SC081: validity <= 200 days
BR_100_DAYS = _d(2027, 3, 15)  # Ballot SC081: validity <= 100 days
BR_47_DAYS = _d(2029, 3, 15)  # Ballot SC081: validity <= 47 days
BR_REVERSE_ZONE_PROHIBITED = _d(2026, 3, 15)  # Ballot SC-086v3 4.2.2: no in-addr/ip6.arpa names

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

"""Every date a rule takes effect or is retired, named once.

Dates are UTC midnights. A certificate is judged by the rules in force at its notBefore.
"""

from __future__ import annotations

from datetime import UTC, datetime


def _d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


ALWAYS = _d(1950, 1, 1)  # before any certificate worth auditing

# RFC 5280 (May 2008) and its predecessor RFC 3280 (April 2002).
RFC_3280 = _d(2002, 4, 1)
RFC_5280 = _d(2008, 5, 1)

# CA/Browser Forum Baseline Requirements.
BR_1_0 = _d(2012, 7, 1)  # BR 1.0 effective date ("CABEffectiveDate")
BR_INTERNAL_NAMES_PROHIBITED = _d(2015, 11, 1)  # BR 1.0 9.2.1 / 4.2.2: internal names sunset
BR_SHA1_PROHIBITED = _d(2016, 1, 1)  # BR 7.1.3: no SHA-1 subscriber certificates
BR_SERIAL_64_BITS = _d(2016, 9, 30)  # Ballot 164: >= 64 bits of CSPRNG output in serials
BR_825_DAYS = _d(2018, 3, 1)  # Ballot 193: validity <= 825 days
BR_UNDERSCORE_PROHIBITED = _d(2019, 4, 1)  # Ballot SC12: no underscores in dNSNames
BR_398_DAYS = _d(2020, 9, 1)  # Ballot SC31: validity <= 398 days
BR_OU_PROHIBITED = _d(2022, 9, 1)  # Ballot SC47: subject:organizationalUnitName prohibited
BR_2_0 = _d(2023, 9, 15)  # Ballot SC62: the 7.1.2.x certificate profiles
BR_OCSP_OPTIONAL = _d(2024, 3, 15)  # Ballot SC63: CRL DP required, OCSP optional
BR_200_DAYS = _d(2026, 3, 15)  # Ballot SC081: validity <= 200 days
BR_100_DAYS = _d(2027, 3, 15)  # Ballot SC081: validity <= 100 days
BR_47_DAYS = _d(2029, 3, 15)  # Ballot SC081: validity <= 47 days

# EV Guidelines.
EV_1_0 = _d(2007, 6, 12)
EV_825_DAYS = BR_825_DAYS

# Root programs.
MOZILLA_POLICY_2_7 = _d(2020, 1, 1)  # Mozilla Root Store Policy 2.7: EC curve / RSA rules

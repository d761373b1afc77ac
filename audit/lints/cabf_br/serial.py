"""BR 7.1: serial numbers with at least 64 bits of CSPRNG output.

What one certificate can show is limited. A serial number is a number: its bits cannot be
told apart into random and fixed ones, so a long serial proves nothing (a CA may pad a counter
to 16 octets), and a short one is only suspicious (64 random bits fall below 2^56, fewer than
8 octets, once in 256 certificates). That is why this is a warning on length alone, the check
zlint's w_serial_number_low_entropy made until zlint removed it in 2019 (zmap/zlint#292) for
its false positives. The real test of the requirement needs the population: duplicate or
sequential serials under one issuer, and the distribution of serial lengths, are population
lints.
"""

from __future__ import annotations

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


@lint(
    name="serial_number_at_least_64_bits",
    description="The serial number has at least 8 octets of magnitude, the minimum that can "
    "hold 64 bits of CSPRNG output. A warning, not an error: one compliant serial in 256 is "
    "shorter by chance, and a long serial is no proof of entropy (see the module notes). "
    "zlint no longer has this check.",
    citation="BR 7.1; BR 1.3.7 (Ballot 164)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_SERIAL_64_BITS,
)
def serial_number_at_least_64_bits(cert: CertView) -> Outcome:
    magnitude = abs(cert.serial)
    octets = (magnitude.bit_length() + 7) // 8
    if octets < 8:
        return fail(
            f"serial number {cert.serial_hex} has {magnitude.bit_length()} bits "
            f"({octets} octets): too short to hold 64 bits of CSPRNG output"
        )
    return PASS

"""RFC 5280 4.1.2.2: the certificate serial number."""

from __future__ import annotations

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


@lint(
    name="serial_number_positive",
    description="The serial number is a positive integer (not zero, not negative). RFC 3280 "
    "introduced the rule (RFC 2459 did not state it).",
    citation="RFC 5280 4.1.2.2; RFC 3280 4.1.2.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    zlint=("e_serial_number_not_positive",),
)
def serial_number_positive(cert: CertView) -> Outcome:
    if cert.serial <= 0:
        return fail(f"serial number {cert.serial_hex} is not positive")
    return PASS


@lint(
    name="serial_number_at_most_20_octets",
    description="The serial number is no longer than 20 octets as DER encodes it, sign octet "
    "included (so a positive serial is below 2^159). Judged on the minimal encoding of the "
    "value; a padded, non-minimal encoding is a DER error for the decoding lint.",
    citation="RFC 5280 4.1.2.2; RFC 3280 4.1.2.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    zlint=("e_serial_number_longer_than_20_octets",),
)
def serial_number_at_most_20_octets(cert: CertView) -> Outcome:
    length = len(cert.serial_bytes)
    if length > 20:
        return fail(f"serial number {cert.serial_hex} is {length} octets long")
    return PASS

"""S/MIME BR 7.1, 7.1.1 and 7.1.4.2.2(d): version, serial number and string types of subscriber
certificates (the encodings RFC 5280 sets for every certificate are the rfc5280 lints')."""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.names import PRINTABLE_STRING, UTF8_STRING
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_smime._shared import SMIME_BR


@lint(
    name="smime_certificate_version_3",
    description="An S/MIME subscriber certificate is an X.509 v3 certificate.",
    citation="S/MIME BR 7.1.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def certificate_version_3(cert: CertView) -> Outcome:
    if cert.version != 3:
        return fail(f"certificate is X.509 v{cert.version}, not v3")
    return PASS


@lint(
    name="smime_serial_number_at_least_64_bits",
    description="The serial number has at least 8 octets of magnitude, the least that holds 64 "
    "bits of CSPRNG output. A warning: one compliant serial in 256 is shorter by chance. "
    "(Greater than zero and less than 2^159 are RFC 5280's rules too: "
    "rfc5280.serial_number_positive, serial_number_at_most_20_octets.)",
    citation="S/MIME BR 7.1",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def serial_number_at_least_64_bits(cert: CertView) -> Outcome:
    bits = abs(cert.serial).bit_length()
    if bits <= 56:
        return fail(f"serial number {cert.serial_hex} has {bits} bits: too short to hold 64 bits "
                    "of CSPRNG output")  # fmt: skip
    return PASS


@lint(
    name="smime_organization_identifier_string_type",
    description="subject:organizationIdentifier is encoded as a PrintableString or a UTF8String.",
    citation="S/MIME BR 7.1.4.2.2(d)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(oids.ORGANIZATION_IDENTIFIER),
)
def organization_identifier_string_type(cert: CertView) -> Outcome:
    bad = [
        a for a in cert.subject.attributes
        if a.oid == oids.ORGANIZATION_IDENTIFIER and a.tag not in (PRINTABLE_STRING, UTF8_STRING)
    ]  # fmt: skip
    if bad:
        return fail(f"organizationIdentifier {bad[0].value[:100]!r} is encoded with ASN.1 "
                    f"tag {bad[0].tag}, not as a PrintableString or UTF8String")  # fmt: skip
    return PASS

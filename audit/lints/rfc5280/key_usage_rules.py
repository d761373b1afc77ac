"""keyUsage: its DER encoding (RFC 5280 4.2.1.3) and the bits each key type and purpose allow
(RFC 3279 2.3, RFC 5480 3, RFC 5280 4.2.1.12).

The encoding lints read the BIT STRING from the DER (`CertView.encoded_extension`): decoders
give the same set of usages for '03 02 05 a0' and '03 03 05 a0 00'.
"""

from __future__ import annotations

from asn1crypto import parser as asn1_parser

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

END_ENTITY = profiles.ANY - profiles.CA
_BIT_STRING = 3

# The names of the bits in RFC 5280's order, as CertView.key_usage spells them.
BIT_NAMES = {
    "digital_signature": "digitalSignature", "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment", "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement", "key_cert_sign": "keyCertSign", "crl_sign": "cRLSign",
    "encipher_only": "encipherOnly", "decipher_only": "decipherOnly",
}  # fmt: skip


def _names(bits: frozenset[str] | set[str]) -> str:
    return ", ".join(BIT_NAMES.get(b, b) for b in BIT_NAMES if b in bits) or "none"


# -- the BIT STRING's encoding ---------------------------------------------------------------


def _bit_string(cert: CertView) -> tuple[int, bytes] | None:
    """(unused-bits count, the octets) of keyUsage's BIT STRING; None if it is no BIT STRING."""
    ext = cert.encoded_extension(oids.KEY_USAGE)
    if ext is None or not ext.value:
        return None
    value = ext.value
    if (
        value[0] == _BIT_STRING
        and len(value) >= 2
        and value[1] < 0x80
        and 2 + value[1] <= len(value)
    ):
        contents = value[2 : 2 + value[1]]  # the common shape (a short BIT STRING) read in place
        return (contents[0], contents[1:]) if contents else None
    cls, _, tag, _, contents, _ = asn1_parser.parse(value, strict=False)
    if cls != 0 or tag != _BIT_STRING or not contents:
        return None
    return contents[0], contents[1:]


def _trailing_zero_bits(octet: int) -> int:
    return (octet & -octet).bit_length() - 1


@lint(
    name="key_usage_unused_bits_der",
    description="The keyUsage BIT STRING's unused-bits count equals the trailing zero bits of "
    "its last octet: DER removes trailing 0 bits from a named bit list (X.690 11.2.2), so "
    "'03 02 07 80' encodes digitalSignature, not '03 02 05 80'. (A last octet that is all "
    "zero is key_usage_no_trailing_zero_octets.)",
    citation="RFC 5280 4.2.1.3; ITU-T X.690 11.2.2; ITU-T X.680 22.7",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    needs=(oids.KEY_USAGE,),
    zlint=("e_incorrect_ku_encoding",),
)
def key_usage_unused_bits_der(cert: CertView) -> Outcome:
    bits = _bit_string(cert)
    if bits is None:
        return fail("keyUsage is not a BIT STRING")
    unused, octets = bits
    if not octets:
        return (
            PASS
            if unused == 0
            else fail(f"empty keyUsage BIT STRING declares {unused} unused bits")
        )
    if octets[-1] == 0:
        return PASS
    expected = _trailing_zero_bits(octets[-1])
    if unused != expected:
        return fail(
            f"keyUsage BIT STRING {octets.hex()} declares {unused} unused bits; its last octet "
            f"ends in {expected} zero bits, so DER declares {expected}"
        )
    return PASS


@lint(
    name="key_usage_no_trailing_zero_octets",
    description="The keyUsage BIT STRING does not end in a zero octet: DER removes trailing 0 "
    "bits from a named bit list (X.690 11.2.2), so a last octet with no bit set is superfluous.",
    citation="RFC 5280 4.2.1.3; ITU-T X.690 11.2.2; ITU-T X.680 22.7",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    needs=(oids.KEY_USAGE,),
    zlint=("e_superfluous_ku_encoding",),
)
def key_usage_no_trailing_zero_octets(cert: CertView) -> Outcome:
    bits = _bit_string(cert)
    if bits is not None and bits[1][-1:] == b"\x00":
        return fail(f"keyUsage BIT STRING {bits[1].hex()} ends in a zero octet")
    return PASS


@lint(
    name="key_usage_at_most_nine_bits",
    description="keyUsage asserts no bit past decipherOnly (8): KeyUsage names nine bits, so "
    "at most two octets can carry one. zlint dates the rule from RFC 5280; RFC 2459 4.2.1.3 "
    "defined the same nine bits.",
    citation="RFC 5280 4.2.1.3 (also RFC 2459 4.2.1.3)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.KEY_USAGE,),
    zlint=("e_key_usage_incorrect_length",),
)
def key_usage_at_most_nine_bits(cert: CertView) -> Outcome:
    bits = _bit_string(cert)
    if bits is None:
        return PASS  # key_usage_unused_bits_der reports it
    beyond = [
        8 * i + 7 - b
        for i, octet in enumerate(bits[1][1:], start=1)
        for b in range(8)
        if octet >> b & 1 and 8 * i + 7 - b > 8
    ]
    if beyond:
        return fail(f"keyUsage asserts bits {sorted(beyond)[:10]} beyond decipherOnly (8)")
    return PASS


# -- bits allowed by key type (RFC 3279 2.3, RFC 5480 3) ------------------------------------


def _asserts_only(cert: CertView, allowed: frozenset[str], who: str) -> Outcome:
    """keyUsage asserts no bit outside `allowed`."""
    extra = (cert.key_usage or frozenset()) - allowed
    if extra:
        return fail(f"{who} asserts {_names(extra)}")
    return PASS


def _rsa_with_key_usage(cert: CertView) -> bool:
    return cert.public_key_algorithm == oids.RSA_ENCRYPTION and cert.key_usage is not None


RSA_CA_BITS = frozenset(
    {"digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
     "key_cert_sign", "crl_sign"}
)  # fmt: skip
RSA_END_ENTITY_BITS = frozenset(
    {"digital_signature", "content_commitment", "key_encipherment", "data_encipherment"}
)


@lint(
    name="rsa_ca_key_usage_allowed",
    description="A CA certificate with an RSA key asserts only digitalSignature, "
    "nonRepudiation, keyEncipherment, dataEncipherment, keyCertSign and cRLSign: an RSA key "
    "cannot do key agreement.",
    citation="RFC 3279 2.3.1",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.RFC_3279,
    when=_rsa_with_key_usage,
    zlint=("e_rsa_allowed_ku_ca",),
)
def rsa_ca_key_usage_allowed(cert: CertView) -> Outcome:
    return _asserts_only(cert, RSA_CA_BITS, "RSA CA certificate")


@lint(
    name="rsa_end_entity_key_usage_allowed",
    description="An end-entity certificate with an RSA key asserts only digitalSignature, "
    "nonRepudiation, keyEncipherment and dataEncipherment: no keyAgreement (RSA cannot do it) "
    "and no keyCertSign or cRLSign (it is no CA).",
    citation="RFC 3279 2.3.1",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.RFC_3279,
    when=_rsa_with_key_usage,
    zlint=("e_rsa_allowed_ku_ee",),
)
def rsa_end_entity_key_usage_allowed(cert: CertView) -> Outcome:
    return _asserts_only(cert, RSA_END_ENTITY_BITS, "RSA end-entity certificate")


@lint(
    name="rsa_ca_key_usage_no_encipherment",
    description="A CA certificate with an RSA key that asserts keyCertSign or cRLSign asserts "
    "neither keyEncipherment nor dataEncipherment (RFC 3279 RECOMMENDS against it, hence a "
    "warning; zlint reports an error).",
    citation="RFC 3279 2.3.1",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.CA,
    effective=dates.RFC_3279,
    when=_rsa_with_key_usage,
    zlint=("e_rsa_allowed_ku_no_encipherment_ca",),
)
def rsa_ca_key_usage_no_encipherment(cert: CertView) -> Outcome:
    usage = cert.key_usage or frozenset()
    if usage & {"key_cert_sign", "crl_sign"}:
        both = usage & {"key_encipherment", "data_encipherment"}
        if both:
            return fail(f"RSA CA certificate with {_names(usage & {'key_cert_sign', 'crl_sign'})} "
                        f"also asserts {_names(both)}")  # fmt: skip
    return PASS


ECDSA_END_ENTITY_BITS = frozenset(
    {"digital_signature", "content_commitment", "key_agreement", "encipher_only", "decipher_only"}
)


@lint(
    name="ecdsa_end_entity_key_usage",
    description="An end-entity certificate with an id-ecPublicKey key asserts only "
    "digitalSignature, nonRepudiation and keyAgreement (with keyAgreement, encipherOnly or "
    "decipherOnly). A notice, as in zlint: RFC 5480 says which bits MAY be present. zlint "
    "dates it from the BR (2012-07-01); the rule is RFC 5480's (March 2009).",
    citation="RFC 5480 3",
    source=Source.RFC5280,
    severity=Status.NOTICE,
    applies=END_ENTITY,
    effective=dates.RFC_5480,
    when=lambda cert: (
        cert.public_key_algorithm == oids.EC_PUBLIC_KEY and cert.key_usage is not None
    ),
    zlint=("n_ecdsa_ee_invalid_ku",),
)
def ecdsa_end_entity_key_usage(cert: CertView) -> Outcome:
    return _asserts_only(cert, ECDSA_END_ENTITY_BITS, "id-ecPublicKey end-entity certificate")


# -- keyUsage and extKeyUsage agree (RFC 5280 4.2.1.12) ----------------------------------------

# "Key usage bits that may be consistent" with each purpose RFC 5280 4.2.1.12 defines, and the
# pairs that purpose lets stand only one of ("keyEncipherment or keyAgreement").
_PURPOSE_BITS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    oids.EKU_SERVER_AUTH: (
        "serverAuth",
        frozenset({"digital_signature", "key_encipherment", "key_agreement"}),
        frozenset({"key_encipherment", "key_agreement"}),
    ),
    oids.EKU_CLIENT_AUTH: (
        "clientAuth", frozenset({"digital_signature", "key_agreement"}), frozenset()
    ),
    oids.EKU_CODE_SIGNING: ("codeSigning", frozenset({"digital_signature"}), frozenset()),
    oids.EKU_EMAIL_PROTECTION: (
        "emailProtection",
        frozenset({"digital_signature", "content_commitment", "key_encipherment", "key_agreement"}),
        frozenset({"key_encipherment", "key_agreement"}),
    ),
    oids.EKU_TIME_STAMPING: (
        "timeStamping", frozenset({"digital_signature", "content_commitment"}), frozenset()
    ),
    oids.EKU_OCSP_SIGNING: (
        "OCSPSigning", frozenset({"digital_signature", "content_commitment"}), frozenset()
    ),
}  # fmt: skip
_AGREEMENT_QUALIFIERS = frozenset({"encipher_only", "decipher_only"})


@lint(
    name="key_usage_consistent_with_eku",
    description="In an end-entity certificate with both extensions, the key usage bits are "
    "consistent with the purposes in extKeyUsage, as RFC 5280 4.2.1.12 lists them (serverAuth: "
    "digitalSignature, keyEncipherment or keyAgreement; clientAuth: digitalSignature and/or "
    "keyAgreement; codeSigning: digitalSignature; emailProtection: digitalSignature, "
    "nonRepudiation, and/or keyEncipherment or keyAgreement; timeStamping and OCSPSigning: "
    "digitalSignature and/or nonRepudiation). With one purpose, every bit is one it allows; "
    "with several, every bit is one that some purpose allows. Purposes RFC 5280 does not "
    "define, and anyExtendedKeyUsage, are not judged. encipherOnly and decipherOnly go with "
    "keyAgreement.",
    citation="RFC 5280 4.2.1.12 (also RFC 2459 4.2.1.13)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.RFC_2459,
    when=lambda cert: cert.key_usage is not None and cert.eku is not None,
    needs=(oids.KEY_USAGE, oids.EXTENDED_KEY_USAGE),
    zlint=("e_key_usage_and_extended_key_usage_inconsistent",),
)
def key_usage_consistent_with_eku(cert: CertView) -> Outcome:
    eku = cert.eku or ()
    if oids.EKU_ANY in eku:
        return PASS
    purposes = [_PURPOSE_BITS[p] for p in dict.fromkeys(eku) if p in _PURPOSE_BITS]
    usage = cert.key_usage or frozenset()
    if "key_agreement" in usage:
        usage = usage - _AGREEMENT_QUALIFIERS
    if not purposes or not usage:
        return PASS
    if len(purposes) == 1:
        name, allowed, only_one = purposes[0]
        extra = usage - allowed
        if extra:
            return fail(f"keyUsage {_names(extra)} is inconsistent with extKeyUsage {name}")
        if only_one and only_one <= usage:
            return fail(f"extKeyUsage {name} allows {_names(only_one).replace(', ', ' or ')}, "
                        "not both")  # fmt: skip
        return PASS
    allowed_by_some = frozenset().union(*(allowed for _, allowed, _ in purposes))
    extra = usage - allowed_by_some
    if extra:
        names = ", ".join(name for name, _, _ in purposes)
        return fail(f"keyUsage {_names(extra)} is consistent with none of extKeyUsage {names}")
    return PASS

"""S/MIME BR 6.1.5, 6.1.6 and 7.1.3: subscriber keys and the algorithms that sign certificates.

7.1.3.1 lists the subjectPublicKeyInfo AlgorithmIdentifiers allowed, byte for byte ("No other
encodings are permitted"), which also settles 6.1.5's key types and curves; Ballot SMC013 added
ML-DSA and ML-KEM on 22 August 2025. 7.1.3.2 does the same for signature algorithms.
"""

from __future__ import annotations

import gmpy2

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.keys import SMALL_PRIMES_PRODUCT, is_rsa
from audit.lints.cabf_smime._shared import SMIME_BR


def _hex(*encodings: str) -> dict[bytes, str]:
    return {bytes.fromhex(h.split()[0]): h.split(maxsplit=1)[1] for h in encodings}


# 7.1.3.1.1-7.1.3.1.3 (S/MIME BR 1.0.0).
CLASSIC_KEYS = _hex(
    "300d06092a864886f70d0101010500 RSA",
    "301306072a8648ce3d020106082a8648ce3d030107 P-256",
    "301006072a8648ce3d020106052b81040022 P-384",
    "301006072a8648ce3d020106052b81040023 P-521",
    "300506032b6570 Ed25519",
    "300506032b6571 Ed448",
)
# 7.1.3.1.4-7.1.3.1.5 (Ballot SMC013).
PQC_KEYS = _hex(
    "300b0609608648016503040311 ML-DSA-44",
    "300b0609608648016503040312 ML-DSA-65",
    "300b0609608648016503040313 ML-DSA-87",
    "300b0609608648016503040401 ML-KEM-512",
    "300b0609608648016503040402 ML-KEM-768",
    "300b0609608648016503040403 ML-KEM-1024",
)
# 7.1.3.2.1-7.1.3.2.3 (S/MIME BR 1.0.0).
CLASSIC_SIGNATURES = _hex(
    "300d06092a864886f70d01010b0500 RSASSA-PKCS1-v1_5 with SHA-256",
    "300d06092a864886f70d01010c0500 RSASSA-PKCS1-v1_5 with SHA-384",
    "300d06092a864886f70d01010d0500 RSASSA-PKCS1-v1_5 with SHA-512",
    "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d0101"
    "08300d06096086480165030402010500a203020120 RSASSA-PSS with SHA-256",
    "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d0101"
    "08300d06096086480165030402020500a203020130 RSASSA-PSS with SHA-384",
    "304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886f70d0101"
    "08300d06096086480165030402030500a203020140 RSASSA-PSS with SHA-512",
    "300a06082a8648ce3d040302 ECDSA with SHA-256",
    "300a06082a8648ce3d040303 ECDSA with SHA-384",
    "300a06082a8648ce3d040304 ECDSA with SHA-512",
    "300506032b6570 Ed25519",
    "300506032b6571 Ed448",
)
# 7.1.3.2.4 (Ballot SMC013).
PQC_SIGNATURES = _hex(
    "300b0609608648016503040311 ML-DSA-44",
    "300b0609608648016503040312 ML-DSA-65",
    "300b0609608648016503040313 ML-DSA-87",
)
_RSA_SIGNATURES = frozenset(
    {oids.SHA256_WITH_RSA, oids.SHA384_WITH_RSA, oids.SHA512_WITH_RSA, oids.RSASSA_PSS}
)


def _key_outcome(cert: CertView, allowed: dict[bytes, str]) -> Outcome:
    encoded = cert.encoded_algorithms.public_key
    if encoded in allowed:
        return PASS
    return fail(f"subjectPublicKeyInfo algorithm {encoded.hex()[:120]} is not one of "
                f"{', '.join(allowed.values())}")  # fmt: skip


@lint(
    name="smime_key_algorithm_encoding",
    description="The subjectPublicKeyInfo AlgorithmIdentifier is byte for byte one that "
    "S/MIME BR 1.0.0 lists: rsaEncryption with NULL parameters, id-ecPublicKey on P-256, "
    "P-384 or P-521 as a named curve, id-Ed25519 or id-Ed448. (Superseded by the list with "
    "ML-DSA and ML-KEM from 22 August 2025.)",
    citation="S/MIME BR 7.1.3.1; S/MIME BR 6.1.5",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    ineffective=dates.SMIME_PQC,
    zlint=("e_invalid_legacy_spki_algoid",),
)
def key_algorithm_encoding(cert: CertView) -> Outcome:
    return _key_outcome(cert, CLASSIC_KEYS)


@lint(
    name="smime_key_algorithm_encoding_pqc",
    description="The subjectPublicKeyInfo AlgorithmIdentifier is byte for byte one that the "
    "S/MIME BR list from 22 August 2025: those of 1.0.0, and ML-DSA-44/65/87 and "
    "ML-KEM-512/768/1024 without parameters.",
    citation="S/MIME BR 7.1.3.1; S/MIME BR 6.1.5; S/MIME BR 1.0.11 (Ballot SMC013)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_PQC,
    zlint=("e_invalid_spki_algoid",),
)
def key_algorithm_encoding_pqc(cert: CertView) -> Outcome:
    return _key_outcome(cert, CLASSIC_KEYS | PQC_KEYS)


@lint(
    name="smime_signature_algorithm_encoding",
    description="The certificate's signatureAlgorithm (and so the TBS signature field, which "
    "RFC 5280 requires to match) is byte for byte one the S/MIME BR list: RSASSA-PKCS1-v1_5 "
    "or RSASSA-PSS with SHA-256/384/512 in the listed encodings, ECDSA with SHA-256/384/512, "
    "Ed25519, Ed448, and from 22 August 2025 ML-DSA-44/65/87.",
    citation="S/MIME BR 7.1.3.2; S/MIME BR 1.0.11 (Ballot SMC013)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def signature_algorithm_encoding(cert: CertView) -> Outcome:
    return signature_outcome(cert)


def signature_outcome(cert: CertView) -> Outcome:
    """signatureAlgorithm's encoding against 7.1.3.2's list at the date judged by (also of
    S/MIME CA certificates)."""
    allowed = CLASSIC_SIGNATURES
    if cert.judged_at >= dates.SMIME_PQC:
        allowed = allowed | PQC_SIGNATURES
    encoded = cert.encoded_algorithms.signature
    if encoded not in allowed:
        return fail(f"signatureAlgorithm {encoded.hex()[:120]} is not one of the encodings "
                    "S/MIME BR 7.1.3.2 lists")  # fmt: skip
    return PASS


@lint(
    name="smime_rsa_modulus_size",
    description="An RSA modulus is at least 2048 bits and its size in bits is divisible by 8.",
    citation="S/MIME BR 6.1.5",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=is_rsa,
)
def rsa_modulus_size(cert: CertView) -> Outcome:
    return rsa_size_outcome(cert, 2048)


def rsa_size_outcome(cert: CertView, minimum: int) -> Outcome:
    bits = cert.key.bits or 0
    if bits < minimum:
        return fail(f"RSA modulus is {bits} bits, fewer than {minimum}")
    if bits % 8:
        return fail(f"RSA modulus is {bits} bits, not a multiple of 8")
    return PASS


@lint(
    name="smime_rsa_public_exponent",
    description="The RSA public exponent is an odd number, 3 or more.",
    citation="S/MIME BR 6.1.6",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=is_rsa,
)
def rsa_public_exponent(cert: CertView) -> Outcome:
    exponent = cert.key.rsa_exponent or 0
    if exponent < 3 or exponent % 2 == 0:
        shown = exponent if exponent.bit_length() <= 64 else f"a {exponent.bit_length()}-bit number"
        return fail(f"RSA public exponent {shown} is not an odd number of 3 or more")
    return PASS


@lint(
    name="smime_rsa_parameters_recommended",
    description="The RSA public exponent SHOULD be in 2^16 + 1 .. 2^256 - 1, and the modulus "
    "SHOULD be odd with no factor smaller than 752. (That it is not the power of a prime "
    "would need a primality test per certificate; not checked.)",
    citation="S/MIME BR 6.1.6",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=is_rsa,
)
def rsa_parameters_recommended(cert: CertView) -> Outcome:
    exponent = cert.key.rsa_exponent or 0
    if not 2**16 + 1 <= exponent <= 2**256 - 1:
        shown = exponent if exponent.bit_length() <= 64 else f"a {exponent.bit_length()}-bit number"
        return fail(f"RSA public exponent {shown} is outside 2^16+1 .. 2^256-1")
    if gmpy2.gcd(cert.key.rsa_modulus or 0, SMALL_PRIMES_PRODUCT) != 1:
        return fail("RSA modulus has a factor smaller than 752")
    return PASS


@lint(
    name="smime_issuer_rsa_modulus_at_least_3072",
    description="From 15 September 2027 no S/MIME subscriber certificate is signed by a CA "
    "whose RSA modulus is under 3072 bits. An RSA signature is as long as the signer's "
    "modulus, so the certificate's own signature shows it.",
    citation="S/MIME BR 6.1.5; S/MIME BR 1.0.15 (Ballot SMC017)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_ISSUER_RSA_3072,
    when=lambda cert: cert.signature_algorithm in _RSA_SIGNATURES,
)
def issuer_rsa_modulus_at_least_3072(cert: CertView) -> Outcome:
    bits = len(cert.signature_value) * 8
    if bits < 3072:
        return fail(f"signed with an RSA key of about {bits} bits (the signature's length), "
                    "fewer than 3072")  # fmt: skip
    return PASS

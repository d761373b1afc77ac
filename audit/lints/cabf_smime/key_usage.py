"""S/MIME BR 7.1.2.3(e): keyUsage of subscriber certificates, by key type and generation.

For RSA and EC keys the table names three uses: signing only, key management only, and dual
use; a certificate's bits must be those of one use (the bits the use requires, and any it
allows), and "other bit positions SHALL NOT be set". Two lints per key type split that the way
zlint does: one judges a certificate that asserts a use's required bit (digitalSignature, or
keyEncipherment / keyAgreement) by that use's row; the other fails a keyUsage that asserts
neither, whose bits then fit no use at all. EdDSA, ML-DSA and ML-KEM keys have a single use.
(keyUsage SHOULD be critical: RFC 5280's rule, rfc5280.key_usage_critical.)
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_smime._shared import NOT_STRICT, SMIME_BR, STRICT
from audit.lints.rfc5280.key_usage_rules import BIT_NAMES  # X.509 names, for messages

DS, NR, KE, DE = "digital_signature", "content_commitment", "key_encipherment", "data_encipherment"
KA, EO, DO = "key_agreement", "encipher_only", "decipher_only"

ML_DSA = frozenset(
    {"2.16.840.1.101.3.4.3.17", "2.16.840.1.101.3.4.3.18", "2.16.840.1.101.3.4.3.19"}
)
ML_KEM = frozenset({"2.16.840.1.101.3.4.4.1", "2.16.840.1.101.3.4.4.2", "2.16.840.1.101.3.4.4.3"})


def _names(bits: frozenset[str] | set[str]) -> str:
    return ", ".join(sorted(BIT_NAMES.get(b, b) for b in bits))


def _use_outcome(cert: CertView, sign: str, manage: str, allowed_manage: set[str]) -> Outcome:
    """The keyUsage bits judged by the use they assert: signing (`sign` set: digitalSignature,
    and nonRepudiation allowed), key management (`manage` set, with `allowed_manage`), or both."""
    bits = cert.key_usage or frozenset()
    allowed: set[str] = set()
    uses = []
    if sign in bits:
        allowed |= {sign, NR}
        uses.append("signing")
    if manage in bits:
        allowed |= {manage} | allowed_manage
        uses.append("key management")
    extra = bits - allowed
    if extra:
        use = " and ".join(uses)
        return fail(f"keyUsage of a {use} certificate also asserts {_names(extra)}")
    return PASS


def _asserts_a_use(cert: CertView, sign: str, manage: str) -> Outcome:
    """Fails a keyUsage that asserts neither `sign` nor `manage`: its bits fit no use."""
    bits = cert.key_usage or frozenset()
    if bits and sign not in bits and manage not in bits:
        return fail(
            f"keyUsage asserts neither {BIT_NAMES[sign]} nor {BIT_NAMES[manage]}: {_names(bits)}"
        )
    return PASS


def _asserts(*required: str):  # type: ignore[no-untyped-def]
    """A `when`: the keyUsage asserts one of `required` (the certificate claims a use)."""
    wanted = frozenset(required)

    def asserts(cert: CertView) -> bool:
        return not wanted.isdisjoint(cert.key_usage or ())

    return asserts


def _is(algorithm: str):  # type: ignore[no-untyped-def]
    """A `when`: the key is of this kind and keyUsage asserts some bit (an empty keyUsage is
    rfc5280.key_usage_has_bits's to report)."""

    def key_is(cert: CertView) -> bool:
        return cert.key_algorithm == algorithm and bool(cert.key_usage)

    return key_is


def _rsa_asserting_a_use(cert: CertView) -> bool:
    return cert.key_algorithm == "rsa" and _asserts(DS, KE)(cert)


def _ec_asserting_a_use(cert: CertView) -> bool:
    return cert.key_algorithm == "ec" and _asserts(DS, KA)(cert)


@lint(
    name="smime_key_usage_present",
    description="An S/MIME subscriber certificate has a keyUsage extension.",
    citation="S/MIME BR 7.1.2.3(e)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_key_usage_presence",),
)
def key_usage_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.KEY_USAGE):
        return fail("no keyUsage extension")
    return PASS


# -- RSA ----------------------------------------------------------------------------------------


@lint(
    name="smime_rsa_key_usage_strict",
    description="The keyUsage of a Strict Generation certificate with an RSA key is that of one "
    "use: signing (digitalSignature; nonRepudiation allowed), key management "
    "(keyEncipherment alone) or dual use (both, nonRepudiation allowed); no other bits.",
    citation="S/MIME BR 7.1.2.3(e) (rsaEncryption, Strict)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=STRICT,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.KEY_USAGE,),
    when=_rsa_asserting_a_use,
    zlint=("e_rsa_key_usage_strict",),
)
def rsa_key_usage_strict(cert: CertView) -> Outcome:
    return _use_outcome(cert, DS, KE, set())


@lint(
    name="smime_rsa_key_usage_legacy_multipurpose",
    description="The keyUsage of a Multipurpose or Legacy Generation certificate with an RSA "
    "key is that of one use: signing (digitalSignature; nonRepudiation allowed), key "
    "management (keyEncipherment; dataEncipherment allowed) or dual use (both; "
    "nonRepudiation and dataEncipherment allowed); no other bits.",
    citation="S/MIME BR 7.1.2.3(e) (rsaEncryption, Multipurpose and Legacy)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_STRICT,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.KEY_USAGE,),
    when=_rsa_asserting_a_use,
    zlint=("e_rsa_key_usage_legacy_multipurpose",),
)
def rsa_key_usage_legacy_multipurpose(cert: CertView) -> Outcome:
    return _use_outcome(cert, DS, KE, {DE})


@lint(
    name="smime_rsa_key_usage_asserts_a_use",
    description="The keyUsage of an S/MIME certificate with an RSA key asserts digitalSignature "
    "or keyEncipherment: bits without either fit none of the uses the table allows (other "
    "bit positions SHALL NOT be set).",
    citation="S/MIME BR 7.1.2.3(e) (rsaEncryption)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.KEY_USAGE,),
    when=_is("rsa"),
    zlint=("e_rsa_other_key_usages",),
)
def rsa_key_usage_asserts_a_use(cert: CertView) -> Outcome:
    return _asserts_a_use(cert, DS, KE)


# -- EC -----------------------------------------------------------------------------------------


@lint(
    name="smime_ec_key_usage",
    description="The keyUsage of an S/MIME certificate with an EC key is that of one use: "
    "signing (digitalSignature; nonRepudiation allowed), key management (keyAgreement; "
    "encipherOnly or decipherOnly allowed) or dual use (both; nonRepudiation, encipherOnly or "
    "decipherOnly allowed); no other bits. The same in every generation.",
    citation="S/MIME BR 7.1.2.3(e) (id-ecPublicKey)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.KEY_USAGE,),
    when=_ec_asserting_a_use,
    zlint=("e_ecpublickey_key_usages",),
)
def ec_key_usage(cert: CertView) -> Outcome:
    return _use_outcome(cert, DS, KA, {EO, DO})


@lint(
    name="smime_ec_key_usage_asserts_a_use",
    description="The keyUsage of an S/MIME certificate with an EC key asserts digitalSignature "
    "or keyAgreement: bits without either fit none of the uses the table allows.",
    citation="S/MIME BR 7.1.2.3(e) (id-ecPublicKey)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.KEY_USAGE,),
    when=_is("ec"),
    zlint=("e_ec_other_key_usages",),
)
def ec_key_usage_asserts_a_use(cert: CertView) -> Outcome:
    return _asserts_a_use(cert, DS, KA)


# -- keys of one use: EdDSA, ML-DSA, ML-KEM -----------------------------------------------------


def _only(cert: CertView, required: str, allowed: set[str]) -> Outcome:
    """Judges the keyUsage of a key with a single use: `required`, and any of `allowed`."""
    bits = cert.key_usage or frozenset()
    if required not in bits:
        return fail(f"keyUsage does not assert {BIT_NAMES[required]}")
    extra = bits - {required} - allowed
    if extra:
        return fail(f"keyUsage asserts bits not allowed for this key: {_names(extra)}")
    return PASS


def _is_eddsa(cert: CertView) -> bool:
    return cert.public_key_algorithm in (oids.ED25519, oids.ED448)


@lint(
    name="smime_eddsa_key_usage",
    description="The keyUsage of an S/MIME certificate with an Ed25519 or Ed448 key asserts "
    "digitalSignature, may assert nonRepudiation, and nothing else.",
    citation="S/MIME BR 7.1.2.3(e) (id-Ed25519 and id-Ed448)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.KEY_USAGE,),
    when=_is_eddsa,
    zlint=("e_edwardspublickey_key_usages",),
)
def eddsa_key_usage(cert: CertView) -> Outcome:
    return _only(cert, DS, {NR})


@lint(
    name="smime_ml_dsa_key_usage",
    description="The keyUsage of an S/MIME certificate with an ML-DSA key asserts "
    "digitalSignature, may assert nonRepudiation, and nothing else.",
    citation="S/MIME BR 7.1.2.3(e) (id-ml-dsa); S/MIME BR 1.0.11 (Ballot SMC013)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_PQC,
    needs=(oids.KEY_USAGE,),
    when=lambda cert: cert.public_key_algorithm in ML_DSA,
)
def ml_dsa_key_usage(cert: CertView) -> Outcome:
    return _only(cert, DS, {NR})


@lint(
    name="smime_ml_kem_key_usage",
    description="The keyUsage of an S/MIME certificate with an ML-KEM key asserts "
    "keyEncipherment and nothing else.",
    citation="S/MIME BR 7.1.2.3(e) (id-ml-kem); S/MIME BR 1.0.11 (Ballot SMC013)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_PQC,
    needs=(oids.KEY_USAGE,),
    when=lambda cert: cert.public_key_algorithm in ML_KEM,
)
def ml_kem_key_usage(cert: CertView) -> Outcome:
    return _only(cert, KE, set())

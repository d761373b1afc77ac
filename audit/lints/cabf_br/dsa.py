"""BR 6.1.5 / 6.1.6 for DSA keys, while the BRs allowed them.

Ballot 99 (BR 1.1.4, 2013-05-03) added DSA to the allowed key types, with its sizes and the
checks a CA must make on the key (NIST SP 800-89 5.3.1); Ballot SC31 (BR 1.7.1, 2020-08-20)
removed DSA altogether (`dsa_key_prohibited` in `keys.py`), and these rules with it. Whether DSA
was allowed at all when the certificate was issued is `public_key_algorithm_allowed`.

DSA keys are rare, so the SubjectPublicKeyInfo is parsed here, for them only.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import keys

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

# BR 6.1.5 (1.1.4 to 1.7.0), from FIPS 186-3/4 4.2: the (L, N) pairs of modulus p and divisor q.
DSA_SIZES = frozenset({(2048, 224), (2048, 256), (3072, 256)})


@dataclass(frozen=True, slots=True)
class DsaKey:
    y: int
    p: int | None  # None when the domain parameters are absent (inherited from the issuer)
    q: int | None
    g: int | None


def dsa_key(cert: CertView) -> DsaKey:
    """The DSA public value and domain parameters of the subject public key."""
    spki = keys.PublicKeyInfo.load(cert.public_key_der)
    y = spki["public_key"].parsed.native
    params = spki["algorithm"]["parameters"]
    if params.native is None:
        return DsaKey(y, None, None, None)
    return DsaKey(y, params["p"].native, params["q"].native, params["g"].native)


def is_dsa(cert: CertView) -> bool:
    return cert.public_key_algorithm == oids.DSA


@lint(
    name="dsa_domain_parameters_present",
    description="A DSA subject public key carries all its domain parameters (p, q, g) in "
    "its AlgorithmIdentifier, not inherited from the issuer's key.",
    citation="BR 6.1.6 (1.1.4 to 1.7.0; Ballot 99); NIST SP 800-57",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_DSA_PERMITTED,
    ineffective=dates.BR_1_7_1,
    when=is_dsa,
    zlint=("e_dsa_params_missing",),
)
def dsa_domain_parameters_present(cert: CertView) -> Outcome:
    if dsa_key(cert).p is None:
        return fail("the DSA key's AlgorithmIdentifier has no domain parameters")
    return PASS


def _has_dsa_parameters(cert: CertView) -> bool:
    return is_dsa(cert) and dsa_key(cert).p is not None


@lint(
    name="dsa_key_size",
    description="A DSA key's modulus p and divisor q have the sizes FIPS 186 approves: L=2048 "
    "with N=224 or 256, or L=3072 with N=256. zlint dates these rules from the zero time and "
    "keeps the size rule after BR 1.7.1; here they hold from Ballot 99, which allowed DSA, to "
    "BR 1.7.1, which removed it (after that any DSA key fails dsa_key_prohibited).",
    citation="BR 6.1.5 (1.1.4 to 1.7.0; Ballot 99); FIPS 186-4 4.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_DSA_PERMITTED,
    ineffective=dates.BR_1_7_1,
    when=_has_dsa_parameters,
    zlint=("e_dsa_improper_modulus_or_divisor_size", "e_dsa_shorter_than_2048_bits"),
)
def dsa_key_size(cert: CertView) -> Outcome:
    key = dsa_key(cert)
    sizes = ((key.p or 0).bit_length(), (key.q or 0).bit_length())
    if sizes not in DSA_SIZES:
        return fail(
            f"DSA key has L={sizes[0]}, N={sizes[1]}; allowed are 2048/224, 2048/256, 3072/256"
        )
    return PASS


@lint(
    name="dsa_public_key_valid",
    description="The DSA public value y has the unique correct representation and range in "
    "the field (2 <= y <= p-2) and the correct order in the subgroup (y^q mod p = 1), the "
    "checks BR 6.1.6 requires the CA to make.",
    citation="BR 6.1.6 (1.1.4 to 1.7.0; Ballot 99); NIST SP 800-89 5.3.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_DSA_PERMITTED,
    ineffective=dates.BR_1_7_1,
    when=_has_dsa_parameters,
    zlint=("e_dsa_unique_correct_representation", "e_dsa_correct_order_in_subgroup"),
)
def dsa_public_key_valid(cert: CertView) -> Outcome:
    key = dsa_key(cert)
    p, q = key.p or 0, key.q or 0
    if not 2 <= key.y <= p - 2:
        return fail("the DSA public value y is outside 2 .. p-2")
    if q < 2 or pow(key.y, q, p) != 1:
        return fail("the DSA public value y does not have order q in the subgroup")
    return PASS

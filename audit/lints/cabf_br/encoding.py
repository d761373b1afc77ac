"""BR 7.1.1 / 7.1.3.1 / 7.1.2.7: how a certificate is put together.

The version (7.1.1), the exact bytes of the subject public key's AlgorithmIdentifier (7.1.3.1,
since BR 1.7.1), and the notBefore against the signing time that embedded SCTs bound (BR 2.0
7.1.2.7).
"""

from __future__ import annotations

from datetime import timedelta

from audit.engine import oids, profiles
from audit.engine.certview import EPOCH, CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


@lint(
    name="certificate_version_3",
    description="The certificate is an X.509 v3 certificate. zlint dates the rule from BR "
    "1.3.0 (2015-04-16), where it first appears as 7.1.1.",
    citation="BR 7.1.1 (BR 1.3.0, Ballot 146)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_3_0,
    zlint=("e_invalid_certificate_version",),
)
def certificate_version_3(cert: CertView) -> Outcome:
    if cert.version != 3:
        return fail(f"certificate is X.509 v{cert.version}, not v3")
    return PASS


# BR 7.1.3.1.1 and 7.1.3.1.2: the only encodings of SubjectPublicKeyInfo.algorithm.
SPKI_ALGORITHM_ENCODINGS = {
    bytes.fromhex("300d06092a864886f70d0101010500"): "rsaEncryption with NULL parameters",
    bytes.fromhex("301306072a8648ce3d020106082a8648ce3d030107"): "id-ecPublicKey, P-256",
    bytes.fromhex("301006072a8648ce3d020106052b81040022"): "id-ecPublicKey, P-384",
    bytes.fromhex("301006072a8648ce3d020106052b81040023"): "id-ecPublicKey, P-521",
}


@lint(
    name="spki_algorithm_identifier_encoding",
    description="The AlgorithmIdentifier of the subject public key is byte for byte one of the "
    "four encodings BR 7.1.3.1 lists: rsaEncryption with explicit NULL parameters, or "
    "id-ecPublicKey with the named curve P-256, P-384 or P-521. Any other key type, absent "
    "RSA parameters and explicit curve parameters all fail.",
    citation="BR 7.1.3.1.1, 7.1.3.1.2 (BR 1.7.1, Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_7_1,
    zlint=("e_algorithm_identifier_improper_encoding",),
)
def spki_algorithm_identifier_encoding(cert: CertView) -> Outcome:
    encoded = cert.encoded_algorithms.public_key
    if encoded not in SPKI_ALGORITHM_ENCODINGS:
        return fail(
            f"subjectPublicKeyInfo algorithm is encoded as {encoded[:64].hex()!r}, not one of "
            "the encodings BR 7.1.3.1 allows"
        )
    return PASS


_MAX_BACKDATING = timedelta(hours=48)


def _sct_milliseconds(cert: CertView) -> list[int]:
    try:
        return [ms for _, ms in cert.sct_fields or ()]
    except ValueError:  # a malformed SCT list: the CT lints report it; no time to compare
        return []


@lint(
    name="not_before_within_48_hours_of_signing",
    description="notBefore is within 48 hours of the signing of the certificate. A certificate "
    "is signed after every SCT embedded in it was issued (the SCTs are for its "
    "precertificate), so an SCT timestamp more than 48 hours after notBefore shows the "
    "certificate was backdated by more than that. Certificates without SCTs cannot be judged.",
    citation="BR 2.0 7.1.2.7 (validity: notBefore)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_2_0,
    when=lambda cert: bool(_sct_milliseconds(cert)),
    needs=(oids.CT_SCT_LIST,),
    zlint=("e_excessively backdated",),
)
def not_before_within_48_hours_of_signing(cert: CertView) -> Outcome:
    latest = EPOCH + timedelta(milliseconds=max(_sct_milliseconds(cert)))
    if latest - cert.not_before > _MAX_BACKDATING:
        hours = (latest - cert.not_before).total_seconds() / 3600
        return fail(
            f"notBefore {cert.not_before.isoformat()} is {hours:.1f} hours before an embedded "
            f"SCT's timestamp {latest.isoformat()}, so more than 48 hours before signing"
        )
    return PASS

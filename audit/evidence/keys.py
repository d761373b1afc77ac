"""Signing the manifest: Ed25519, or ECDSA on P-256, P-384 or P-521 with the matching SHA-2.

The signature is over the manifest's exact bytes, so it can also be checked without certcensus:
    openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in MANIFEST.json -sigfile MANIFEST.sig
(Ed25519), or `openssl dgst -sha256 -verify pub.pem -signature MANIFEST.sig MANIFEST.json`
(ECDSA P-256; the signature is DER, as openssl writes it).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from audit.errors import InputError

PASSWORD_VARIABLE = "CERTCENSUS_SIGN_KEY_PASSWORD"  # for an encrypted private key
_ECDSA = {
    "secp256r1": ("ecdsa-p256-sha256", hashes.SHA256),
    "secp384r1": ("ecdsa-p384-sha384", hashes.SHA384),
    "secp521r1": ("ecdsa-p521-sha512", hashes.SHA512),
}
ALGORITHMS = ("ed25519", *(a for a, _ in _ECDSA.values()))

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def load_private_key(path: Path) -> PrivateKey:
    data = _read(path)
    password = os.environ.get(PASSWORD_VARIABLE)
    try:
        key = serialization.load_pem_private_key(data, password.encode() if password else None)
    except TypeError:
        raise InputError(
            f"{path}: the key is encrypted; put its password in ${PASSWORD_VARIABLE}"
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(f"{path}: not a PEM private key ({_first_line(exc)})") from None
    algorithm_of(key.public_key(), path)
    return key  # type: ignore[return-value]


def load_public_key(path: Path) -> PublicKey:
    data = _read(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(f"{path}: not a PEM public key ({_first_line(exc)})") from None
    algorithm_of(key, path)
    return key  # type: ignore[return-value]


def algorithm_of(key: object, path: Path | None = None) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _ECDSA:
        return _ECDSA[key.curve.name][0]
    where = f"{path}: " if path else ""
    raise InputError(f"{where}only Ed25519 and ECDSA P-256/P-384/P-521 keys can sign evidence")


def sign(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, ec.ECDSA(_ECDSA[key.curve.name][1]()))


def signature_holds(key: PublicKey, algorithm: str, signature: bytes, data: bytes) -> bool:
    try:
        if algorithm != algorithm_of(key):
            return False
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            key.verify(signature, data, ec.ECDSA(_ECDSA[key.curve.name][1]()))
    except (InvalidSignature, ValueError):
        return False
    return True


def public_pem(key: PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def fingerprint(key: PublicKey) -> str:
    """SHA-256 of the key's SubjectPublicKeyInfo (DER), in hex."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def public_key_from_pem(text: str) -> PublicKey:
    key = serialization.load_pem_public_key(text.encode("ascii"))
    algorithm_of(key)
    return key  # type: ignore[return-value]


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]

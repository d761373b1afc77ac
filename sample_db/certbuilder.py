"""Build test and sample certificates: one builder for the sample database and the tests.

`CertSpec` describes a certificate the way a CA's issuance system would, with good defaults
(a DV TLS subscriber certificate that passes the catalogue); a defect is a spec with one thing
changed. Keys come from a small pool: generating an RSA key per certificate would make a
20,000-certificate database take minutes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    ExtensionOID,
    NameOID,
)

DV = "2.23.140.1.2.1"
OV = "2.23.140.1.2.2"
IV = "2.23.140.1.2.3"
EV = "2.23.140.1.1"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@cache
def rsa_key(bits: int = 2048, slot: int = 0, exponent: int = 65537) -> rsa.RSAPrivateKey:
    """A pooled RSA key (generated once per process per slot)."""
    return rsa.generate_private_key(public_exponent=exponent, key_size=bits)


_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % q for q in range(3, int(p**0.5) + 1, 2))]
_SMALL_PRIMES_PRODUCT = math.prod(_SMALL_PRIMES)


def _probable_prime(n: int, rng: random.Random, rounds: int = 8) -> bool:
    """Miller-Rabin; candidates have already passed trial division by the small primes."""
    d, s = n - 1, 0
    while not d & 1:
        d, s = d >> 1, s + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _seeded_prime(bits: int, rng: random.Random, exponent: int) -> int:
    while True:
        # Top two bits set, so that the product of two such primes has exactly 2 * bits bits.
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if (
            math.gcd(candidate, _SMALL_PRIMES_PRODUCT) == 1
            and math.gcd(candidate - 1, exponent) == 1
            and _probable_prime(candidate, rng)
        ):
            return candidate


@cache
def seeded_rsa_key(bits: int = 2048, seed: int = 0, exponent: int = 65537) -> rsa.RSAPrivateKey:
    """A deterministic RSA key: the same (bits, seed, exponent) gives the same key everywhere.

    For byte-identical sample databases. The prime search is pure Python (about 0.3 s for a
    2048-bit key, against 0.07 s for `rsa_key`), so pool these as well.
    """
    rng = random.Random(f"rsa:{bits}:{exponent}:{seed}")
    p = _seeded_prime(bits // 2, rng, exponent)
    q = p
    while q == p:
        q = _seeded_prime(bits - bits // 2, rng, exponent)
    d = pow(exponent, -1, math.lcm(p - 1, q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(exponent, p * q),
    )  # fmt: skip
    return numbers.private_key(unsafe_skip_rsa_key_validation=True)


@cache
def ec_key(curve_name: str = "secp256r1", seed: int = 1) -> ec.EllipticCurvePrivateKey:
    """A deterministic EC key: the same seed gives the same key in every process."""
    curve = {"secp256r1": ec.SECP256R1(), "secp384r1": ec.SECP384R1(), "secp521r1": ec.SECP521R1(),
             "secp224r1": ec.SECP224R1(), "secp256k1": ec.SECP256K1()}[curve_name]  # fmt: skip
    order_bits = curve.key_size
    scalar = random.Random(f"{curve_name}:{seed}").getrandbits(order_bits - 2) | 1
    return ec.derive_private_key(scalar, curve)


def name(*pairs: tuple[Any, str]) -> x509.Name:
    """x509.Name from (oid, value) pairs; oid may be a NameOID or a dotted string."""
    attrs = [
        x509.NameAttribute(
            o if isinstance(o, x509.ObjectIdentifier) else x509.ObjectIdentifier(o), v
        )
        for o, v in pairs
    ]
    return x509.Name(attrs)


# GeneralName choices (RFC 5280 4.2.1.6) that are strings: [n] IMPLICIT, primitive.
RFC822_NAME, DNS_NAME, URI, IP_ADDRESS = 0x81, 0x82, 0x86, 0x87


def tlv(tag: int, content: bytes) -> bytes:
    """One DER TLV with the minimal definite length: for octets no encoder will write."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(octets))) + octets + content


def general_names(*names: tuple[int, bytes]) -> bytes:
    """GeneralNames (a SEQUENCE) of (tag, octets) pairs, the octets written as they are."""
    return tlv(0x30, b"".join(tlv(tag, value) for tag, value in names))


@dataclass(frozen=True)
class Issuer:
    subject: x509.Name
    key: PrivateKey
    key_id: bytes
    url_base: str = "http://pki.example-ca.test"

    @classmethod
    def from_key(
        cls, subject: x509.Name, key: PrivateKey, url_base: str = "http://pki.example-ca.test"
    ) -> Issuer:
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key()).digest
        return cls(subject, key, ski, url_base)


@dataclass(frozen=True)
class CertSpec:
    """A certificate to build. Defaults: a clean DV TLS subscriber certificate."""

    subject: x509.Name = field(
        default_factory=lambda: name((NameOID.COMMON_NAME, "www.example.com"))
    )
    dns_names: tuple[str, ...] | None = ("www.example.com",)
    ip_addresses: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()  # rfc822Name entries of the SAN (S/MIME), after the others
    not_before: datetime = datetime(2025, 6, 1, tzinfo=UTC)
    days: float = 90
    key: Any = None  # the subject's key: private or public (a subscriber's); None: pooled EC P-256
    issuer: Issuer | None = None  # None: the shared test issuing CA
    serial: int | None = None  # None: 128 random bits
    hash: hashes.HashAlgorithm | None = field(default_factory=hashes.SHA256)
    ca: bool = False
    path_length: int | None = None
    basic_constraints: bool = True
    basic_constraints_critical: bool = True
    key_usage: tuple[str, ...] | None = ("digital_signature",)
    key_usage_critical: bool = True
    eku: tuple[Any, ...] | None = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)
    eku_critical: bool = False
    policies: tuple[str, ...] | None = (DV,)
    policy_cps: str | None = None  # an id-qt-cps qualifier (this URL) on the first policy
    ocsp_url: str | None = "default"
    ca_issuers_url: str | None = "default"
    crl_url: str | None = "default"
    subject_key_id: bool = False
    authority_key_id: bool = True
    san_critical: bool = False
    precertificate: bool = False
    extra_extensions: tuple[tuple[x509.ExtensionType, bool], ...] = ()
    self_signed: bool = False
    # RFC 6979 signatures (EC issuers only): the same spec gives the same bytes in every run.
    ecdsa_deterministic: bool = False
    # Embedded SCTs (RFC 6962 3.3) from this many distinct made-up logs (at most len(CT_LOGS)),
    # timestamped at notBefore; 0: no SignedCertificateTimestampList extension.
    scts: int = 0
    # Extensions written as given (dotted OID, DER value, critical), for values no encoder
    # writes: each takes the place of the builder's own extension with that OID, or comes last.
    der_extensions: tuple[tuple[str, bytes, bool], ...] = ()

    def but(self, **changes: Any) -> CertSpec:
        """The same certificate with some things changed: how a defect is described."""
        return replace(self, **changes)

    def with_extension_der(self, oid: str, value: bytes, critical: bool = False) -> CertSpec:
        """The same certificate with extension `oid` written from these DER octets."""
        return replace(self, der_extensions=(*self.der_extensions, (oid, value, critical)))


@cache
def test_root() -> Issuer:
    subject = name(
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.ORGANIZATION_NAME, "Example CA"),
        (NameOID.COMMON_NAME, "Example Root CA"),
    )
    return Issuer.from_key(subject, ec_key("secp384r1", 7))


@cache
def test_issuer() -> Issuer:
    subject = name(
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.ORGANIZATION_NAME, "Example CA"),
        (NameOID.COMMON_NAME, "Example TLS Issuing CA"),
    )
    return Issuer.from_key(subject, ec_key("secp256r1", 8))


def public_key_of(key: Any) -> Any:
    """The public key of a private key, or the key itself when it is already public."""
    return key.public_key() if hasattr(key, "public_key") else key


_KEY_USAGE_FLAGS = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)  # fmt: skip


def build(spec: CertSpec, rng: random.Random | None = None) -> x509.Certificate:
    """Sign the certificate that `spec` describes."""
    rng = rng or random.Random()
    key = spec.key if spec.key is not None else ec_key("secp256r1", 1)
    issuer = spec.issuer or test_issuer()
    if spec.self_signed:
        issuer = Issuer.from_key(spec.subject, key)
    serial = spec.serial if spec.serial is not None else rng.getrandbits(127) | (1 << 126)
    # All extensions at once: add_extension copies the builder and rescans it for each one,
    # a fifth of the build time of a sample database. Duplicates are refused as it would.
    extensions = [x509.Extension(e.oid, c, e) for e, c in _extensions(spec, key, issuer, serial)]
    if len({e.oid for e in extensions}) != len(extensions):
        raise ValueError("This extension has already been set.")
    builder = (
        x509.CertificateBuilder(extensions=extensions)
        .subject_name(spec.subject)
        .issuer_name(issuer.subject)
        .public_key(public_key_of(key))
        .serial_number(serial)
        .not_valid_before(spec.not_before)
        .not_valid_after(spec.not_before + timedelta(days=spec.days) - timedelta(seconds=1))
    )
    if spec.ecdsa_deterministic and isinstance(issuer.key, ec.EllipticCurvePrivateKey):
        return builder.sign(issuer.key, spec.hash, ecdsa_deterministic=True)
    return builder.sign(issuer.key, spec.hash)


def _extensions(
    spec: CertSpec, key: Any, issuer: Issuer, serial: int
) -> list[tuple[x509.ExtensionType, bool]]:
    exts: list[tuple[x509.ExtensionType, bool]] = []
    if spec.basic_constraints:
        exts.append(
            (
                x509.BasicConstraints(spec.ca, spec.path_length if spec.ca else None),
                spec.basic_constraints_critical,
            )
        )
    if spec.key_usage is not None:
        flags = {f: f in spec.key_usage for f in _KEY_USAGE_FLAGS}
        exts.append((x509.KeyUsage(**flags), spec.key_usage_critical))
    if spec.eku is not None:
        ekus = [
            e if isinstance(e, x509.ObjectIdentifier) else x509.ObjectIdentifier(e)
            for e in spec.eku
        ]
        exts.append((x509.ExtendedKeyUsage(ekus), spec.eku_critical))
    if spec.dns_names is not None or spec.ip_addresses or spec.emails:
        # Written as DER: a test's dNSName may be one that cryptography would refuse (or none).
        names = [(DNS_NAME, d.encode("ascii")) for d in spec.dns_names or ()]
        names += [(IP_ADDRESS, ipaddress.ip_address(i).packed) for i in spec.ip_addresses]
        names += [(RFC822_NAME, e.encode("ascii")) for e in spec.emails]
        san = x509.UnrecognizedExtension(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME, general_names(*names)
        )
        exts.append((san, spec.san_critical))
    if spec.policies is not None:
        exts.append(
            (
                x509.CertificatePolicies(
                    [
                        x509.PolicyInformation(
                            x509.ObjectIdentifier(p),
                            [spec.policy_cps] if spec.policy_cps and i == 0 else None,
                        )
                        for i, p in enumerate(spec.policies)
                    ]
                ),
                False,
            )
        )
    access = []
    ocsp = f"{issuer.url_base}/ocsp" if spec.ocsp_url == "default" else spec.ocsp_url
    ca_issuers = (
        f"{issuer.url_base}/issuer.crt" if spec.ca_issuers_url == "default" else spec.ca_issuers_url
    )
    if ocsp:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp)
            )
        )
    if ca_issuers:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers)
            )
        )
    if access:
        exts.append((x509.AuthorityInformationAccess(access), False))
    crl = f"{issuer.url_base}/issuing.crl" if spec.crl_url == "default" else spec.crl_url
    if crl:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl)], None, None, None)
        exts.append((x509.CRLDistributionPoints([point]), False))
    if spec.subject_key_id or spec.ca:
        exts.append((x509.SubjectKeyIdentifier.from_public_key(public_key_of(key)), False))
    if spec.authority_key_id and not spec.self_signed:
        exts.append((x509.AuthorityKeyIdentifier(issuer.key_id, None, None), False))
    if spec.precertificate:
        exts.append((x509.PrecertPoison(), True))
    exts.extend(spec.extra_extensions)
    for dotted, value, critical in spec.der_extensions:
        written = (x509.UnrecognizedExtension(x509.ObjectIdentifier(dotted), value), critical)
        same = [i for i, (e, _) in enumerate(exts) if e.oid.dotted_string == dotted]
        if same:
            exts[same[0]] = written
        else:
            exts.append(written)
    if spec.scts:
        # Last, as CAs add it: the final certificate is the precertificate plus the SCTs.
        exts.append((sct_list_extension(spec.scts, spec.not_before, serial), False))
    return exts


# Made-up CT logs: their IDs (RFC 6962 3.2: the SHA-256 of the log's public key) stand in for
# real logs'. No log list names them, so the SCTs below cannot be checked against a log key.
CT_LOGS: tuple[bytes, ...] = tuple(
    hashlib.sha256(f"certcensus sample CT log {n}".encode()).digest() for n in range(6)
)
# One SCT's fixed fields around its log ID and timestamp: version v1 (0) before them; after
# them no CtExtensions (length 0), then sha256 (4) with ecdsa (3), as every log signs today.
_SCT_V1 = b"\x00"
_SCT_AFTER_TIMESTAMP = b"\x00\x00\x04\x03"


def _der_integer(value: bytes) -> bytes:
    """A DER INTEGER with the big-endian unsigned `value`: minimal, and positive."""
    value = value.lstrip(b"\x00") or b"\x00"
    if value[0] & 0x80:
        value = b"\x00" + value
    return tlv(0x02, value)


def _tls_vector(content: bytes) -> bytes:
    """A TLS opaque<0..2^16-1>: two length octets, then the content."""
    return len(content).to_bytes(2, "big") + content


def sct_list_extension(count: int, when: datetime, serial: int) -> x509.UnrecognizedExtension:
    """A SignedCertificateTimestampList (RFC 6962 3.3) of `count` SCTs from distinct logs.

    Structurally what a log returns: v1, the log's ID, `when` in milliseconds, no extensions,
    and an ECDSA P-256/SHA-256 signature encoded as an ECDSA-Sig-Value. The signature values
    are derived from the log, the time and the serial rather than signed over the
    precertificate (that would mean signing every certificate twice); they look like a log's
    and verify against nothing. Which logs are used rotates with the serial, as a CA spreads
    its submissions over logs.
    """
    if not 0 < count <= len(CT_LOGS):
        raise ValueError(f"scts: {count} SCTs asked for, the sample has {len(CT_LOGS)} logs")
    millis = (int(when.timestamp()) * 1000 + when.microsecond // 1000).to_bytes(8, "big")
    serial_bytes = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    first = serial % len(CT_LOGS)
    scts = []
    for i in range(count):
        log_id = CT_LOGS[(first + i) % len(CT_LOGS)]
        r = hashlib.sha256(log_id + millis + serial_bytes).digest()
        s = hashlib.sha256(r + log_id).digest()
        pair = _der_integer(r) + _der_integer(s)
        signature = tlv(0x30, pair)
        sct = _SCT_V1 + log_id + millis + _SCT_AFTER_TIMESTAMP + _tls_vector(signature)
        scts.append(_tls_vector(sct))
    listed = _tls_vector(b"".join(scts))
    # The extension's value is an OCTET STRING holding the TLS-encoded list (RFC 6962 3.3).
    return x509.UnrecognizedExtension(
        ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS, tlv(0x04, listed)
    )


def der(spec: CertSpec, rng: random.Random | None = None) -> bytes:
    return build(spec, rng).public_bytes(serialization.Encoding.DER)


def pem(spec: CertSpec, rng: random.Random | None = None) -> bytes:
    return build(spec, rng).public_bytes(serialization.Encoding.PEM)


def der_with_tbs_fields(spec: CertSpec, **fields: bytes) -> bytes:
    """`spec`'s certificate with these tbsCertificate fields (asn1crypto's names: subject,
    validity, ...) written from DER as given, for values no builder writes. asn1crypto keeps a
    value loaded from DER as it is. The signature is over what the builder wrote: it no longer
    verifies (no lint checks it)."""
    cert = asn1_x509.Certificate.load(der(spec))
    tbs = cert["tbs_certificate"]
    for field_name, value in fields.items():
        tbs[field_name] = tbs.spec(field_name).load(value)
    return cert.dump()


# Ready-made starting points for the other profiles.
OV_SUBJECT = name(
    (NameOID.COUNTRY_NAME, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "California"),
    (NameOID.LOCALITY_NAME, "San Francisco"), (NameOID.ORGANIZATION_NAME, "Example Inc."),
    (NameOID.COMMON_NAME, "www.example.com"),
)  # fmt: skip
DV_SPEC = CertSpec()
OV_SPEC = CertSpec(subject=OV_SUBJECT, policies=(OV,))
EV_SPEC = CertSpec(
    subject=name(
        (NameOID.COUNTRY_NAME, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "California"),
        (NameOID.LOCALITY_NAME, "San Francisco"), (NameOID.ORGANIZATION_NAME, "Example Inc."),
        (NameOID.BUSINESS_CATEGORY, "Private Organization"), (NameOID.JURISDICTION_COUNTRY_NAME, "US"),
        (NameOID.SERIAL_NUMBER, "C1234567"), (NameOID.COMMON_NAME, "www.example.com"),
    ),
    policies=(EV,),
)  # fmt: skip
SUBORDINATE_CA_SPEC = CertSpec(
    subject=name((NameOID.COUNTRY_NAME, "US"), (NameOID.ORGANIZATION_NAME, "Example CA"), (NameOID.COMMON_NAME, "Example Sub CA")),
    dns_names=None, ca=True, path_length=0, key_usage=("digital_signature", "key_cert_sign", "crl_sign"),
    eku=(ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH), policies=(DV, OV),
    ocsp_url=None, key=ec_key("secp256r1", 9), issuer=None, days=365 * 5,
)  # fmt: skip
ROOT_CA_SPEC = CertSpec(
    subject=test_root().subject, dns_names=None, ca=True, key_usage=("key_cert_sign", "crl_sign"),
    eku=None, policies=None, ocsp_url=None, ca_issuers_url=None, crl_url=None,
    key=test_root().key, self_signed=True, days=365 * 20,
)  # fmt: skip

"""Build test and sample certificates: one builder for the sample database and the tests.

`CertSpec` describes a certificate the way a CA's issuance system would, with good defaults
(a DV TLS subscriber certificate that passes the catalogue); a defect is a spec with one thing
changed. Keys come from a small pool: generating an RSA key per certificate would make a
20,000-certificate database take minutes.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

DV = "2.23.140.1.2.1"
OV = "2.23.140.1.2.2"
IV = "2.23.140.1.2.3"
EV = "2.23.140.1.1"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@cache
def rsa_key(bits: int = 2048, slot: int = 0, exponent: int = 65537) -> rsa.RSAPrivateKey:
    """A pooled RSA key (generated once per process per slot)."""
    return rsa.generate_private_key(public_exponent=exponent, key_size=bits)


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
    not_before: datetime = datetime(2025, 6, 1, tzinfo=UTC)
    days: float = 90
    key: Any = None  # a private key; None: a pooled EC P-256 key
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
    policies: tuple[str, ...] | None = (DV,)
    ocsp_url: str | None = "default"
    ca_issuers_url: str | None = "default"
    crl_url: str | None = "default"
    subject_key_id: bool = False
    authority_key_id: bool = True
    san_critical: bool = False
    precertificate: bool = False
    extra_extensions: tuple[tuple[x509.ExtensionType, bool], ...] = ()
    self_signed: bool = False

    def but(self, **changes: Any) -> CertSpec:
        """The same certificate with some things changed: how a defect is described."""
        return replace(self, **changes)


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
    builder = (
        x509.CertificateBuilder()
        .subject_name(spec.subject)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(spec.not_before)
        .not_valid_after(spec.not_before + timedelta(days=spec.days) - timedelta(seconds=1))
    )
    for ext, critical in _extensions(spec, key, issuer):
        builder = builder.add_extension(ext, critical)
    return builder.sign(issuer.key, spec.hash)


def _extensions(spec: CertSpec, key: Any, issuer: Issuer) -> list[tuple[x509.ExtensionType, bool]]:
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
        exts.append((x509.ExtendedKeyUsage(ekus), False))
    if spec.dns_names is not None or spec.ip_addresses:
        general: list[x509.GeneralName] = [x509.DNSName(d) for d in spec.dns_names or ()]
        general += [x509.IPAddress(ipaddress.ip_address(i)) for i in spec.ip_addresses]
        exts.append((x509.SubjectAlternativeName(general), spec.san_critical))
    if spec.policies is not None:
        exts.append(
            (
                x509.CertificatePolicies(
                    [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in spec.policies]
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
        exts.append((x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False))
    if spec.authority_key_id and not spec.self_signed:
        exts.append((x509.AuthorityKeyIdentifier(issuer.key_id, None, None), False))
    if spec.precertificate:
        exts.append((x509.PrecertPoison(), True))
    exts.extend(spec.extra_extensions)
    return exts


def der(spec: CertSpec, rng: random.Random | None = None) -> bytes:
    return build(spec, rng).public_bytes(serialization.Encoding.DER)


def pem(spec: CertSpec, rng: random.Random | None = None) -> bytes:
    return build(spec, rng).public_bytes(serialization.Encoding.PEM)


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

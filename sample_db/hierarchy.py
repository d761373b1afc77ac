"""The sample CA's hierarchy: one root, and issuing CAs for each kind of certificate it issues.

The root (P-384) issues, for two generations, DV, OV and EV TLS CAs; and the CAs of the other
families: S/MIME (a pre-BR generation, then one for the S/MIME BR from 2023), code signing, EV
code signing and time stamping, each limited by its EKU to its family (S/MIME BR 7.1.2.2(g),
CS BR 7.1.2.2(g)). Issuing CAs have P-256 keys and sign with ECDSA (RFC 6979, so the same seed
gives the same bytes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from audit.sample_db.certbuilder import DV, EV, OV, CertSpec, Issuer, build, ec_key
from audit.sample_db.customers import serial

CA_NAME = "Sample Trust Services"
# A registrable name under a real TLD, as a CA's repository has (not .example or .test, which
# BR 7.1.2.7.7 would make internal names in an AIA URL).
URL_BASE = "http://pki.sample-trust-ca.com"
ANY_POLICY = "2.5.29.32.0"
CODE_SIGNING_POLICY = "2.23.140.1.4.1"  # CS BR 7.1.6.1
EV_CODE_SIGNING_POLICY = "2.23.140.1.3"
TIME_STAMPING_POLICY = "2.23.140.1.4.2"
FOREVER = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class IssuingCA:
    id: int
    name: str
    validation: str  # dv | ov | ev | smime | cs | ev-cs | tsa (root: root)
    issuer: Issuer
    der: bytes
    issues_before: datetime  # the next generation takes over here


def ca_family(validation: str) -> str:
    """The issuing CA family of a certificate's validation type (smime-mv -> smime)."""
    return "smime" if validation.startswith("smime") else validation


@dataclass(frozen=True)
class Hierarchy:
    root: IssuingCA
    cas: tuple[IssuingCA, ...]

    def issuing(self, validation: str, when: datetime) -> IssuingCA:
        family = ca_family(validation)
        return next(ca for ca in self.cas if ca.validation == family and when < ca.issues_before)

    def rows(self) -> list[dict[str, Any]]:
        return [{"id": c.id, "name": c.name, "der": c.der} for c in (self.root, *self.cas)]


def ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _der(spec: CertSpec) -> bytes:
    return build(spec).public_bytes(serialization.Encoding.DER)


_EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION
_CLIENT = ExtendedKeyUsageOID.CLIENT_AUTH
# (validation, common name, slug, notBefore, days, issues before, EKU, policies)
_OTHER_FAMILIES = (
    ("smime", "Sample Trust S/MIME CA G1", "smime-g1", datetime(2016, 1, 1, tzinfo=UTC), 10 * 365,
     datetime(2023, 9, 1, tzinfo=UTC), (_EMAIL, _CLIENT), (ANY_POLICY,)),
    ("smime", "Sample Trust S/MIME CA G2", "smime-g2", datetime(2023, 6, 1, tzinfo=UTC), 10 * 365,
     FOREVER, (_EMAIL, _CLIENT), (ANY_POLICY,)),
    ("cs", "Sample Trust Code Signing CA G1", "cs-g1", datetime(2014, 6, 1, tzinfo=UTC), 15 * 365,
     FOREVER, (ExtendedKeyUsageOID.CODE_SIGNING,), (CODE_SIGNING_POLICY,)),
    ("ev-cs", "Sample Trust EV Code Signing CA G1", "evcs-g1", datetime(2014, 6, 1, tzinfo=UTC),
     15 * 365, FOREVER, (ExtendedKeyUsageOID.CODE_SIGNING,), (EV_CODE_SIGNING_POLICY,)),
    ("tsa", "Sample Trust Timestamping CA G1", "tsa-g1", datetime(2014, 6, 1, tzinfo=UTC),
     15 * 365, FOREVER, (ExtendedKeyUsageOID.TIME_STAMPING,), (TIME_STAMPING_POLICY,)),
)  # fmt: skip


def make_hierarchy(seed: int) -> Hierarchy:
    """A root (P-384); for two generations, DV, OV and EV TLS CAs; then the other families' CAs."""
    rng = random.Random(f"{seed}:hierarchy")
    root_name = ca_name("Sample Trust Root CA R1")
    root_key = ec_key("secp384r1", rng.getrandbits(64))
    root_issuer = Issuer.from_key(root_name, root_key, f"{URL_BASE}/root-r1")
    root_spec = CertSpec(
        subject=root_name, dns_names=None, not_before=datetime(2014, 1, 1, tzinfo=UTC),
        days=25 * 365, key=root_key, serial=serial(rng), hash=hashes.SHA384(), ca=True,
        key_usage=("key_cert_sign", "crl_sign"), eku=None, policies=None, ocsp_url=None,
        ca_issuers_url=None, crl_url=None, self_signed=True, ecdsa_deterministic=True,
    )  # fmt: skip
    root = IssuingCA(1, "Sample Trust Root CA R1", "root", root_issuer, _der(root_spec), FOREVER)
    generations = (
        ("G1", datetime(2014, 6, 1, tzinfo=UTC), 12 * 365, datetime(2020, 7, 1, tzinfo=UTC)),
        ("G2", datetime(2020, 5, 1, tzinfo=UTC), 10 * 365, FOREVER),
    )
    policy = {"dv": DV, "ov": OV, "ev": EV}
    cas: list[IssuingCA] = []

    def add(
        validation: str, common_name: str, slug: str, not_before: datetime, days: int,
        issues_before: datetime, eku: tuple[Any, ...] | None, policies: tuple[str, ...],
    ) -> None:  # fmt: skip
        key = ec_key("secp256r1", rng.getrandbits(64))
        spec = CertSpec(
            subject=ca_name(common_name), dns_names=None, not_before=not_before, days=days,
            key=key, issuer=root_issuer, serial=serial(rng), hash=hashes.SHA384(), ca=True,
            path_length=0, key_usage=("digital_signature", "key_cert_sign", "crl_sign"),
            eku=eku, policies=policies, ecdsa_deterministic=True,
        )  # fmt: skip
        issuer = Issuer.from_key(spec.subject, key, f"{URL_BASE}/{slug}")
        cas.append(
            IssuingCA(len(cas) + 2, common_name, validation, issuer, _der(spec), issues_before)
        )

    for generation, not_before, days, issues_before in generations:
        for validation in ("dv", "ov", "ev"):
            add(
                validation, f"Sample Trust {validation.upper()} TLS CA {generation}",
                f"{validation}-{generation.lower()}", not_before, days, issues_before,
                (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
                (policy[validation],),
            )  # fmt: skip
    for family in _OTHER_FAMILIES:
        add(*family)
    return Hierarchy(root, tuple(cas))

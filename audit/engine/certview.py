"""One parsed certificate, with everything lints need derived once.

`cryptography` is the fast, strict decoder. Real issuance databases also hold certificates it
refuses, wholly (odd time formats, parameters on RSA keys) or field by field (empty RDN sets,
malformed extensions). For those, each field falls back to `asn1crypto`, a tolerant decoder,
and the refusal is recorded in `problems` (the `certificate_decodes_strictly` lint turns it
into a `fatal` finding) so everything else can still be checked.

Derived values are `cached_property`s: a lint pays for what it reads, and no lint pays twice.
"""

from __future__ import annotations

import hashlib
import ipaddress
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning

from audit.engine import oids
from audit.engine.names import Attr, Name, name_from_asn1, name_from_crypto

# cryptography warns about things our lints report as findings (negative serials, attribute
# lengths); a warning per certificate would only flood the log.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
warnings.filterwarnings("ignore", message="Attribute's length must be")

T = TypeVar("T")


class NotACertificate(ValueError):
    """Neither decoder could read the bytes as an X.509 certificate."""


@dataclass(frozen=True, slots=True)
class GeneralName:
    kind: str  # dns, ip, email, uri, dirname, other, rid, x400, edi
    value: Any  # str for dns/email/uri; ip_address/ip_network or raw bytes for ip


@dataclass(frozen=True, slots=True)
class KeyInfo:
    algorithm: str  # rsa, ec, dsa, ed25519, ed448, unknown
    bits: int | None
    rsa_exponent: int | None = None
    rsa_modulus: int | None = None
    curve: str | None = None  # e.g. secp256r1


@dataclass(frozen=True, slots=True)
class BasicConstraints:
    ca: bool
    path_length: int | None


@dataclass(frozen=True, slots=True)
class AccessDescriptions:
    ocsp: tuple[str, ...]
    ca_issuers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Extension:
    oid: str
    critical: bool
    crypto: Any = None  # cryptography's parsed value, on the fast path
    asn1: Any = None  # asn1crypto's Extension, on the tolerant path


_KEY_USAGE_BITS = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)  # fmt: skip


class CertView:
    """A certificate as lints see it. Build it once per certificate."""

    def __init__(self, der: bytes) -> None:
        self.der = der
        self.sha256 = hashlib.sha256(der).hexdigest()
        self.problems: list[str] = []  # what the strict decoder refused, field by field
        self._crypto: x509.Certificate | None
        try:
            self._crypto = x509.load_der_x509_certificate(der)
        except ValueError as exc:
            self._crypto = None
            self.problems.append(f"certificate: {exc}")
            self._tolerant  # noqa: B018 - raises NotACertificate when neither decoder can read it

    # -- decoding plumbing -------------------------------------------------------------------

    @cached_property
    def _tolerant(self) -> asn1_x509.Certificate:
        try:
            cert = asn1_x509.Certificate.load(self.der, strict=True)
            cert["tbs_certificate"]["serial_number"].native  # noqa: B018 - forces the parse
            return cert
        except Exception as exc:  # asn1crypto raises several types for garbage input
            raise NotACertificate(f"not a DER X.509 certificate: {exc}") from None

    @cached_property
    def _tbs(self) -> Any:
        return self._tolerant["tbs_certificate"]

    def _field(
        self, name: str, strict: Callable[[x509.Certificate], T], tolerant: Callable[[], T]
    ) -> T:
        """Read a field strictly; if cryptography refuses it, record why and read it tolerantly."""
        if self._crypto is not None:
            try:
                return strict(self._crypto)
            except Exception as exc:  # cryptography raises ValueError and friends per field
                self.problems.append(f"{name}: {exc}")
        return tolerant()

    @property
    def strictly_decoded(self) -> bool:
        return not self.problems

    # -- the basic fields --------------------------------------------------------------------

    @cached_property
    def version(self) -> int:
        """1, 2 or 3 (the number, not the encoded value)."""
        return self._field(
            "version",
            lambda c: c.version.value + 1,
            lambda: {"v1": 1, "v2": 2, "v3": 3}.get(self._tbs["version"].native, 0),
        )

    @cached_property
    def serial(self) -> int:
        return self._field(
            "serial", lambda c: c.serial_number, lambda: self._tbs["serial_number"].native
        )

    @cached_property
    def serial_bytes(self) -> bytes:
        """The serial's DER content octets (two's complement, minimal)."""
        n = self.serial
        length = max(1, (n.bit_length() + 8) // 8) if n >= 0 else (((~n).bit_length() + 8) // 8)
        return n.to_bytes(length, "big", signed=True)

    @cached_property
    def serial_hex(self) -> str:
        return format(self.serial, "x") if self.serial >= 0 else "-" + format(-self.serial, "x")

    @cached_property
    def signature_algorithm(self) -> str:
        """Dotted OID of the certificate's signatureAlgorithm."""
        return self._field(
            "signatureAlgorithm",
            lambda c: c.signature_algorithm_oid.dotted_string,
            lambda: self._tolerant["signature_algorithm"]["algorithm"].dotted,
        )

    @cached_property
    def not_before(self) -> datetime:
        return self._field(
            "notBefore",
            lambda c: c.not_valid_before_utc,
            lambda: _utc(self._tbs["validity"]["not_before"].native),
        )

    @cached_property
    def not_after(self) -> datetime:
        return self._field(
            "notAfter",
            lambda c: c.not_valid_after_utc,
            lambda: _utc(self._tbs["validity"]["not_after"].native),
        )

    @cached_property
    def validity_seconds(self) -> int:
        """BR 6.3.2 / RFC 5280 4.1.2.5: the period is inclusive of both ends (+1 second)."""
        return int((self.not_after - self.not_before).total_seconds()) + 1

    @cached_property
    def validity_days(self) -> float:
        return self.validity_seconds / 86400

    @cached_property
    def subject(self) -> Name:
        return self._field(
            "subject",
            lambda c: name_from_crypto(c.subject),
            lambda: name_from_asn1(self._tbs["subject"]),
        )

    @cached_property
    def issuer(self) -> Name:
        return self._field(
            "issuer",
            lambda c: name_from_crypto(c.issuer),
            lambda: name_from_asn1(self._tbs["issuer"]),
        )

    @cached_property
    def is_self_issued(self) -> bool:
        """RFC 5280 6.1: subject and issuer are the same name."""
        return self.subject.normalized == self.issuer.normalized

    @cached_property
    def key(self) -> KeyInfo:
        return self._field(
            "subjectPublicKeyInfo", lambda c: _key_from_crypto(c.public_key()), self._key_from_asn1
        )

    def _key_from_asn1(self) -> KeyInfo:
        spki = self._tbs["subject_public_key_info"]
        algorithm = spki["algorithm"]["algorithm"].dotted
        if algorithm in (oids.RSA_ENCRYPTION, oids.RSASSA_PSS):
            parsed = spki["public_key"].parsed
            modulus = parsed["modulus"].native
            return KeyInfo("rsa", modulus.bit_length(), parsed["public_exponent"].native, modulus)
        if algorithm == oids.EC_PUBLIC_KEY:
            curve = spki["algorithm"]["parameters"].chosen.native
            return KeyInfo("ec", spki.bit_size, curve=curve if isinstance(curve, str) else None)
        names = {oids.DSA: "dsa", oids.ED25519: "ed25519", oids.ED448: "ed448"}
        return KeyInfo(names.get(algorithm, "unknown"), None)

    @cached_property
    def public_key_der(self) -> bytes:
        """The SubjectPublicKeyInfo, DER: what "the same key" means across certificates."""
        return self._field(
            "subjectPublicKeyInfo",
            lambda c: c.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
            lambda: self._tbs["subject_public_key_info"].dump(),
        )

    # -- extensions --------------------------------------------------------------------------

    @cached_property
    def extension_list(self) -> tuple[Extension, ...]:
        """Every extension in certificate order (duplicates kept, so lints can see them)."""
        return self._field("extensions", _extensions_from_crypto, self._extensions_from_asn1)

    def _extensions_from_asn1(self) -> tuple[Extension, ...]:
        exts = self._tbs["extensions"]
        return tuple(
            Extension(e["extn_id"].dotted, bool(e["critical"].native), asn1=e) for e in exts
        )

    @cached_property
    def extensions(self) -> dict[str, Extension]:
        """The first extension of each OID."""
        out: dict[str, Extension] = {}
        for ext in self.extension_list:
            out.setdefault(ext.oid, ext)
        return out

    def has_extension(self, oid: str) -> bool:
        return oid in self.extensions

    def _ext(
        self, oid: str, from_crypto: Callable[[Any], T], from_asn1: Callable[[Any], T]
    ) -> T | None:
        ext = self.extensions.get(oid)
        if ext is None:
            return None
        if ext.crypto is not None:
            return from_crypto(ext.crypto)
        return from_asn1(ext.asn1["extn_value"].parsed)

    @cached_property
    def basic_constraints(self) -> BasicConstraints | None:
        return self._ext(
            oids.BASIC_CONSTRAINTS,
            lambda v: BasicConstraints(v.ca, v.path_length),
            lambda v: BasicConstraints(bool(v["ca"].native), v["path_len_constraint"].native),
        )

    @cached_property
    def is_ca(self) -> bool:
        bc = self.basic_constraints
        return bool(bc and bc.ca)

    @cached_property
    def key_usage(self) -> frozenset[str] | None:
        def from_crypto(v: x509.KeyUsage) -> frozenset[str]:
            agreement = v.key_agreement
            return frozenset(
                bit for bit in _KEY_USAGE_BITS
                if (bit not in ("encipher_only", "decipher_only") or agreement) and getattr(v, bit)
            )  # fmt: skip

        return self._ext(oids.KEY_USAGE, from_crypto, lambda v: frozenset(v.native))

    @cached_property
    def eku(self) -> tuple[str, ...] | None:
        return self._ext(
            oids.EXTENDED_KEY_USAGE,
            lambda v: tuple(o.dotted_string for o in v),
            lambda v: tuple(p.dotted for p in v),
        )

    @cached_property
    def san(self) -> tuple[GeneralName, ...] | None:
        """subjectAltName entries, or None when the extension is absent."""
        return self._ext(
            oids.SUBJECT_ALT_NAME, _general_names_from_crypto, _general_names_from_asn1
        )

    @cached_property
    def dns_names(self) -> tuple[str, ...]:
        return tuple(g.value for g in self.san or () if g.kind == "dns")

    @cached_property
    def ip_addresses(self) -> tuple[Any, ...]:
        return tuple(g.value for g in self.san or () if g.kind == "ip")

    @cached_property
    def san_values(self) -> frozenset[str]:
        """SAN dNSNames and IP addresses as text, lower-cased, for comparing with the CN."""
        return frozenset(str(v).lower() for v in (*self.dns_names, *self.ip_addresses))

    @cached_property
    def subject_key_id(self) -> bytes | None:
        return self._ext(oids.SUBJECT_KEY_IDENTIFIER, lambda v: v.digest, lambda v: v.native)

    @cached_property
    def authority_key_id(self) -> bytes | None:
        """The AKI's keyIdentifier; b"" when the extension is present without one."""
        return self._ext(
            oids.AUTHORITY_KEY_IDENTIFIER,
            lambda v: v.key_identifier or b"",
            lambda v: v["key_identifier"].native or b"",
        )

    @cached_property
    def aia(self) -> AccessDescriptions | None:
        def from_crypto(v: x509.AuthorityInformationAccess) -> AccessDescriptions:
            return _access(
                (d.access_method.dotted_string, d.access_location.value) for d in v
                if isinstance(d.access_location, x509.UniformResourceIdentifier)
            )  # fmt: skip

        def from_asn1(v: Any) -> AccessDescriptions:
            return _access(
                (d["access_method"].dotted, d["access_location"].native) for d in v
                if d["access_location"].name == "uniform_resource_identifier"
            )  # fmt: skip

        return self._ext(oids.AUTHORITY_INFO_ACCESS, from_crypto, from_asn1)

    @cached_property
    def crl_urls(self) -> tuple[str, ...] | None:
        """The URIs in cRLDistributionPoints' fullName fields, or None when absent."""

        def from_crypto(v: x509.CRLDistributionPoints) -> tuple[str, ...]:
            return tuple(
                n.value for dp in v for n in dp.full_name or ()
                if isinstance(n, x509.UniformResourceIdentifier)
            )  # fmt: skip

        def from_asn1(v: Any) -> tuple[str, ...]:
            urls = []
            for dp in v:
                name = dp["distribution_point"]
                if getattr(name, "name", None) == "full_name":
                    urls += [
                        g.native for g in name.chosen if g.name == "uniform_resource_identifier"
                    ]
            return tuple(urls)

        return self._ext(oids.CRL_DISTRIBUTION_POINTS, from_crypto, from_asn1)

    @cached_property
    def policies(self) -> tuple[str, ...] | None:
        """Policy OIDs of certificatePolicies, or None when absent."""
        return self._ext(
            oids.CERTIFICATE_POLICIES,
            lambda v: tuple(p.policy_identifier.dotted_string for p in v),
            lambda v: tuple(p["policy_identifier"].dotted for p in v),
        )

    @cached_property
    def is_precertificate(self) -> bool:
        """RFC 6962 3.1: a precertificate carries the critical poison extension."""
        return oids.CT_PRECERT_POISON in self.extensions

    # -- the profile (set by the engine, cached here so lints can read it) -------------------

    @cached_property
    def profile(self) -> Any:
        from audit.engine.profiles import detect_profile

        return detect_profile(self)


# -- converters ------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _access(pairs: Any) -> AccessDescriptions:
    ocsp, issuers = [], []
    for method, url in pairs:
        if method == oids.AD_OCSP:
            ocsp.append(url)
        elif method == oids.AD_CA_ISSUERS:
            issuers.append(url)
    return AccessDescriptions(tuple(ocsp), tuple(issuers))


def _key_from_crypto(key: Any) -> KeyInfo:
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return KeyInfo("rsa", key.key_size, numbers.e, numbers.n)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return KeyInfo("ec", key.key_size, curve=key.curve.name)
    if isinstance(key, dsa.DSAPublicKey):
        return KeyInfo("dsa", key.key_size)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyInfo("ed25519", 256)
    if isinstance(key, ed448.Ed448PublicKey):
        return KeyInfo("ed448", 456)
    return KeyInfo("unknown", None)


def _extensions_from_crypto(cert: x509.Certificate) -> tuple[Extension, ...]:
    return tuple(
        Extension(e.oid.dotted_string, e.critical, crypto=e.value) for e in cert.extensions
    )


_CRYPTO_GENERAL_NAMES: dict[type, str] = {
    x509.DNSName: "dns", x509.IPAddress: "ip", x509.RFC822Name: "email",
    x509.UniformResourceIdentifier: "uri", x509.DirectoryName: "dirname",
    x509.OtherName: "other", x509.RegisteredID: "rid",
}  # fmt: skip


def _general_names_from_crypto(names: Any) -> tuple[GeneralName, ...]:
    return tuple(GeneralName(_CRYPTO_GENERAL_NAMES.get(type(n), "other"), n.value) for n in names)


_ASN1_GENERAL_NAMES = {
    "dns_name": "dns", "ip_address": "ip", "rfc822_name": "email",
    "uniform_resource_identifier": "uri", "directory_name": "dirname", "other_name": "other",
    "registered_id": "rid", "x400_address": "x400", "edi_party_name": "edi",
}  # fmt: skip


def _general_names_from_asn1(names: Any) -> tuple[GeneralName, ...]:
    out = []
    for g in names:
        kind = _ASN1_GENERAL_NAMES.get(g.name, "other")
        if kind == "ip":
            raw = g.chosen.contents
            value: Any = ipaddress.ip_address(raw) if len(raw) in (4, 16) else raw
        elif kind in ("dns", "email", "uri"):
            try:
                value = g.chosen.native
            except ValueError:  # not IA5: keep the octets, so the syntax lints can say so
                value = g.chosen.contents.decode("latin-1")
        else:
            value = g.chosen.dump()
        out.append(GeneralName(kind, value))
    return tuple(out)


__all__ = ["Attr", "CertView", "GeneralName", "KeyInfo", "Name", "NotACertificate"]

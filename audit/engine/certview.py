"""One parsed certificate, with everything lints need derived once.

`cryptography` is the fast, strict decoder. Real issuance databases also hold certificates it
refuses, wholly (odd time formats, parameters on RSA keys) or field by field (empty RDN sets,
malformed extensions). For those, each field falls back to `asn1crypto`, a tolerant decoder,
and the refusal is recorded in `problems` (the `certificate_decodes_strictly` lint turns it
into a `fatal` finding) so everything else can still be checked.

Derived values are cached on first read (`derived`, a lock-free `cached_property`): a lint pays
for what it reads, and no lint pays twice.

An accessor whose value follows from one part's octets alone (a field, the first extension of
an OID) says so with `@part(...)` or `@by_oid` (audit/engine/parts.py), and `extensions` is
read by OID: the engine shares results by those parts, checking as it goes that a lint reads
nothing else. An accessor without one is per certificate. Declare a part only where the value
depends on nothing but those octets (and the profile).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from asn1crypto import core as asn1_core
from asn1crypto import parser as asn1_parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning

from audit.engine import oids
from audit.engine.der import children, encode, header, sct_list_fields
from audit.engine.lean_stdlib import BoundedCache, derived, quick_init
from audit.engine.names import Attr, Name, name_from_asn1, name_from_crypto
from audit.engine.parts import EXT, by_oid, part
from audit.engine.profiles import Profile, detect_profile

# cryptography warns about things our lints report as findings (negative serials, attribute
# lengths); a warning per certificate would only flood the log.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
warnings.filterwarnings("ignore", message="Attribute's length must be")

T = TypeVar("T")


@quick_init
@dataclass(frozen=True, slots=True)
class RowFacts:
    """What the issuance database's row says about the certificate it stores."""

    cert_id: str
    serial_hex: str | None = None
    issuer: str | None = None
    subject: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    status: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: int | None = None  # RFC 5280 CRLReason of a revoked row, when recorded
    issued: datetime | None = None  # when the row says it was issued (Boulder's `issued`)
    precertificate: bool = False  # the database keeps the row as a precertificate


class NotACertificate(ValueError):
    """Neither decoder could read the bytes as an X.509 certificate."""


@quick_init
@dataclass(frozen=True, slots=True)
class GeneralName:
    kind: str  # dns, ip, email, uri, dirname, other, rid, x400, edi
    value: Any  # str for dns/email/uri; ip_address/ip_network or raw bytes for ip


@quick_init
@dataclass(frozen=True, slots=True)
class KeyInfo:
    algorithm: str  # rsa, ec, dsa, ed25519, ed448, unknown
    bits: int | None
    rsa_exponent: int | None = None
    rsa_modulus: int | None = None
    curve: str | None = None  # e.g. secp256r1


@quick_init
@dataclass(frozen=True, slots=True)
class BasicConstraints:
    ca: bool
    path_length: int | None


@quick_init
@dataclass(frozen=True, slots=True)
class AccessDescriptions:
    ocsp: tuple[str, ...]
    ca_issuers: tuple[str, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Extension:
    oid: str
    critical: bool
    crypto: Any = None  # cryptography's parsed value, on the fast path
    asn1: Any = None  # asn1crypto's Extension, on the tolerant path


@quick_init
@dataclass(frozen=True, slots=True)
class EncodedAlgorithms:
    """AlgorithmIdentifiers exactly as encoded, which cryptography normalises away: what the
    byte-for-byte rules (MRSP 5.1, BR 7.1.3) compare."""

    signature: bytes  # Certificate.signatureAlgorithm, DER
    tbs_signature: bytes  # TBSCertificate.signature, DER
    public_key: bytes  # SubjectPublicKeyInfo.algorithm, DER


@quick_init
@dataclass(frozen=True, slots=True)
class TimeEncoding:
    """A validity time as encoded. Decoders turn UTCTime and GeneralizedTime, with or without
    seconds or a zone, into the same datetime; RFC 5280 4.1.2.5 cares which it was."""

    tag: int  # 0x17 UTCTime, 0x18 GeneralizedTime (anything else is malformed)
    text: str  # the encoded characters (latin-1, so every octet shows)


@quick_init
@dataclass(frozen=True, slots=True)
class TbsEncoding:
    """TBSCertificate fields as encoded (whole TLVs), for rules about the encoding itself."""

    version: bytes | None  # the [0] EXPLICIT version; None when absent (v1 by DEFAULT)
    issuer: bytes  # the issuer Name
    subject: bytes  # the subject Name
    not_before: TimeEncoding
    not_after: TimeEncoding
    issuer_unique_id: bytes | None  # [1] IMPLICIT issuerUniqueID, when present
    subject_unique_id: bytes | None  # [2] IMPLICIT subjectUniqueID, when present
    extensions: bytes | None  # the Extensions SEQUENCE inside [3], when present


@quick_init
@dataclass(frozen=True, slots=True)
class EncodedExtension:
    """One Extension as encoded: what DER rules about extensions look at."""

    oid: str
    critical: bool
    critical_encoded: bool  # the BOOLEAN is in the DER (DER leaves out a DEFAULT FALSE)
    value: bytes  # extnValue's octets: the extension's own DER


@quick_init
@dataclass(frozen=True, slots=True)
class _ExtensionWalk:
    """CertView._extension_walk's findings (filled by the walk, then only read)."""

    extensions: list[EncodedExtension]  # in certificate order
    tlvs: list[bytes]  # each one's whole encoding, in the same order
    first: dict[str, EncodedExtension]  # the first of each OID
    first_tlv: dict[str, bytes]  # and its whole encoding


@quick_init
@dataclass(frozen=True, slots=True)
class SignedCertificateTimestamp:
    """One embedded SCT (RFC 6962 3.2): which log, and when."""

    log_id: bytes  # SHA-256 of the log's public key
    timestamp: datetime


@quick_init
@dataclass(frozen=True, slots=True)
class CabfOrganizationIdentifier:
    """EVG 9.8.2's cabfOrganizationIdentifier extension, decoded."""

    scheme: str  # registrationSchemeIdentifier, e.g. NTR, VAT, PSD
    country: str  # registrationCountry
    state: str | None  # registrationStateOrProvince, when present
    reference: str  # registrationReference


class _CabfOrganizationIdentifierAsn1(asn1_core.Sequence):
    _fields = [
        ("registration_scheme_identifier", asn1_core.PrintableString),
        ("registration_country", asn1_core.PrintableString),
        ("registration_state_or_province", asn1_core.PrintableString, {"implicit": 0, "optional": True}),
        ("registration_reference", asn1_core.UTF8String),
    ]  # fmt: skip


@quick_init
@dataclass(frozen=True, slots=True)
class GeneralSubtree:
    """One GeneralSubtree of nameConstraints (RFC 5280 4.2.1.10), bounds as encoded."""

    base: GeneralName
    minimum: int = 0
    maximum: int | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class NameConstraints:
    permitted: tuple[GeneralSubtree, ...] | None  # None: the field is absent
    excluded: tuple[GeneralSubtree, ...] | None


@quick_init
@dataclass(frozen=True, slots=True)
class PolicyQualifier:
    """One PolicyQualifierInfo of certificatePolicies (RFC 5280 4.2.1.4)."""

    oid: str  # policyQualifierId
    cps_uri: str | None = None  # the CPS pointer, when it is an IA5String
    notice_ref: bool = False  # a UserNotice with a noticeRef
    explicit_text: str | None = None  # a UserNotice's explicitText, decoded
    explicit_text_tag: int | None = None  # its ASN.1 universal tag (12 UTF8String, 22 IA5String...)
    explicit_text_decodes: bool = True  # False: its octets are not valid in that string type


@quick_init
@dataclass(frozen=True, slots=True)
class PolicyInformation:
    oid: str
    qualifiers: tuple[PolicyQualifier, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class DistributionPoint:
    """One DistributionPoint of cRLDistributionPoints: its names and which fields are set."""

    full_name: tuple[GeneralName, ...] | None  # distributionPoint's fullName
    relative_name: bool  # distributionPoint is nameRelativeToCRLIssuer
    reasons: bool
    crl_issuer: tuple[GeneralName, ...] | None


class _OpaqueExtension(asn1_core.Sequence):
    """An Extension whose extnValue is kept as octets: for values asn1crypto's typed spec
    refuses (an empty extnValue), so the extension's OID and criticality still read."""

    _fields = [
        ("extn_id", asn1_core.ObjectIdentifier),
        ("critical", asn1_core.Boolean, {"default": False}),
        ("extn_value", asn1_core.ParsableOctetString),
    ]


_KEY_USAGE_BITS = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)  # fmt: skip


class CertView:
    """A certificate as lints see it. Build it once per certificate."""

    def __init__(self, der: bytes) -> None:
        # bytes, whatever a database driver gave (a memoryview, a bytearray): the header walks
        # (audit/engine/der.py) index bytes
        self.der = der = der if type(der) is bytes else bytes(der)
        self.sha256 = hashlib.sha256(der).hexdigest()
        self.problems: list[str] = []  # what the strict decoder refused, field by field
        self.db_row: RowFacts | None = None  # set by the engine when linting a database row
        # The time of the audit, set by the engine: a lint's only "now" (never the clock), so
        # that what a lint reads of it is seen like any other per-certificate read.
        self.as_of: datetime | None = None
        # The date whose rules every certificate is judged by, when the engine is told one
        # (`--rules-as-of`); None: each by its own notBefore. Read it through `judged_at`.
        self.rules_as_of: datetime | None = None
        self._crypto: x509.Certificate | None
        try:
            self._crypto = x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as exc:  # v2 certificates raise InvalidVersion
            self._crypto = None
            self.problems.append(f"certificate: {exc}")
            self._tolerant  # noqa: B018 - raises NotACertificate when neither decoder can read it

    # -- decoding plumbing -------------------------------------------------------------------

    @derived
    def _tolerant(self) -> asn1_x509.Certificate:
        try:
            cert = asn1_x509.Certificate.load(self.der, strict=True)
            cert["tbs_certificate"]["serial_number"].native  # noqa: B018 - forces the parse
            return cert
        except Exception as exc:  # asn1crypto raises several types for garbage input
            raise NotACertificate(f"not a DER X.509 certificate: {exc}") from None

    @derived
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

    @property
    def parsed_strictly(self) -> bool:
        """The strict decoder accepted the certificate as a whole. It checks the structure down
        to the validity times and each extension's place (not extension values: those it reads
        when asked, and `problems` records any it refuses), so every TLV of the TBSCertificate
        is then where RFC 5280 puts it, in DER: header walks over them find the same fields."""
        return self._crypto is not None

    _EVERY_FIELD = (
        "version", "serial", "not_before", "not_after", "subject", "issuer", "key",
        "extension_list", "signature_algorithm",
    )  # fmt: skip

    def read_every_field(self) -> list[str]:
        """Read every field once, so that `problems` holds each refusal whichever accessors were
        read before; returns `problems` (a field neither decoder can read is on record too)."""
        for field in self._EVERY_FIELD:
            try:
                getattr(self, field)
            except Exception as exc:  # noqa: BLE001 - recorded, as the decoders' refusals are
                self.problems.append(f"unreadable: {exc}")
        return self.problems

    # -- the basic fields --------------------------------------------------------------------

    @part("version")
    @derived
    def version(self) -> int:
        """1, 2 or 3 (the number, not the encoded value)."""
        return self._field(
            "version",
            lambda c: c.version.value + 1,
            lambda: {"v1": 1, "v2": 2, "v3": 3}.get(self._tbs["version"].native, 0),
        )

    @derived
    def serial(self) -> int:
        return self._field(
            "serial", lambda c: c.serial_number, lambda: self._tbs["serial_number"].native
        )

    @derived
    def serial_bytes(self) -> bytes:
        """The serial's DER content octets (two's complement, minimal)."""
        n = self.serial
        length = max(1, (n.bit_length() + 8) // 8) if n >= 0 else (((~n).bit_length() + 8) // 8)
        return n.to_bytes(length, "big", signed=True)

    @derived
    def serial_hex(self) -> str:
        return format(self.serial, "x") if self.serial >= 0 else "-" + format(-self.serial, "x")

    @part("signature_algorithm")
    @derived
    def signature_algorithm(self) -> str:
        """Dotted OID of the certificate's signatureAlgorithm."""
        return self._field(
            "signatureAlgorithm",
            lambda c: _dotted(c.signature_algorithm_oid),
            lambda: self._tolerant["signature_algorithm"]["algorithm"].dotted,
        )

    @derived
    def not_before(self) -> datetime:
        return self._field("notBefore", lambda c: c.not_valid_before_utc, lambda: self._time(0))

    @derived
    def not_after(self) -> datetime:
        return self._field("notAfter", lambda c: c.not_valid_after_utc, lambda: self._time(1))

    def _time(self, which: int) -> datetime:
        """A validity time the strict decoder refused: asn1crypto's reading, else a lenient
        one of the encoded characters (no seconds, a zone offset, a fraction)."""
        try:
            field = ("not_before", "not_after")[which]
            return _utc(self._tbs["validity"][field].native)
        except Exception:  # asn1crypto refuses it too: read the characters leniently
            encoded = self.validity_encoding[which]
            return _lenient_time(encoded.tag, encoded.text)

    @property
    def judged_at(self) -> datetime:
        """The date whose rules the certificate is judged by: its notBefore (the rules in
        force when it was issued), unless the engine judges by those of another date. A check
        whose requirement changed on a date (`dates.X`) compares this, not notBefore."""
        return self.not_before if self.rules_as_of is None else self.rules_as_of

    @derived
    def validity_seconds(self) -> int:
        """BR 6.3.2 / RFC 5280 4.1.2.5: the period is inclusive of both ends (+1 second)."""
        return int((self.not_after - self.not_before).total_seconds()) + 1

    @derived
    def validity_days(self) -> float:
        return self.validity_seconds / 86400

    @part("subject")
    @derived
    def subject(self) -> Name:
        return self._field(
            "subject",
            lambda c: self._name_from_crypto(c, _SUBJECT_FIELD),
            lambda: name_from_asn1(self._tbs["subject"]),
        )

    @part("issuer")
    @derived
    def issuer(self) -> Name:
        return self._field(
            "issuer",
            lambda c: self._name_from_crypto(c, _ISSUER_FIELD),
            lambda: name_from_asn1(self._tbs["issuer"]),
        )

    def _name_from_crypto(self, cert: x509.Certificate, index: int) -> Name:
        """The strict decoder's reading of a Name, shared by every certificate holding the same
        encoded Name (issuers repeat across a population): the reading depends on those octets
        alone, and a Name is immutable. Issuer names are kept; a subject is looked up (a CA
        certificate's subject is its certificates' issuer) but not kept, being mostly unique."""
        encoded = self._tbs_field(index)
        name = _NAMES.get(encoded) if encoded is not None else None
        if name is None:
            name = name_from_crypto(cert.subject if index == _SUBJECT_FIELD else cert.issuer)
            if encoded is not None and index == _ISSUER_FIELD:
                _NAMES.keep(encoded, name)
        return name

    def _tbs_field(self, index: int) -> bytes | None:
        """The whole TLV of the TBSCertificate field `index` (counted without the version),
        or None when the header walk cannot find it."""
        try:
            fields = self._tbs_fields[2]
        except Exception:  # headers no walk can read: the caller decodes without this shortcut
            return None
        if fields and fields[0][0] == 0xA0:  # [0] EXPLICIT version
            index += 1
        if index >= len(fields):
            return None
        _, start, end = fields[index]
        return self.der[start:end]

    @part("issuer", "subject")
    @derived
    def is_self_issued(self) -> bool:
        """RFC 5280 6.1: subject and issuer are the same name."""
        subject, issuer = self.subject, self.issuer
        if len(subject.attributes) != len(issuer.attributes):  # the common case, cheaply
            return False
        return subject.normalized == issuer.normalized

    @derived
    def is_self_signed(self) -> bool:
        """Self-issued and signed by its own key (RFC 5280 4.2.1.1's "self-signed").

        The signature is checked only for self-issued certificates (few); when it cannot be
        checked (tolerant decode, unsupported algorithm), matching key identifiers decide.
        """
        if not self.is_self_issued:
            return False
        if self._crypto is not None:
            try:
                self._crypto.verify_directly_issued_by(self._crypto)
                return True
            except InvalidSignature:
                return False
            except Exception:  # unsupported or undecodable key/algorithm: fall through
                pass
        aki = self.authority_key_id
        return not aki or aki == self.subject_key_id

    @derived
    def key(self) -> KeyInfo:
        # Not kept across certificates by encoding (as issuer names are): a CA's subscriber
        # keys are mostly distinct, and the sample's repeated keys would flatter the benchmark.
        spki = self._tbs_field(_SPKI_FIELD) if self._crypto is not None else None
        return self._field(
            "subjectPublicKeyInfo",
            lambda c: _key_from_crypto(c.public_key(), spki),
            self._key_from_asn1,
        )

    @part("spki_algorithm")
    @derived
    def key_algorithm(self) -> str:
        """`key.algorithm` (rsa, ec, dsa, ed25519, ed448, unknown): the kind of key, which the
        SubjectPublicKeyInfo's algorithm decides (the engine shares what depends on it alone)."""
        return self.key.algorithm

    def _key_from_asn1(self) -> KeyInfo:
        spki = self._tbs["subject_public_key_info"]
        algorithm = self.public_key_algorithm
        if algorithm in (oids.RSA_ENCRYPTION, oids.RSASSA_PSS):
            parsed = spki["public_key"].parsed
            modulus = parsed["modulus"].native
            return KeyInfo("rsa", modulus.bit_length(), parsed["public_exponent"].native, modulus)
        if algorithm == oids.EC_PUBLIC_KEY:
            curve = spki["algorithm"]["parameters"].chosen.native
            return KeyInfo("ec", spki.bit_size, curve=curve if isinstance(curve, str) else None)
        names = {oids.DSA: "dsa", oids.ED25519: "ed25519", oids.ED448: "ed448"}
        return KeyInfo(names.get(algorithm, "unknown"), None)

    @part("spki_algorithm")
    @derived
    def public_key_algorithm(self) -> str:
        """Dotted OID of subjectPublicKeyInfo's algorithm, also for keys no decoder understands
        (e.g. id-RSASSA-PSS, GOST), where `key` says only "rsa" or "unknown"."""

        def from_asn1() -> str:
            # asn1crypto's PublicKeyInfo refuses algorithms it has no spec for: read it generically.
            spki = asn1_core.Sequence.load(self._tbs["subject_public_key_info"].dump())
            return spki[0][0].dotted

        return self._field(
            "subjectPublicKeyInfo", lambda c: _dotted(c.public_key_algorithm_oid), from_asn1
        )

    @derived
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

    @derived
    def extension_list(self) -> tuple[Extension, ...]:
        """Every extension in certificate order (duplicates kept, so lints can see them)."""
        return self._field("extensions", self._extensions_strictly, self._extensions_from_asn1)

    def _extensions_strictly(self, cert: x509.Certificate) -> tuple[Extension, ...]:
        """The strict decoder's reading of the extensions. An extension's reading depends on its
        encoding alone, and a CA encodes most of its extensions alike on all the certificates
        of an issuing profile: those read before are taken as read (`_EXTENSIONS`), and the
        decoder reads only the others, in a copy of this certificate that holds just them.
        Whatever is unusual (a repeated OID, a header the walk cannot read, a refusal) is left
        to the decoder reading the certificate itself, so that it says why."""
        try:
            walk = self._extension_walk
            encoded, tlvs = walk.extensions, walk.tlvs
        except Exception:  # noqa: BLE001 - the decoder reads (or refuses) the certificate
            return _extensions_from_crypto(cert)
        if len(walk.first) != len(encoded):  # an OID repeated: the decoder refuses that
            return _extensions_from_crypto(cert)
        found = [_EXTENSIONS.get(tlv) for tlv in tlvs]
        missing = [i for i, ext in enumerate(found) if ext is None]
        if missing:
            try:
                copy = self._with_extensions(b"".join([tlvs[i] for i in missing]))
                read = _extensions_from_crypto(x509.load_der_x509_certificate(copy))
            except Exception:  # noqa: BLE001 - the decoder, reading the certificate, says why
                return _extensions_from_crypto(cert)
            if [e.oid for e in read] != [encoded[i].oid for i in missing]:
                return _extensions_from_crypto(cert)
            for i, ext in zip(missing, read, strict=True):
                found[i] = ext
                if ext.oid not in oids.PER_SUBSCRIBER_EXTENSIONS:
                    _EXTENSIONS.keep(tlvs[i], ext)
        return tuple(found)  # type: ignore[arg-type]

    def _with_extensions(self, extensions: bytes) -> bytes:
        """This certificate's DER with `extensions` (Extension TLVs) as its only extensions."""
        der = self.der
        _, tbs_end, fields = self._tbs_fields
        # every field up to [3] extensions, the last (the strict decoder accepted the order)
        end = fields[-1][1] if fields[-1][0] == 0xA3 else fields[-1][2]
        tbs = encode(0x30, der[fields[0][1] : end] + encode(0xA3, encode(0x30, extensions)))
        return encode(0x30, tbs + der[tbs_end:])  # nothing follows: the decoder accepted it

    def _extensions_from_asn1(self) -> tuple[Extension, ...]:
        out = []
        for e in self._tbs["extensions"]:
            oid = e["extn_id"].dotted
            try:
                e["extn_value"]  # noqa: B018 - asn1crypto parses a known extension's value here
            except Exception as exc:  # e.g. an empty extnValue: keep the octets, unparsed
                self.problems.append(f"extension {oid}: {str(exc).splitlines()[0]}")
                e = _OpaqueExtension.load(e.dump())
            out.append(Extension(oid, bool(e["critical"].native), asn1=e))
        return tuple(out)

    @derived
    def extensions(self) -> dict[str, Extension]:
        """The first extension of each OID."""
        extensions = self.extension_list
        out = {ext.oid: ext for ext in extensions}  # the last of each OID, in first-seen order
        if len(out) != len(extensions):  # an OID repeated: keep the first instead
            out = {}
            for ext in extensions:
                out.setdefault(ext.oid, ext)
        return out

    @by_oid
    def has_extension(self, oid: str) -> bool:
        return oid in self.extensions

    @by_oid
    def is_critical(self, oid: str) -> bool:
        """The first `oid` extension is present and marked critical."""
        ext = self.extensions.get(oid)
        return ext is not None and ext.critical

    def _ext(
        self, oid: str, from_crypto: Callable[[Any], T], from_asn1: Callable[[Any], T]
    ) -> T | None:
        ext = self.extensions.get(oid)
        if ext is None:
            return None
        if ext.crypto is not None:
            return from_crypto(ext.crypto)
        return from_asn1(ext.asn1["extn_value"].parsed)

    @part(EXT + oids.BASIC_CONSTRAINTS)
    @derived
    def basic_constraints(self) -> BasicConstraints | None:
        return self._ext(
            oids.BASIC_CONSTRAINTS,
            lambda v: BasicConstraints(v.ca, v.path_length),
            lambda v: BasicConstraints(bool(v["ca"].native), v["path_len_constraint"].native),
        )

    @part(EXT + oids.BASIC_CONSTRAINTS)
    @derived
    def is_ca(self) -> bool:
        bc = self.basic_constraints
        return bool(bc and bc.ca)

    @part(EXT + oids.KEY_USAGE)
    @derived
    def key_usage(self) -> frozenset[str] | None:
        def from_crypto(v: x509.KeyUsage) -> frozenset[str]:
            # Bit by bit, in _KEY_USAGE_BITS's order; encipherOnly and decipherOnly are read
            # only with keyAgreement (cryptography raises for them otherwise).
            bits = [
                name for name, on in (
                    ("digital_signature", v.digital_signature),
                    ("content_commitment", v.content_commitment),
                    ("key_encipherment", v.key_encipherment),
                    ("data_encipherment", v.data_encipherment),
                    ("key_agreement", v.key_agreement),
                    ("key_cert_sign", v.key_cert_sign),
                    ("crl_sign", v.crl_sign),
                ) if on
            ]  # fmt: skip
            if v.key_agreement:
                bits += [
                    name for name, on in (
                        ("encipher_only", v.encipher_only), ("decipher_only", v.decipher_only),
                    ) if on
                ]  # fmt: skip
            return frozenset(bits)

        return self._ext(oids.KEY_USAGE, from_crypto, _key_usage_from_asn1)

    @part(EXT + oids.EXTENDED_KEY_USAGE)
    @derived
    def eku(self) -> tuple[str, ...] | None:
        return self._ext(
            oids.EXTENDED_KEY_USAGE,
            lambda v: tuple([_dotted(o) for o in v]),
            lambda v: tuple(p.dotted for p in v),
        )

    @derived
    def san(self) -> tuple[GeneralName, ...] | None:
        """subjectAltName entries, or None when the extension is absent."""
        return self._ext(
            oids.SUBJECT_ALT_NAME, _general_names_from_crypto, _general_names_from_asn1
        )

    @derived
    def dns_names(self) -> tuple[str, ...]:
        return tuple([g.value for g in self.san or () if g.kind == "dns"])

    @derived
    def dns_name_tlds(self) -> frozenset[str]:
        """The rightmost label of each dNSName, lower-cased: a set lookup tells whether any name
        is under .onion or .arpa without each lint walking the names."""
        return frozenset([n.rstrip(".").rpartition(".")[2].lower() for n in self.dns_names])

    @derived
    def ip_addresses(self) -> tuple[Any, ...]:
        return tuple([g.value for g in self.san or () if g.kind == "ip"])

    @derived
    def san_values(self) -> frozenset[str]:
        """SAN dNSNames and IP addresses as text, lower-cased, for comparing with the CN."""
        return frozenset([str(v).lower() for v in (*self.dns_names, *self.ip_addresses)])

    @derived
    def subject_key_id(self) -> bytes | None:
        return self._ext(oids.SUBJECT_KEY_IDENTIFIER, lambda v: v.digest, lambda v: v.native)

    @part(EXT + oids.AUTHORITY_KEY_IDENTIFIER)
    @derived
    def authority_key_id(self) -> bytes | None:
        """The AKI's keyIdentifier; b"" when the extension is present without one."""
        return self._ext(
            oids.AUTHORITY_KEY_IDENTIFIER,
            lambda v: v.key_identifier or b"",
            lambda v: v["key_identifier"].native or b"",
        )

    @part(EXT + oids.AUTHORITY_INFO_ACCESS)
    @derived
    def aia(self) -> AccessDescriptions | None:
        def from_crypto(v: x509.AuthorityInformationAccess) -> AccessDescriptions:
            return _access(
                (_dotted(d.access_method), d.access_location.value) for d in v
                if isinstance(d.access_location, x509.UniformResourceIdentifier)
            )  # fmt: skip

        def from_asn1(v: Any) -> AccessDescriptions:
            return _access(
                (d["access_method"].dotted, d["access_location"].native) for d in v
                if d["access_location"].name == "uniform_resource_identifier"
            )  # fmt: skip

        return self._ext(oids.AUTHORITY_INFO_ACCESS, from_crypto, from_asn1)

    @part(EXT + oids.AUTHORITY_INFO_ACCESS)
    @derived
    def aia_descriptions(self) -> tuple[tuple[str, GeneralName], ...] | None:
        """Every AccessDescription of authorityInfoAccess as (accessMethod OID, accessLocation),
        whatever the location's type; None when the extension is absent."""
        return self._ext(
            oids.AUTHORITY_INFO_ACCESS,
            lambda v: tuple(
                (_dotted(d.access_method), _general_names_from_crypto((d.access_location,))[0])
                for d in v
            ),
            lambda v: tuple(
                (d["access_method"].dotted, _general_names_from_asn1((d["access_location"],))[0])
                for d in v
            ),
        )

    @part(EXT + oids.CRL_DISTRIBUTION_POINTS)
    @derived
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

    @part(EXT + oids.CERTIFICATE_POLICIES)
    @derived
    def policies(self) -> tuple[str, ...] | None:
        """Policy OIDs of certificatePolicies, or None when absent."""
        return self._ext(
            oids.CERTIFICATE_POLICIES,
            lambda v: tuple([_dotted(p.policy_identifier) for p in v]),
            lambda v: tuple(p["policy_identifier"].dotted for p in v),
        )

    @part(EXT + oids.CT_PRECERT_POISON)
    @derived
    def is_precertificate(self) -> bool:
        """RFC 6962 3.1: a precertificate carries the critical poison extension."""
        return oids.CT_PRECERT_POISON in self.extensions

    @by_oid
    def extension_value_der(self, oid: str) -> bytes | None:
        """The DER inside the first `oid` extension's extnValue, as the certificate holds it:
        for what `cryptography` decodes but does not keep (string types, subtree bounds)."""
        ext = self.extensions.get(oid)
        if ext is None:
            return None
        try:  # the engine's own walk over the encoded extensions: no second parse
            encoded = self.encoded_extension(oid)
        except Exception:  # a header the walk cannot read: the decoders below may still
            encoded = None
        if encoded is not None:
            return encoded.value
        if ext.asn1 is not None:
            return bytes(ext.asn1["extn_value"].contents)
        if isinstance(ext.crypto, x509.UnrecognizedExtension):
            return ext.crypto.value
        try:
            for e in self._tbs["extensions"]:
                if e["extn_id"].dotted == oid:
                    return bytes(e["extn_value"].contents)
        except Exception:  # asn1crypto cannot walk this certificate's extensions
            pass
        return None

    @part(EXT + oids.ISSUER_ALT_NAME)
    @derived
    def issuer_alt_name(self) -> tuple[GeneralName, ...] | None:
        """issuerAltName entries, or None when the extension is absent."""
        return self._ext(oids.ISSUER_ALT_NAME, _general_names_from_crypto, _general_names_from_asn1)

    @part(EXT + oids.ISSUER_ALT_NAME)
    @derived
    def ian_dns_names(self) -> tuple[str, ...]:
        return tuple(g.value for g in self.issuer_alt_name or () if g.kind == "dns")

    @part(EXT + oids.NAME_CONSTRAINTS)
    @derived
    def name_constraints(self) -> NameConstraints | None:
        """nameConstraints, or None when absent. Read from the DER on both paths: `cryptography`
        drops GeneralSubtree's minimum and maximum and refuses x400Address / ediPartyName."""
        ext = self.extensions.get(oids.NAME_CONSTRAINTS)
        if ext is None:
            return None
        raw = self.extension_value_der(oids.NAME_CONSTRAINTS)
        if raw is None and isinstance(ext.crypto, x509.NameConstraints):
            return NameConstraints(
                _subtrees_from_crypto(ext.crypto.permitted_subtrees),
                _subtrees_from_crypto(ext.crypto.excluded_subtrees),
            )
        if raw is None:
            raise ValueError("nameConstraints: the extension value cannot be read")
        return _name_constraints_from_der(raw)

    @part(EXT + oids.CERTIFICATE_POLICIES)
    @derived
    def policy_information(self) -> tuple[PolicyInformation, ...] | None:
        """certificatePolicies with their qualifiers, or None when absent. An explicitText's
        string type is read from the DER (`cryptography` decodes every DisplayText to str)."""
        ext = self.extensions.get(oids.CERTIFICATE_POLICIES)
        if ext is None:
            return None
        parsed = None
        if isinstance(ext.crypto, x509.CertificatePolicies):
            parsed = _policies_from_crypto(ext.crypto)
            if not any(q.explicit_text is not None for p in parsed for q in p.qualifiers):
                return parsed
        raw = self.extension_value_der(oids.CERTIFICATE_POLICIES)
        if raw is None:
            if parsed is None:
                raise ValueError("certificatePolicies: the extension value cannot be read")
            return parsed
        return _policies_from_der(raw)

    @part(EXT + oids.CERTIFICATE_POLICIES)
    @derived
    def user_notices(self) -> tuple[PolicyQualifier, ...]:
        """Every UserNotice qualifier of certificatePolicies, in certificate order."""
        if _USER_NOTICE_OID_DER not in self.der:  # most certificates: no need to decode policies
            return ()
        return tuple(
            q for p in self.policy_information or () for q in p.qualifiers
            if q.oid == oids.USER_NOTICE_QUALIFIER
        )  # fmt: skip

    @part(EXT + oids.POLICY_MAPPINGS)
    @derived
    def policy_mappings(self) -> tuple[tuple[str, str], ...] | None:
        """policyMappings as (issuerDomainPolicy, subjectDomainPolicy) pairs; None when absent.
        (`cryptography` has no type for it, so both paths read the DER.)"""
        if not self.has_extension(oids.POLICY_MAPPINGS):
            return None
        raw = self.extension_value_der(oids.POLICY_MAPPINGS)
        if raw is None:
            raise ValueError("policyMappings: the extension value cannot be read")
        return tuple(
            (m["issuer_domain_policy"].dotted, m["subject_domain_policy"].dotted)
            for m in asn1_x509.PolicyMappings.load(raw)
        )

    @part(EXT + oids.POLICY_CONSTRAINTS)
    @derived
    def policy_constraints(self) -> tuple[int | None, int | None] | None:
        """(requireExplicitPolicy, inhibitPolicyMapping) of policyConstraints; None when absent.
        The tolerant path reads the DER itself: some CAs tag the SkipCerts explicitly."""
        ext = self.extensions.get(oids.POLICY_CONSTRAINTS)
        if ext is None:
            return None
        if isinstance(ext.crypto, x509.PolicyConstraints):
            return (ext.crypto.require_explicit_policy, ext.crypto.inhibit_policy_mapping)
        raw = self.extension_value_der(oids.POLICY_CONSTRAINTS)
        if raw is None:
            raise ValueError("policyConstraints: the extension value cannot be read")
        return _policy_constraints_from_der(raw)

    @part(EXT + oids.CRL_DISTRIBUTION_POINTS)
    @derived
    def crl_distribution_points(self) -> tuple[DistributionPoint, ...] | None:
        """cRLDistributionPoints, point by point, or None when absent."""

        def from_crypto(v: x509.CRLDistributionPoints) -> tuple[DistributionPoint, ...]:
            return tuple(
                DistributionPoint(
                    None if dp.full_name is None else _general_names_from_crypto(dp.full_name),
                    dp.relative_name is not None,
                    dp.reasons is not None,
                    None if dp.crl_issuer is None else _general_names_from_crypto(dp.crl_issuer),
                )
                for dp in v
            )

        def from_asn1(v: Any) -> tuple[DistributionPoint, ...]:
            out = []
            for dp in v:
                name, issuer = dp["distribution_point"], dp["crl_issuer"]
                kind = None if isinstance(name, asn1_core.Void) else name.name
                out.append(
                    DistributionPoint(
                        _general_names_from_asn1(name.chosen) if kind == "full_name" else None,
                        kind == "name_relative_to_crl_issuer",
                        not isinstance(dp["reasons"], asn1_core.Void),
                        None
                        if isinstance(issuer, asn1_core.Void)
                        else _general_names_from_asn1(issuer),
                    )
                )
            return tuple(out)

        return self._ext(oids.CRL_DISTRIBUTION_POINTS, from_crypto, from_asn1)

    @derived
    def scts(self) -> tuple[SignedCertificateTimestamp, ...] | None:
        """The embedded SCT list (RFC 6962 3.3), in certificate order; None when absent.
        Raises ValueError when the list is not well-formed."""

        def from_crypto(v: Any) -> tuple[SignedCertificateTimestamp, ...]:
            if isinstance(v, x509.UnrecognizedExtension):  # not parsed: read the TLS encoding
                return _scts_from_tls(asn1_core.OctetString.load(v.value).native)
            # The decoder's SCT objects cost a datetime round trip each: the list it accepted
            # is read from its octets instead (same log IDs and timestamps).
            fields = self._sct_fields_from_octets
            if fields is not None:
                return tuple(
                    [SignedCertificateTimestamp(log_id, EPOCH + timedelta(milliseconds=ms))
                     for log_id, ms in fields]
                )  # fmt: skip
            return tuple(
                SignedCertificateTimestamp(s.log_id, _utc(s.timestamp)) for s in v
            )  # fmt: skip

        return self._ext(oids.CT_SCT_LIST, from_crypto, lambda v: _scts_from_tls(v.native))

    @derived
    def sct_fields(self) -> tuple[tuple[bytes, int], ...] | None:
        """(log ID, timestamp in milliseconds since EPOCH) of each embedded SCT, in certificate
        order; None when absent. What `scts` says, without a datetime per SCT where the octets
        can be read directly; raises as `scts` does when the list is not well-formed."""
        fields = self._sct_fields_from_octets
        if fields is not None:
            return fields
        scts = self.scts
        if scts is None:
            return None
        return tuple((s.log_id, round((s.timestamp - EPOCH) / _MILLISECOND)) for s in scts)

    @derived
    def _sct_fields_from_octets(self) -> tuple[tuple[bytes, int], ...] | None:
        """`sct_fields` read from the octets of a list the strict decoder accepted; None when
        `scts` is to be read instead (no such list, another path, any surprise)."""
        try:
            ext = self.extensions.get(oids.CT_SCT_LIST)
            if ext is None or not isinstance(
                ext.crypto, x509.PrecertificateSignedCertificateTimestamps
            ):
                return None
            encoded = self.encoded_extension(oids.CT_SCT_LIST)
            if encoded is None:
                return None
            value = encoded.value
            start, end = header(value, 0)
            if value[0] != 0x04 or end != len(value):  # an OCTET STRING, and nothing after it
                return None
            # The decoder's datetime (whose year ends at 9999) raises past the bound.
            out = sct_list_fields(value[start:end], _SCT_TIME_BOUND)
            if out is None or len(out) != len(ext.crypto):
                return None
        except Exception:  # `scts` decides
            return None
        return tuple(out)

    @part(EXT + oids.CABF_ORGANIZATION_IDENTIFIER)
    @derived
    def cabf_organization_identifier(self) -> CabfOrganizationIdentifier | None:
        """The cabfOrganizationIdentifier extension (EVG 9.8.2), or None when absent. Raises
        ValueError when it is not the SEQUENCE the EVG defines."""
        ext = self.extensions.get(oids.CABF_ORGANIZATION_IDENTIFIER)
        if ext is None:
            return None
        raw = ext.asn1["extn_value"].contents if ext.crypto is None else ext.crypto.value
        if not isinstance(raw, bytes):
            raise ValueError("cabfOrganizationIdentifier: unexpected decoded form")
        value = _CabfOrganizationIdentifierAsn1.load(raw, strict=True)
        state = value["registration_state_or_province"]
        return CabfOrganizationIdentifier(
            value["registration_scheme_identifier"].native,
            value["registration_country"].native,
            None if isinstance(state, asn1_core.Void) else state.native,
            value["registration_reference"].native,
        )

    @part("signature_algorithm", "spki_algorithm")
    @derived
    def encoded_algorithms(self) -> EncodedAlgorithms:
        """The AlgorithmIdentifiers as encoded (the same for every certificate of one issuer
        and key type: the engine shares results that depend on them alone)."""
        return self._algorithms_and_signature[0]

    @derived
    def signature_value(self) -> bytes:
        """signatureValue's octets, after the unused-bits octet."""
        return self._algorithms_and_signature[1]

    @derived
    def _algorithms_and_signature(self) -> tuple[EncodedAlgorithms, bytes]:
        """The AlgorithmIdentifiers and signature octets as encoded, located by a walk over
        the DER headers (asn1crypto reads the lengths; nothing is decoded)."""
        der = self.der
        try:
            tbs_start, tbs_end, fields = self._tbs_fields
        except Exception:  # the walk below then raises, or reads what it can
            fields = []
        first = 1 if fields and fields[0][0] == 0xA0 else 0  # [0] EXPLICIT version
        if len(fields) >= first + 6:  # the shared walk found serialNumber to subjectPublicKeyInfo
            _, algorithm_end = header(der, tbs_end)  # signatureAlgorithm
            value_start, value_end = header(der, algorithm_end)  # signatureValue
            _, signature_start, signature_end = fields[first + 1]
            spki_start, _ = header(der, fields[first + 5][1])
            key_algorithm_end = header(der, spki_start)[1]
            algorithms = EncodedAlgorithms(
                der[tbs_end:algorithm_end],
                der[signature_start:signature_end],
                der[spki_start:key_algorithm_end],
            )
            return algorithms, der[value_start + 1 : value_end]
        start, _ = header(der, 0)  # Certificate
        tbs_start, tbs_end = header(der, start)  # tbsCertificate
        _, algorithm_end = header(der, tbs_end)  # signatureAlgorithm
        value_start, value_end = header(der, algorithm_end)  # signatureValue
        pos = tbs_start
        if der[pos] == 0xA0:  # [0] EXPLICIT version
            pos = header(der, pos)[1]
        pos = header(der, pos)[1]  # serialNumber
        signature_end = header(der, pos)[1]  # signature
        tbs_signature = der[pos:signature_end]
        pos = signature_end
        for _ in range(3):  # issuer, validity, subject
            pos = header(der, pos)[1]
        spki_start, _ = header(der, pos)
        key_algorithm_end = header(der, spki_start)[1]
        algorithms = EncodedAlgorithms(
            der[tbs_end:algorithm_end], tbs_signature, der[spki_start:key_algorithm_end]
        )
        return algorithms, der[value_start + 1 : value_end]

    @derived
    def _tbs_fields(self) -> tuple[int, int, list[tuple[int, int, int]]]:
        """One walk over the TBSCertificate's headers, shared by every accessor that reads a
        field as encoded: (its contents' start, its end, (tag, start, end) of each field)."""
        der = self.der
        start, _ = header(der, 0)  # Certificate
        tbs_start, tbs_end = header(der, start)  # tbsCertificate
        return tbs_start, tbs_end, children(der, tbs_start, tbs_end)

    @derived
    def tbs_encoding(self) -> TbsEncoding:
        """The TBSCertificate's fields as encoded, located by a walk over the DER headers
        (asn1crypto reads the lengths; strict decoders normalise these details away)."""
        der = self.der
        fields = self._tbs_fields[2]
        version = None
        first = 0  # the index of serialNumber
        if fields and fields[0][0] == 0xA0:  # [0] EXPLICIT version
            version = der[fields[0][1] : fields[0][2]]
            first = 1
        if len(fields) - first < 6:
            raise ValueError("tbsCertificate has fewer fields than RFC 5280 4.1 requires")
        _, issuer_start, issuer_end = fields[first + 2]
        validity_start = fields[first + 3][1]
        _, subject_start, subject_end = fields[first + 4]
        times = []
        pos, validity_end = header(der, validity_start)
        for _ in range(2):
            if pos >= validity_end:
                raise ValueError("validity does not hold notBefore and notAfter")
            contents_start, end = header(der, pos)
            times.append(TimeEncoding(der[pos], der[contents_start:end].decode("latin-1")))
            pos = end
        # The optional fields by their [n] tag, the first of each: [1], [2] unique IDs, [3]
        # extensions (in a v3 certificate, usually the only one).
        optional: dict[int, bytes] = {}
        for i in range(first + 6, len(fields)):
            tag, field_start, field_end = fields[i]
            key = tag & 0x1F if tag & 0xC0 == 0x80 else -1
            if key not in optional:
                optional[key] = der[field_start:field_end]
        extensions = optional.get(3)
        return TbsEncoding(
            version,
            der[issuer_start:issuer_end],
            der[subject_start:subject_end],
            times[0],
            times[1],
            optional.get(1),
            optional.get(2),
            None if extensions is None else extensions[header(extensions, 0)[0] :],
        )

    @derived
    def validity_encoding(self) -> tuple[TimeEncoding, TimeEncoding]:
        """(notBefore, notAfter) as encoded: tag and characters."""
        tbs = self.tbs_encoding
        return tbs.not_before, tbs.not_after

    @derived
    def encoded_extensions(self) -> tuple[EncodedExtension, ...]:
        """Every extension as encoded, in certificate order."""
        return tuple(self._extension_walk.extensions)

    @derived
    def _extension_walk(self) -> _ExtensionWalk:
        """One walk over the extensions' headers: each as encoded and its whole TLV, in
        certificate order, and the first of each OID both ways (the engine's shared results key
        on several per certificate)."""
        raw = self.tbs_encoding.extensions
        extensions: list[EncodedExtension] = []
        tlvs: list[bytes] = []
        first: dict[str, EncodedExtension] = {}
        first_tlv: dict[str, bytes] = {}
        if raw is not None:
            known = _ENCODED_EXTENSIONS
            start, end = header(raw, 0)
            for _, pos, ext_end in children(raw, start, end):
                tlv = raw[pos:ext_end]
                ext = known.get(tlv)
                if ext is None:
                    ext = _encoded_extension(raw, header(raw, pos)[0], ext_end)
                    if ext.oid not in oids.PER_SUBSCRIBER_EXTENSIONS:
                        known.keep(tlv, ext)
                extensions.append(ext)
                tlvs.append(tlv)
                oid = ext.oid
                if oid not in first:
                    first[oid] = ext
                    first_tlv[oid] = tlv
        return _ExtensionWalk(extensions, tlvs, first, first_tlv)

    @derived
    def extension_tlvs(self) -> dict[str, bytes]:
        """The whole encoding (TLV) of the first extension of each OID."""
        return self._extension_walk.first_tlv

    @by_oid
    def encoded_extension(self, oid: str) -> EncodedExtension | None:
        """The first `oid` extension as encoded."""
        return self._extension_walk.first.get(oid)

    # -- the profile (set by the engine, cached here so lints can read it) -------------------

    @derived
    def profile(self) -> Profile:
        return detect_profile(self)


# -- converters ------------------------------------------------------------------------------


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # what SCT timestamps count from (RFC 6962 3.2)
_MILLISECOND = timedelta(milliseconds=1)
_SCT_TIME_BOUND = 253402300800 * 1000  # 10000-01-01 in milliseconds since the epoch


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# Names decoded strictly, by their encoding (see CertView._name_from_crypto); cleared when full.
_NAMES: BoundedCache[bytes, Name] = BoundedCache(8192)
_ISSUER_FIELD, _SUBJECT_FIELD = 2, 4  # TBSCertificate fields after the version (RFC 5280 4.1)
_SPKI_FIELD = 5

_OID_NAMES: dict[bytes, str] = {}  # extension OIDs' dotted text, by their DER

# Extensions by their whole encoding (TLV), as the header walk reads them and as the strict
# decoder reads them (CertView._extension_walk, _extensions_strictly): most repeat across a
# CA's certificates. Cleared when full; per-subscriber extensions are not kept.
_ENCODED_EXTENSIONS: BoundedCache[bytes, EncodedExtension] = BoundedCache(8192)
_EXTENSIONS: BoundedCache[bytes, Extension] = BoundedCache(8192)


def _encoded_extension(raw: bytes, pos: int, end: int) -> EncodedExtension:
    """The Extension whose contents are raw[pos:end]: extnID, critical DEFAULT FALSE, extnValue."""
    oid_end = header(raw, pos)[1]
    encoding = raw[pos:oid_end]
    oid = _OID_NAMES.get(encoding)
    if oid is None:
        oid = asn1_core.ObjectIdentifier.load(encoding).dotted
        if len(_OID_NAMES) < 4096:  # extension OIDs are few; don't grow on odd ones
            _OID_NAMES[encoding] = oid
    pos = oid_end
    critical = critical_encoded = False
    if pos < end and raw[pos] == 0x01:  # BOOLEAN
        contents_start, pos = header(raw, pos)
        critical_encoded, critical = True, any(raw[contents_start:pos])
    value_start, value_end = header(raw, pos) if pos < end else (end, end)
    return EncodedExtension(oid, critical, critical_encoded, raw[value_start:value_end])


_TIME_FORMATS = {
    # tag -> every shape X.680 allows (RFC 5280 allows only the strictest: the time lints)
    0x17: re.compile(r"(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?"),
    0x18: re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?"),
}


def _lenient_time(tag: int, text: str) -> datetime:
    """A UTCTime or GeneralizedTime read as leniently as its characters allow: missing minutes
    or seconds count as zero, a missing zone as UTC. Raises ValueError when no date is there."""
    pattern = _TIME_FORMATS.get(tag)
    match = pattern.fullmatch(text.strip()) if pattern else None
    if match is None:
        raise ValueError(f"validity time {text!r} (tag 0x{tag:02x}) is not a time")
    year_text, month, day, hour, minute, second, fraction, zone = match.groups()
    year = int(year_text)
    if tag == 0x17:  # RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, else 20YY
        year += 1900 if year >= 50 else 2000
    value = datetime(
        year, int(month), int(day), int(hour), int(minute or 0), int(second or 0),
        int((fraction or "0")[:6].ljust(6, "0")), tzinfo=UTC,
    )  # fmt: skip
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        value -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return value


def _scts_from_tls(data: bytes) -> tuple[SignedCertificateTimestamp, ...]:
    """RFC 6962 3.3 SignedCertificateTimestampList: a 2-octet-length TLS vector of 2-octet-length
    SCTs, each version (1) | log_id (32) | timestamp (8, ms since the epoch) | ..."""
    if len(data) < 2 or int.from_bytes(data[:2], "big") != len(data) - 2:
        raise ValueError("SCT list: length does not match its contents")
    out, pos = [], 2
    while pos < len(data):
        size = int.from_bytes(data[pos : pos + 2], "big")
        sct = data[pos + 2 : pos + 2 + size]
        if len(sct) != size or size < 41:
            raise ValueError("SCT list: truncated SCT")
        when = datetime.fromtimestamp(int.from_bytes(sct[33:41], "big") / 1000, UTC)
        out.append(SignedCertificateTimestamp(sct[1:33], when))
        pos += 2 + size
    return tuple(out)


def _access(pairs: Any) -> AccessDescriptions:
    ocsp, issuers = [], []
    for method, url in pairs:
        if method == oids.AD_OCSP:
            ocsp.append(url)
        elif method == oids.AD_CA_ISSUERS:
            issuers.append(url)
    return AccessDescriptions(tuple(ocsp), tuple(issuers))


def _key_usage_from_asn1(value: Any) -> frozenset[str]:
    """asn1crypto's KeyUsage in cryptography's names (nonRepudiation is contentCommitment);
    bits past decipherOnly name no usage and are left out, as cryptography leaves them."""
    bits = {"content_commitment" if b == "non_repudiation" else b for b in value.native}
    if "key_agreement" not in bits:  # encipherOnly / decipherOnly qualify keyAgreement only
        bits -= {"encipher_only", "decipher_only"}
    return frozenset(b for b in bits if isinstance(b, str))


_KEY_KINDS: dict[type, str] = {}  # the key classes' kinds: an ABC check per class, not per key


def _key_kind(key: Any) -> str:
    kind = _KEY_KINDS.get(type(key))
    if kind is None:
        kind = next(
            (name for name, abc in _KEY_ABCS if isinstance(key, abc)), "unknown"
        )  # fmt: skip
        _KEY_KINDS[type(key)] = kind
    return kind


_KEY_ABCS = (
    ("rsa", rsa.RSAPublicKey), ("ec", ec.EllipticCurvePublicKey), ("dsa", dsa.DSAPublicKey),
    ("ed25519", ed25519.Ed25519PublicKey), ("ed448", ed448.Ed448PublicKey),
)  # fmt: skip


def _key_from_crypto(key: Any, spki: bytes | None = None) -> KeyInfo:
    kind = _key_kind(key)
    if kind == "rsa":
        # `public_numbers()` costs more than the rest of the key: read n and e from the
        # RSAPublicKey the strict decoder accepted, when the SPKI's octets are at hand.
        numbers = _rsa_numbers(spki) if spki is not None else None
        if numbers is None:
            public = key.public_numbers()
            numbers = public.n, public.e
        return KeyInfo("rsa", key.key_size, numbers[1], numbers[0])
    if kind == "ec":
        return KeyInfo("ec", key.key_size, curve=key.curve.name)
    if kind == "dsa":
        return KeyInfo("dsa", key.key_size)
    if kind == "ed25519":
        return KeyInfo("ed25519", 256)
    if kind == "ed448":
        return KeyInfo("ed448", 456)
    return KeyInfo("unknown", None)


def _rsa_numbers(spki: bytes) -> tuple[int, int] | None:
    """(modulus, exponent) of an RSA SubjectPublicKeyInfo the strict decoder accepted (so
    strict DER: non-negative minimal INTEGERs), located by header reads; None when it has
    another shape (the caller then asks the decoder)."""
    try:
        start, _ = header(spki, 0)  # SubjectPublicKeyInfo
        bits_at = header(spki, start)[1]  # subjectPublicKey, after the AlgorithmIdentifier
        bits_start, bits_end = header(spki, bits_at)
        sequence_start, sequence_end = header(spki, bits_start + 1)  # RSAPublicKey
        n_start, n_end = header(spki, sequence_start)
        e_start, e_end = header(spki, n_end)
        if (
            spki[bits_at] != 0x03  # BIT STRING
            or spki[bits_start] != 0  # no unused bits
            or spki[bits_start + 1] != 0x30
            or spki[sequence_start] != 0x02
            or spki[n_end] != 0x02
            or (e_end, sequence_end) != (sequence_end, bits_end)
        ):
            return None
    except Exception:  # not the shape expected: let the decoder say
        return None
    return int.from_bytes(spki[n_start:n_end], "big"), int.from_bytes(spki[e_start:e_end], "big")


_DOTTED: dict[x509.ObjectIdentifier, str] = {}  # OIDs' dotted text, computed once per OID


def _dotted(oid: x509.ObjectIdentifier) -> str:
    dotted = _DOTTED.get(oid)
    if dotted is None:
        dotted = oid.dotted_string
        if len(_DOTTED) < 4096:  # extension, algorithm, policy OIDs: few; don't grow on odd ones
            _DOTTED[oid] = dotted
    return dotted


def _extensions_from_crypto(cert: x509.Certificate) -> tuple[Extension, ...]:
    known = _DOTTED
    return tuple(
        [
            Extension(known.get(oid := e.oid) or _dotted(oid), e.critical, e.value)
            for e in cert.extensions
        ]
    )


_CRYPTO_GENERAL_NAMES: dict[type, str] = {
    x509.DNSName: "dns", x509.IPAddress: "ip", x509.RFC822Name: "email",
    x509.UniformResourceIdentifier: "uri", x509.DirectoryName: "dirname",
    x509.OtherName: "other", x509.RegisteredID: "rid",
}  # fmt: skip


def _general_names_from_crypto(names: Any) -> tuple[GeneralName, ...]:
    kinds = _CRYPTO_GENERAL_NAMES
    return tuple([GeneralName(kinds.get(type(n), "other"), n.value) for n in names])


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


# -- extensions read from their DER (nameConstraints, certificatePolicies) -------------------
# asn1crypto's parser reads each TLV; nothing here is a hand-written DER decoder. Its typed
# specs are not used because real certificates break them (empty noticeRef organizations,
# primitive x400Address bases) where only the field a lint needs matters.


def _der_children(data: bytes) -> list[tuple[int, int, int, bytes, bytes]]:
    """The TLVs one after another in `data`: (class, constructed, tag, contents, encoding)."""
    out, pos = [], 0
    while pos < len(data):
        cls, method, tag, head, contents, trailer = asn1_parser.parse(data[pos:], strict=False)
        size = len(head) + len(contents) + len(trailer)
        out.append((cls, method, tag, contents, data[pos : pos + size]))
        pos += size
    return out


def _der_contents(data: bytes) -> bytes:
    """The contents of the single TLV `data` holds."""
    return asn1_parser.parse(data)[4]


def _oid_from_der(encoding: bytes) -> str:
    return asn1_core.ObjectIdentifier.load(encoding).dotted


_CONTEXT = 2  # ASN.1 class of [n] tags
_GENERAL_NAME_TAGS = {
    0: "other", 1: "email", 2: "dns", 3: "x400", 4: "dirname", 5: "edi", 6: "uri", 7: "ip",
    8: "rid",
}  # fmt: skip


def _ia5_text(octets: bytes) -> str:
    try:
        return octets.decode("ascii")
    except UnicodeDecodeError:  # not IA5: keep the octets, so the syntax lints can say so
        return octets.decode("latin-1")


def _ip_from_octets(octets: bytes) -> Any:
    """An address (4 or 16 octets), an address and mask (8 or 32: name constraints), else raw."""
    if len(octets) in (4, 16):
        return ipaddress.ip_address(octets)
    if len(octets) in (8, 32):
        half = len(octets) // 2
        bits, mask = half * 8, int.from_bytes(octets[half:], "big")
        prefix = bin(mask).count("1")
        if mask == ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1):
            return ipaddress.ip_network((ipaddress.ip_address(octets[:half]), prefix), strict=False)
    return octets


def _general_name_from_der(cls: int, tag: int, contents: bytes, encoding: bytes) -> GeneralName:
    kind = _GENERAL_NAME_TAGS.get(tag, "other") if cls == _CONTEXT else "other"
    if kind in ("dns", "email", "uri"):
        return GeneralName(kind, _ia5_text(contents))
    if kind == "ip":
        return GeneralName(kind, _ip_from_octets(contents))
    return GeneralName(kind, encoding)


def _subtrees_from_der(contents: bytes) -> tuple[GeneralSubtree, ...]:
    out = []
    for _, _, _, subtree, _ in _der_children(contents):
        parts = _der_children(subtree)
        base = _general_name_from_der(parts[0][0], parts[0][2], parts[0][3], parts[0][4])
        minimum, maximum = 0, None
        for cls, _, tag, value, _ in parts[1:]:
            if cls == _CONTEXT and tag == 0:
                minimum = int.from_bytes(value, "big", signed=True)
            elif cls == _CONTEXT and tag == 1:
                maximum = int.from_bytes(value, "big", signed=True)
        out.append(GeneralSubtree(base, minimum, maximum))
    return tuple(out)


def _name_constraints_from_der(raw: bytes) -> NameConstraints:
    permitted = excluded = None
    for cls, _, tag, contents, _ in _der_children(_der_contents(raw)):
        if cls == _CONTEXT and tag == 0:
            permitted = _subtrees_from_der(contents)
        elif cls == _CONTEXT and tag == 1:
            excluded = _subtrees_from_der(contents)
    return NameConstraints(permitted, excluded)


def _subtrees_from_crypto(names: Any) -> tuple[GeneralSubtree, ...] | None:
    if names is None:
        return None
    return tuple(GeneralSubtree(g) for g in _general_names_from_crypto(names))


_UTF8_STRING, _SEQUENCE, _BMP_STRING, _UNIVERSAL_STRING = 12, 16, 30, 28
# id-qt-unotice (1.3.6.1.5.5.7.2.2) as DER: a certificate without these octets has no user notice.
_USER_NOTICE_OID_DER = bytes.fromhex("06082b06010505070202")
_TEXT_CODECS = {_UTF8_STRING: "utf-8", _BMP_STRING: "utf-16-be", _UNIVERSAL_STRING: "utf-32-be"}
_STRING_TAGS = frozenset({12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30})


def _qualifier_from_der(contents: bytes) -> PolicyQualifier:
    parts = _der_children(contents)
    oid = _oid_from_der(parts[0][4])
    if len(parts) < 2:
        return PolicyQualifier(oid)
    cls, constructed, tag, value, _ = parts[1]
    if oid == oids.CPS_QUALIFIER and cls == 0 and not constructed and tag == 22:
        return PolicyQualifier(oid, cps_uri=_ia5_text(value))
    if oid != oids.USER_NOTICE_QUALIFIER or cls != 0 or tag != _SEQUENCE:
        return PolicyQualifier(oid)
    notice_ref, text, text_tag, decodes = False, None, None, True
    for field_cls, field_constructed, field_tag, field_value, _ in _der_children(value):
        if field_cls == 0 and field_constructed and field_tag == _SEQUENCE:
            notice_ref = True
        elif field_cls == 0 and not field_constructed and field_tag in _STRING_TAGS:
            codec = _TEXT_CODECS.get(field_tag, "latin-1")
            text_tag = field_tag
            try:
                text = field_value.decode(codec)
            except UnicodeDecodeError:  # e.g. a BMPString of an odd number of octets
                text, decodes = field_value.decode(codec, errors="replace"), False
    return PolicyQualifier(oid, None, notice_ref, text, text_tag, decodes)


def _policy_constraints_from_der(raw: bytes) -> tuple[int | None, int | None]:
    fields: dict[int, int] = {}
    for cls, constructed, tag, contents, _ in _der_children(_der_contents(raw)):
        if cls == _CONTEXT and tag in (0, 1):
            value = _der_contents(contents) if constructed else contents  # [n] EXPLICIT INTEGER
            fields[tag] = int.from_bytes(value, "big", signed=True)
    return fields.get(0), fields.get(1)


def _policies_from_der(raw: bytes) -> tuple[PolicyInformation, ...]:
    out = []
    for _, _, _, info, _ in _der_children(_der_contents(raw)):
        parts = _der_children(info)
        qualifiers = (
            tuple(_qualifier_from_der(q[3]) for q in _der_children(parts[1][3]))
            if len(parts) > 1
            else ()
        )
        out.append(PolicyInformation(_oid_from_der(parts[0][4]), qualifiers))
    return tuple(out)


def _policies_from_crypto(value: x509.CertificatePolicies) -> tuple[PolicyInformation, ...]:
    def qualifier(q: Any) -> PolicyQualifier:
        if isinstance(q, str):
            return PolicyQualifier(oids.CPS_QUALIFIER, cps_uri=q)
        return PolicyQualifier(
            oids.USER_NOTICE_QUALIFIER,
            notice_ref=q.notice_reference is not None,
            explicit_text=q.explicit_text,
        )

    return tuple(
        PolicyInformation(
            _dotted(p.policy_identifier),
            tuple(qualifier(q) for q in p.policy_qualifiers or ()),
        )
        for p in value
    )


__all__ = ["Attr", "CertView", "GeneralName", "KeyInfo", "Name", "NotACertificate"]

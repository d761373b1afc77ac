"""RFC 5280 4.1.2.5: the validity field, its order and its time encodings."""

from __future__ import annotations

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates

UTC_TIME, GENERALIZED_TIME = 0x17, 0x18


@lint(
    name="validity_period_not_negative",
    description="notAfter is not earlier than notBefore: the validity period is the time from "
    "notBefore through notAfter, and one that ends before it starts is no period at all. "
    "(Equal times, a one-second certificate, are allowed.)",
    citation="RFC 5280 4.1.2.5",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_validity_time_not_positive",),
)
def validity_period_not_negative(cert: CertView) -> Outcome:
    if cert.not_after < cert.not_before:
        return fail(
            f"notAfter {cert.not_after:%Y-%m-%d %H:%M:%S} is before "
            f"notBefore {cert.not_before:%Y-%m-%d %H:%M:%S}"
        )
    return PASS


@lint(
    name="validity_time_encoding_by_year",
    description="Validity dates through the year 2049 are encoded as UTCTime and dates in 2050 "
    "or later as GeneralizedTime. (A UTCTime cannot hold a year after 2049, so the failure is "
    "a GeneralizedTime for a year before 2050.) Read from the DER itself: decoders turn both "
    "into the same datetime.",
    citation="RFC 5280 4.1.2.5 (also RFC 2459 4.1.2.5)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_wrong_time_format_pre2050",),
)
def time_encoding_by_year(cert: CertView) -> Outcome:
    times = _validity_times(cert)
    if times is None:
        return outcome(Status.FATAL, "could not find the validity field in the DER")
    problems = []
    for field, (tag, value) in zip(("notBefore", "notAfter"), times, strict=True):
        if tag == GENERALIZED_TIME:
            year = value[:4]
            if not year.isdigit():
                return outcome(Status.FATAL, f"{field} GeneralizedTime {value!r} has no year")
            if int(year) < 2050:
                problems.append(f"{field} {value!r} is GeneralizedTime for a year before 2050")
        elif tag != UTC_TIME:
            problems.append(
                f"{field} has ASN.1 tag 0x{tag:02x}, neither UTCTime nor GeneralizedTime"
            )
    return fail("; ".join(problems)) if problems else PASS


# -- a minimal DER walk to the validity field ---------------------------------------------------
# Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
# signature, issuer, validity SEQUENCE { notBefore Time, notAfter Time }, ... }, ... }


def _header(der: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the TLV at `pos`; low tag numbers only."""
    tag, first = der[pos], der[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise ValueError("unsupported length")
        length = int.from_bytes(der[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(der):
        raise ValueError("truncated")
    return tag, pos, end


def _validity_times(cert: CertView) -> tuple[tuple[int, str], tuple[int, str]] | None:
    """`validity_times` of the certificate. For one the strict decoder parsed, the TBS walk
    CertView already shares reads the same two TLVs: its reading is used."""
    if cert.parsed_strictly:
        not_before, not_after = cert.validity_encoding
        return (not_before.tag, not_before.text), (not_after.tag, not_after.text)
    return validity_times(cert.der)


def validity_times(der: bytes) -> tuple[tuple[int, str], tuple[int, str]] | None:
    """((tag, text), (tag, text)) of notBefore and notAfter, or None if the DER is not shaped
    like a certificate."""
    try:
        _, pos, _ = _header(der, 0)  # Certificate
        _, pos, _ = _header(der, pos)  # TBSCertificate
        tag, _, end = _header(der, pos)
        if tag == 0xA0:  # version
            pos = end
        for _ in range(3):  # serialNumber, signature, issuer
            _, _, pos = _header(der, pos)
        tag, pos, _ = _header(der, pos)
        if tag != 0x30:
            return None
        out = []
        for _ in range(2):
            tag, start, end = _header(der, pos)
            out.append((tag, der[start:end].decode("latin-1")))
            pos = end
        return out[0], out[1]
    except (IndexError, ValueError):
        return None

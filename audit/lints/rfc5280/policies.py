"""RFC 5280 4.2.1.4, 4.2.1.5, 4.2.1.11 (and RFC 6818 3): certificate policies, their
qualifiers and explicit texts, policy mappings and policy constraints.

Explicit texts are judged with their ASN.1 string type (`CertView.policy_information` reads it
from the DER); which types are allowed changed with RFC 6818 (January 2013), so each rule is
dated by the text that made it.
"""

from __future__ import annotations

import unicodedata

from audit.engine import oids, profiles
from audit.engine.certview import CertView, PolicyQualifier
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.dns_syntax import MAX_SHOWN

_UTF8_STRING, _IA5_STRING, _BMP_STRING = 12, 22, 30
_STRING_TYPES = {
    12: "UTF8String", 18: "NumericString", 19: "PrintableString", 20: "TeletexString",
    21: "VideotexString", 22: "IA5String", 25: "GraphicString", 26: "VisibleString",
    27: "GeneralString", 28: "UniversalString", 30: "BMPString",
}  # fmt: skip
_MAX_EXPLICIT_TEXT = 200  # DisplayText ::= CHOICE { ... (SIZE (1..200)) }
# RFC 6818 3: "control characters (e.g., U+0000 to U+001F and U+007F to U+009F)".
_CONTROL = frozenset(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))


def _explicit_texts(cert: CertView) -> list[PolicyQualifier]:
    """The user notices with an explicitText, each once (CAs repeat one under every policy)."""
    return list(dict.fromkeys(q for q in cert.user_notices if q.explicit_text is not None))


def has_explicit_text(cert: CertView) -> bool:
    return any(q.explicit_text is not None for q in cert.user_notices)


def _type_name(q: PolicyQualifier) -> str:
    tag = q.explicit_text_tag
    return _STRING_TYPES.get(tag, f"[UNIVERSAL {tag}]") if tag is not None else "?"


def _quoted(texts: list[str]) -> str:
    return ", ".join(repr(t[:100]) for t in texts[:MAX_SHOWN])


# -- qualifiers ----------------------------------------------------------------------------------

_ANY_POLICY_QUALIFIERS = frozenset({oids.CPS_QUALIFIER, oids.USER_NOTICE_QUALIFIER})


@lint(
    name="any_policy_qualifiers_cps_or_user_notice",
    description="The qualifiers of anyPolicy are only CPS pointers and user notices (the "
    "qualifiers RFC 5280 defines).",
    citation="RFC 5280 4.2.1.4; RFC 3280 4.2.1.5",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    when=lambda cert: oids.POLICY_ANY in (cert.policies or ()),
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_ext_cert_policy_disallowed_any_policy_qualifier",),
)
def any_policy_qualifiers_cps_or_user_notice(cert: CertView) -> Outcome:
    other = sorted(
        {
            q.oid for p in cert.policy_information or () if p.oid == oids.POLICY_ANY
            for q in p.qualifiers if q.oid not in _ANY_POLICY_QUALIFIERS
        }
    )  # fmt: skip
    if other:
        return fail(f"anyPolicy has qualifiers other than CPS and user notice: {', '.join(other)}")
    return PASS


@lint(
    name="user_notice_without_notice_ref",
    description="No user notice uses the noticeRef option (relying parties are not expected "
    "to resolve it; explicitText says the same directly).",
    citation="RFC 5280 4.2.1.4",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("w_ext_cert_policy_contains_noticeref",),
)
def user_notice_without_notice_ref(cert: CertView) -> Outcome:
    count = sum(q.notice_ref for q in cert.user_notices)
    if count:
        return fail(f"{count} user notice(s) use noticeRef")
    return PASS


# -- explicitText ------------------------------------------------------------------------------


@lint(
    name="explicit_text_not_ia5_string",
    description="No explicitText is encoded as an IA5String. (RFC 5280 had allowed IA5String; "
    "RFC 6818 prohibits it from January 2013.)",
    citation="RFC 6818 3 (updating RFC 5280 4.2.1.4)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_6818,
    when=has_explicit_text,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_ext_cert_policy_explicit_text_ia5_string",),
)
def explicit_text_not_ia5_string(cert: CertView) -> Outcome:
    ia5 = [
        q.explicit_text or "" for q in _explicit_texts(cert) if q.explicit_text_tag == _IA5_STRING
    ]
    if ia5:
        return fail(f"explicitText encoded as IA5String: {_quoted(ia5)}")
    return PASS


@lint(
    name="explicit_text_utf8_string",
    description="Each explicitText is a UTF8String (VisibleString and BMPString are tolerated "
    "as less preferred since RFC 6818, hence a warning). zlint dates this from RFC 6818; RFC "
    "5280 already said SHOULD UTF8String.",
    citation="RFC 5280 4.2.1.4; RFC 6818 3",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    when=has_explicit_text,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("w_ext_cert_policy_explicit_text_not_utf8",),
)
def explicit_text_utf8_string(cert: CertView) -> Outcome:
    # A tag of None: only `cryptography` could read the extension, so the type is unknown.
    other = [
        f"{q.explicit_text!r:.100} ({_type_name(q)})"
        for q in _explicit_texts(cert)
        if q.explicit_text_tag not in (None, _UTF8_STRING)
    ]
    if other:
        return fail(f"explicitText not a UTF8String: {', '.join(other[:MAX_SHOWN])}")
    return PASS


@lint(
    name="explicit_text_length",
    description="Each explicitText is 1 to 200 characters long. DisplayText's SIZE (1..200) is "
    "in RFC 3280's ASN.1 module already; zlint dates the rule from RFC 6818, which restated "
    "it.",
    citation="RFC 5280 4.2.1.4 and Appendix A.2 (DisplayText); RFC 3280 4.2.1.5; RFC 6818 3",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    when=has_explicit_text,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_ext_cert_policy_explicit_text_too_long",),
)
def explicit_text_length(cert: CertView) -> Outcome:
    bad = [
        f"{len(t)} characters ({t[:60]!r}...)" if t else "empty"
        for q in _explicit_texts(cert)
        if not 1 <= len(t := q.explicit_text or "") <= _MAX_EXPLICIT_TEXT
    ]
    if bad:
        return fail(f"explicitText of {'; '.join(bad[:MAX_SHOWN])}: allowed is 1 to 200")
    return PASS


@lint(
    name="explicit_text_no_control_characters",
    description="No explicitText contains a control character (U+0000 to U+001F, U+007F to "
    "U+009F).",
    citation="RFC 6818 3",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_6818,
    when=has_explicit_text,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("w_ext_cert_policy_explicit_text_includes_control",),
)
def explicit_text_no_control_characters(cert: CertView) -> Outcome:
    bad = [t for q in _explicit_texts(cert) if not _CONTROL.isdisjoint(t := q.explicit_text or "")]
    if bad:
        return fail(f"explicitText contains control characters: {_quoted(bad)}")
    return PASS


@lint(
    name="explicit_text_nfc",
    description="An explicitText encoded as UTF8String or BMPString is in Unicode normalization "
    "form C. One whose octets are not valid in its type (an odd-length BMPString, broken "
    "UTF-8) is not normalized text either and fails too.",
    citation="RFC 6818 3",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_6818,
    when=has_explicit_text,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("w_ext_cert_policy_explicit_text_not_nfc",),
)
def explicit_text_nfc(cert: CertView) -> Outcome:
    problems = []
    for q in _explicit_texts(cert):
        if q.explicit_text_tag not in (_UTF8_STRING, _BMP_STRING):
            continue
        text = q.explicit_text or ""
        if not q.explicit_text_decodes:
            problems.append(f"{text!r:.100} is not a valid {_type_name(q)}")
        elif not unicodedata.is_normalized("NFC", text):
            problems.append(f"{text!r:.100} ({_type_name(q)}) is not in NFC")
    if problems:
        return fail("explicitText " + "; ".join(problems[:MAX_SHOWN]))
    return PASS


# -- policyMappings and policyConstraints -----------------------------------------------------


@lint(
    name="policy_mappings_no_any_policy",
    description="No policy is mapped to or from anyPolicy.",
    citation="RFC 5280 4.2.1.5; RFC 3280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    needs=(oids.POLICY_MAPPINGS,),
    zlint=("e_ext_policy_map_any_policy",),
)
def policy_mappings_no_any_policy(cert: CertView) -> Outcome:
    bad = [
        f"{issuer} -> {subject}"
        for issuer, subject in cert.policy_mappings or ()
        if oids.POLICY_ANY in (issuer, subject)
    ]
    if bad:
        return fail(f"policyMappings maps anyPolicy: {', '.join(bad[:MAX_SHOWN])}")
    return PASS


@lint(
    name="policy_mappings_issuer_policies_asserted",
    description="Each issuerDomainPolicy of policyMappings is also asserted in the "
    "certificate's certificatePolicies.",
    citation="RFC 5280 4.2.1.5; RFC 3280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    needs=(oids.POLICY_MAPPINGS,),
    zlint=("w_ext_policy_map_not_in_cert_policy",),
)
def policy_mappings_issuer_policies_asserted(cert: CertView) -> Outcome:
    asserted = set(cert.policies or ())
    missing = sorted({i for i, _ in cert.policy_mappings or () if i not in asserted})
    if missing:
        return fail(f"issuerDomainPolicy not in certificatePolicies: {', '.join(missing)}")
    return PASS


@lint(
    name="policy_constraints_not_empty",
    description="policyConstraints is not an empty sequence: requireExplicitPolicy or "
    "inhibitPolicyMapping is present.",
    citation="RFC 5280 4.2.1.11",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.POLICY_CONSTRAINTS,),
    zlint=("e_ext_policy_constraints_empty",),
)
def policy_constraints_not_empty(cert: CertView) -> Outcome:
    if cert.policy_constraints in (None, (None, None)):
        return fail("policyConstraints has neither requireExplicitPolicy nor inhibitPolicyMapping")
    return PASS

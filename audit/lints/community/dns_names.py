"""Community practice for dNSNames: repeated names, and names that are placeholders for
names not disclosed."""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

END_ENTITY = profiles.ANY - profiles.CA


@lint(
    name="san_dns_names_unique",
    description="No dNSName appears twice in subjectAltName (compared without regard to "
    "case, as DNS compares names): a repeat is harmless to relying parties but shows the "
    "request was not normalised before issuance (certlint).",
    citation="certlint (AWS Labs); RFC 4343 (DNS names compare case-insensitively)",
    source=Source.COMMUNITY,
    severity=Status.NOTICE,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("n_san_dns_name_duplicate",),
)
def san_dns_names_unique(cert: CertView) -> Outcome:
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for name in cert.dns_names:
        folded = name.lower()
        if folded in seen:
            repeated[name] = None
        seen.add(folded)
    if repeated:
        return fail(f"dNSName repeated: {', '.join(repr(n[:300]) for n in list(repeated)[:10])}")
    return PASS


def _redacted(name: str) -> bool:
    """A name redacted for Certificate Transparency (draft-strad-trans-redaction): its
    leftmost labels, after any wildcard, replaced by '?'."""
    return name.removeprefix("*.").startswith("?.")


@lint(
    name="dns_names_not_redacted",
    description="Neither the subject commonName nor a dNSName is a redacted name such as "
    "'?.example.com' or '*.?.example.com'. Redaction was proposed for precertificates logged "
    "to Certificate Transparency and never standardised; a certificate carrying one names a "
    "host nobody can check.",
    citation="draft-strad-trans-redaction-00; RFC 6962 3.1",
    source=Source.COMMUNITY,
    severity=Status.NOTICE,
    applies=END_ENTITY,
    effective=dates.ALWAYS,
    zlint=("n_contains_redacted_dnsname",),
)
def dns_names_not_redacted(cert: CertView) -> Outcome:
    names = [*cert.subject.values(oids.COMMON_NAME), *cert.dns_names]
    redacted = list(dict.fromkeys(n for n in names if _redacted(n)))
    if redacted:
        return fail(f"redacted names: {', '.join(repr(n[:300]) for n in redacted[:10])}")
    return PASS

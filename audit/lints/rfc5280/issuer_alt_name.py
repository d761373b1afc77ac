"""RFC 5280 4.2.1.7: the issuerAltName extension.

"Issuer alternative names are encoded as in 4.2.1.6": the same GeneralNames as subjectAltName,
held to the same rules. The checks are the subjectAltName ones (`audit/lints/dns_syntax.py`,
shared with `names.py`); only the extension they read differs. Its URIs and rfc822Names are
judged in `uris_and_emails.py`; its criticality in `extensions.py`.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.dns_syntax import (
    dns_syntax_problems,
    general_name_is_empty,
    names_outcome,
    public_suffix_problems,
    wildcard_problems,
)


@lint(
    name="ian_has_entries",
    description="An issuerAltName extension, when present, contains at least one GeneralName.",
    citation="RFC 5280 4.2.1.7 (GeneralNames ::= SEQUENCE SIZE (1..MAX))",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=("e_ext_ian_no_entries",),
)
def ian_has_entries(cert: CertView) -> Outcome:
    if not cert.issuer_alt_name:
        return fail("the issuerAltName extension has no entries")
    return PASS


@lint(
    name="ian_general_name_not_empty",
    description="No issuerAltName entry is empty (an empty dNSName, rfc822Name, URI, "
    "iPAddress or directoryName).",
    citation="RFC 5280 4.2.1.7, 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=("e_ext_ian_empty_name",),
)
def ian_general_name_not_empty(cert: CertView) -> Outcome:
    empty = [g.kind for g in cert.issuer_alt_name or () if general_name_is_empty(g)]
    if empty:
        return fail(f"issuerAltName has empty entries of type {', '.join(empty)}")
    return PASS


@lint(
    name="ian_dns_name_syntax",
    description="Each dNSName in issuerAltName is in the preferred name syntax, as in "
    "subjectAltName (san_dns_name_syntax): labels of letters, digits and hyphens, 1 to 63 "
    "characters, not beginning or ending with a hyphen, at most 253 characters in all; no "
    "space, NUL or other character, no leading dot or empty label, nothing an IA5String cannot "
    "hold. zlint's community lints for IAN date from zlint's zero date; the rule is RFC 2459's.",
    citation="RFC 5280 4.2.1.7, 4.2.1.6; RFC 1034 3.5; RFC 1123 2.1; RFC 1035 2.3.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=(
        "e_ext_ian_dns_not_ia5_string",
        "e_ext_ian_space_dns_name",
        "e_ian_dns_name_includes_null_char",
        "e_ian_dns_name_starts_with_period",
    ),
)
def ian_dns_name_syntax(cert: CertView) -> Outcome:
    # An empty dNSName is ian_general_name_not_empty's to report.
    return names_outcome("issuerAltName dNSName", dns_syntax_problems(cert.ian_dns_names))


@lint(
    name="ian_dns_name_wildcard_leftmost_label",
    description="A '*' in an issuerAltName dNSName is the whole leftmost label and is followed "
    "by a domain name, as in subjectAltName (dns_name_wildcard_leftmost_label).",
    citation="RFC 5280 4.2.1.7; RFC 6125 6.4.3; BR 1.6.1 (Wildcard Domain Name)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=("e_ian_bare_wildcard", "e_ian_wildcard_not_first"),
)
def ian_dns_name_wildcard_leftmost_label(cert: CertView) -> Outcome:
    return names_outcome("issuerAltName dNSName", wildcard_problems(cert.ian_dns_names))


@lint(
    name="ian_dns_name_not_public_suffix",
    description="No issuerAltName dNSName is a bare public suffix ('com', 'co.uk') or a "
    "wildcard immediately over one ('*.com'): such a name identifies no registrable domain.",
    citation="RFC 5280 4.2.1.7; BR 1.6.1 (Base Domain Name); awslabs certlint",
    source=Source.COMMUNITY,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=("w_ian_iana_pub_suffix_empty",),
)
def ian_dns_name_not_public_suffix(cert: CertView) -> Outcome:
    return names_outcome("issuerAltName dNSName", public_suffix_problems(cert.ian_dns_names))

"""BR 7.1.4.2.1: underscores in dNSNames, through the three periods of their history.

- Until BR 1.6.2 (2018-12-10) the BRs said nothing of their own, and RFC 5280's "preferred name
  syntax" (letters, digits, hyphens) applied: no underscores. Many CAs issued them anyway, which
  is why Ballot SC12 was written.
- Ballot SC12 (BR 1.6.2, 2018-12-10) allowed them until 2019-04-01, under three conditions: the
  label is a valid LDH label once every "_" becomes "-", the leftmost label has none, and the
  certificate is valid for at most 30 days.
- From 2019-04-01 they are prohibited outright: `san_dns_name_no_underscore` in `san.py`.

The rules read dNSNames only: a commonName must be one of them (`subject.py`).
"""

from __future__ import annotations

import re

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.rfc5280.names import has_dns_names

# RFC 1035 2.3.1 label: letter or digit at both ends, hyphens inside, 63 characters at most.
_LDH_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
SC12_MAX_DAYS = 30  # BR 1.6.2 7.1.4.2.1: "MUST NOT be valid for longer than 30 days"


def _names_with_underscores(cert: CertView) -> list[str]:
    return [n for n in cert.dns_names if "_" in n]


def _shown(names: list[str]) -> str:
    return ", ".join(repr(n[:300]) for n in names[:10])


@lint(
    name="san_dns_name_no_underscore_before_1_6_2",
    description="No dNSName contains an underscore. Before BR 1.6.2 the BRs adopted RFC 5280's "
    "preferred name syntax, which has no underscore, so this holds for certificates issued "
    "before 2018-12-10 (dated here from RFC 2459; zlint dates it from the zero time, so a "
    "certificate whose notBefore is earlier than 1999 is 'ne' here and an error there). The "
    "Ballot SC12 sunset period and the prohibition that followed are their own lints. zlint's "
    "e_dnsname_underscore_in_sld (an error) and w_dnsname_underscore_in_trd (a warning) split "
    "the same rule by where the underscore is; here it is one rule, an error wherever it is.",
    citation="BR 7.1.4.2.1 (before 1.6.2); RFC 5280 4.2.1.6; RFC 1034 3.5; Ballot SC12",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.RFC_2459,
    ineffective=dates.BR_1_6_2,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=(
        "e_no_underscores_before_1_6_2",
        "e_dnsname_underscore_in_sld",
        "w_dnsname_underscore_in_trd",
    ),
)
def san_dns_name_no_underscore_before_1_6_2(cert: CertView) -> Outcome:
    bad = _names_with_underscores(cert)
    if bad:
        return fail(f"dNSName contains '_': {_shown(bad)}")
    return PASS


def _sc12_label_problem(name: str) -> str | None:
    """Why a dNSName breaks Ballot SC12's syntax conditions, or None."""
    labels = name.split(".")
    if "_" in labels[0]:
        return "has an underscore in its leftmost label"
    for label in labels[1:]:
        if "_" in label and not _LDH_LABEL.fullmatch(label.replace("_", "-")):
            return f"has the label {label!r}, which is no valid LDH label with '-' for '_'"
    return None


@lint(
    name="san_dns_name_underscore_sunset_syntax",
    description="During the Ballot SC12 sunset period (certificates issued from 2018-12-10 "
    "until 2019-04-01), a dNSName may contain underscores only where replacing every '_' "
    "with '-' gives a valid domain label, and never in its leftmost label (a wildcard '*' "
    "there is fine: SC12 pointed Subscribers to wildcard certificates). zlint checks the "
    "first condition only.",
    citation="BR 1.6.2 7.1.4.2.1; Ballot SC12",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_6_2,
    ineffective=dates.BR_UNDERSCORE_PROHIBITED,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_underscore_permissible_in_dnsname_if_valid_when_replaced",),
)
def san_dns_name_underscore_sunset_syntax(cert: CertView) -> Outcome:
    problems = [
        f"{name[:300]!r} {why}"
        for name in _names_with_underscores(cert)
        if (why := _sc12_label_problem(name))
    ]
    if problems:
        return fail("dNSName " + "; ".join(problems[:10]))
    return PASS


def _valid_longer_than_30_days(cert: CertView) -> bool:
    return bool(cert.dns_names) and cert.validity_seconds > SC12_MAX_DAYS * 86400


@lint(
    name="san_dns_name_underscore_sunset_validity",
    description="During the Ballot SC12 sunset period (certificates issued from 2018-12-10 "
    "until 2019-04-01), a certificate valid for more than 30 days (notBefore to notAfter "
    "inclusive) has no underscore in any dNSName; certificates valid for 30 days or less "
    "are not judged here ('na').",
    citation="BR 1.6.2 7.1.4.2.1; Ballot SC12",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_6_2,
    ineffective=dates.BR_UNDERSCORE_PROHIBITED,
    when=_valid_longer_than_30_days,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_underscore_present_with_too_long_validity",),
)
def san_dns_name_underscore_sunset_validity(cert: CertView) -> Outcome:
    bad = _names_with_underscores(cert)
    if bad:
        return fail(
            f"the certificate is valid for {cert.validity_days:.1f} days (more than "
            f"{SC12_MAX_DAYS}) and has dNSNames with '_': {_shown(bad)}"
        )
    return PASS

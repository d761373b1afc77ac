"""The syntax of names in GeneralNames, one piece of logic for every extension that holds them.

subjectAltName and issuerAltName (RFC 5280 4.2.1.6, 4.2.1.7) encode dNSNames the same way, and
the same wildcard and public-suffix judgements apply to both; the lints for each extension call
these functions. Not a lint module: it declares no rule.

Values may come from the tolerant decoder: a dNSName can then hold non-ASCII text (it was not an
IA5String). Every check treats such values as data to report, never as something to trust.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from publicsuffixlist import PublicSuffixList

from audit.engine.certview import GeneralName
from audit.engine.status import PASS, Outcome, fail

LDH = frozenset(string.ascii_letters + string.digits + "-")
# Characters the syntax check lets through because another lint judges them, with its own date:
# "_" (san_dns_name_no_underscore, BR 2019-04-01) and "*" (the wildcard lints).
_JUDGED_ELSEWHERE = frozenset("_*")
_LABEL_CHARS = LDH | _JUDGED_ELSEWHERE
MAX_LABEL = 63  # RFC 1035 2.3.4
MAX_NAME = 253  # RFC 1035 2.3.4: 255 octets on the wire, 253 characters as text
MAX_SHOWN = 10  # problems quoted in one finding

# The common case, a well-formed name, in one regular-expression match.
_LABEL = r"[A-Za-z0-9_*](?:[A-Za-z0-9_*-]{0,61}[A-Za-z0-9_*])?"
_WELL_FORMED = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")

# BR 3.2.2.6 footnote: consult the PSL's "ICANN DOMAINS" section only. Unknown TLDs are not
# assumed to be public suffixes: an unknown TLD is an Internal Name (BR 1.6.1).
PSL = PublicSuffixList(only_icann=True, accept_unknown=False)


def base_labels(name: str) -> list[str]:
    """The labels of a dNSName, without a leading "*" wildcard label."""
    labels = name.split(".")
    return labels[1:] if labels[0] == "*" else labels


def dns_syntax_problem(name: str) -> str | None:
    """Why `name` is not in the preferred name syntax (RFC 1034 3.5, RFC 1123 2.1), or None."""
    if len(name) <= MAX_NAME and _WELL_FORMED.fullmatch(name):
        return None
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long (more than {MAX_NAME})"
    for label in base_labels(name):
        if not label:
            return "has an empty label"
        if len(label) > MAX_LABEL:
            return f"has a label of {len(label)} characters (more than {MAX_LABEL})"
        bad = next((c for c in label if c not in _LABEL_CHARS), None)
        if bad is not None:
            return f"contains {bad!r}, which is not a letter, digit or hyphen"
        if label[0] == "-" or label[-1] == "-":
            return f"has the label {label!r}, which begins or ends with a hyphen"
    return None


def wildcard_problem(name: str) -> str | None:
    """Why a '*' in `name` is not a whole leftmost label followed by a domain, or None."""
    if "*" not in name:
        return None
    first, *rest = name.split(".")
    if first == "*":
        if not rest or rest == [""]:
            return "is a bare wildcard with no domain to its right"
        if any("*" in label for label in rest):
            return "has a wildcard outside the leftmost label"
        return None
    if "*" in first:
        return "has a wildcard that is only part of the leftmost label"
    return "has a wildcard outside the leftmost label"


def is_public_suffix(name: str) -> bool:
    """Is `name` itself a public suffix ('com', 'co.uk') under the PSL's ICANN section?"""
    return PSL.is_public(name.lower())


def public_suffix_problem(name: str) -> str | None:
    """Why `name` names no registrable domain (a bare suffix, or a wildcard right over one)."""
    if name.startswith("*."):
        return (
            "is a wildcard immediately left of a public suffix"
            if is_public_suffix(name[2:])
            else None
        )
    if name and is_public_suffix(name):
        return "is a bare public suffix"
    return None


def general_name_is_empty(g: GeneralName) -> bool:
    """An empty dNSName, rfc822Name, URI, iPAddress or directoryName (RFC 5280 4.2.1.6)."""
    value: Any = g.value
    if g.kind in ("dns", "email", "uri"):
        return value == ""
    if g.kind == "ip":
        return isinstance(value, bytes) and not value
    if g.kind == "dirname":
        # cryptography gives a Name; the tolerant decoder gives the Name's DER (an empty SEQUENCE).
        return len(value) == 0 if isinstance(value, x509.Name) else value in (b"0\x00", b"")
    return False


# -- the same check over every name of an extension, as one finding --------------------------


def dns_syntax_problems(names: Iterable[str]) -> list[str]:
    """`'name' why` for each non-empty name not in the preferred name syntax (an empty one is
    the empty-name lints' to report)."""
    return [f"{n[:300]!r} {why}" for n in names if n and (why := dns_syntax_problem(n))]


def wildcard_problems(names: Iterable[str]) -> list[str]:
    return [f"{n[:300]!r} {why}" for n in names if (why := wildcard_problem(n))]


def public_suffix_problems(names: Iterable[str]) -> list[str]:
    return [f"{n[:300]!r} {why}" for n in names if (why := public_suffix_problem(n))]


def names_outcome(what: str, problems: list[str]) -> Outcome:
    """PASS, or one finding that quotes the first few problems: "<what> 'a' why; 'b' why"."""
    if not problems:
        return PASS
    more = f" (and {len(problems) - MAX_SHOWN} more)" if len(problems) > MAX_SHOWN else ""
    return fail(f"{what} " + "; ".join(problems[:MAX_SHOWN]) + more)

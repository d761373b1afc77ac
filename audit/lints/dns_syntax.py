"""The syntax of names in GeneralNames, one piece of logic for every extension that holds them.

subjectAltName and issuerAltName (RFC 5280 4.2.1.6, 4.2.1.7) encode dNSNames the same way, and
the same wildcard and public-suffix judgements apply to both; the lints for each extension call
these functions. Not a lint module: it declares no rule.

Values may come from the tolerant decoder: a dNSName can then hold non-ASCII text (it was not an
IA5String). Every check treats such values as data to report, never as something to trust.
"""

from __future__ import annotations

import ipaddress
import re
import string
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from publicsuffixlist import PublicSuffixList

from audit.engine.certview import CertView, GeneralName
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


_IPV4_CHARACTERS = frozenset("0123456789.")


def ip_address_or_none(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`ipaddress.ip_address(text)`, or None where that raises ValueError. Text that cannot be
    an address is turned away first, without the exception (which costs far more): IPv4 text
    is only digits and dots, and IPv6 text always holds a colon."""
    if type(text) is str and ":" not in text and not _IPV4_CHARACTERS.issuperset(text):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


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


# The PSL's rules ("com", "*.ck", "!www.ck") and its longest rule in labels, read from the
# parsed list so that `is_public_suffix` can ask only the questions whose answer matters.
_PSL_RULES: frozenset[str] | None = None
_PSL_MAX_LABELS = getattr(PSL, "_maxlabel", None)
if isinstance(getattr(PSL, "_publicsuffix", None), set | frozenset | dict):
    _PSL_RULES = frozenset(PSL._publicsuffix)
# Every name a rule is about ("ck" for "*.ck", "www.ck" for "!www.ck"), and the parents of the
# wildcard rules: a name in neither, whose parent is no wildcard's, is no public suffix.
_PSL_NAMES = frozenset(r.removeprefix("!").removeprefix("*.") for r in _PSL_RULES or ())
_PSL_WILDCARD_PARENTS = frozenset(r[2:] for r in _PSL_RULES or () if r.startswith("*."))


def is_public_suffix(name: str) -> bool:
    """Is `name` itself a public suffix ('com', 'co.uk') under the PSL's ICANN section?

    The same answer as `PSL.is_public`, which tries every suffix of the name from the longest:
    only a rule for the name itself or for its parent can make the whole name public, so those
    two are asked and no others (a few set lookups, where most names are not suffixes)."""
    if _PSL_RULES is None or not isinstance(_PSL_MAX_LABELS, int):
        return PSL.is_public(name.lower())
    domain = name.lower()
    if domain.endswith("."):  # the library's own preparation: one trailing dot is dropped
        domain = domain[:-1]
    domain = domain.lower()
    if domain not in _PSL_NAMES and domain.partition(".")[2] not in _PSL_WILDCARD_PARENTS:
        return False  # no rule names it, and no wildcard covers it: most names
    labels = domain.count(".") + 1
    if not domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return False  # an empty label: not a domain
    first = max(0, labels - (_PSL_MAX_LABELS + 1))  # where the library starts looking
    rules = _PSL_RULES
    if first == 0:  # the whole name: an exception rule makes it private, else a rule public
        if "!" + domain in rules:
            return False
        if "*." + domain in rules or domain in rules:
            return True
    if first <= 1 and labels > 1:  # the parent: only a wildcard over it makes the name public
        parent = domain.partition(".")[2]
        return "!" + parent not in rules and "*." + parent in rules
    return False


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


def dns_names_text(cert: CertView) -> str | None:
    """Every dNSName, one per line: one substring test tells whether any name holds a character
    ('_', '*') or sequence ('--') that some lint looks for (a newline joins no two into one).
    None when a name is not text, so the caller looks name by name."""
    names = cert.dns_names
    if not all(type(n) is str for n in names):
        return None
    return "\n".join(names)


def no_dns_name_contains(cert: CertView, fragment: str) -> bool:
    """No dNSName contains `fragment`: the common case of the lints that look for it."""
    text = dns_names_text(cert)
    return text is not None and fragment not in text


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

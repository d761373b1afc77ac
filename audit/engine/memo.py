"""Lint once per distinct input: results shared across certificates that encode the same parts.

A CA's certificates repeat most of what they contain: one issuer name, one certificatePolicies,
one AIA and CRL distribution point per issuing CA, a handful of key usages. A lint that reads
only such parts gives the same result for every certificate carrying the same octets there, so
the engine runs it once per distinct encoding and reuses the result (its findings, messages
included) for the rest: the database-wide view makes the per-certificate work smaller.

Which parts a lint reads is not declared by hand (a wrong declaration would silently reuse a
wrong result): `reads()` derives it from the lint's code, its `when` and every function of the
project they reach, by the CertView accessors named there. A lint that names an accessor whose
value is not a function of one part's octets (validity, serial, key, SCTs, the raw DER, the
database row, `problems`), or that reaches the certificate in a way the walk cannot follow
(`getattr`, `vars`), is not shared: it runs for every certificate, as before.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from audit.engine import oids

if TYPE_CHECKING:
    from audit.engine.certview import CertView
    from audit.engine.registry import Lint

# The CertView accessors whose value depends on one part of the certificate alone, by part.
# "ext:<oid>" is the first extension of that OID as encoded (critical flag and value).
_ACCESSOR_PARTS: dict[str, tuple[str, ...]] = {
    "issuer": ("issuer",),
    "subject": ("subject",),
    "is_self_issued": ("issuer", "subject"),
    "signature_algorithm": ("signature_algorithm",),
    "basic_constraints": (f"ext:{oids.BASIC_CONSTRAINTS}",),
    "is_ca": (f"ext:{oids.BASIC_CONSTRAINTS}",),
    "key_usage": (f"ext:{oids.KEY_USAGE}",),
    "eku": (f"ext:{oids.EXTENDED_KEY_USAGE}",),
    "authority_key_id": (f"ext:{oids.AUTHORITY_KEY_IDENTIFIER}",),
    "aia": (f"ext:{oids.AUTHORITY_INFO_ACCESS}",),
    "aia_descriptions": (f"ext:{oids.AUTHORITY_INFO_ACCESS}",),
    "crl_urls": (f"ext:{oids.CRL_DISTRIBUTION_POINTS}",),
    "crl_distribution_points": (f"ext:{oids.CRL_DISTRIBUTION_POINTS}",),
    "policies": (f"ext:{oids.CERTIFICATE_POLICIES}",),
    "policy_information": (f"ext:{oids.CERTIFICATE_POLICIES}",),
    "user_notices": (f"ext:{oids.CERTIFICATE_POLICIES}",),
    "policy_mappings": (f"ext:{oids.POLICY_MAPPINGS}",),
    "policy_constraints": (f"ext:{oids.POLICY_CONSTRAINTS}",),
    "name_constraints": (f"ext:{oids.NAME_CONSTRAINTS}",),
    "issuer_alt_name": (f"ext:{oids.ISSUER_ALT_NAME}",),
    "ian_dns_names": (f"ext:{oids.ISSUER_ALT_NAME}",),
    "is_precertificate": (f"ext:{oids.CT_PRECERT_POISON}",),
    "cabf_organization_identifier": (f"ext:{oids.CABF_ORGANIZATION_IDENTIFIER}",),
}
# Read freely: the profile is the same for every certificate a memo serves (memos are kept per
# profile), and these are plain Python names that CertView happens to share.
_FREE = frozenset({"profile", "__init__", "__class__"})
# Names that reach attributes by a computed name (the walk cannot tell what they read), or
# whose value changes from call to call (the clock, chance): a lint naming one is not shared.
_OPAQUE = frozenset({
    "getattr", "vars", "__dict__", "setattr", "eval", "exec", "globals", "locals",
    "now", "utcnow", "today", "time", "monotonic", "perf_counter", "random", "randbits", "urandom",
})  # fmt: skip
_UNFOLLOWED = "getattr"  # what the walk reports for code it cannot follow (one of _OPAQUE)


@cache
def _certview_names() -> frozenset[str]:
    from audit.engine.certview import CertView

    instance = {"der", "sha256", "problems", "db_row", "_crypto"}  # set in __init__
    return frozenset({n for n in dir(CertView) if not n.startswith("__")} | instance)


def reads(x: Lint) -> tuple[str, ...] | None:
    """The parts whose octets decide `x`'s result (its `when` and its check), or None when it
    reads anything else or cannot be followed. () means it reads nothing of the certificate
    but its profile (a constant per profile): such a lint is not worth sharing either."""
    view_names = _certview_names()
    parts: set[str] = set()
    for name in _names_reached([x.check, *([x.when] if x.when is not None else [])]):
        if name in _OPAQUE:
            return None
        if name in view_names and name not in _FREE:
            found = _ACCESSOR_PARTS.get(name)
            if found is None:
                return None
            parts.update(found)
    return tuple(sorted(parts))


def _names_reached(roots: list[Callable[..., Any]]) -> Iterator[str]:
    """Every name (attribute or global) in the code of `roots` and of the project's functions
    they reach: by global name, through a project module, in a closure, or wrapped."""
    seen: set[int] = set()
    stack: list[Any] = list(roots)
    # Followed: the project's functions and those of the lints' own modules; a library's
    # functions receive values, not the CertView.
    ours = ("audit.", *{getattr(r, "__module__", None) or "audit." for r in roots})
    while stack:
        func = stack.pop()
        func = getattr(func, "__wrapped__", func)
        if id(func) in seen:
            continue
        seen.add(id(func))
        if not isinstance(func, types.FunctionType):
            if callable(func) and not isinstance(func, type | types.BuiltinFunctionType):
                yield _UNFOLLOWED  # a callable object: its code is not followed
            continue
        if not (func.__module__ or "").startswith(ours):
            continue
        scope = func.__globals__
        for cell in func.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if callable(value):
                stack.append(value)
        for code in _codes(func.__code__):
            names = _code_names(code)
            for name in names:
                yield name
                value = scope.get(name)
                if isinstance(value, types.FunctionType):
                    stack.append(value)
                elif isinstance(value, types.ModuleType) and value.__name__.startswith(ours):
                    stack.extend(
                        getattr(value, attr)
                        for attr in names
                        if isinstance(getattr(value, attr, None), types.FunctionType)
                    )
                elif isinstance(value, dict | list | tuple):
                    items = value.values() if isinstance(value, dict) else value
                    stack.extend(v for v in items if isinstance(v, types.FunctionType))


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _code_names(code: types.CodeType) -> set[str]:
    """Global and attribute names the code loads, and the free variables it reads."""
    return set(code.co_names) | set(code.co_freevars)


# -- the octets of each part, read from the certificate's header walk ------------------------


def part_octets(view: CertView, part: str) -> bytes | None:
    """The encoded octets of `part` in this certificate (None: the part is absent); read once
    per certificate, however many groups key on it."""
    known = view.__dict__.setdefault("_part_octets", {})
    try:
        return known[part]  # type: ignore[no-any-return]
    except KeyError:
        octets = known[part] = _part_octets(view, part)
        return octets


def _part_octets(view: CertView, part: str) -> bytes | None:
    if part.startswith("ext:"):
        ext = view.encoded_extension(part[4:])
        if ext is None:
            return None
        return (
            (b"\x01" if ext.critical else b"\x00")
            + (b"\x01" if ext.critical_encoded else b"\x00")
            + ext.value
        )
    tbs = view.tbs_encoding
    if part == "issuer":
        return tbs.issuer
    if part == "subject":
        return tbs.subject
    if part == "signature_algorithm":
        algorithms = view.encoded_algorithms
        return algorithms.signature + algorithms.tbs_signature
    raise KeyError(part)


# -- the shared results ------------------------------------------------------------------------

Run = Callable[[tuple[Any, ...], "CertView"], list[Any]]


def shareable(view: CertView) -> bool:
    """Results are shared only among certificates the strict decoder reads whole: then each
    accessor's value comes from one decoder and depends on its part's octets alone."""
    return view.parsed_strictly and not view.read_every_field()


class SharedGroup:
    """Lints of one profile and span that read the same parts: run once per distinct encoding
    of those parts, their findings kept and given to every certificate encoding them alike.

    Sharing pays only where encodings repeat (an issuer's policies, AIA, CRL distribution
    points); where they do not (a DV certificate's subject), looking up and keeping results
    costs more than it saves. So once past a trial, a group whose lookups found a result too
    seldom stops sharing; and it keeps at most `_KEPT` encodings (then starts over), so memory
    stays small.
    """

    _TRIAL = 500  # lookups before the group decides whether sharing pays
    _MIN_HIT_RATE = 0.3
    _KEPT = 2000

    __slots__ = ("parts", "steps", "results", "lookups", "hits", "sharing")

    def __init__(self, parts: tuple[str, ...], steps: tuple[Any, ...]) -> None:
        self.parts = parts
        self.steps = steps
        self.results: dict[Any, list[Any]] = {}
        self.lookups = self.hits = 0
        self.sharing = True

    def findings(self, view: CertView, run: Run) -> list[Any]:
        """The group's findings for this certificate: shared, or run by `run` (the engine's
        loop over steps, which turns exceptions into `fatal` results like any other)."""
        if not self.sharing:
            return run(self.steps, view)
        parts = self.parts
        try:
            key: Any = (
                part_octets(view, parts[0])
                if len(parts) == 1
                else tuple(part_octets(view, p) for p in parts)
            )
        except Exception:  # the header walk cannot find a part: nothing to share
            return run(self.steps, view)
        self.lookups += 1
        found = self.results.get(key)
        if found is not None:
            self.hits += 1
            return found
        found = run(self.steps, view)
        if self.lookups >= self._TRIAL and self.hits < self.lookups * self._MIN_HIT_RATE:
            self.sharing = False  # decided on a miss, once the trial is over
            self.results = {}
            return found
        if len(self.results) >= self._KEPT:
            self.results.clear()
        self.results[key] = found
        return found

"""Lint once per distinct input: results shared across certificates that encode the same parts.

A CA's certificates repeat most of what they contain: one issuer name, one certificatePolicies,
one AIA and CRL distribution point per issuing CA, a handful of key usages. A lint that reads
only such parts gives the same result for every certificate carrying the same octets there, so
the engine runs it once per distinct encoding and reuses the result (its findings, messages
included) for the rest: the database-wide view makes the per-certificate work smaller.

Which parts a lint reads is not declared by hand (a wrong declaration would silently reuse a
wrong result): `reads()` derives it from the lint's code, its `when` and every function of the
project they reach, by the CertView accessors named there (for a module compiled by Cython,
from the code Python compiles of the same source). A lint that names an accessor whose
value is not a function of one part's octets (validity, serial, key, SCTs, the raw DER, the
database row, `problems`), or that reaches the certificate in a way the walk cannot follow
(`getattr`, `vars`), is not shared: it runs for every certificate, as before.
"""

from __future__ import annotations

import dis
import sys
import types
from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.engine import oids
from audit.engine.fast import Kept

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
    "public_key_algorithm": ("spki_algorithm",),
    "key_algorithm": ("spki_algorithm",),
    "encoded_algorithms": ("signature_algorithm", "spki_algorithm"),
    "version": ("version",),
}
# Accessors of one extension by its OID: shared by the part "ext:<oid>" when every use names
# the OID as a constant (`cert.has_extension(oids.X)`, `cert.is_critical(oids.X)`,
# `cert.extensions.get(oids.X)`, `oids.X in cert.extensions`, `cert.extensions[oids.X]`); any
# other use is not followed.
_BY_OID = frozenset({"has_extension", "is_critical", "encoded_extension", "extension_value_der"})
_EXTENSIONS = "extensions"
_BY_OID_NAMES = _BY_OID | {_EXTENSIONS}
# Parts a CA writes per subscriber (names, key, SCTs), not per issuer or certificate profile:
# lints reading one are grouped by their own parts, and such groups often find too few
# repeats to keep sharing (see SharedGroup). The lints reading only the other parts are kept
# as one group, keyed by all of those parts together: a CA's certificates come in a few
# combinations of them (issuer, policies, AIA, CRL shard, key type), and one lookup per
# certificate then serves them all.
PER_SUBSCRIBER_PARTS = frozenset(
    {"subject", *(f"ext:{oid}" for oid in oids.PER_SUBSCRIBER_EXTENSIONS)}
)
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
    return _parts_read([x.check, *([x.when] if x.when is not None else [])])


def when_reads(x: Lint) -> tuple[str, ...] | None:
    """The parts whose octets decide whether `x` applies (its `when` alone), as `reads` says:
    a lint whose check reads the whole certificate may still apply to a certificate or not by
    parts it shares with many others (its key type, its extKeyUsage)."""
    return _parts_read([x.when]) if x.when is not None else None


def accessor_parts(accessors: Iterable[str]) -> tuple[str, ...]:
    """The parts that these CertView accessors' values depend on (KeyError for an accessor that
    depends on more than its parts)."""
    return tuple(sorted({part for name in accessors for part in _ACCESSOR_PARTS[name]}))


def _parts_read(roots: list[Callable[..., Any]]) -> tuple[str, ...] | None:
    view_names = _certview_names()
    parts: set[str] = set()
    for name in _names_reached(roots):
        if name in _OPAQUE:
            return None
        if name.startswith("ext:"):  # an extension named by a constant OID (_extension_parts)
            parts.add(name)
        elif name in view_names and name not in _FREE:
            found = _ACCESSOR_PARTS.get(name)
            if found is None:
                return None
            parts.update(found)
    return tuple(sorted(parts))


def _names_reached(roots: list[Callable[..., Any]]) -> Iterator[str]:
    """Every name (attribute or global) in the code of `roots` and of the project's functions
    they reach: by global name, through a project module, in a closure or a partial, or
    wrapped; compiled or not."""
    seen: set[int] = set()
    stack: list[Any] = list(roots)
    # Followed: the project's functions and those of the lints' own modules; a library's
    # functions receive values, not the CertView.
    ours = ("audit.", *{_module_of(r) for r in roots})
    while stack:
        func = stack.pop()
        func = getattr(func, "__wrapped__", func)
        if id(func) in seen:
            continue
        seen.add(id(func))
        if isinstance(func, partial):  # a function with some arguments given
            stack.append(func.func)
            stack.extend(v for v in (*func.args, *func.keywords.values()) if callable(v))
            continue
        if not isinstance(func, types.FunctionType) and not _compiled(func):
            if callable(func) and not isinstance(func, type | types.BuiltinFunctionType):
                yield _UNFOLLOWED  # a callable object: its code is not followed
            continue
        if not (func.__module__ or "").startswith(ours):
            continue
        function_code = _code_of(func)
        if function_code is None:
            yield _UNFOLLOWED
            continue
        scope = func.__globals__
        for cell in func.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if callable(value):
                stack.append(value)
        for code in _codes(function_code):
            names = _code_names(code)
            if not names.isdisjoint(_BY_OID_NAMES):
                found = _extension_parts(code, scope)
                names -= _BY_OID_NAMES
                yield from found if found is not None else (_UNFOLLOWED,)
            for name in names:
                yield name
                value = scope.get(name)
                if _callable_of(value, ours):
                    stack.append(value)
                elif isinstance(value, types.ModuleType) and value.__name__.startswith(ours):
                    stack.extend(
                        getattr(value, attr)
                        for attr in names
                        if _callable_of(getattr(value, attr, None), ours)
                    )
                elif isinstance(value, dict | list | tuple):
                    items = value.values() if isinstance(value, dict) else value
                    stack.extend(v for v in items if _callable_of(v, ours))


def _module_of(func: object) -> str:
    while isinstance(func, partial):
        func = func.func
    return getattr(func, "__module__", None) or "audit."


def _compiled(func: object) -> bool:
    """A function compiled by Cython (setup.py): its code object holds no instructions."""
    return type(func).__name__ == "cython_function_or_method"


def _code_of(func: Any) -> types.CodeType | None:
    """The code to read for one of the project's functions: its own, or for a compiled one
    (whose code object holds no instructions) the code Python compiles from the source that was
    compiled (audit/compiled.py sees to it that they are the same), found by qualified name and
    first line. None where that cannot be told: no source, two functions of that name on that
    line, or a closure, whose cells a compiled function does not show (the walk follows the
    functions they hold): write such a factory as a `functools.partial` instead."""
    if isinstance(func, types.FunctionType):
        return func.__code__
    found = _source_functions(func.__module__).get(
        (func.__qualname__, func.__code__.co_firstlineno)
    )
    if found is None or found.co_freevars:
        return None
    return found


@cache
def _source_functions(module: str) -> dict[tuple[str, int], types.CodeType | None]:
    """Every function's code in a compiled module's source, by (qualified name, first line);
    None where two share both."""
    file = getattr(sys.modules.get(module), "__file__", None)
    source = Path(file).with_name(module.rpartition(".")[2] + ".py") if file else None
    if source is None or not source.is_file():
        return {}
    found: dict[tuple[str, int], types.CodeType | None] = {}
    for code in _codes(compile(source.read_bytes(), str(source), "exec")):
        key = (code.co_qualname, code.co_firstlineno)
        found[key] = None if key in found else code
    return found


def _callable_of(value: object, ours: tuple[str, ...]) -> bool:
    """A function of the project's (or the lints' modules'), to follow: a plain function, a
    partial, or any other callable from there (compiled, a cache), which the walk reads from its
    source or else reports as not followed, rather than skipping it. Classes and builtins
    receive values only."""
    if isinstance(value, types.FunctionType | partial):
        return True
    return (
        callable(value)
        and not isinstance(value, type | types.BuiltinFunctionType)
        and (getattr(value, "__module__", None) or "").startswith(ours)
    )


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _extension_parts(code: types.CodeType, scope: dict[str, Any]) -> set[str] | None:
    """ "ext:<oid>" for each extension the code reads by a constant OID through the by-OID
    accessors; None when any use of them has another shape (a variable OID, the whole dict)."""
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("CACHE", "PRECALL")]
    parts = set()
    for at, i in enumerate(ins):
        if i.opname not in ("LOAD_ATTR", "LOAD_METHOD"):
            continue
        oid: str | None = None
        if i.argval in _BY_OID:  # cert.has_extension(OID)
            oid, after = _constant_oid(ins, at + 1, scope)
            oid = oid if after < len(ins) and ins[after].opname == "CALL" else None
        elif i.argval == _EXTENSIONS:
            nxt = ins[at + 1] if at + 1 < len(ins) else None
            if nxt is not None and nxt.opname == "LOAD_METHOD" and nxt.argval == "get":
                oid, after = _constant_oid(ins, at + 2, scope)  # cert.extensions.get(OID)
                oid = oid if after < len(ins) and ins[after].opname == "CALL" else None
            elif nxt is not None and nxt.opname == "CONTAINS_OP" and at >= 2:
                oid = _constant_oid_before(ins, at - 1, scope)  # OID in cert.extensions
            else:
                oid, after = _constant_oid(ins, at + 1, scope)  # cert.extensions[OID]
                oid = oid if after < len(ins) and ins[after].opname == "BINARY_SUBSCR" else None
        else:
            continue
        if oid is None:
            return None
        parts.add(f"ext:{oid}")
    return parts


def _constant_oid(
    ins: list[dis.Instruction], at: int, scope: dict[str, Any]
) -> tuple[str | None, int]:
    """The dotted OID that the instructions from `at` load as a constant (a literal, a module
    global, or an attribute of a module such as `oids`), and where they end."""
    if at >= len(ins):
        return None, at
    i = ins[at]
    if i.opname == "LOAD_CONST":
        return (i.argval if isinstance(i.argval, str) else None), at + 1
    if i.opname != "LOAD_GLOBAL":
        return None, at
    value = scope.get(i.argval)
    if isinstance(value, types.ModuleType) and at + 1 < len(ins):
        attr = ins[at + 1]
        if attr.opname == "LOAD_ATTR":
            value = getattr(value, attr.argval, None)
            return (value if isinstance(value, str) else None), at + 2
    return (value if isinstance(value, str) else None), at + 1


def _constant_oid_before(
    ins: list[dis.Instruction], cert_at: int, scope: dict[str, Any]
) -> str | None:
    """For `OID in cert.extensions`: the constant OID loaded just before the certificate."""
    if ins[cert_at].opname not in ("LOAD_FAST", "LOAD_DEREF"):
        return None
    for start in (cert_at - 1, cert_at - 2):
        if start >= 0:
            oid, end = _constant_oid(ins, start, scope)
            if oid is not None and end == cert_at:
                return oid
    return None


def _code_names(code: types.CodeType) -> set[str]:
    """Global and attribute names the code loads, and the free variables it reads."""
    return set(code.co_names) | set(code.co_freevars)


# -- the octets of each part, read from the certificate's header walk ------------------------


class PartsKey:
    """Reads the encodings of some parts of a certificate, as one key: for an extension part,
    the whole TLV of the first extension of its OID (None when absent); for a field, its octets.
    Certificates with equal keys encode those parts alike."""

    __slots__ = ("extensions", "fields")

    def __init__(self, parts: tuple[str, ...]) -> None:
        self.extensions = tuple(p.removeprefix("ext:") for p in parts if p.startswith("ext:"))
        # KeyError here, when the groups are made, for a part nothing can read
        self.fields = tuple(_FIELDS[p] for p in parts if not p.startswith("ext:"))

    def of(self, view: CertView) -> tuple[Hashable, ...]:
        key = tuple(map(view.extension_tlvs.get, self.extensions))
        if self.fields:
            key += tuple([read(view) for read in self.fields])
        return key


_FIELDS: dict[str, Callable[[CertView], Hashable]] = {
    "issuer": lambda view: view.tbs_encoding.issuer,
    "subject": lambda view: view.tbs_encoding.subject,
    "version": lambda view: view.tbs_encoding.version,
    "signature_algorithm": lambda view: (
        view.encoded_algorithms.signature,
        view.encoded_algorithms.tbs_signature,
    ),
    "spki_algorithm": lambda view: view.encoded_algorithms.public_key,
}


# -- the shared results ------------------------------------------------------------------------

Run = Callable[[tuple[Any, ...], "CertView"], list[Any]]


def shareable(view: CertView) -> bool:
    """Results are shared only among certificates the strict decoder reads whole: then each
    accessor's value comes from one decoder and depends on its part's octets alone."""
    return view.parsed_strictly and not view.read_every_field()


class SharedGroup:
    """Lints of one profile and span that read the same parts: run once per distinct encoding
    of those parts, their findings kept and given to every certificate encoding them alike.
    (The engine also keeps, the same way, which lints apply by their `when`: see runner.)

    Sharing pays only where encodings repeat (an issuer's policies, AIA, CRL distribution
    points); where they do not (a DV certificate's subject), looking up and keeping results
    costs more than it saves. So once past a trial, a group whose lookups found a result too
    seldom stops sharing; and it keeps at most `_KEPT` encodings (then starts over), so memory
    stays small.
    """

    _TRIAL = 500  # lookups before the group decides whether sharing pays
    _MIN_HIT_RATE = 0.3
    _KEPT = 2000

    __slots__ = ("parts", "key", "steps", "results", "lookups", "hits", "sharing")

    def __init__(self, parts: tuple[str, ...], steps: tuple[Any, ...]) -> None:
        self.parts = parts
        self.key = PartsKey(parts)
        self.steps = steps
        self.results: Kept[Any, list[Any]] = Kept(self._KEPT)
        self.lookups = self.hits = 0
        self.sharing = True

    def lookup(self, view: CertView, run: Run) -> list[Any]:
        """The group's result for this certificate (findings, or the steps that apply): shared,
        or run by `run` (the engine's loop over steps, which turns exceptions into `fatal`
        results like any other)."""
        if not self.sharing:
            return run(self.steps, view)
        try:
            key = self.key.of(view)
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
            self.results.clear()
            return found
        return self.results.keep(key, found)

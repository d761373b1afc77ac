"""Lint once per distinct input: results shared across certificates that encode the same parts.

A CA's certificates repeat most of what they contain: one issuer name, one certificatePolicies,
one AIA and CRL distribution point per issuing CA, a handful of key usages. A lint that reads
only such parts gives the same result for every certificate carrying the same octets there, so
the engine runs it once per distinct encoding and reuses the result (its findings, messages
included) for the rest.

Which parts a lint reads is neither declared by its author nor inferred from its code: it is
checked as the lint runs. A group of lints keyed by some parts runs, for an encoding it has no
result for, against the certificate shown through those parts only (audit/engine/parts.py:
`PartsOnly`); a result is kept only when every lint of the group read nothing else. A lint
that reads more leaves the group: it is run again for that certificate, and `LintReads`
learns, by running it against views that show more, which parts it reads (it then joins a
group keyed by those) or that it reads something that is not a part (the serial, the validity,
the key, the DER, the audit's time: it runs per certificate from then on). What runs does not
matter (closures, classes, a library): only what it reads through the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit.engine import oids
from audit.engine.lean_stdlib import BoundedCache
from audit.engine.parts import PartsKey, extension_part, parts_read

if TYPE_CHECKING:
    from audit.engine.certview import CertView
    from audit.engine.registry import Lint

# Parts a CA writes per subscriber (names, key, SCTs), not per issuer or certificate profile:
# lints reading one are grouped by their own parts, and such groups often find too few
# repeats to keep sharing (see SharedGroup). The lints reading only the other parts are kept
# as one group, keyed by all of those parts together: a CA's certificates come in a few
# combinations of them (issuer, policies, AIA, CRL shard, key type), and one lookup per
# certificate then serves them all.
PER_SUBSCRIBER_PARTS = frozenset(
    {"subject", *(extension_part(oid) for oid in oids.PER_SUBSCRIBER_EXTENSIONS)}
)

Parts = tuple[str, ...]


class LintReads:
    """What each lint of an engine was seen to read, learned as lints leave their groups:
    `parts` (of its `when` and its check together) and, for a lint that reads more than parts,
    `when_parts` (of its `when` alone: whether it applies may still be shared). A lint not yet
    seen reading outside a group is in neither; None: not a function of parts. `version`
    counts the changes, so that plans made before one are made again."""

    def __init__(self) -> None:
        self.parts: dict[Lint, Parts | None] = {}
        self.when_parts: dict[Lint, Parts | None] = {}
        self.version = 0

    def went_outside(self, x: Lint, view: CertView) -> None:
        """`x` read more than its group's parts for `view`: learn what it reads."""
        before = self.parts.get(x, ())
        if before is None:
            return
        after = parts_read(_whole(x), view, before)
        if after != before:
            self.parts[x] = after
            self.version += 1
        if after is None and x.when is not None:
            self.when_went_outside(x, view)

    def when_went_outside(self, x: Lint, view: CertView) -> None:
        """`x`'s `when` read more than the parts its group is keyed by."""
        before = self.when_parts.get(x, ())
        if before is None or x.when is None:
            return
        after = parts_read(x.when, view, before)
        if after != before:
            self.when_parts[x] = after
            self.version += 1


def _whole(x: Lint) -> Callable[[Any], Any]:
    """A lint's `when` then, if it applies, its check: what a group runs of it."""
    when, check = x.when, x.check
    if when is None:
        return check

    def whole(cert: Any) -> Any:
        return check(cert) if when(cert) else None

    return whole


Run = Callable[[tuple[Any, ...], "CertView"], list[Any]]
# Runs a group's steps against the certificate shown through the group's parts: the result,
# and whether every step read those parts only (else it is not kept).
RunShown = Callable[[tuple[Any, ...], "CertView", Parts], tuple[list[Any], bool]]


def shareable(view: CertView) -> bool:
    """Results are shared only among certificates the strict decoder reads whole: then each
    accessor's value comes from one decoder and depends on its part's octets alone."""
    return view.parsed_strictly and not view.read_every_field()


class SharedGroup:
    """Lints of one profile and span grouped by the parts they read: run once per distinct
    encoding of those parts, their findings kept and given to every certificate encoding them
    alike. (The engine also keeps, the same way, which lints apply by their `when`: see
    runner.)

    Sharing pays only where encodings repeat (an issuer's policies, AIA, CRL distribution
    points); where they do not (a DV certificate's subject), looking up and keeping results
    costs more than it saves. So once past a trial, a group whose lookups found a result too
    seldom stops sharing; and it keeps at most `_KEPT` encodings (then starts over), so memory
    stays small.
    """

    _TRIAL = 500  # lookups before the group decides whether sharing pays
    _MIN_HIT_RATE = 0.3
    _KEPT = 2000

    __slots__ = ("parts", "key", "steps", "results", "every_results", "lookups", "hits", "sharing")

    def __init__(self, parts: Parts, steps: tuple[Any, ...]) -> None:
        self.parts = parts
        self.key = PartsKey(parts)
        self.steps = steps
        self.results: BoundedCache[Any, list[Any]] = BoundedCache(self._KEPT)
        # Every step's result, for a batch keeping every status: kept apart from `results`,
        # which holds findings only.
        self.every_results: BoundedCache[Any, list[Any]] = BoundedCache(self._KEPT)
        self.lookups = self.hits = 0
        self.sharing = True

    def lookup(
        self, view: CertView, run: Run, run_shown: RunShown, every_status: bool = False
    ) -> list[Any]:
        """The group's result for this certificate (findings, every result with `every_status`,
        or the steps that apply): shared, or run by `run_shown` against the group's parts (kept
        if they were all it read), or by `run` once sharing stopped. Both are the engine's loops
        over steps, which turn exceptions into `fatal` results like any other."""
        if not self.sharing:
            return run(self.steps, view)
        try:
            key = self.key.of(view)
        except Exception:  # the header walk cannot find a part: nothing to share
            return run(self.steps, view)
        self.lookups += 1
        kept = self.every_results if every_status else self.results
        found = kept.get(key)
        if found is not None:
            self.hits += 1
            return found
        found, keep = run_shown(self.steps, view, self.parts)
        if self.lookups >= self._TRIAL and self.hits < self.lookups * self._MIN_HIT_RATE:
            self.sharing = False  # decided on a miss, once the trial is over
            self.results.clear()
            self.every_results.clear()
            return found
        return kept.keep(key, found) if keep else found

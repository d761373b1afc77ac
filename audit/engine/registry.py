"""The lint catalogue: every rule declared once, next to its check, with its dates named.

A lint module under `audit/lints/<source>/` declares rules with `@lint(...)`; importing the
`audit.lints` package registers them all. The catalogue is then fixed for the process.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.engine.profiles import Profile
from audit.engine.status import Outcome, Status
from audit.outputs.runjson import CATALOGUE_JSON, finished_run_dir

if TYPE_CHECKING:
    from audit.engine.certview import CertView

# Bumped when lints are added or removed or change logic; each lint also has its own version.
CATALOGUE_VERSION = "2026.12.1"


class Source(StrEnum):
    CABF_BR = "cabf_br"
    CABF_EV = "cabf_ev"
    CABF_CS = "cabf_cs"  # Code Signing BR: code-signing and time-stamping certificates
    ETSI = "etsi"  # ETSI EN 319 412 (qualified certificates) and TS 119 495 (PSD2)
    CABF_SMIME = "cabf_smime"
    RFC5280 = "rfc5280"
    MOZILLA = "mozilla"
    CHROME = "chrome"
    APPLE = "apple"
    COMMUNITY = "community"
    POPULATION = "population"  # needs the whole population (duplicate serials, shared keys)
    DATABASE = "database"  # the database row disagrees with the certificate it stores


SOURCE_TITLES = {
    Source.CABF_BR: "CA/Browser Forum Baseline Requirements (TLS)",
    Source.CABF_EV: "CA/Browser Forum EV Guidelines",
    Source.CABF_CS: "CA/Browser Forum Code Signing Baseline Requirements",
    Source.ETSI: "ETSI EN 319 412 certificate profiles and TS 119 495",
    Source.CABF_SMIME: "CA/Browser Forum S/MIME Baseline Requirements",
    Source.RFC5280: "RFC 5280 and related IETF profiles",
    Source.MOZILLA: "Mozilla Root Store Policy",
    Source.CHROME: "Chrome Root Program Policy",
    Source.APPLE: "Apple Root Certificate Program",
    Source.COMMUNITY: "Community practice",
    Source.POPULATION: "Population checks (whole database)",
    Source.DATABASE: "Database consistency",
}

Check = Callable[["CertView"], Outcome]
Predicate = Callable[["CertView"], bool]
PopulationCheck = Callable[[Any], Iterable[tuple[str, str]]]  # Arrow table -> (cert_id, message)


@dataclass(frozen=True, eq=False)
class Lint:
    name: str
    description: str
    citation: str
    source: Source
    severity: Status  # the status a failed check gives
    applies_to: frozenset[Profile]
    effective: datetime
    check: Check
    ineffective: datetime | None = None
    when: Predicate | None = None  # finer applicability within the profiles
    zlint: tuple[str, ...] = ()
    version: int = 1
    section: str = field(default="")  # the module's concern, e.g. "subject", for grouping
    # Extension OIDs that must all be present for the lint to apply (else `na`, as a `when`
    # returning False). Declared rather than tested, so the engine can drop the lint for a
    # certificate without calling anything; `when`, if any, is asked only when they are present.
    needs: frozenset[str] = frozenset()
    # Population lints (source `population`) read the whole audited population once per run
    # instead of one certificate: see audit/population/. They apply to no single profile.
    population_check: PopulationCheck | None = None
    # The prepared inputs a population lint reads (`Population.shared`): each prepared once per
    # run, before the lints, by its `@population_input` (audit/population/apply.py).
    population_inputs: tuple[str, ...] = ()

    def applicable(self, cert: CertView) -> bool:
        """`needs` and `when` together, asked of one certificate (the engine's slow path)."""
        if self.needs:
            extensions = cert.extensions
            if not all(oid in extensions for oid in self.needs):
                return False
        return self.when is None or self.when(cert)

    def metadata(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "citation": self.citation,
            "source": str(self.source),
            "section": self.section,
            "severity": self.severity.label,
            "effective_date": self.effective.date().isoformat(),
            "ineffective_date": self.ineffective.date().isoformat() if self.ineffective else None,
            "profiles": sorted(str(p) for p in self.applies_to),
            "zlint": list(self.zlint),
            "version": self.version,
        }


_REGISTRY: dict[str, Lint] = {}


def _not_per_certificate(cert: CertView) -> Outcome:
    raise TypeError("a population lint is not run per certificate")


def population_lint(
    *,
    name: str,
    description: str,
    citation: str,
    source: Source,
    severity: Status,
    effective: datetime,
    columns: Iterable[str] = (),
    version: int = 1,
    inputs: Iterable[str] = (),
) -> Callable[[PopulationCheck], PopulationCheck]:
    """Declare a population lint: the decorated function reads the certificates dataset (an
    Arrow table with at least `columns`) and yields (cert_id, message) for each certificate
    that breaks the rule. `inputs`: the prepared inputs it reads (`Population.shared`), the
    only ones its task is given."""

    def register(check: PopulationCheck) -> PopulationCheck:
        if name in _REGISTRY:
            raise ValueError(f"lint {name!r} is declared twice")
        _REGISTRY[name] = Lint(
            name=name, description=description, citation=citation, source=source,
            severity=severity, applies_to=frozenset(), effective=effective,
            check=_not_per_certificate, version=version,
            section=check.__module__.rsplit(".", 1)[-1], population_check=check,
            population_inputs=tuple(inputs),
        )  # fmt: skip
        return check

    return register


def lint(
    *,
    name: str,
    description: str,
    citation: str,
    source: Source,
    severity: Status,
    applies: Iterable[Profile],
    effective: datetime,
    ineffective: datetime | None = None,
    when: Predicate | None = None,
    needs: Iterable[str] = (),
    zlint: Iterable[str] = (),
    version: int = 1,
) -> Callable[[Check], Check]:
    """Declare a lint; the decorated function is its check and is returned unchanged.

    `when` (optional): whether the rule applies to a certificate of its profiles. `needs`
    (optional): extension OIDs that must all be present for it to apply, the same as a `when`
    asking so (the engine then skips the lint without a call). Nothing else is asked of a rule:
    which parts of the certificate it reads, to share its results, the engine finds out as it
    runs (audit/engine/shared.py).
    """

    def register(check: Check) -> Check:
        if name in _REGISTRY:
            raise ValueError(f"lint {name!r} is declared twice")
        if not severity.is_finding:
            raise ValueError(f"lint {name!r}: severity must be info or above")
        section = check.__module__.rsplit(".", 1)[-1]
        _REGISTRY[name] = Lint(
            name=name, description=description, citation=citation, source=source,
            severity=severity, applies_to=frozenset(applies), effective=effective,
            ineffective=ineffective, check=check, when=when, zlint=tuple(zlint),
            version=version, section=section, needs=frozenset(needs),
        )  # fmt: skip
        return check

    return register


@dataclass(frozen=True)
class Catalogue:
    lints: tuple[Lint, ...]

    @classmethod
    def load(cls) -> Catalogue:
        """Every lint under `audit.lints`, in a stable order (source, section, name)."""
        import audit.lints as package

        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
        ordered = sorted(_REGISTRY.values(), key=lambda x: (x.source, x.section, x.name))
        return cls(tuple(ordered))

    def __len__(self) -> int:
        return len(self.lints)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.lints)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(x.name for x in self.lints)

    @cached_property
    def by_name(self) -> dict[str, Lint]:
        return {x.name: x for x in self.lints}

    @property
    def version(self) -> str:
        return CATALOGUE_VERSION

    @cached_property
    def digest(self) -> str:
        """SHA-256 over every lint's metadata: two runs with equal digests ran the same rules."""
        blob = json.dumps([x.metadata() for x in self.lints], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def select(self, selector: str | None) -> Catalogue:
        """Comma-separated terms, each one of:
        - a lint name;
        - a source (`cabf_br` or `source:cabf_br`);
        - `changed-since:PATH`: every lint that is new or whose version differs from the one
          recorded in PATH (a run directory's `catalogue.json`, or such a file itself) — the
          rescan the day a rule or a check changes;
        - `all`.
        """
        if not selector or selector.strip() == "all":
            return self
        wanted: list[Lint] = []
        sources = {str(s) for s in Source}
        by_name = self.by_name
        for term in (t.strip() for t in selector.split(",") if t.strip()):
            key = term.removeprefix("source:")
            if key in sources:
                wanted += [x for x in self.lints if x.source == key]
            elif term.startswith("changed-since:"):
                before = _recorded_versions(Path(term.removeprefix("changed-since:")))
                wanted += [x for x in self.lints if before.get(x.name) != x.version]
            elif term in by_name:
                wanted.append(by_name[term])
            else:
                raise ValueError(
                    f"--lints: {term!r} is neither a lint name, a source nor changed-since:RUN_DIR"
                )
        chosen = {x.name for x in wanted}
        return Catalogue(tuple(x for x in self.lints if x.name in chosen))


def _recorded_versions(path: Path) -> dict[str, int]:
    """Lint name -> version, from a run directory's catalogue.json (or that file); a partial
    run is refused (InputError): it may not have run what its catalogue lists."""
    file = finished_run_dir(path) / CATALOGUE_JSON if path.is_dir() else path
    try:
        return {x["name"]: int(x.get("version", 1)) for x in json.loads(file.read_text())}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"--lints changed-since: cannot read the catalogue recorded in {file}: {exc}"
        ) from None

"""Lint one certificate: parse once, detect the profile, run the lints that apply.

Order per lint (the zlint model): applies to this profile and situation? (else `na`) →
issued inside the rule's effective window? (else `ne`) → check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.engine.certview import CertView, NotACertificate
from audit.engine.profiles import Profile
from audit.engine.registry import Catalogue, Lint
from audit.engine.status import Status

DECODE_LINT = "certificate_decodes_strictly"


@dataclass(frozen=True, slots=True)
class Result:
    lint: Lint
    status: Status
    message: str = ""


@dataclass(slots=True)
class CertReport:
    """What the engine found in one certificate. Lints not in `results` were `na`."""

    sha256: str
    profile: Profile
    view: CertView | None  # None when the bytes are not a certificate at all
    results: list[Result] = field(default_factory=list)
    error: str | None = None  # set when the bytes are not a certificate

    @property
    def findings(self) -> list[Result]:
        return [r for r in self.results if r.status.is_finding]

    def status_of(self, name: str) -> Result | None:
        for r in self.results:
            if r.lint.name == name:
                return r
        return None


class Engine:
    """Holds the catalogue with its lints pre-sorted by profile: chosen once, not per certificate."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._by_profile = {p: [x for x in catalogue if p in x.applies_to] for p in Profile}
        self._decode_lint = catalogue.by_name.get(DECODE_LINT)

    def lint_der(self, der: bytes) -> CertReport:
        import hashlib

        try:
            view = CertView(der)
        except NotACertificate as exc:
            report = CertReport(
                hashlib.sha256(der).hexdigest(), Profile.UNKNOWN, None, error=str(exc)
            )
            if self._decode_lint is not None:
                report.results.append(Result(self._decode_lint, Status.FATAL, str(exc)))
            return report
        profile = view.profile
        report = CertReport(view.sha256, profile, view)
        for x in self._by_profile[profile]:
            report.results.append(self._run(x, view))
        return report

    @staticmethod
    def _run(x: Lint, view: CertView) -> Result:
        try:
            if x.when is not None and not x.when(view):
                return Result(x, Status.NA)
            issued = view.not_before
            if issued < x.effective or (x.ineffective is not None and issued >= x.ineffective):
                return Result(x, Status.NE)
            out = x.check(view)
        except Exception as exc:  # a part this lint needs could not be decoded
            return Result(x, Status.FATAL, f"could not check: {type(exc).__name__}: {exc}"[:500])
        status = x.severity if out.status is None else out.status
        return Result(x, status, out.message)

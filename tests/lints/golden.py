"""Golden cases: a certificate the project makes itself, paired with the status one lint gives.

Each `tests/lints/test_*.py` module lists `CASES` and runs them with `check_case`;
`test_catalogue_coverage.py` holds every lint to at least one failing and one passing case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.engine.status import Status
from audit.sample_db.certbuilder import CertSpec, der


@dataclass(frozen=True)
class Case:
    lint: str
    cert: CertSpec | bytes  # a spec to build, or ready DER
    expected: str  # status label: pass, na, ne, info, notice, warn, error, fatal
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.lint}-{self.expected}-{self.why or 'case'}".replace(" ", "_")


@cache
def engine() -> Engine:
    return Engine(Catalogue.load())


def status_of(case: Case) -> tuple[Status, str]:
    data = case.cert if isinstance(case.cert, bytes) else der(case.cert)
    report = engine().lint_der(data)
    assert case.lint in engine().catalogue.by_name, f"no lint named {case.lint}"
    result = report.status_of(case.lint)
    return (result.status, result.message) if result else (Status.NA, "")


def check_case(case: Case) -> None:
    status, message = status_of(case)
    assert status.label == case.expected, (
        f"{case.lint}: got {status.label} ({message}), expected {case.expected}"
    )

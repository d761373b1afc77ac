"""What a defect is: a transformation of the certificate a CA meant to issue into the one it did.

A `Defect` names the lint expected to catch it, its share of all certificates, the issuance
dates in which it is a defect (from the effective date of the rule it breaks, as
audit/lints/dates.py names it, so that the lint gives a finding and not `ne`), the validation
types it occurs in, and `make`: the clean spec in, a `CertSpec`, the bytes the row holds, or None
(no certificate stored) out. A defect in the row rather than the certificate edits the row's
columns with `row`. The catalogues are defects.py (TLS, keys, rows) and family_defects.py
(S/MIME, code signing, time stamping).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audit.sample_db.certbuilder import CertSpec

Make = Callable[[CertSpec, random.Random], CertSpec | bytes | None]
RowEdit = Callable[[dict[str, Any], random.Random], None]

ALL_TYPES = frozenset({"dv", "ov", "ev"})  # the TLS validation types
ORGANIZATION_TYPES = frozenset({"ov", "ev"})


@dataclass(frozen=True)
class Defect:
    name: str
    lint: str  # the lint expected to report it
    share: float  # expected fraction of all certificates in the default mix
    make: Make
    description: str
    issued_from: datetime | None = None  # earliest notBefore at which this is a defect
    issued_before: datetime | None = None  # first notBefore at which another defect takes over
    validation: frozenset[str] = ALL_TYPES
    malformed: bool = False  # the row does not hold a well-formed certificate
    row: RowEdit | None = None  # the row's columns disagree with the certificate

    def fits(self, not_before: datetime, validation: str) -> bool:
        return (
            validation in self.validation
            and (self.issued_from is None or not_before >= self.issued_from)
            and (self.issued_before is None or not_before < self.issued_before)
        )


def unchanged(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec

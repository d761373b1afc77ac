"""The certificate as bytes: is it DER that a strict X.509 decoder accepts?"""

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

_FIELDS = (
    "version", "serial", "not_before", "not_after", "subject", "issuer", "key", "extension_list",
    "signature_algorithm",
)  # fmt: skip


@lint(
    name="certificate_decodes_strictly",
    description="The certificate is DER that a strict X.509 decoder accepts in every field; "
    "fields it refuses were read by a tolerant decoder so the other lints could still run.",
    citation="RFC 5280 4.1; ITU-T X.690 (DER)",
    source=Source.RFC5280,
    severity=Status.FATAL,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
)
def certificate_decodes_strictly(cert: CertView) -> Outcome:
    # Touch every field so each refusal is on record, whichever lints ran before this one.
    for field in _FIELDS:
        try:
            getattr(cert, field)
        except Exception as exc:  # neither decoder could read it: that is on record too
            cert.problems.append(f"unreadable: {exc}")
    if cert.problems:
        return fail("; ".join(dict.fromkeys(cert.problems))[:1000])
    return PASS

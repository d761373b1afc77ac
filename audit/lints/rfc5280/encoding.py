"""The certificate as bytes: is it DER that a strict X.509 decoder accepts?"""

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


@lint(
    name="certificate_decodes_strictly",
    description="The certificate is DER that a strict X.509 decoder accepts in every field; "
    "fields it refuses were read by a tolerant decoder so the other lints could still run.",
    citation="RFC 5280 4.1; ITU-T X.690 (DER)",
    source=Source.RFC5280,
    severity=Status.FATAL,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    version=2,  # 2: refusals listed in a fixed order
)
def certificate_decodes_strictly(cert: CertView) -> Outcome:
    # Every field is read here, so each refusal is on record whichever lints ran before this
    # one; listed in a fixed order, so the message does not depend on which ran first.
    problems = cert.read_every_field()
    if problems:
        return fail("; ".join(sorted(set(problems)))[:1000])
    return PASS

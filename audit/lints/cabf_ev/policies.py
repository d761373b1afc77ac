"""EV Guidelines 9.7: the certificatePolicies of EV certificates.

Which policy identifier marks a certificate as EV decides its profile (profiles.py); the BR
rules about policy qualifiers are in `cabf_br/policies.py`. Here: the CPS pointer the EVG
required of EV subscriber certificates until Ballot SC-72.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


@lint(
    name="ev_cps_uri_qualifier_present",
    description="The certificatePolicies of an EV subscriber certificate carry an id-qt-cps "
    "policy qualifier (cPSuri: the HTTP URL of the Subordinate CA's Certification Practice "
    "Statement). Required by EVG 9.7 (3) until Ballot SC-72 (2024-05-06) aligned the EVG with "
    "the BRs, which make policy qualifiers NOT RECOMMENDED: an EV certificate issued since is "
    "'ne'. Dated from EVG 1.4, the first version the EVG's history records. The same rule for "
    "a subordinate CA not controlled by the root's operator (9.7 (2)) depends on who operates "
    "the CA, which the certificate does not say. zlint has no equivalent.",
    citation="EVG 9.7 (3); Ballot SC-72",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_4,
    ineffective=dates.EV_CPS_QUALIFIER_NOT_REQUIRED,
)
def ev_cps_uri_qualifier_present(cert: CertView) -> Outcome:
    qualifiers = {q.oid for p in cert.policy_information or () for q in p.qualifiers}
    if oids.CPS_QUALIFIER not in qualifiers:
        return fail("EV certificate's certificatePolicies has no id-qt-cps (cPSuri) qualifier")
    return PASS

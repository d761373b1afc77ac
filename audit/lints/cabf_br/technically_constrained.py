"""BR 7.1.5 (BR 1.x, from Ballot 105) / BR 2.0 7.1.2.5.2: name constraints that make a TLS
subordinate CA Technically Constrained.

A TLS subordinate CA whose nameConstraints leave a name type open is not Technically
Constrained: it may still be issued (BR 2.0 7.1.2.6 allows name constraints of any extent), but
its CA is then audited and disclosed as an unconstrained one. So a gap is a notice, as
`subordinate_ca_eku_technically_constrained` reports the extKeyUsage side of the same question.
The syntax of each subtree is RFC 5280's (`rfc5280/name_constraints.py`); reserved IP ranges
are `name_constraints_permitted_ip_not_reserved`.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.ca_certificates import issues_tls
from audit.lints.rfc5280.name_constraints import ip_subtree_octets

_IPV4_ALL = bytes(8)  # 0.0.0.0/0: "an iPAddress of 8 zero octets"
_IPV6_ALL = bytes(32)  # ::0/0: "an iPAddress of 32 zero octets"
_PERMITTED, _EXCLUDED = "permittedSubtrees", "excludedSubtrees"


def _gaps(cert: CertView) -> list[str]:
    """The name types the constraints leave open, as the BRs in force at issuance count them."""
    nc = cert.name_constraints
    if nc is None:
        return []
    permitted = {s.base.kind for s in nc.permitted or ()}
    excludes_all_dns = any(s.base.kind == "dns" and s.base.value == "" for s in nc.excluded or ())
    ips = ip_subtree_octets(cert)
    permits_v4 = any(where == _PERMITTED and len(o) == 8 for where, o in ips)
    permits_v6 = any(where == _PERMITTED and len(o) == 32 for where, o in ips)
    excludes_v4 = (_EXCLUDED, _IPV4_ALL) in ips
    excludes_v6 = (_EXCLUDED, _IPV6_ALL) in ips
    gaps = []
    if "dns" not in permitted and not excludes_all_dns:
        gaps.append("no dNSName in permittedSubtrees and no zero-length dNSName excluded")
    if cert.judged_at < dates.BR_2_0:
        # BR 1.x: some iPAddress range permitted, or both whole address spaces excluded.
        if not (permits_v4 or permits_v6) and not (excludes_v4 and excludes_v6):
            gaps.append(
                "no iPAddress in permittedSubtrees and not both 0.0.0.0/0 and ::/0 excluded"
            )
        return gaps
    if not permits_v4 and not excludes_v4:
        gaps.append(
            "no IPv4 iPAddress in permittedSubtrees and 0.0.0.0/0 (8 zero octets) not excluded"
        )
    if not permits_v6 and not excludes_v6:
        gaps.append("no IPv6 iPAddress in permittedSubtrees and ::/0 (32 zero octets) not excluded")
    if "dirname" not in permitted:
        gaps.append("no directoryName in permittedSubtrees")
    return gaps


@lint(
    name="tls_subordinate_ca_name_constraints_complete",
    description="The nameConstraints of a subordinate CA certificate that may issue TLS server "
    "certificates constrain every name type, as a Technically Constrained TLS subordinate CA's "
    "must: dNSName (a permitted dNSName, or a zero-length dNSName excluded) and iPAddress (a "
    "permitted range, or the whole space excluded: from BR 2.0 for IPv4 and IPv6 each, by 8 "
    "and 32 zero octets), and, from BR 2.0, at least one directoryName in permittedSubtrees. "
    "Otherwise the CA is not Technically Constrained and is audited as an unconstrained one: "
    "a notice, not a violation (pkilint reports an error for a certificate it is told is of "
    "the constrained profile). zlint has no equivalent.",
    citation="BR 7.1.5 (BR 1.1.6, Ballot 105); BR 2.0 7.1.2.5.2",
    source=Source.CABF_BR,
    severity=Status.NOTICE,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_TECHNICALLY_CONSTRAINED,
    when=issues_tls,
    needs=(oids.NAME_CONSTRAINTS,),
)
def tls_subordinate_ca_name_constraints_complete(cert: CertView) -> Outcome:
    gaps = _gaps(cert)
    if gaps:
        return fail(
            "nameConstraints do not make the CA Technically Constrained: " + "; ".join(gaps)
        )
    return PASS

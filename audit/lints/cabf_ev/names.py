"""EV Guidelines 9.2.2, 9.8.1 and Appendix F: the names in an EV certificate, and .onion names."""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.onion_and_arpa import has_onion_names
from audit.lints.cabf_br.validity import add_months

ONION = ".onion"


def _is_onion(name: str) -> bool:
    return name.lower().rstrip(".").endswith(ONION)


@lint(
    name="ev_no_wildcard",
    description="No subjectAltName dNSName or subject:commonName of an EV certificate is a "
    "wildcard name. From Ballot 144 (2015-02-18) a wildcard under .onion is allowed (EVG "
    "Appendix F); zlint dates its lint from 2015-05-01, but EV certificates never allowed "
    "other wildcards.",
    citation="EVG 9.2.2, 9.8.1, Appendix F",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    zlint=("e_ev_not_wildcard",),
)
def ev_no_wildcard(cert: CertView) -> Outcome:
    onion_allowed = cert.judged_at >= dates.EV_ONION
    names = [n for n in cert.dns_names if isinstance(n, str)]
    names += cert.subject.values(oids.COMMON_NAME)
    wildcards = [n for n in names if "*" in n and not (onion_allowed and _is_onion(n))]
    if wildcards:
        shown = ", ".join(repr(n[:300]) for n in dict.fromkeys(wildcards))
        return fail(f"EV certificate names a wildcard: {shown}")
    return PASS


_SAN_KINDS = {
    "ip": "iPAddress", "email": "rfc822Name", "uri": "uniformResourceIdentifier",
    "dirname": "directoryName", "other": "otherName", "rid": "registeredID",
    "x400": "x400Address", "edi": "ediPartyName",
}  # fmt: skip


@lint(
    name="ev_san_dns_names_only",
    description="The subjectAltName of an EV certificate holds only dNSNames: the EVG defines "
    "the field as subjectAltName:dNSName and has no validation of IP addresses.",
    citation="EVG 9.8.1",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ev_san_ip_address_present",),
)
def ev_san_dns_names_only(cert: CertView) -> Outcome:
    other = [g for g in cert.san or () if g.kind != "dns"]
    if other:
        shown = ", ".join(
            f"{_SAN_KINDS.get(g.kind, g.kind)} {str(g.value)[:100]!r}" for g in other[:10]
        )
        return fail(f"EV certificate subjectAltName has names other than dNSName: {shown}")
    return PASS


@lint(
    name="onion_validity_at_most_15_months",
    description="A certificate with a .onion name (dNSName or commonName) has a validity period no longer than 15 "
    "months (notAfter no later than notBefore + 15 months). From Ballot 144 (EVG 1.5.3, "
    "2015-02-18), which admitted .onion names; zlint dates its lint from 2015-05-01.",
    citation="EVG Appendix F (Ballot 144, Ballot 201)",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.EV_ONION,
    when=has_onion_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_onion_subject_validity_time_too_large",),
)
def onion_validity_at_most_15_months(cert: CertView) -> Outcome:
    limit = add_months(cert.not_before, 15)
    if cert.not_after > limit:
        return fail(
            f"certificate with a .onion name is valid until {cert.not_after:%Y-%m-%d %H:%M:%S}, "
            f"later than notBefore + 15 months ({limit:%Y-%m-%d %H:%M:%S})"
        )
    return PASS

"""S/MIME BR 7.1.2.2, 7.1.5 and 7.1.6.3: subordinate CA certificates that issue S/MIME
certificates (their EKU names id-kp-emailProtection or their policies a reserved S/MIME OID).

They keep the subordinate CA profile: the TLS BR profile of a non-TLS subordinate CA governs
what the two have in common (basicConstraints, keyUsage, key sizes, subjectKeyIdentifier). Here
is what the S/MIME BR add. Cross-certificates sharing a root's subject and key MAY omit the EKU;
a certificate alone cannot show it is one, so a missing EKU is reported for the CA to confirm.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names, is_http
from audit.lints.cabf_smime._shared import SMIME_POLICIES, is_smime_ca
from audit.lints.cabf_smime.eku import EMAIL_AND_CLIENT, PROHIBITED
from audit.lints.cabf_smime.extensions import key_id_only_outcome
from audit.lints.cabf_smime.keys import rsa_size_outcome
from audit.lints.cabf_smime.policies import cps_uris_are_http, user_notices_explicit_text_only

SUBORDINATE = profiles.SUBORDINATE


@lint(
    name="smime_ca_eku",
    description="A subordinate CA certificate for S/MIME has an extKeyUsage with "
    "id-kp-emailProtection and without id-kp-serverAuth, id-kp-codeSigning, "
    "id-kp-timeStamping or anyExtendedKeyUsage (a Cross Certificate sharing a root's subject "
    "and key may omit the extension).",
    citation="S/MIME BR 7.1.2.2(g)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    when=is_smime_ca,
)
def ca_eku(cert: CertView) -> Outcome:
    eku = cert.eku
    if eku is None:
        return fail("no extKeyUsage extension (allowed only in a Cross Certificate that shares "
                    "a Root CA's subject and key)")  # fmt: skip
    if oids.EKU_EMAIL_PROTECTION not in eku:
        return fail("the CA asserts a reserved S/MIME policy but its extKeyUsage lacks "
                    "id-kp-emailProtection")  # fmt: skip
    prohibited = PROHIBITED.intersection(eku)
    if prohibited:
        return fail(f"extKeyUsage has prohibited values: {eku_names(prohibited)}")
    return PASS


@lint(
    name="smime_ca_eku_email_protection_and_client_auth_only",
    description="From 1 July 2027 a subordinate CA certificate for S/MIME has no extKeyUsage "
    "values but id-kp-emailProtection and, optionally, id-kp-clientAuth.",
    citation="S/MIME BR 7.1.2.2(g); S/MIME BR 1.0.16 (Ballot SMC018)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SUBORDINATE,
    effective=dates.SMIME_EKU_EMAIL_AND_CLIENT_ONLY,
    needs=(oids.EXTENDED_KEY_USAGE,),
    when=is_smime_ca,
)
def ca_eku_email_protection_and_client_auth_only(cert: CertView) -> Outcome:
    others = set(cert.eku or ()) - EMAIL_AND_CLIENT
    if others:
        return fail(f"extKeyUsage has values other than emailProtection and clientAuth: "
                    f"{eku_names(others)}")  # fmt: skip
    return PASS


@lint(
    name="smime_ca_certificate_policies",
    description="A subordinate CA certificate for S/MIME has certificatePolicies with at least "
    "one reserved S/MIME policy identifier, or (for a CA affiliated with its issuer) "
    "anyPolicy; the extension SHOULD NOT be critical (a warning when it is).",
    citation="S/MIME BR 7.1.2.2(a), 7.1.6.3",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    when=is_smime_ca,
)
def ca_certificate_policies(cert: CertView) -> Outcome:
    policies = cert.policies
    if policies is None:
        return fail("no certificatePolicies extension")
    if oids.POLICY_ANY not in policies and SMIME_POLICIES.isdisjoint(policies):
        return fail("certificatePolicies has neither a reserved S/MIME policy nor anyPolicy")
    if cert.is_critical(oids.CERTIFICATE_POLICIES):
        return outcome(Status.WARN, "certificatePolicies is marked critical")
    return PASS


@lint(
    name="smime_ca_policy_qualifiers",
    description="In a subordinate CA certificate for S/MIME an id-qt-cps qualifier is an HTTP "
    "or HTTPS URL, and an id-qt-unotice qualifier has explicitText and no noticeRef.",
    citation="S/MIME BR 7.1.2.2(a)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.CERTIFICATE_POLICIES,),
    when=is_smime_ca,
)
def ca_policy_qualifiers(cert: CertView) -> Outcome:
    found = cps_uris_are_http(cert)
    if found.status is None:
        return found
    return user_notices_explicit_text_only(cert)


@lint(
    name="smime_ca_crl_distribution_points",
    description="A subordinate CA certificate for S/MIME has a cRLDistributionPoints extension, "
    "not critical (a SHALL NOT here, where RFC 5280 says SHOULD NOT), with the HTTP URL of the "
    "CA's CRL service.",
    citation="S/MIME BR 7.1.2.2(b)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    when=is_smime_ca,
)
def ca_crl_distribution_points(cert: CertView) -> Outcome:
    points = cert.crl_distribution_points
    if points is None:
        return fail("no cRLDistributionPoints extension")
    if cert.is_critical(oids.CRL_DISTRIBUTION_POINTS):
        return fail("cRLDistributionPoints is marked critical")
    uris = [g.value for dp in points for g in dp.full_name or () if g.kind == "uri"]
    if not any(is_http(u) for u in uris):
        return fail("cRLDistributionPoints has no http URL")
    return PASS


@lint(
    name="smime_ca_aia_ca_issuers_http",
    description="A subordinate CA certificate for S/MIME SHOULD have an authorityInformationAccess "
    "with the HTTP URL of the Issuing CA's certificate (id-ad-caIssuers).",
    citation="S/MIME BR 7.1.2.2(c)",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    when=is_smime_ca,
)
def ca_aia_ca_issuers_http(cert: CertView) -> Outcome:
    aia = cert.aia
    if aia is None:
        return fail("no authorityInformationAccess extension")
    if not any(is_http(u) for u in aia.ca_issuers):
        return fail("authorityInformationAccess has no http caIssuers URL")
    return PASS


@lint(
    name="smime_ca_authority_key_identifier_key_id_only",
    description="The authorityKeyIdentifier of a subordinate CA certificate for S/MIME holds a "
    "keyIdentifier and neither authorityCertIssuer nor authorityCertSerialNumber.",
    citation="S/MIME BR 7.1.2.2(h)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.AUTHORITY_KEY_IDENTIFIER,),
    when=is_smime_ca,
)
def ca_authority_key_identifier_key_id_only(cert: CertView) -> Outcome:
    return key_id_only_outcome(cert)


@lint(
    name="smime_ca_rsa_modulus_at_least_4096",
    description="A CA key pair generated after 15 September 2026 has an RSA modulus of at "
    "least 4096 bits. A certificate does not say when its key was made: a notice, for the CA "
    "to confirm the key of an S/MIME CA certificate issued since then predates the rule.",
    citation="S/MIME BR 6.1.5; S/MIME BR 1.0.15 (Ballot SMC017)",
    source=Source.CABF_SMIME,
    severity=Status.NOTICE,
    applies=SUBORDINATE,
    effective=dates.SMIME_CA_RSA_4096,
    when=lambda cert: cert.key_algorithm == "rsa" and is_smime_ca(cert),
)
def ca_rsa_modulus_at_least_4096(cert: CertView) -> Outcome:
    return rsa_size_outcome(cert, 4096)


def _constrained(cert: CertView) -> bool:
    return cert.has_extension(oids.NAME_CONSTRAINTS) and is_smime_ca(cert)


@lint(
    name="smime_ca_name_constraints_technically_constrained",
    description="nameConstraints in a subordinate CA certificate for S/MIME make it Technically "
    "Constrained only with permitted rfc822Name subtrees that are domains (an FQDN, or '.' and "
    "an FQDN; no Mailbox Address) and permitted directoryName subtrees. A notice: a CA "
    "certificate that is not Technically Constrained needs the full audit of 8.1.",
    citation="S/MIME BR 7.1.5, 8.1",
    source=Source.CABF_SMIME,
    severity=Status.NOTICE,
    applies=SUBORDINATE,
    effective=dates.SMIME_BR_1_0_0,
    when=_constrained,
)
def ca_name_constraints_technically_constrained(cert: CertView) -> Outcome:
    constraints = cert.name_constraints
    permitted = constraints.permitted or () if constraints else ()
    emails = [s.base.value for s in permitted if s.base.kind == "email"]
    mailboxes = [e for e in emails if "@" in str(e)]
    if mailboxes:
        return fail(f"permitted rfc822Name {mailboxes[0]!r} is a Mailbox Address, not a domain")
    kinds = {s.base.kind for s in permitted}
    missing = [name for kind, name in (("email", "rfc822Name"), ("dirname", "directoryName"))
               if kind not in kinds]  # fmt: skip
    if missing:
        return fail(f"nameConstraints permits no {' or '.join(missing)} subtree: not "
                    "Technically Constrained as 7.1.5 defines it")  # fmt: skip
    return PASS

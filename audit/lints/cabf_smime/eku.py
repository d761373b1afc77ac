"""S/MIME BR 7.1.2.3(f): the extKeyUsage of subscriber certificates, by generation.

The table has a row per generation (Strict: emailProtection and nothing else; Multipurpose and
Legacy: emailProtection and others, but never serverAuth, codeSigning, timeStamping or
anyExtendedKeyUsage); Ballot SMC018 narrows every generation to emailProtection with an optional
clientAuth from 1 July 2027.
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names
from audit.lints.cabf_smime._shared import NOT_STRICT, STRICT

# 7.1.2.3(f), last sentence: never in an S/MIME subscriber certificate.
PROHIBITED = frozenset(
    {oids.EKU_SERVER_AUTH, oids.EKU_CODE_SIGNING, oids.EKU_TIME_STAMPING, oids.EKU_ANY}
)
EMAIL_AND_CLIENT = frozenset({oids.EKU_EMAIL_PROTECTION, oids.EKU_CLIENT_AUTH})


def _missing_email_protection(eku: tuple[str, ...] | None) -> str | None:
    if eku is None:
        return "no extKeyUsage extension: it SHALL be present with id-kp-emailProtection"
    if oids.EKU_EMAIL_PROTECTION not in eku:
        return "extKeyUsage does not include id-kp-emailProtection"
    return None


@lint(
    name="smime_strict_eku_email_protection_only",
    description="A Strict Generation S/MIME certificate has an extKeyUsage of "
    "id-kp-emailProtection and no other value.",
    citation="S/MIME BR 7.1.2.3(f)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=STRICT,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_smime_strict_eku_check",),
)
def strict_eku_email_protection_only(cert: CertView) -> Outcome:
    eku = cert.eku
    if why := _missing_email_protection(eku):
        return fail(why)
    others = set(eku or ()) - {oids.EKU_EMAIL_PROTECTION}
    if others:
        return fail(f"extKeyUsage has values other than emailProtection: {eku_names(others)}")
    return PASS


@lint(
    name="smime_eku_email_protection_no_prohibited",
    description="A Multipurpose or Legacy Generation S/MIME certificate has an extKeyUsage "
    "with id-kp-emailProtection; other values may be present, but not id-kp-serverAuth, "
    "id-kp-codeSigning, id-kp-timeStamping or anyExtendedKeyUsage.",
    citation="S/MIME BR 7.1.2.3(f)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_STRICT,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_smime_legacy_multipurpose_eku_check",),
)
def eku_email_protection_no_prohibited(cert: CertView) -> Outcome:
    eku = cert.eku
    if why := _missing_email_protection(eku):
        return fail(why)
    prohibited = PROHIBITED.intersection(eku or ())
    if prohibited:
        return fail(f"extKeyUsage has prohibited values: {eku_names(prohibited)}")
    return PASS


@lint(
    name="smime_eku_email_protection_and_client_auth_only",
    description="From 1 July 2027 the only extKeyUsage values of an S/MIME subscriber "
    "certificate are id-kp-emailProtection and, optionally, id-kp-clientAuth (Strict "
    "certificates were already held to emailProtection alone).",
    citation="S/MIME BR 7.1.2.3(f); S/MIME BR 1.0.16 (Ballot SMC018)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_STRICT,
    effective=dates.SMIME_EKU_EMAIL_AND_CLIENT_ONLY,
    needs=(oids.EXTENDED_KEY_USAGE,),
)
def eku_email_protection_and_client_auth_only(cert: CertView) -> Outcome:
    others = set(cert.eku or ()) - EMAIL_AND_CLIENT
    if others:
        return fail(f"extKeyUsage has values other than emailProtection and clientAuth: "
                    f"{eku_names(others)}")  # fmt: skip
    return PASS

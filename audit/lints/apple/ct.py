"""Apple's Certificate Transparency policy (support.apple.com HT205280): embedded SCTs.

Apple trusts a TLS server certificate issued from 2018-10-15 only with enough SCTs. SCTs can
also arrive in the TLS handshake or a stapled OCSP response, which a certificate does not show,
so too few embedded SCTs is a notice, not a violation. What is checked: the number of distinct
logs among the embedded SCTs against the number the policy asks for the certificate's lifetime.
Whether each log was Apple-approved, and the per-operator cap of the 2021 policy, need Apple's
log list and are not checked. Precertificates cannot carry SCTs and are not judged.
"""

from __future__ import annotations

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.validity import DAY, add_months

FINAL_TLS_CERTIFICATES = profiles.SUBSCRIBER_TLS - profiles.PRECERTIFICATE


def _distinct_logs(cert: CertView) -> int:
    return len({log_id for log_id, _ in cert.sct_fields or ()})


def _enough_scts(cert: CertView, required: int, lifetime: str) -> Outcome:
    try:
        logs = _distinct_logs(cert)
    except ValueError as exc:
        return fail(f"the embedded SCT list does not decode ({exc}); {required} SCTs needed")
    if logs >= required:
        return PASS
    return fail(
        f"{logs} embedded SCT{'s' if logs != 1 else ''} from distinct logs; Apple's CT policy asks "
        f"for {required} for a lifetime of {lifetime} (unless SCTs are delivered by TLS or OCSP)"
    )


@lint(
    name="apple_ct_embedded_scts_2018",
    description="A TLS server certificate issued from 2018-10-15 until 2021-04-20 embeds SCTs "
    "from at least 2 distinct logs for a lifetime under 15 months, 3 for 15 to 27 months, 4 "
    "for 27 to 39 months and 5 beyond.",
    citation="Apple Certificate Transparency policy (HT205280), certificates before 2021-04-21",
    source=Source.APPLE,
    severity=Status.NOTICE,
    applies=FINAL_TLS_CERTIFICATES,
    effective=dates.APPLE_CT,
    ineffective=dates.APPLE_CT_2021,
    zlint=("w_ct_sct_policy_count_unsatisfied",),
)
def apple_ct_embedded_scts_2018(cert: CertView) -> Outcome:
    nb, na = cert.not_before, cert.not_after
    if na < add_months(nb, 15):
        return _enough_scts(cert, 2, "less than 15 months")
    if na <= add_months(nb, 27):
        return _enough_scts(cert, 3, "15 to 27 months")
    if na <= add_months(nb, 39):
        return _enough_scts(cert, 4, "27 to 39 months")
    return _enough_scts(cert, 5, "more than 39 months")


@lint(
    name="apple_ct_embedded_scts",
    description="A TLS server certificate issued from 2021-04-21 embeds SCTs from at least 2 "
    "distinct logs for a lifetime of 180 days or less and 3 for a longer one (the lifetime "
    "inclusive of both ends, a day being 86,400 seconds).",
    citation="Apple Certificate Transparency policy (HT205280)",
    source=Source.APPLE,
    severity=Status.NOTICE,
    applies=FINAL_TLS_CERTIFICATES,
    effective=dates.APPLE_CT_2021,
    zlint=("w_ct_sct_policy_count_unsatisfied",),
)
def apple_ct_embedded_scts(cert: CertView) -> Outcome:
    if cert.validity_seconds <= 180 * DAY:
        return _enough_scts(cert, 2, "180 days or less")
    return _enough_scts(cert, 3, "more than 180 days")

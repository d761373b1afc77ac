"""The sample CA's other certificate families: S/MIME, code signing, EV code signing, time stamping.

Each certificate follows its BR's subscriber profile as the sample CA's issuance system would
write it:

- S/MIME (S/MIME BR v1.0.12): mailbox-, organization-, sponsor- and individual-validated, in the
  legacy (until SMC08's 2025-07-15), multipurpose and strict generations, from the BR's
  2023-09-01 compliance date; policy 2.23.140.1.5.<type>.<generation> (7.1.6.1), the subject
  attributes its type allows (7.1.4.2.3-6), rfc822Name SAN (7.1.4.2.1), key usage by key type
  and EKU by generation (7.1.2.3 e, f), SKI (n), HTTP CRL and AIA (b, c), validity within 825
  days (1185 for legacy, 6.3.2). A few older ones predate the BR: under the CA's own policy.
- Code signing and EV code signing (CS BR v3.7): CN and O the subject's legal name with its
  address (7.1.4.2.2-4, EV: the EV Guidelines' subject), keyUsage digitalSignature critical,
  EKU codeSigning, policy 2.23.140.1.4.1 or 2.23.140.1.3, RSA keys of 3072 bits or more from
  2021-06-01 (6.1.5.2), validity within 39 months (6.3.2).
- Time stamping (CS BR 7.1.2.3 f, RFC 3161 2.3): the CA's own TSA, EKU timeStamping only and
  critical, policy 2.23.140.1.4.2, a new certificate and key each year, validity 11 years
  (within 135 months).

`family_drafts` gives each certificate without its issuer, key or dates' neighbours: generate.py
picks the issuing CA and the key (subscriber_keys.py) as for TLS certificates.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from audit.sample_db.certbuilder import CertSpec
from audit.sample_db.customers import Customer, Picker, growing_time, person, serial, weighted
from audit.sample_db.hierarchy import (
    CA_NAME,
    CODE_SIGNING_POLICY,
    EV_CODE_SIGNING_POLICY,
    TIME_STAMPING_POLICY,
)

SMIME_BR_FROM = datetime(2023, 9, 1, tzinfo=UTC)  # S/MIME BR 1.0.0 (SMC01) compliance date
SMIME_LEGACY_UNTIL = datetime(2025, 7, 15, tzinfo=UTC)  # SMC08: no Legacy Generation after
PRE_BR_SMIME_FROM = datetime(2017, 1, 1, tzinfo=UTC)
CS_RSA_3072_FROM = datetime(2021, 6, 1, tzinfo=UTC)  # CS BR 6.1.5.2 (Ballot CSC-4)
# From here the sample CA issues code-signing certificates for a year at most (its own choice,
# well within the 39 months of CS BR 6.3.2, and within later ballots' shorter limits).
CS_ONE_YEAR_FROM = datetime(2026, 1, 1, tzinfo=UTC)
CS_460_DAYS = datetime(2026, 3, 1, tzinfo=UTC)  # Ballot CSC-31 (CS BR 3.10) 6.3.2: 460 days
SMIME_ARC = "2.23.140.1.5"
# The sample CA's own policy for S/MIME certificates before the BR. PEN 32473 is reserved for
# documentation (RFC 5612): nobody's real policy.
OWN_SMIME_POLICY = "1.3.6.1.4.1.32473.1.5.1"

SMIME_TYPES = {"smime-mv": 1, "smime-ov": 2, "smime-sv": 3, "smime-iv": 4}  # S/MIME BR 7.1.6.1
GENERATIONS = {"legacy": 1, "multipurpose": 2, "strict": 3}
PRE_BR_SMIME, CODE_SIGNING, EV_CODE_SIGNING, TIME_STAMPING = "smime", "cs", "ev-cs", "tsa"
FAMILY_TYPES = frozenset({*SMIME_TYPES, PRE_BR_SMIME, CODE_SIGNING, EV_CODE_SIGNING, TIME_STAMPING})

# Each family's share of all certificates, and (in samples of MINIMUM_SAMPLE or more) the fewest
# it has, so that a small sample still holds every kind and each of its defects.
SHARES = {"smime-br": 0.022, PRE_BR_SMIME: 0.002, CODE_SIGNING: 0.008, EV_CODE_SIGNING: 0.003,
          TIME_STAMPING: 0.0006}  # fmt: skip
FLOORS = {"smime-br": 24, PRE_BR_SMIME: 2, CODE_SIGNING: 10, EV_CODE_SIGNING: 4, TIME_STAMPING: 3}
MINIMUM_SAMPLE = 200

_EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION
_CLIENT = ExtendedKeyUsageOID.CLIENT_AUTH
# ISO 3166-2 codes of the US states the customers are registered in (organizationIdentifier).
_US_STATES = {
    "California": "CA", "New York": "NY", "Texas": "TX", "Washington": "WA", "Illinois": "IL",
    "Massachusetts": "MA", "Georgia": "GA", "Colorado": "CO", "Delaware": "DE",
}  # fmt: skip


@dataclass(frozen=True)
class FamilyDraft:
    spec: CertSpec  # no issuer and no key yet
    validation: str  # smime-mv | smime-ov | smime-sv | smime-iv | smime | cs | ev-cs | tsa
    customer: str
    key_kind: str  # rsa2048 | rsa3072 | ec:secp256r1 | ec:secp384r1


def family_counts(count: int) -> dict[str, int]:
    """How many certificates of each family a sample of `count` certificates holds."""
    counts = {family: round(share * count) for family, share in SHARES.items()}
    if count >= MINIMUM_SAMPLE:
        counts = {family: max(FLOORS[family], n) for family, n in counts.items()}
    return counts


def smime_policy(validation: str, generation: str) -> str:
    return f"{SMIME_ARC}.{SMIME_TYPES[validation]}.{GENERATIONS[generation]}"


def smime_generation(policies: tuple[str, ...] | None) -> str | None:
    """The generation a reserved S/MIME policy names (None without one)."""
    for policy in policies or ():
        if policy.startswith(SMIME_ARC + "."):
            return {v: k for k, v in GENERATIONS.items()}[int(policy.rsplit(".", 1)[1])]
    return None


def family_drafts(
    counts: dict[str, int], customers: list[Customer], seed: int, start: datetime,
    end: datetime, growth: float,
) -> list[FamilyDraft]:  # fmt: skip
    rng = random.Random(f"{seed}:families")
    organizations = Picker([c for c in customers if c.kind != "small"])
    everyone = Picker(customers)
    ev = Picker([c for c in customers if c.kind == "enterprise" or c.index % 3 == 0])
    drafts = []
    for i in range(counts["smime-br"]):
        when = growing_time(rng, SMIME_BR_FROM, end, growth)
        drafts.append(_smime(rng, when, organizations, everyone, i))
    for _ in range(counts[PRE_BR_SMIME]):
        when = growing_time(rng, PRE_BR_SMIME_FROM, SMIME_BR_FROM, growth)
        drafts.append(_pre_br_smime(rng, when, everyone(rng)))
    for family, picker in ((CODE_SIGNING, organizations), (EV_CODE_SIGNING, ev)):
        for _ in range(counts[family]):
            when = growing_time(rng, start, end, growth)
            drafts.append(_code_signing(rng, when, picker(rng), family == EV_CODE_SIGNING))
    n = counts[TIME_STAMPING]
    for i in range(n):  # the CA's TSA: a new certificate and key about once a year
        when = start + (end - start) * (i + rng.uniform(0.2, 0.8)) / n
        drafts.append(_time_stamping(rng, when.replace(microsecond=0), i))
    return drafts


# --- S/MIME --------------------------------------------------------------------------------------


def organization_identifier(customer: Customer) -> str:
    """S/MIME BR 7.1.4.2.2(d): scheme, country (and subdivision for state registries), "-",
    the registration reference: NTR for company registers, VAT for Germany (where NTR SHOULD
    use the EUID form)."""
    if customer.country == "DE":
        digest = hashlib.sha256(customer.registration.encode()).digest()
        return f"VATDE-{int.from_bytes(digest[:4], 'big') % 10**9:09d}"
    reference = customer.registration.replace(" ", "")
    if customer.country == "US":
        state = customer.jurisdiction_state or customer.state or "Delaware"
        return f"NTRUS+{_US_STATES[state]}-{reference}"
    return f"NTR{customer.country}-{reference}"


def _address(customer: Customer) -> list[x509.NameAttribute]:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, customer.country)]
    if customer.state:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, customer.state))
    attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, customer.locality))
    return attrs


def _smime(
    rng: random.Random, when: datetime, organizations: Picker, everyone: Picker, number: int
) -> FamilyDraft:
    if number < 2 * len(SMIME_TYPES):  # every type twice, however small the sample
        validation = tuple(SMIME_TYPES)[number % len(SMIME_TYPES)]
    else:
        validation = weighted(rng, (("smime-mv", 45), ("smime-sv", 30), ("smime-ov", 12), ("smime-iv", 13)))  # fmt: skip
    if when < SMIME_LEGACY_UNTIL:
        generation = weighted(rng, (("legacy", 25), ("multipurpose", 55), ("strict", 20)))
    else:
        generation = weighted(rng, (("multipurpose", 65), ("strict", 35)))
    customer = organizations(rng) if validation in ("smime-ov", "smime-sv") else everyone(rng)
    someone = person(rng, customer)
    mailbox = someone.mailbox
    organization = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, customer.name),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_identifier(customer)),
    ]
    personal = [
        x509.NameAttribute(NameOID.GIVEN_NAME, someone.given),
        x509.NameAttribute(NameOID.SURNAME, someone.surname),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{someone.given} {someone.surname}"),
    ]
    if validation == "smime-mv":  # 7.1.4.2.3: the mailbox only
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, mailbox)]
    elif validation == "smime-ov":  # a role mailbox of the organisation
        mailbox = (
            f"{rng.choice(('info', 'invoices', 'contracts', 'support'))}@{mailbox.split('@')[1]}"
        )
        attrs = [*_address(customer), *organization, x509.NameAttribute(NameOID.COMMON_NAME, customer.name)]  # fmt: skip
    elif validation == "smime-sv":
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, customer.country), *organization, *personal]  # fmt: skip
    else:
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, customer.country), *personal]
    key_kind = weighted(rng, (("rsa2048", 55), ("ec:secp256r1", 35), ("ec:secp384r1", 10)))
    if key_kind.startswith("rsa"):  # dual use: signing and key transport (7.1.2.3 e)
        key_usage: tuple[str, ...] = ("digital_signature", "key_encipherment")
    elif rng.random() < 0.5:  # dual use: signing and key agreement
        key_usage = ("digital_signature", "key_agreement")
    else:
        key_usage = ("digital_signature",)
    if generation == "legacy":
        days = weighted(rng, ((365, 40), (730, 35), (1095, 25)))
    else:
        days = weighted(rng, ((365, 60), (730, 40)))
    spec = CertSpec(
        subject=x509.Name(attrs), dns_names=None, emails=(mailbox,), not_before=when, days=days,
        serial=serial(rng), key_usage=key_usage,
        eku=(_EMAIL,) if generation == "strict" else (_EMAIL, _CLIENT),
        policies=(smime_policy(validation, generation),), subject_key_id=True,
        ecdsa_deterministic=True,
    )  # fmt: skip
    return FamilyDraft(spec, validation, customer.name, key_kind)


def _pre_br_smime(rng: random.Random, when: datetime, customer: Customer) -> FamilyDraft:
    someone = person(rng, customer)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{someone.given} {someone.surname}"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, someone.mailbox),
        ]
    )
    spec = CertSpec(
        subject=subject, dns_names=None, emails=(someone.mailbox,), not_before=when,
        days=weighted(rng, ((365, 50), (730, 30), (1095, 20))), serial=serial(rng),
        key_usage=("digital_signature", "key_encipherment"), eku=(_EMAIL, _CLIENT),
        policies=(OWN_SMIME_POLICY,), subject_key_id=True, ecdsa_deterministic=True,
    )  # fmt: skip
    return FamilyDraft(spec, PRE_BR_SMIME, customer.name, "rsa2048")


# --- code signing and time stamping ---------------------------------------------------------------


def _code_signing(rng: random.Random, when: datetime, customer: Customer, ev: bool) -> FamilyDraft:
    attrs: list[x509.NameAttribute] = []
    if ev:  # EV Guidelines 9.2 (CS BR 7.1.4.2.4)
        attrs += [
            x509.NameAttribute(NameOID.BUSINESS_CATEGORY, "Private Organization"),
            x509.NameAttribute(NameOID.JURISDICTION_COUNTRY_NAME, customer.country),
        ]
        if customer.jurisdiction_state:
            attrs.append(x509.NameAttribute(NameOID.JURISDICTION_STATE_OR_PROVINCE_NAME, customer.jurisdiction_state))  # fmt: skip
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, customer.registration))
    attrs += [
        *_address(customer),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, customer.name),
        x509.NameAttribute(NameOID.COMMON_NAME, customer.name),  # 7.1.4.2.2(a): the legal name
    ]
    if when < CS_RSA_3072_FROM:
        key_kind = weighted(rng, (("rsa2048", 60), ("rsa3072", 25), ("ec:secp256r1", 15)))
    else:
        key_kind = weighted(rng, (("rsa3072", 65), ("ec:secp384r1", 20), ("ec:secp256r1", 15)))
    days = weighted(rng, ((365, 55), (730, 25), (1095, 20))) if when < CS_ONE_YEAR_FROM else 365
    spec = CertSpec(
        subject=x509.Name(attrs), dns_names=None, not_before=when, days=days, serial=serial(rng),
        key_usage=("digital_signature",), eku=(ExtendedKeyUsageOID.CODE_SIGNING,),
        policies=(EV_CODE_SIGNING_POLICY if ev else CODE_SIGNING_POLICY,), subject_key_id=True,
        ecdsa_deterministic=True,
    )  # fmt: skip
    return FamilyDraft(spec, EV_CODE_SIGNING if ev else CODE_SIGNING, customer.name, key_kind)


TSA_DAYS = 11 * 365 + 3  # 11 years: within the 135 months of CS BR 6.3.2


def _time_stamping(rng: random.Random, when: datetime, number: int) -> FamilyDraft:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_NAME),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"Sample Trust Timestamping Unit {when.year}-{number + 1}"
            ),  # fmt: skip
        ]
    )
    spec = CertSpec(
        subject=subject, dns_names=None, not_before=when, days=TSA_DAYS, serial=serial(rng),
        key_usage=("digital_signature",), eku=(ExtendedKeyUsageOID.TIME_STAMPING,),
        eku_critical=True, policies=(TIME_STAMPING_POLICY,), subject_key_id=True,
        ecdsa_deterministic=True,
    )  # fmt: skip
    return FamilyDraft(
        spec, TIME_STAMPING, CA_NAME, weighted(rng, (("rsa3072", 50), ("ec:secp384r1", 50)))
    )

"""Build the sample issuance database: the `issuing_cas`, `certificates` and `precertificates` tables.

The population is that of a mid-sized commercial CA from 2015 to 2026: a root and issuing CAs
for DV, OV and EV TLS (two generations), S/MIME, code signing and time stamping (hierarchy.py);
customers in many countries with domains under real public suffixes (customers.py); TLS
certificates whose validity follows the BR 6.3.2 ladder of their day, and a few percent of
S/MIME, code-signing and time-stamping ones (families.py); each subscriber its own key, kept
across renewals (subscriber_keys.py); expired and revoked rows with realistic reasons; a few
percent of defective certificates (defects.py, family_defects.py) and the defects only the whole
population shows (population_defects.py); the precertificates the CA has kept since its 2026
upgrade; and the seven real certificates of the incident that started the project (`seeds/`).

One seed decides everything: the same seed gives the same rows, the same defects and the same
certificate bytes (keys derived from the seed or from a fixed table of primes, RFC 6979 ECDSA
signatures), so 20,000 certificates build in seconds.
"""

from __future__ import annotations

import calendar
import contextlib
import os
import random
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from audit.lints import dates
from audit.sample_db import population_defects
from audit.sample_db.certbuilder import DV, EV, OV, CertSpec, build
from audit.sample_db.customers import (
    HOSTS,
    OU_VALUES,
    Customer,
    Picker,
    growing_time,
    make_customers,
    serial,
    weighted,
)
from audit.sample_db.defect import Defect
from audit.sample_db.defects import DEFECTS
from audit.sample_db.families import family_counts, family_drafts
from audit.sample_db.hierarchy import (  # noqa: F401 (the sample's names, re-exported)
    CA_NAME,
    URL_BASE,
    Hierarchy,
    IssuingCA,
    make_hierarchy,
)
from audit.sample_db.schema import certificates, issuing_cas, metadata, precertificates
from audit.sample_db.subscriber_keys import KeyRing, assign_keys

ISSUANCE_START = datetime(2015, 1, 1, tzinfo=UTC)
ISSUANCE_END = datetime(2026, 11, 1, tzinfo=UTC)  # the snapshot: nothing issued or revoked later
# Malformed rows, and one row of each defect where the dates allow, are placed among the
# certificates still valid two months after the snapshot, so a run "as of now" sees them.
STILL_ACTIVE = ISSUANCE_END + timedelta(days=60)

GROWTH = 8.0  # yearly issuance at the end of the period against the start
REVOKED_SHARE = 0.035
BATCH = 5000  # rows per executemany
OCSP_DROPPED = datetime(2025, 5, 1, tzinfo=UTC)  # CRLs only from here (allowed since SC63)
SERVER_AUTH_ONLY = datetime(2026, 6, 15, tzinfo=UTC)  # Chrome Root Program: no clientAuth
# Embedded SCTs (RFC 6962 3.3): in every certificate from 2018, as Chrome (certificates from
# 2018-05-01) and Apple (2018-10-15) came to require; in EV certificates from the start, as
# Chrome asked of EV certificates from 2015.
CT_FROM = datetime(2018, 1, 1, tzinfo=UTC)
# The issuance system keeps the precertificates it logs since its upgrade of this date.
PRECERTIFICATES_KEPT_FROM = datetime(2026, 7, 1, tzinfo=UTC)
# EVG 9.7 required an id-qt-cps qualifier in EV certificates until Ballot SC-72 (2024-05-06)
# aligned them with the BRs, which make policy qualifiers NOT RECOMMENDED.
EV_CPS_UNTIL = datetime(2024, 5, 6, tzinfo=UTC)
SEEDS = Path(__file__).with_name("seeds")
# RFC 5280 CRLReason codes with their share among revocations. None: no reason given, stored as
# absent, as a CRL omits the reasonCode for it (BR 7.2.2); most revocations are reissues
# (superseded), ended services (cessationOfOperation), a few key compromises.
REVOCATION_REASONS = ((None, 45), (4, 27), (5, 16), (1, 3), (3, 5), (9, 4))


@dataclass(frozen=True)
class SampleSummary:
    url: str  # password masked
    rows: int
    defects: dict[str, int]  # rows by defect kind (both tables)
    seconds: float
    precertificates: int = 0

    def __str__(self) -> str:
        defective = sum(self.defects.values())
        return (
            f"sample issuance database {self.url}: {self.rows} certificates and "
            f"{self.precertificates} precertificates, {defective} rows with defects of "
            f"{len(self.defects)} kinds; built in {self.seconds:.1f} s"
        )


def default_sample_db_path() -> Path:
    return Path(__file__).with_name("sample.sqlite")


def default_sample_db_url() -> str:
    return f"sqlite:///{default_sample_db_path()}"


def build_sample_db(
    url: str | None = None, count: int = 20000, seed: int = 2026, progress: bool = False
) -> SampleSummary:
    """Build the sample database at `url` (default: the SQLite file in this package).

    SQLite files are built beside the target and renamed into place at the end, so a half-built
    file is never taken for a database. Other databases get the three tables dropped (if
    present), created and filled.
    """
    started = time.perf_counter()
    url = url or default_sample_db_url()
    hierarchy = make_hierarchy(seed)
    sample = make_sample_rows(hierarchy, count, seed, progress)
    with _database(url) as engine:
        _write(engine, hierarchy.rows(), sample.certificates, sample.precertificates)
    return SampleSummary(
        url=masked_url(url),
        rows=len(sample.certificates),
        defects=dict(sorted(sample.defect_counts().items())),
        seconds=round(time.perf_counter() - started, 2),
        precertificates=len(sample.precertificates),
    )


def masked_url(url: str) -> str:
    """The database URL as it may be shown: the password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


# --- one certificate as the CA meant to issue it ------------------------------------------------


@dataclass
class Draft:
    spec: CertSpec
    validation: str  # dv ov ev (TLS), smime-mv -ov -sv -iv, smime (pre-BR), cs, ev-cs, tsa
    customer: str
    ca: IssuingCA
    key_owner: str  # whose key it is: the same owner and kind, the same key (subscriber_keys.py)
    key_kind: str  # rsa2048 | rsa3072 | ec:<curve>
    owner: Customer | None = None  # the TLS customer
    status: str = "issued"
    revoked_at: datetime | None = None
    reason: int | None = None
    defect: Defect | None = None
    population_defect: str | None = None
    # None: no precertificate kept; "kept": kept and the same; "differs": kept and not the same
    # as the certificate; "only": kept, and the certificate never issued.
    precertificate: str | None = None
    key_id: object = field(default=None, compare=False)

    @property
    def not_after(self) -> datetime:
        return self.spec.not_before + timedelta(days=self.spec.days, seconds=-1)


def _validation(rng: random.Random, when: datetime) -> str:
    years = (when - ISSUANCE_START).days / 365.25
    roll = rng.random()
    if roll < 0.10 - 0.006 * years:
        return "ev"
    if roll < 0.36 - 0.014 * years:
        return "ov"
    return "dv"


def _validity_days(rng: random.Random, when: datetime, validation: str, customer: Customer) -> int:
    """BR 6.3.2 of the day: 1-3 years before March 2018, then 825, 398 and 200 days."""
    if validation != "ev" and when >= customer.automated_from:
        return 90  # ACME renewal
    if when < dates.BR_825_DAYS_ISSUED_AFTER:
        table = ((365, 60), (730, 40)) if validation == "ev" else ((365, 45), (366, 5), (395, 5), (730, 25), (1095, 20))  # fmt: skip
    elif when < dates.BR_398_DAYS:
        table = ((365, 55), (397, 10), (730, 30), (825, 5))
    elif when < dates.BR_200_DAYS:
        table = ((365, 45), (397, 50), (180, 5))  # 397: the most the BRs recommend
    else:
        table = ((199, 80), (180, 20))
    return weighted(rng, table)


def _names(rng: random.Random, customer: Customer, validation: str) -> tuple[str, ...]:
    base = rng.choice(customer.domains)
    roll = rng.random()
    if roll < 0.45:
        return (f"www.{base}", base)
    if roll < 0.7:
        return (f"{rng.choice(HOSTS)}.{base}",)
    if roll < 0.85 and validation != "ev":  # no wildcards in EV certificates
        return (f"*.{base}", base)
    hosts = rng.sample(HOSTS, rng.randrange(2, 7))  # a multi-name certificate
    return (f"{hosts[0]}.{base}", *(f"{h}.{rng.choice(customer.domains)}" for h in hosts[1:]))


def _subject(
    rng: random.Random, customer: Customer, validation: str, cn: str, when: datetime
) -> x509.Name:
    if validation == "dv":
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    attrs: list[x509.NameAttribute] = []
    if validation == "ev":
        attrs.append(x509.NameAttribute(NameOID.BUSINESS_CATEGORY, "Private Organization"))
        attrs.append(x509.NameAttribute(NameOID.JURISDICTION_COUNTRY_NAME, customer.country))
        if customer.jurisdiction_state:
            attrs.append(x509.NameAttribute(NameOID.JURISDICTION_STATE_OR_PROVINCE_NAME, customer.jurisdiction_state))  # fmt: skip
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, customer.registration))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, customer.country))
    if customer.state:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, customer.state))
    attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, customer.locality))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, customer.name))
    if validation == "ov" and when < dates.BR_OU_PROHIBITED and rng.random() < 0.3:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, rng.choice(OU_VALUES)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _tls_key(customer: Customer, names: tuple[str, ...], when: datetime) -> tuple[str, str]:
    """(owner, kind) of the key a TLS certificate for `names` gets: the key of the servers behind
    the first name (a small account's one server per domain; a large account's web, mail and
    other servers apart: the first accounts are the largest, Picker draws them Zipf-like),
    replaced each `rekey_years` (at a time of year of the customer's own) and when its CSRs
    move to EC."""
    domain = next((i for i, d in enumerate(customer.domains) if names[0].endswith(d)), 0)
    host = names[0].split(".", 1)[0]
    servers = 8 if customer.index < 20 else 3 if customer.index < 100 else 1
    server = sum(host.encode()) % servers  # the same host name, the same server group
    years = when.year - 2000 + (customer.index % 12) / 12 + (when.month - 1) / 12
    period = (int(years) + customer.index % customer.rekey_years) // customer.rekey_years
    owner = f"tls:{customer.index}:{domain}:{server}:{period}"
    return owner, f"ec:{customer.curve}" if when >= customer.ec_from else "rsa2048"


_POLICY = {"dv": DV, "ov": OV, "ev": EV}
_EKU_BOTH = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)
_EKU_SERVER = (ExtendedKeyUsageOID.SERVER_AUTH,)
_USAGE = {"rsa2048": ("digital_signature", "key_encipherment")}


def plan_population(hierarchy: Hierarchy, count: int, seed: int) -> list[Draft]:
    """`count` certificates as the CA meant to issue them, their statuses and keys, then the
    defects placed among them (and any precertificate-only draft after them)."""
    rng = random.Random(f"{seed}:population")
    customers = make_customers(max(30, count // 12), seed)
    organizations = [c for c in customers if c.kind != "small"]
    pickers = {
        "dv": Picker(customers),
        "ov": Picker(organizations),
        # EV: the enterprises and a third of the businesses.
        "ev": Picker([c for c in organizations if c.kind == "enterprise" or c.index % 3 == 0]),
    }
    counts = family_counts(count)
    drafts = []
    for when in sorted(_issue_time(rng) for _ in range(count - sum(counts.values()))):
        validation = _validation(rng, when)
        customer = pickers[validation](rng)
        names = _names(rng, customer, validation)
        owner, kind = _tls_key(customer, names, when)
        ca = hierarchy.issuing(validation, when)
        spec = CertSpec(
            subject=_subject(rng, customer, validation, names[0], when),
            dns_names=names,
            not_before=when,
            days=_validity_days(rng, when, validation, customer),
            issuer=ca.issuer,
            serial=serial(rng),
            key_usage=_USAGE.get(kind, ("digital_signature",)),
            eku=_EKU_BOTH if when < SERVER_AUTH_ONLY else _EKU_SERVER,
            policies=(_POLICY[validation],),
            policy_cps=f"{URL_BASE}/cps" if validation == "ev" and when < EV_CPS_UNTIL else None,
            ocsp_url="default" if when < OCSP_DROPPED else None,
            subject_key_id=when < dates.BR_2_0,  # BR 2.0 makes it NOT RECOMMENDED for subscribers
            ecdsa_deterministic=True,
        )
        if when >= CT_FROM or validation == "ev":
            spec = with_scts(spec)
        drafts.append(Draft(spec, validation, customer.name, ca, owner, kind, customer))
    for made in family_drafts(counts, customers, seed, ISSUANCE_START, ISSUANCE_END, GROWTH):
        ca = hierarchy.issuing(made.validation, made.spec.not_before)
        spec = made.spec.but(issuer=ca.issuer)
        owner = f"own:{made.validation}:{spec.serial}"
        drafts.append(Draft(spec, made.validation, made.customer, ca, owner, made.key_kind))
    drafts.sort(key=lambda d: d.spec.not_before)
    ring = KeyRing(seed)
    _revoke(drafts, rng)
    assign_keys(drafts, ring, ISSUANCE_END)
    _place_defects(drafts, count, rng)
    orphans = population_defects.plant(drafts, ring, rng, STILL_ACTIVE, ISSUANCE_END)
    _keep_precertificates(drafts)
    return drafts + orphans


def _issue_time(rng: random.Random) -> datetime:
    """A notBefore in the issuance period, with issuance growing GROWTH-fold over it."""
    return growing_time(rng, ISSUANCE_START, ISSUANCE_END, GROWTH)


def with_scts(spec: CertSpec) -> CertSpec:
    """`spec` with as many embedded SCTs as the CT policies of its day ask for its lifetime.

    From 2021-04-21 (Apple; Chrome from 2022-04-15): 2 for up to 180 days, 3 beyond. Before:
    2 under 15 months, 3 up to 27, 4 up to 39, 5 beyond (Chrome's and Apple's 2018 policies).
    """
    not_before = spec.not_before
    not_after = not_before + timedelta(days=spec.days, seconds=-1)
    if not_before >= dates.APPLE_CT_2021:
        return spec.but(scts=2 if spec.days <= 180 else 3)
    if not_after < _months_after(not_before, 15):
        return spec.but(scts=2)
    for months, count in ((27, 3), (39, 4)):
        if not_after <= _months_after(not_before, months):
            return spec.but(scts=count)
    return spec.but(scts=5)


def _months_after(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _revoke(drafts: list[Draft], rng: random.Random) -> None:
    """A few percent revoked: some within days (reissue, key compromise), some months later."""
    for draft in drafts:
        if rng.random() >= REVOKED_SHARE:
            continue
        days = draft.spec.days
        delay = rng.uniform(0.05, 7) if rng.random() < 0.4 else rng.uniform(7, 0.9 * days)
        revoked_at = draft.spec.not_before + timedelta(seconds=int(delay * 86400))
        if revoked_at < ISSUANCE_END:
            draft.status, draft.revoked_at = "revoked", revoked_at
            draft.reason = weighted(rng, REVOCATION_REASONS)


def _place_defects(drafts: list[Draft], count: int, rng: random.Random) -> None:
    """Each defect on max(1, share x count) rows in its window; malformed rows stay active.

    One row of each defect, and every malformed row, is taken from the certificates still
    valid after the snapshot where there are any, so that a run as of now sees them.
    """
    issued = [d.spec.not_before for d in drafts]  # drafts are in notBefore order
    still_active = [d.status == "issued" and d.not_after >= STILL_ACTIVE for d in drafts]
    for defect in sorted(DEFECTS, key=lambda d: not d.malformed):
        wanted = max(1, round(defect.share * count))
        start = bisect_left(issued, defect.issued_from) if defect.issued_from else 0
        end = bisect_left(issued, defect.issued_before) if defect.issued_before else len(drafts)
        eligible = [
            i
            for i in range(start, end)
            if drafts[i].defect is None and drafts[i].validation in defect.validation
        ]
        active = [i for i in eligible if still_active[i]]
        chosen = rng.sample(active, min(len(active), wanted if defect.malformed else 1))
        taken = set(chosen)
        rest = [i for i in eligible if i not in taken]
        chosen += rng.sample(rest, min(len(rest), wanted - len(chosen)))
        for i in chosen:
            drafts[i].defect = defect


def _keep_precertificates(drafts: list[Draft]) -> None:
    """The precertificates the issuance system kept: those it logged since the upgrade, of the
    certificates issued as meant (a defective certificate's precertificate was not kept)."""
    for draft in drafts:
        if (
            draft.precertificate is None
            and draft.spec.scts
            and draft.spec.not_before >= PRECERTIFICATES_KEPT_FROM
            and draft.defect is None
            and draft.population_defect is None
        ):
            draft.precertificate = "kept"


# --- rows ----------------------------------------------------------------------------------------


@dataclass
class SampleRows:
    certificates: list[dict[str, Any]]
    precertificates: list[dict[str, Any]]
    defect_of: dict[int, str]  # certificates.id -> the defect (defects.py, family_defects.py)
    # (table, id) -> the population defect (population_defects.py) the row carries
    population_defect_of: dict[tuple[str, int], str]

    def defect_counts(self) -> Counter[str]:
        return Counter(self.defect_of.values()) + Counter(self.population_defect_of.values())


def make_certificate_rows(
    hierarchy: Hierarchy, count: int, seed: int, progress: bool = False
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The `certificates` rows in insertion order, and the defect of each defective row."""
    sample = make_sample_rows(hierarchy, count, seed, progress)
    return sample.certificates, sample.defect_of


def make_sample_rows(
    hierarchy: Hierarchy, count: int, seed: int, progress: bool = False
) -> SampleRows:
    """The rows of both tables in insertion order (the surrogate key follows created_at), and
    which rows carry which defect."""
    drafts = plan_population(hierarchy, count, seed)
    rng = random.Random(f"{seed}:rows")
    made: list[tuple[dict[str, Any], str | None, str | None]] = []
    kept: list[tuple[dict[str, Any], str | None]] = []
    for draft in _progress(drafts, progress):
        spec = draft.spec
        der: bytes | None
        if draft.defect is None:
            der = _der(spec) if draft.precertificate != "only" else None
        else:
            changed = draft.defect.make(spec, rng)
            if isinstance(changed, CertSpec):
                if changed.scts:  # as many SCTs as the defective certificate's lifetime needs
                    changed = with_scts(changed)
                spec, der = changed, _der(changed)
            else:
                der = changed  # raw bytes or none: the row's columns are the intended certificate's
        row = _row(draft, spec, der, rng)
        if draft.defect is not None and draft.defect.row is not None:
            draft.defect.row(row, rng)
        if draft.precertificate is not None:
            kept.append((_precertificate_row(draft, row), draft.population_defect))
        if draft.precertificate != "only":
            made.append((row, draft.defect.name if draft.defect else None, draft.population_defect))
    made += [(row, None, None) for row in incident_rows()]
    made.sort(key=lambda t: (t[0]["created_at"], t[0]["serial"]))
    kept.sort(key=lambda t: (t[0]["created_at"], t[0]["serial"]))
    defect_of: dict[int, str] = {}
    population_defect_of: dict[tuple[str, int], str] = {}
    for key, (row, defect, population) in enumerate(made, 1):
        row["id"] = key
        if defect is not None:
            defect_of[key] = defect
        if population is not None:
            population_defect_of["certificates", key] = population
    for key, (row, population) in enumerate(kept, 1):
        row["id"] = key
        if population is not None:
            population_defect_of["precertificates", key] = population
    return SampleRows(
        [r for r, _, _ in made], [r for r, _ in kept], defect_of, population_defect_of
    )


def _row(draft: Draft, spec: CertSpec, der: bytes | None, rng: random.Random) -> dict[str, Any]:
    not_before = spec.not_before.replace(tzinfo=None)
    return {
        "issuing_ca_id": draft.ca.id,
        "der": der,
        "serial": _hex(spec.serial or 0),
        "issuer_dn": _rfc4514(draft.ca.issuer.subject),
        "subject_dn": spec.subject.rfc4514_string(),
        "not_before": not_before,
        "not_after": not_before + timedelta(days=spec.days, seconds=-1),
        "status": draft.status,
        "revoked_at": draft.revoked_at.replace(tzinfo=None) if draft.revoked_at else None,
        "revocation_reason": draft.reason,
        "validation_type": draft.validation,
        "customer": draft.customer,
        "created_at": not_before + timedelta(seconds=rng.randrange(2, 9)),
    }


def _precertificate_row(draft: Draft, row: dict[str, Any]) -> dict[str, Any]:
    """The kept precertificate (RFC 6962 3.1): the certificate's TBS with the poison extension
    and without the SCTs, logged a second or so before the certificate was signed."""
    spec = draft.spec.but(precertificate=True, scts=0)
    if draft.precertificate == "differs":
        names = population_defects.differing_precertificate_names(spec.dns_names or ())
        spec = spec.but(dns_names=names)
    return row | {
        "der": _der(spec),
        "created_at": row["created_at"] - timedelta(seconds=1),
    }


# The seven certificates of Bugzilla 1544722: found missing L/ST on 2019-03-06, reported in May,
# revoked in June 2019 (three, then the other four a week or two later; the bug gives no exact
# times, so these are approximate).
INCIDENT_CUSTOMER = "Tokyo Electron"
INCIDENT_REVOKED = {
    "1c13d76cc2f5c349": datetime(2019, 6, 6, 7, 12, 40),
    "6afbf1bcc939a7fd": datetime(2019, 6, 6, 7, 15, 2),
    "5d635cbba16523ae": datetime(2019, 6, 6, 7, 18, 51),
    "0466c0aeadbffee3": datetime(2019, 6, 18, 2, 4, 17),
    "27372f68dbaef729": datetime(2019, 6, 18, 2, 6, 33),
    "3f077bb1c352da10": datetime(2019, 6, 18, 2, 9, 5),
    "1762859934800e6f": datetime(2019, 6, 18, 2, 11, 48),
}


def incident_rows() -> list[dict[str, Any]]:
    rows = []
    for path in sorted(SEEDS.glob("*.pem")):
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        serial = _hex(cert.serial_number)
        not_before = cert.not_valid_before_utc.replace(tzinfo=None)
        rows.append(
            {
                "issuing_ca_id": None,  # SECOM's CA certificates are not part of the sample
                "der": cert.public_bytes(serialization.Encoding.DER),
                "serial": serial,
                "issuer_dn": cert.issuer.rfc4514_string(),
                "subject_dn": cert.subject.rfc4514_string(),
                "not_before": not_before,
                "not_after": cert.not_valid_after_utc.replace(tzinfo=None),
                "status": "revoked",
                "revoked_at": INCIDENT_REVOKED[serial],
                "revocation_reason": 0,  # unspecified: reason codes were not yet required in 2019
                "validation_type": "ov",
                "customer": INCIDENT_CUSTOMER,
                "created_at": not_before + timedelta(seconds=3),
            }
        )
    return rows


_UNUSED_RNG = random.Random(0)  # every spec here has its serial; saves seeding a Random per build


def _der(spec: CertSpec) -> bytes:
    return build(spec, _UNUSED_RNG).public_bytes(serialization.Encoding.DER)


def _hex(n: int) -> str:
    """Serial as the issuance system records it: lowercase hex of the DER integer's bytes."""
    digits = format(n, "x")
    return digits.zfill(len(digits) + len(digits) % 2)


@cache
def _rfc4514(subject: x509.Name) -> str:
    return subject.rfc4514_string()


def _progress(drafts: list[Draft], enabled: bool) -> Iterator[Draft]:
    if not enabled:
        yield from drafts
        return
    from tqdm import tqdm

    yield from tqdm(drafts, desc="sample-db", unit="cert", leave=False)


# --- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _database(url: str) -> Iterator[Engine]:
    """An engine for `url`; for an SQLite file, one on a temporary file renamed into place."""
    parsed = make_url(url)
    target = parsed.database
    if parsed.get_backend_name() != "sqlite" or not target or target == ":memory:":
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{os.getpid()}.building")
    building.unlink(missing_ok=True)
    engine = create_engine(parsed.set(database=str(building)))
    # A scratch file until the rename: no journal, no fsync.
    event.listen(engine, "connect", _fast_sqlite)
    try:
        yield engine
        engine.dispose()
        os.replace(building, path)
    finally:
        engine.dispose()
        building.unlink(missing_ok=True)


def _fast_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _write(
    engine: Engine, ca_rows: list[dict[str, Any]], rows: list[dict[str, Any]],
    precertificate_rows: list[dict[str, Any]],
) -> None:  # fmt: skip
    tables = [issuing_cas, certificates, precertificates]
    with engine.begin() as conn:
        metadata.drop_all(conn, tables=tables)
        metadata.create_all(conn, tables=tables)
        conn.execute(issuing_cas.insert(), ca_rows)
        for table, table_rows in ((certificates, rows), (precertificates, precertificate_rows)):
            for start in range(0, len(table_rows), BATCH):
                conn.execute(table.insert(), table_rows[start : start + BATCH])

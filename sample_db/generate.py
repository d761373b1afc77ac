"""Build the sample issuance database: the `issuing_cas` and `certificates` tables of a CA.

The population is that of a mid-sized commercial CA from 2015 to 2026: a root and issuing CAs
for DV, OV and EV TLS (two generations), customers in many countries with domains under real
public suffixes, validity periods that follow the BR 6.3.2 ladder of their day, RSA and EC
keys, expired and revoked rows, a few percent of defective certificates (`defects.py`), and
the seven real certificates of the incident that started the project (`seeds/`).

One seed decides everything: the same seed gives the same rows, the same defects and the same
certificate bytes (deterministic EC and RSA keys, RFC 6979 ECDSA signatures). Subscriber keys
come from pools, so 20,000 certificates build in seconds.
"""

from __future__ import annotations

import calendar
import contextlib
import math
import os
import random
import time
import unicodedata
from bisect import bisect, bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from audit.lints import dates
from audit.sample_db.certbuilder import DV, EV, OV, CertSpec, Issuer, build, ec_key, seeded_rsa_key
from audit.sample_db.defects import DEFECTS, Defect
from audit.sample_db.schema import certificates, issuing_cas, metadata

ISSUANCE_START = datetime(2015, 1, 1, tzinfo=UTC)
ISSUANCE_END = datetime(2026, 11, 1, tzinfo=UTC)  # the snapshot: nothing issued or revoked later
# Malformed rows, and one row of each defect where the dates allow, are placed among the
# certificates still valid two months after the snapshot, so a run "as of now" sees them.
STILL_ACTIVE = ISSUANCE_END + timedelta(days=60)

GROWTH = 8.0  # yearly issuance at the end of the period against the start
REVOKED_SHARE = 0.035
RSA_POOL = 3  # deterministic 2048-bit keys (~0.3 s each to make); EC keys are made per customer
BATCH = 5000  # rows per executemany
OCSP_DROPPED = datetime(2025, 5, 1, tzinfo=UTC)  # CRLs only from here (allowed since SC63)
SERVER_AUTH_ONLY = datetime(2026, 6, 15, tzinfo=UTC)  # Chrome Root Program: no clientAuth
CA_NAME = "Sample Trust Services"
# A registrable name under a real TLD, as a CA's repository has (not .example or .test, which
# BR 7.1.2.7.7 would make internal names in an AIA URL).
URL_BASE = "http://pki.sample-trust-ca.com"
# Embedded SCTs (RFC 6962 3.3): in every certificate from 2018, as Chrome (certificates from
# 2018-05-01) and Apple (2018-10-15) came to require; in EV certificates from the start, as
# Chrome asked of EV certificates from 2015.
CT_FROM = datetime(2018, 1, 1, tzinfo=UTC)
SEEDS = Path(__file__).with_name("seeds")
# RFC 5280 CRLReason codes with their share among revocations.
REVOCATION_REASONS = ((4, 45), (5, 25), (0, 15), (1, 10), (3, 5))


@dataclass(frozen=True)
class SampleSummary:
    url: str  # password masked
    rows: int
    defects: dict[str, int]  # rows by defect kind
    seconds: float

    def __str__(self) -> str:
        defective = sum(self.defects.values())
        return (
            f"sample issuance database {self.url}: {self.rows} certificates, {defective} with "
            f"defects of {len(self.defects)} kinds; built in {self.seconds:.1f} s"
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
    file is never taken for a database. Other databases get the two tables dropped (if present),
    created and filled.
    """
    started = time.perf_counter()
    url = url or default_sample_db_url()
    hierarchy = make_hierarchy(seed)
    rows, defect_of = make_certificate_rows(hierarchy, count, seed, progress)
    with _database(url) as engine:
        _write(engine, hierarchy.rows(), rows)
    return SampleSummary(
        url=masked_url(url),
        rows=len(rows),
        defects=dict(sorted(Counter(defect_of.values()).items())),
        seconds=round(time.perf_counter() - started, 2),
    )


def masked_url(url: str) -> str:
    """The database URL as it may be shown: the password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


# --- the CA hierarchy -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuingCA:
    id: int
    name: str
    validation: str  # dv | ov | ev
    issuer: Issuer
    der: bytes
    issues_before: datetime  # the next generation takes over here


@dataclass(frozen=True)
class Hierarchy:
    root: IssuingCA
    cas: tuple[IssuingCA, ...]

    def issuing(self, validation: str, when: datetime) -> IssuingCA:
        return next(
            ca for ca in self.cas if ca.validation == validation and when < ca.issues_before
        )

    def rows(self) -> list[dict[str, Any]]:
        return [{"id": c.id, "name": c.name, "der": c.der} for c in (self.root, *self.cas)]


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_hierarchy(seed: int) -> Hierarchy:
    """A root (P-384) and, for two generations, DV, OV and EV issuing CAs (P-256)."""
    rng = random.Random(f"{seed}:hierarchy")
    root_name = _ca_name("Sample Trust Root CA R1")
    root_key = ec_key("secp384r1", rng.getrandbits(64))
    root_issuer = Issuer.from_key(root_name, root_key, f"{URL_BASE}/root-r1")
    root_spec = CertSpec(
        subject=root_name, dns_names=None, not_before=datetime(2014, 1, 1, tzinfo=UTC),
        days=25 * 365, key=root_key, serial=_serial(rng), hash=hashes.SHA384(), ca=True,
        key_usage=("key_cert_sign", "crl_sign"), eku=None, policies=None, ocsp_url=None,
        ca_issuers_url=None, crl_url=None, self_signed=True, ecdsa_deterministic=True,
    )  # fmt: skip
    root = IssuingCA(
        1, "Sample Trust Root CA R1", "root", root_issuer, _der(root_spec), ISSUANCE_END
    )
    generations = (
        ("G1", datetime(2014, 6, 1, tzinfo=UTC), 12 * 365, datetime(2020, 7, 1, tzinfo=UTC)),
        ("G2", datetime(2020, 5, 1, tzinfo=UTC), 10 * 365, datetime(2100, 1, 1, tzinfo=UTC)),
    )
    policy = {"dv": DV, "ov": OV, "ev": EV}
    cas = []
    for generation, not_before, days, issues_before in generations:
        for validation in ("dv", "ov", "ev"):
            common_name = f"Sample Trust {validation.upper()} TLS CA {generation}"
            key = ec_key("secp256r1", rng.getrandbits(64))
            spec = CertSpec(
                subject=_ca_name(common_name), dns_names=None, not_before=not_before, days=days,
                key=key, issuer=root_issuer, serial=_serial(rng), hash=hashes.SHA384(), ca=True,
                path_length=0, key_usage=("digital_signature", "key_cert_sign", "crl_sign"),
                policies=(policy[validation],), ecdsa_deterministic=True,
            )  # fmt: skip
            slug = f"{validation}-{generation.lower()}"
            issuer = Issuer.from_key(spec.subject, key, f"{URL_BASE}/{slug}")
            cas.append(
                IssuingCA(len(cas) + 2, common_name, validation, issuer, _der(spec), issues_before)
            )
    return Hierarchy(root, tuple(cas))


# --- customers ---------------------------------------------------------------------------------

# (country, weight, (state, locality) pairs, legal forms, domain suffixes: real public suffixes)
COUNTRIES = (
    ("US", 30, (("California", "San Francisco"), ("California", "San Jose"), ("New York", "New York"), ("Texas", "Austin"), ("Washington", "Seattle"), ("Illinois", "Chicago"), ("Massachusetts", "Boston"), ("Georgia", "Atlanta"), ("Colorado", "Denver")), ("Inc.", "LLC", "Corporation"), ("com", "net", "org", "io", "us")),
    ("GB", 10, (("Greater London", "London"), ("Greater Manchester", "Manchester"), ("West Midlands", "Birmingham"), ("City of Edinburgh", "Edinburgh")), ("Ltd", "Limited", "plc"), ("co.uk", "org.uk", "uk", "com")),
    ("DE", 10, (("Bayern", "München"), ("Berlin", "Berlin"), ("Hessen", "Frankfurt am Main"), ("Hamburg", "Hamburg"), ("Nordrhein-Westfalen", "Köln"), ("Baden-Württemberg", "Stuttgart")), ("GmbH", "AG", "GmbH & Co. KG"), ("de", "com", "eu")),
    ("JP", 9, (("Tokyo", "Minato-ku"), ("Tokyo", "Chiyoda-ku"), ("Osaka", "Osaka"), ("Kanagawa", "Yokohama"), ("Aichi", "Nagoya"), ("Fukuoka", "Fukuoka")), ("Co., Ltd.", "Corporation", "K.K."), ("co.jp", "jp", "or.jp", "ne.jp")),
    ("FR", 6, (("Île-de-France", "Paris"), ("Auvergne-Rhône-Alpes", "Lyon"), ("Occitanie", "Toulouse")), ("SA", "SAS", "SARL"), ("fr", "com", "eu")),
    ("NL", 4, (("Noord-Holland", "Amsterdam"), ("Zuid-Holland", "Rotterdam"), ("Utrecht", "Utrecht")), ("B.V.", "N.V."), ("nl", "com", "eu")),
    ("AU", 4, (("New South Wales", "Sydney"), ("Victoria", "Melbourne"), ("Queensland", "Brisbane")), ("Pty Ltd",), ("com.au", "net.au", "org.au")),
    ("CA", 4, (("Ontario", "Toronto"), ("British Columbia", "Vancouver"), ("Quebec", "Montréal")), ("Inc.", "Ltd."), ("ca", "com")),
    ("BR", 3, (("São Paulo", "São Paulo"), ("Rio de Janeiro", "Rio de Janeiro")), ("Ltda.", "S.A."), ("com.br", "net.br")),
    ("IN", 3, (("Maharashtra", "Mumbai"), ("Karnataka", "Bengaluru"), ("Delhi", "New Delhi")), ("Pvt. Ltd.", "Limited"), ("in", "co.in", "com")),
    ("ES", 3, (("Madrid", "Madrid"), ("Cataluña", "Barcelona")), ("S.L.", "S.A."), ("es", "com")),
    ("IT", 3, (("Lombardia", "Milano"), ("Lazio", "Roma")), ("S.p.A.", "S.r.l."), ("it", "com")),
    ("CH", 2, (("Zürich", "Zürich"), ("Genève", "Genève")), ("AG", "SA", "GmbH"), ("ch", "com")),
    ("SE", 2, (("Stockholms län", "Stockholm"), ("Västra Götalands län", "Göteborg")), ("AB",), ("se", "com")),
    ("KR", 2, (("Seoul", "Seoul"), ("Busan", "Busan")), ("Co., Ltd.",), ("co.kr", "kr")),
    ("SG", 1, (("Singapore", "Singapore"),), ("Pte. Ltd.",), ("com.sg", "sg")),
)  # fmt: skip
FIRST_WORDS = (
    "Kestrel", "Bluewater", "Northwind", "Harbor", "Maple", "Summit", "Silverline", "Redwood",
    "Granite", "Aurora", "Cobalt", "Evergreen", "Falcon", "Ironbridge", "Juniper", "Lakeside",
    "Meridian", "Nimbus", "Orchid", "Pinecrest", "Quartz", "Riverside", "Sapphire", "Tidewater",
    "Vantage", "Willow", "Zenith", "Atlas", "Beacon", "Cedar", "Ember", "Fjord", "Glacier",
    "Horizon", "Indigo", "Keystone", "Lumen", "Monarch", "Oakridge", "Polaris", "Radiant",
    "Sterling", "Trident", "Vertex", "Westbrook", "Sakura", "Hikari", "Midori", "Aozora",
    "Alpen", "Rhein", "Nordlicht", "Lumière", "Azur", "Brightwell", "Copperfield", "Driftwood",
)  # fmt: skip
SECOND_WORDS = (
    "Logistics", "Foods", "Dental", "Analytics", "Travel", "Engineering", "Insurance", "Pharma",
    "Media", "Energy", "Systems", "Software", "Motors", "Hotels", "Clinic", "Legal", "Realty",
    "Textiles", "Robotics", "Games", "Outdoor", "Publishing", "Bakery", "Optics", "Capital",
    "Health", "Labs", "Networks", "Studio", "Freight", "Solar", "Marine", "Electric", "Retail",
    "Consulting", "Academy", "Furniture", "Brewing", "Telecom", "Security",
)  # fmt: skip
HOSTS = (
    "www", "mail", "api", "shop", "portal", "vpn", "login", "app", "secure", "cdn", "support",
    "blog", "m", "static", "auth", "webmail", "remote", "status", "pay", "my", "docs", "admin",
)  # fmt: skip
OU_VALUES = ("IT Department", "Information Systems", "Web Services", "Marketing", "E-Commerce")


@dataclass(frozen=True)
class Customer:
    index: int
    name: str  # the account name, as the customer column records it
    kind: str  # small (DV only) | business | enterprise
    country: str
    state: str | None  # None: the address has a locality only (allowed: L or ST)
    locality: str
    domains: tuple[str, ...]
    ec_from: datetime  # when the customer's CSRs switch from RSA to EC keys
    curve: str
    registration: str  # company registry number (EV subject serialNumber)
    jurisdiction_state: str | None
    automated_from: datetime  # when the customer switches to ACME-style 90-day renewal


def _slug(*words: str) -> str:
    """An LDH domain label: "Lumière Foods" -> "lumiere-foods"."""
    ascii_text = unicodedata.normalize("NFKD", "-".join(words)).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum() or c == "-")


def make_customers(n: int, seed: int) -> list[Customer]:
    rng = random.Random(f"{seed}:customers")
    country_weights = list(accumulate(c[1] for c in COUNTRIES))
    used: set[str] = set()
    customers = []
    while len(customers) < n:
        country, _, places, forms, suffixes = COUNTRIES[
            bisect(country_weights, rng.random() * country_weights[-1])
        ]
        first, second = rng.choice(FIRST_WORDS), rng.choice(SECOND_WORDS)
        label = _slug(first, second) if rng.random() < 0.6 else _slug(first + second)
        suffix = rng.choice(suffixes)
        if f"{label}.{suffix}" in used:
            continue
        domains = [f"{label}.{suffix}"]
        if rng.random() < 0.25:  # a second brand or the .com next to the national one
            other = "com" if suffix != "com" else rng.choice(suffixes)
            if f"{label}.{other}" not in used and other != suffix:
                domains.append(f"{label}.{other}")
        used.update(domains)
        state, locality = rng.choice(places)
        roll = rng.random()
        kind = "small" if roll < 0.6 else "business" if roll < 0.92 else "enterprise"
        customers.append(
            Customer(
                index=len(customers),
                name=f"{first} {second} {rng.choice(forms)}",
                kind=kind,
                country=country,
                state=None if country in ("GB", "SG") and rng.random() < 0.5 else state,
                locality=locality,
                domains=tuple(domains),
                ec_from=_between(rng, datetime(2016, 1, 1, tzinfo=UTC), datetime(2036, 1, 1, tzinfo=UTC)),
                curve="secp384r1" if rng.random() < 0.15 else "secp256r1",
                registration=_registration(country, rng),
                jurisdiction_state=(
                    ("Delaware" if rng.random() < 0.5 else state) if country == "US" else None
                ),
                automated_from=_between(rng, datetime(2018, 6, 1, tzinfo=UTC), datetime(2034, 1, 1, tzinfo=UTC)),
            )
        )  # fmt: skip
    return customers


def _registration(country: str, rng: random.Random) -> str:
    if country == "DE":
        return f"HRB {rng.randrange(10000, 250000)}"
    if country == "GB":
        return f"{rng.randrange(10**7):08d}"
    if country == "JP":
        return f"{rng.randrange(10**12, 10**13)}"
    return f"{rng.randrange(10**6, 10**8)}"


class _Picker:
    """Weighted choice of customers: a few large accounts, a long tail of small ones (Zipf)."""

    def __init__(self, customers: Sequence[Customer]) -> None:
        self.customers = list(customers)
        self.cumulative = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(customers))))

    def __call__(self, rng: random.Random) -> Customer:
        return self.customers[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --- one certificate as the CA meant to issue it ------------------------------------------------


@dataclass
class Draft:
    spec: CertSpec
    validation: str
    customer: str
    ca: IssuingCA
    status: str = "issued"
    revoked_at: datetime | None = None
    reason: int | None = None
    defect: Defect | None = None

    @property
    def not_after(self) -> datetime:
        return self.spec.not_before + timedelta(days=self.spec.days, seconds=-1)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _issue_time(rng: random.Random) -> datetime:
    """A notBefore in the issuance period, with issuance growing GROWTH-fold over it."""
    span = (ISSUANCE_END - ISSUANCE_START).total_seconds()
    g = math.log(GROWTH)
    fraction = math.log1p(rng.random() * (GROWTH - 1)) / g  # inverse CDF of exp(g t)
    return ISSUANCE_START + timedelta(seconds=int(fraction * span))


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
    return _weighted(rng, table)


def _weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    roll = rng.random() * sum(w for _, w in table)
    for value, weight in table:
        roll -= weight
        if roll < 0:
            return value
    return table[-1][0]


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
    return tuple(f"{host}.{rng.choice(customer.domains)}" for host in hosts)


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


def _key(customer: Customer, when: datetime, seed: int) -> tuple[Any, tuple[str, ...]]:
    if when >= customer.ec_from:  # a new EC key every three years
        key_seed = (seed * 1_000_003 + customer.index) * 100 + (when.year - 2000) // 3
        return ec_key(customer.curve, key_seed), ("digital_signature",)
    rsa = seeded_rsa_key(2048, customer.index % RSA_POOL)
    return rsa, ("digital_signature", "key_encipherment")


def _serial(rng: random.Random) -> int:
    return rng.getrandbits(126) | (1 << 126)  # 127 bits: positive, 16 bytes, CSPRNG-like


_POLICY = {"dv": DV, "ov": OV, "ev": EV}
_EKU_BOTH = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)
_EKU_SERVER = (ExtendedKeyUsageOID.SERVER_AUTH,)


def plan_population(hierarchy: Hierarchy, count: int, seed: int) -> list[Draft]:
    """`count` clean certificates, their statuses, then the defects placed among them."""
    rng = random.Random(f"{seed}:population")
    customers = make_customers(max(30, count // 12), seed)
    organizations = [c for c in customers if c.kind != "small"]
    pickers = {
        "dv": _Picker(customers),
        "ov": _Picker(organizations),
        # EV: the enterprises and a third of the businesses.
        "ev": _Picker([c for c in organizations if c.kind == "enterprise" or c.index % 3 == 0]),
    }
    drafts = []
    for when in sorted(_issue_time(rng) for _ in range(count)):
        validation = _validation(rng, when)
        customer = pickers[validation](rng)
        names = _names(rng, customer, validation)
        key, key_usage = _key(customer, when, seed)
        ca = hierarchy.issuing(validation, when)
        spec = CertSpec(
            subject=_subject(rng, customer, validation, names[0], when),
            dns_names=names,
            not_before=when,
            days=_validity_days(rng, when, validation, customer),
            key=key,
            issuer=ca.issuer,
            serial=_serial(rng),
            key_usage=key_usage,
            eku=_EKU_BOTH if when < SERVER_AUTH_ONLY else _EKU_SERVER,
            policies=(_POLICY[validation],),
            ocsp_url="default" if when < OCSP_DROPPED else None,
            subject_key_id=when < dates.BR_2_0,  # BR 2.0 makes it NOT RECOMMENDED for subscribers
            ecdsa_deterministic=True,
        )
        if when >= CT_FROM or validation == "ev":
            spec = with_scts(spec)
        drafts.append(Draft(spec, validation, customer.name, ca))
    _revoke(drafts, rng)
    _place_defects(drafts, count, rng)
    return drafts


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
            draft.reason = _weighted(rng, REVOCATION_REASONS)


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


# --- rows ----------------------------------------------------------------------------------------


def make_certificate_rows(
    hierarchy: Hierarchy, count: int, seed: int, progress: bool = False
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The `certificates` rows in insertion order (the surrogate key follows created_at), and
    the defect of each defective row by its key."""
    drafts = plan_population(hierarchy, count, seed)
    rng = random.Random(f"{seed}:rows")
    made_rows: list[tuple[dict[str, Any], str | None]] = []
    for draft in _progress(drafts, progress):
        spec = draft.spec
        der: bytes | None
        if draft.defect is None:
            der = _der(spec)
        else:
            made = draft.defect.make(spec, rng)
            if isinstance(made, CertSpec):
                if made.scts:  # as many SCTs as the defective certificate's lifetime needs
                    made = with_scts(made)
                spec, der = made, _der(made)
            else:
                der = made  # raw bytes or none: the row's columns are the intended certificate's
        not_before = spec.not_before.replace(tzinfo=None)
        row = {
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
            "created_at": not_before + timedelta(seconds=rng.randrange(1, 9)),
        }
        if draft.defect is not None and draft.defect.row is not None:
            draft.defect.row(row, rng)
        made_rows.append((row, draft.defect.name if draft.defect else None))
    made_rows += [(row, None) for row in incident_rows()]
    made_rows.sort(key=lambda pair: (pair[0]["created_at"], pair[0]["serial"]))
    defect_of = {}
    for key, (row, defect) in enumerate(made_rows, 1):
        row["id"] = key
        if defect is not None:
            defect_of[key] = defect
    return [row for row, _ in made_rows], defect_of


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


def _write(engine: Engine, ca_rows: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    tables = [issuing_cas, certificates]
    with engine.begin() as conn:
        metadata.drop_all(conn, tables=tables)
        metadata.create_all(conn, tables=tables)
        conn.execute(issuing_cas.insert(), ca_rows)
        for start in range(0, len(rows), BATCH):
            conn.execute(certificates.insert(), rows[start : start + BATCH])

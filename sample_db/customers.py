"""The sample CA's customers: organisations in many countries, their domains and their people.

A customer is an account: a name, a country and address, registered domains under real public
suffixes, and the habits that shape its certificates (when it moves from RSA to EC keys, when it
automates renewal, how often it replaces its keys). `Picker` draws customers Zipf-like: a few
large accounts, a long tail of small ones. People (for S/MIME certificates) are drawn from
`GIVEN_NAMES` and `SURNAMES`; the mailbox is theirs at one of their organisation's domains.
"""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

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
    rekey_years: int  # how often its servers get a new key pair (renewals in between reuse it)


def slug(*words: str) -> str:
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
        label = slug(first, second) if rng.random() < 0.6 else slug(first + second)
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
                ec_from=between(rng, datetime(2016, 1, 1, tzinfo=UTC), datetime(2036, 1, 1, tzinfo=UTC)),
                curve="secp384r1" if rng.random() < 0.15 else "secp256r1",
                registration=_registration(country, rng),
                jurisdiction_state=(
                    ("Delaware" if rng.random() < 0.5 else state) if country == "US" else None
                ),
                automated_from=between(rng, datetime(2018, 6, 1, tzinfo=UTC), datetime(2034, 1, 1, tzinfo=UTC)),
                rekey_years=weighted(rng, ((2, 20), (3, 35), (5, 30), (40, 15))),
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


class Picker:
    """Weighted choice of customers: a few large accounts, a long tail of small ones (Zipf)."""

    def __init__(self, customers: Sequence[Customer]) -> None:
        self.customers = list(customers)
        self.cumulative = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(customers))))

    def __call__(self, rng: random.Random) -> Customer:
        return self.customers[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


GIVEN_NAMES = (
    "Anna", "James", "Maria", "Lukas", "Sofia", "Hiroshi", "Emma", "Noah", "Chloé", "Mateo",
    "Yuki", "Olivia", "Jonas", "Priya", "Liam", "Isabel", "Kenji", "Hannah", "Arjun", "Léa",
    "Oliver", "Elena", "Daniel", "Sara", "Minjun", "Grace", "Pedro", "Ingrid", "Tomás", "Aiko",
)  # fmt: skip
SURNAMES = (
    "Smith", "Müller", "Tanaka", "García", "Rossi", "Dubois", "Jansen", "Kim", "Sato", "Silva",
    "Johansson", "Brown", "Schmidt", "Martin", "Patel", "Nguyen", "Wilson", "Fischer", "Suzuki",
    "López", "Bernard", "de Vries", "Park", "Costa", "Andersson", "Taylor", "Weber", "Moreau",
    "Ito", "Fernández",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    given: str
    surname: str
    mailbox: str  # given.surname at one of the organisation's domains


def person(rng: random.Random, customer: Customer) -> Person:
    """One of the customer's people, with a mailbox at one of its domains."""
    given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
    local = f"{slug(given)}.{slug(surname)}".replace("-", "")
    return Person(given, surname, f"{local}@{rng.choice(customer.domains)}")


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def growing_time(rng: random.Random, start: datetime, end: datetime, growth: float) -> datetime:
    """A time in [start, end) with the rate of issuance growing `growth`-fold over the span."""
    span = (end - start).total_seconds()
    g = math.log(growth)
    fraction = math.log1p(rng.random() * (growth - 1)) / g  # inverse CDF of exp(g t)
    return start + timedelta(seconds=int(fraction * span))


def weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    roll = rng.random() * sum(w for _, w in table)
    for value, weight in table:
        roll -= weight
        if roll < 0:
            return value
    return table[-1][0]


def serial(rng: random.Random) -> int:
    return rng.getrandbits(126) | (1 << 126)  # 127 bits: positive, 16 bytes, CSPRNG-like

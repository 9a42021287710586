"""Benchmark: recognising one child at Flanders scale, measured against a ground truth.

Generates a year of registrations (default 65,000 children, 300 lokets) whose true
children are known, runs every registration through the real linking code
(``shared.registry.identity.child_keys`` / ``family_key``, ``ChildFacts``,
``shared.registry.children.child_resolve`` / ``duplicates_record``, and ``child_relink``
for the update after birth), then prints:

- precision and recall of "same child" over pairs of entries, the false merges (within a
  family; across families by a name + birth-date coincidence, which the rules count once by
  design and send to loket staff as a possible duplicate; across families otherwise: the
  target is 0), and the error of the unique-request count against the true children;
- the time of ``figures_compute`` for all lokets over the year, with EXPLAIN ANALYZE of its
  main query, next to the same query counting by ``name_key`` (the old way), and the sizes
  of the registry tables;
- the linking throughput.

The population: surnames and first names from a Flemish frequency table (Peeters, Janssens,
Maes… then a long tail, with the spellings the keys fold together: De Smet / Desmet);
1.7 % of births twins; a third registered before birth (no first name, a due date) and
updated after birth within three weeks of it; a quarter in two or more lokets (in one
submission or later, one by one); re-registrations with a typo in the first name; national
numbers for 40 % of born children; 5 % desk registrations without an account (half with an
e-mail address, half without), some of them registered online by the parent too; a few
families with an older sibling. A parent registering a child born on the day one of their
children was (or due within the window) is asked which child it is, as the wizard and the
API ask (``shared.portal.selectors.children_to_ask_about``), and answers truly
(``--answers none``: nobody is asked). ``--history-years`` older years of filler rows (random keys,
written with COPY) make the table the size a live registry has.

Everything runs in one transaction on its own database (embedded ``opvangloket_benchid`` or
DATABASE_URL) that is rolled back at the end: lokets are bare ``Loket`` rows, no schemas.

Usage: ``.venv/bin/python bench/identity.py [--children 65000] [--lokets 300]
[--history-years 2] [--typos 0.03] [--after-birth relink|register] [--answers asked|none]
[--runs 7] [--queries]
[--limit-set-calls] [--try-index]``
Full scale takes 10 to 15 minutes on the 2-core machine (the linking, about 130 to 170
registrations a second); ``--children 2000`` about 30 seconds.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("OPVANGLOKET_EMBEDDED_DATABASE", "opvangloket_benchid")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opvangloket.settings")

from bench.stats import summary_ms  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
YEAR = 2025

# People in Flanders bearing the name (rounded; Statbel). Spellings that fold to one key
# (De Smet / Desmet, Van Damme / Vandamme) are there on purpose.
SURNAMES = {
    "Peeters": 31000,
    "Janssens": 29000,
    "Maes": 23000,
    "Jacobs": 19000,
    "Mertens": 18000,
    "Willems": 17500,
    "Claes": 16500,
    "Goossens": 16000,
    "Wouters": 15500,
    "De Smet": 15000,
    "Hermans": 13000,
    "Aerts": 12500,
    "Vermeulen": 12000,
    "Pauwels": 11500,
    "Van Damme": 11000,
    "Michiels": 10500,
    "Desmet": 10000,
    "De Clercq": 9800,
    "Smets": 9600,
    "Martens": 9500,
    "Stevens": 9300,
    "Bogaerts": 9000,
    "Lambrechts": 8800,
    "Van den Broeck": 8600,
    "Claeys": 8500,
    "Leemans": 8300,
    "Cools": 8100,
    "Verstraeten": 8000,
    "Segers": 7900,
    "Hendrickx": 7800,
    "Van de Velde": 7600,
    "Declercq": 7500,
    "De Backer": 7400,
    "Wuyts": 7300,
    "Verhoeven": 7200,
    "Coppens": 7100,
    "Lemmens": 7000,
    "Verbruggen": 6900,
    "Vandenberghe": 6800,
    "De Vos": 6700,
    "Geerts": 6600,
    "Van Dyck": 6500,
    "Thys": 6400,
    "Baert": 6300,
    "Vermeersch": 6200,
    "Moens": 6100,
    "Verschueren": 6000,
    "Van Hoof": 5900,
    "Vandenbroeck": 5800,
    "Dierickx": 5500,
    "Dewulf": 5400,
    "Vandamme": 5300,
    "D'Hondt": 5200,
    "Van Acker": 5100,
    "Cornelis": 5000,
    "Vervoort": 4900,
    "De Wilde": 4800,
    "Nijs": 4700,
}
FLEMISH_PEOPLE = 6_800_000
# Names given to newborns in Flanders in a year (rounded; Statbel), of about 30,000 per sex.
BOYS = {
    "Noah": 310,
    "Arthur": 300,
    "Jules": 285,
    "Louis": 270,
    "Lucas": 255,
    "Liam": 245,
    "Finn": 235,
    "Leon": 220,
    "Vic": 210,
    "Mats": 200,
    "Adam": 190,
    "Otis": 180,
    "Lou": 170,
    "Felix": 165,
    "Gust": 160,
    "Leo": 155,
    "Victor": 150,
    "Cas": 145,
    "Matteo": 140,
    "Nand": 135,
    "Jack": 130,
    "Lewis": 125,
    "Mauro": 120,
    "Jef": 115,
    "Staf": 110,
    "Wout": 105,
    "Rune": 100,
    "Seppe": 95,
    "Warre": 90,
    "Lars": 85,
    "Jan-Willem": 40,
}
GIRLS = {
    "Olivia": 320,
    "Mila": 280,
    "Marie": 260,
    "Louise": 250,
    "Ella": 240,
    "Lina": 230,
    "Nina": 220,
    "Lily": 210,
    "Emma": 200,
    "Elena": 190,
    "Juliette": 180,
    "Hanne": 170,
    "Nora": 165,
    "Lena": 160,
    "Amélie": 155,
    "Lore": 150,
    "Fleur": 145,
    "Lotte": 140,
    "Anna": 135,
    "Zoë": 130,
    "Julia": 125,
    "Noor": 120,
    "Ellie": 115,
    "Mona": 110,
    "Billie": 105,
    "Febe": 100,
    "Jade": 95,
    "Roos": 90,
    "Axelle": 85,
    "Anne-Sophie": 40,
}
NEWBORNS_PER_SEX = 30_000

ONSETS = [
    "B",
    "D",
    "G",
    "H",
    "K",
    "L",
    "M",
    "N",
    "P",
    "R",
    "S",
    "T",
    "V",
    "W",
    "Br",
    "Dr",
    "Gr",
    "Kl",
    "Kr",
    "Pl",
    "Sch",
    "St",
    "Vl",
    "Wr",
]
NUCLEI = ["a", "e", "i", "o", "u", "aa", "ee", "oo", "ui", "ou", "ie", "ae", "ey"]
CODAS = ["l", "n", "r", "s", "t", "k", "ck", "rt", "ns", "ls", "ld", "rk", "m", "ght", "ch", "ts"]
PREFIXES = ["", "", "", "Van ", "De ", "Van de ", "Van den ", "Van der ", "Ver", "Vanden"]
SUFFIXES = ["", "s", "en", "ens", "x", "man", "mans", "aert", "ier", "eels", "ier", "inck"]
GIVEN_ENDINGS_BOY = ["", "o", "an", "en", "er", "ijn", "us"]
GIVEN_ENDINGS_GIRL = ["a", "e", "ie", "ine", "ke", "ina", "elle"]


def _tail(rng: random.Random, count: int, make) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        names.setdefault(make(rng), None)
    return list(names)


def _stem(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)


def _zipf(names: list[str], *, total: float, shift: int) -> dict[str, float]:
    weights = [1 / (rank + shift) for rank in range(len(names))]
    scale = total / sum(weights)
    return {name: weight * scale for name, weight in zip(names, weights, strict=True)}


class NameTable:
    """Names drawn by frequency: the listed ones with their share, then a Zipf tail."""

    def __init__(self, listed: dict[str, int], people: int, tail: list[str], shift: int):
        share = sum(listed.values()) / people
        weights = {name: n / people for name, n in listed.items()}
        for name, weight in _zipf(tail, total=1 - share, shift=shift).items():
            weights.setdefault(name, weight)
        self.names = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


def name_tables(rng: random.Random) -> tuple[NameTable, NameTable, NameTable]:
    surnames = _tail(
        rng,
        60_000,
        lambda r: (
            r.choice(PREFIXES)
            + (_stem(r) if r.random() < 0.6 else _stem(r) + _stem(r).lower())
            + r.choice(SUFFIXES)
        ).strip(),
    )
    boys = _tail(rng, 4000, lambda r: _stem(r) + r.choice(GIVEN_ENDINGS_BOY))
    girls = _tail(rng, 4000, lambda r: _stem(r) + r.choice(GIVEN_ENDINGS_GIRL))
    return (
        NameTable(SURNAMES, FLEMISH_PEOPLE, surnames, 200),
        NameTable(BOYS, NEWBORNS_PER_SEX, boys, 30),
        NameTable(GIRLS, NEWBORNS_PER_SEX, girls, 30),
    )


def typo(name: str, rng: random.Random, differs) -> str:
    """A first name as a parent mistypes it once (a key that differs from the real one)."""
    while True:
        chars, at = list(name), rng.randrange(len(name))
        operation = rng.choice(("swap", "drop", "double", "vowel"))
        if operation == "swap" and at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        elif operation == "drop" and len(chars) > 3:
            del chars[at]
        elif operation == "double":
            chars.insert(at, chars[at])
        else:
            chars[at] = rng.choice("aeiouy")
        candidate = "".join(chars)
        if differs(candidate):
            return candidate[0].upper() + candidate[1:]


def spelling_variant(name: str, rng: random.Random) -> str:
    """The same name written otherwise by the same parent: the keys must not change."""
    return rng.choice((name.upper(), name.lower(), name.replace(" ", ""), f" {name} "))


def national_number(birth: date, serial: int) -> str:
    base = f"{birth:%y%m%d}{serial:03d}"
    return f"{base}{97 - int('2' + base) % 97:02d}"


@dataclass
class TrueChild:
    number: int
    family: int  # the real family (ground truth), whatever the registry calls it
    first_name: str
    last_name: str
    birth: date
    national_number: str  # given on its born registrations; empty for 60 %
    tags: set[str] = field(default_factory=set)


@dataclass
class Registration:
    at: datetime
    children: list[int]  # true children; two for unborn twins registered in one go
    first_name: str
    last_name: str
    birth_date: date  # the due date while unborn
    is_expected_birth: bool
    national_number: str
    family_key: str
    lokets: list[int]
    by_staff: bool
    kind: str
    relinks: int | None = None  # after birth: the true child whose unborn entries it updates


def generate(args, rng: random.Random, lokets: list[int], region_of: dict[int, int]):
    """The true children and their registrations, in time order."""
    from opvangloket.text import fold
    from shared.registry.identity import email_key, family_key
    from shared.registry.identity import validate_national_number as check

    surnames, boys, girls = name_tables(rng)
    loket_weights = list(itertools.accumulate(rng.lognormvariate(0, 0.8) for _ in lokets))
    by_region: dict[int, list[int]] = defaultdict(list)
    for loket in lokets:
        by_region[region_of[loket]].append(loket)
    start = datetime(YEAR, 1, 1, 1, tzinfo=UTC)
    seconds = (datetime(YEAR, 12, 31, 21, tzinfo=UTC) - start).total_seconds()
    serials: Counter[date] = Counter()
    children: list[TrueChild] = []
    registrations: list[Registration] = []
    families: list[tuple[str, list[date], str, bool]] = []  # key, births, surname, desk

    def key(name: str) -> str:
        return fold(name).replace(" ", "")

    def pick_lokets(count: int) -> list[int]:
        first = rng.choices(lokets, cum_weights=loket_weights)[0]
        near = by_region[region_of[first]] if rng.random() < 0.8 else lokets
        chosen = [first]
        while len(chosen) < count:
            other = rng.choice(near if len(near) >= count else lokets)
            if other not in chosen:
                chosen.append(other)
        return chosen

    while len(children) < args.children:
        # The family: an older sibling's now and then, else a new one.
        sibling = None
        at = start + timedelta(seconds=rng.uniform(0, seconds))
        is_unborn = rng.random() < 1 / 3
        if is_unborn:
            due = (at + timedelta(days=rng.uniform(60, 240))).date()
            birth = due + timedelta(days=rng.randint(-21, 21))
        else:
            age = rng.uniform(7, 180) if rng.random() < 0.6 else rng.uniform(180, 900)
            birth = (at - timedelta(days=age)).date()
            due = None
        if families and rng.random() < 0.04:
            candidate = rng.randrange(len(families))
            if all(abs((birth - other).days) > 300 for other in families[candidate][1]):
                sibling = candidate
        if sibling is not None:
            family = sibling
            fkey, births, surname, desk = families[family]
            births.append(birth)
        else:
            family = len(families)
            desk = rng.random() < 0.05
            surname = surnames.draw(rng)
            if not desk:
                fkey = family_key(parent_id=1_000_000 + family)
            elif rng.random() < 0.5:
                fkey = family_key(
                    parent_id=None, claim_email_key=email_key(f"gezin{family}@example.test")
                )
            else:
                fkey = ""  # a desk registration without e-mail: a family of its own
            families.append((fkey, [birth], surname, desk))
        twins = rng.random() < 0.017
        has_number = rng.random() < 0.4
        born: list[TrueChild] = []
        for _ in range(2 if twins else 1):
            table = boys if rng.random() < 0.51 else girls
            while True:
                first = table.draw(rng)
                if all(key(first) != key(c.first_name) for c in born):
                    break
            number = ""
            if has_number:
                serials[birth] += 1
                number = national_number(birth, serials[birth])
                check(number)
            child = TrueChild(len(children), family, first, surname, birth, number)
            if twins:
                child.tags.add("twin")
            if desk:
                child.tags.add("desk" if fkey else "desk without e-mail")
            children.append(child)
            born.append(child)
        count = rng.choices((1, 2, 3, 4), weights=(75, 18, 6, 1))[0]
        chosen = pick_lokets(count)
        together = is_unborn or rng.random() < 0.5

        def register(
            when,
            child_list,
            *,
            unborn,
            lokets_,
            kind,
            name=None,
            relinks=None,
            due=due,
            fkey=fkey,
            desk=desk,
        ):
            one = child_list[0]
            registrations.append(
                Registration(
                    at=when,
                    children=[c.number for c in child_list],
                    first_name="" if unborn else (name or one.first_name),
                    last_name=one.last_name,
                    birth_date=due if unborn else one.birth,
                    is_expected_birth=unborn,
                    national_number="" if unborn else one.national_number,
                    family_key=fkey,
                    lokets=lokets_,
                    by_staff=desk,
                    kind=kind,
                    relinks=relinks,
                )
            )

        first_lokets = chosen if together else chosen[:1]
        mark = len(registrations)
        if is_unborn:
            for child in born:
                child.tags.add("registered before birth")
            register(at, born, unborn=True, lokets_=first_lokets, kind="before birth")
            for child in born:
                after = datetime.combine(child.birth, at.timetz()) + timedelta(
                    days=rng.uniform(7, 42)
                )
                register(
                    after,
                    [child],
                    unborn=False,
                    lokets_=first_lokets,
                    kind="after birth",
                    relinks=child.number,
                )
        else:
            for offset, child in enumerate(born):
                register(
                    at + timedelta(minutes=5 * offset),
                    [child],
                    unborn=False,
                    lokets_=first_lokets,
                    kind="first",
                )
        last = max(r.at for r in registrations[mark:])
        for child in born:
            if not together:
                child.tags.add("lokets one by one")
                for loket in chosen[1:]:
                    variant = rng.random() < 0.2
                    register(
                        at + timedelta(days=rng.uniform(1, 90)),
                        [child],
                        unborn=False,
                        lokets_=[loket],
                        kind="another loket",
                        name=spelling_variant(child.first_name, rng) if variant else None,
                    )
                    if variant:
                        registrations[-1].last_name = spelling_variant(child.last_name, rng)
            if rng.random() < args.typos:
                child.tags.add("typo")
                register(
                    last + timedelta(days=rng.uniform(3, 120)),
                    [child],
                    unborn=False,
                    lokets_=[rng.choice(chosen)] if rng.random() < 0.5 else pick_lokets(1),
                    kind="typo",
                    name=typo(
                        child.first_name, rng, lambda c, n=child.first_name: key(c) != key(n)
                    ),
                )
            if desk and not is_unborn and rng.random() < 0.25:
                # The parent registers online too, from their account: another family key.
                child.tags.add("desk and online")
                registrations.append(
                    Registration(
                        at=at + timedelta(days=rng.uniform(1, 60)),
                        children=[child.number],
                        first_name=child.first_name,
                        last_name=child.last_name,
                        birth_date=child.birth,
                        is_expected_birth=False,
                        national_number=child.national_number,
                        family_key=family_key(parent_id=2_000_000 + family),
                        lokets=pick_lokets(1),
                        by_staff=False,
                        kind="desk and online",
                    )
                )
    registrations.sort(key=lambda r: r.at)
    return children, registrations


def write_history(connection, *, years: int, children: int, lokets: list[int], municipalities):
    """Older years of filler rows (random keys, never a match), written with COPY."""
    rng = random.Random(7)
    columns = (
        "loket_id, request_id, reference, submission, name_key, national_number_key,"
        " claim_email_key, family_key, child_id, status, desired_start, age_group,"
        " residence_id, has_priority, registered_by_staff, registered_at, has_offer,"
        " placed_at, updated_at"
    )
    now = datetime.now(UTC)
    total = years * children
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_child (public_id, created_at)"
            " SELECT gen_random_uuid(), now() FROM generate_series(1, %s) RETURNING id",
            [total],
        )
        child_ids = [row[0] for row in cursor.fetchall()]
    written = 0
    raw = connection.connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY registry_registryentry ({columns}) FROM STDIN") as copy,
    ):
        for index, child_id in enumerate(child_ids):
            year = YEAR - 1 - index // children
            registered = datetime(year, 1, 1, 1, tzinfo=UTC) + timedelta(
                minutes=rng.randint(0, 364 * 24 * 60)
            )
            name_key, family = uuid.uuid4().hex * 2, uuid.uuid4().hex * 2
            residence = rng.choice(municipalities)
            count = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
            for loket in rng.sample(lokets, count):
                written += 1
                status = rng.choice(["placed", "cancelled", "withdrawn", "lapsed"])
                copy.write_row(
                    (
                        loket,
                        10_000_000 + written,
                        f"H{written}",
                        uuid.uuid4(),
                        name_key,
                        "",
                        "",
                        family,
                        child_id,
                        status,
                        registered.date() + timedelta(days=rng.randint(60, 360)),
                        "baby",
                        residence,
                        rng.random() < 0.35,
                        rng.random() < 0.05,
                        registered,
                        False,
                        registered + timedelta(days=rng.randint(10, 300))
                        if status == "placed"
                        else None,
                        now,
                    )
                )
    return written


class QueryCounter:
    """Counts the queries of the linking, and their time by statement shape."""

    def __init__(self):
        self.count = 0
        self.shapes: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        shape = " ".join(sql.split()[:12])
        self.shapes[shape] += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[shape] += time.perf_counter() - began


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=65_000, help="children in the year")
    parser.add_argument("--lokets", type=int, default=300)
    parser.add_argument("--history-years", type=int, default=2, help="older years of filler")
    parser.add_argument("--typos", type=float, default=0.03, help="share re-registered w/ typo")
    parser.add_argument(
        "--after-birth",
        choices=("relink", "register"),
        default="relink",
        help="relink: the unborn requests are updated (child_relink); register: registered anew",
    )
    parser.add_argument(
        "--answers",
        choices=("asked", "none"),
        default="asked",
        help="asked: a parent registering a child born on the day one of theirs was (or due"
        " within the window) is asked which child it is, as the wizard and the API do, and"
        " answers truly; none: nobody is asked (before the question existed)",
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--queries", action="store_true", help="the linking's queries by shape")
    parser.add_argument(
        "--try-index", action="store_true", help="time the figures with (registered_at, child)"
    )
    parser.add_argument(
        "--limit-set-calls",
        action="store_true",
        help="TENANT_LIMIT_SET_CALLS: one SET search_path per connection, not per cursor",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from shared.catalogue.vocabulary import age_group_at
    from shared.geography.models import Municipality
    from shared.geography.services import geography_import, geography_import_demo
    from shared.lokets.models import Loket, Region
    from shared.portal.selectors import FamilyChild, children_to_ask_about
    from shared.registry import children as linking
    from shared.registry.children import (
        ChildFacts,
        Resolution,
        child_resolve,
        duplicates_record,
    )
    from shared.registry.identity import child_keys
    from shared.registry.models import Child, PossibleDuplicate, RegistryEntry
    from shared.statistics import selectors
    from shared.statistics.selectors import figures_compute, period_of_year, scope_all

    child_relink = getattr(linking, "child_relink", None)
    if args.after_birth == "relink" and child_relink is None:
        print("child_relink is not there yet: the update after birth is registered anew")
        args.after_birth = "register"

    if args.limit_set_calls:
        from django.conf import settings

        settings.TENANT_LIMIT_SET_CALLS = True
    rng = random.Random(args.seed)
    call_command("migrate_platform", verbosity=0)
    if SHARED_DATA.is_dir():
        geography_import(
            municipalities_csv=SHARED_DATA / "municipalities-2020.csv",
            postcodes_csv=SHARED_DATA / "postcodes.csv",
            localities_csv=SHARED_DATA / "postcodes-localities.csv",
        )
    else:
        geography_import_demo()
    flemish = list(
        Municipality.objects.filter(region_nl="Vlaams Gewest")
        .order_by("nis_code")
        .values_list("pk", flat=True)
    ) or list(Municipality.objects.values_list("pk", flat=True))

    with connection.cursor() as cursor:  # earlier runs' rolled-back rows out of the sizes
        cursor.execute("VACUUM registry_registryentry, registry_child, registry_possibleduplicate")
        for table in ("registry_registryentry", "registry_child", "registry_possibleduplicate"):
            cursor.execute(f"REINDEX TABLE {table}")
    with transaction.atomic():
        if RegistryEntry.objects.exists():
            raise SystemExit("the bench database holds registry rows: use a database of its own")
        regions = Region.objects.bulk_create(
            Region(slug=f"benchid-{n}", name=f"Bench {n}", domain=f"benchid-{n}.bench.test")
            for n in range(15)
        )
        # Bare rows: bulk_create skips save(), so no schema is made (none is needed).
        lokets = Loket.objects.bulk_create(
            Loket(
                schema_name=f"benchid_{n}",
                slug=f"benchid-{n}",
                name=f"Bench loket {n}",
                kind=Loket.Kind.MUNICIPAL,
                region=regions[n % len(regions)],
            )
            for n in range(args.lokets)
        )
        loket_ids = [loket.pk for loket in lokets]
        region_of = {loket.pk: loket.region_id for loket in lokets}
        home = {pk: flemish[n % len(flemish)] for n, pk in enumerate(loket_ids)}

        began = time.perf_counter()
        history = 0
        if args.history_years:
            history = write_history(
                connection,
                years=args.history_years,
                children=args.children,
                lokets=loket_ids,
                municipalities=flemish,
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_registryentry")
                cursor.execute("ANALYZE registry_child")
        history_seconds = time.perf_counter() - began

        began = time.perf_counter()
        children, registrations = generate(args, rng, loket_ids, region_of)
        generate_seconds = time.perf_counter() - began
        print(
            f"population: {len(children):,} children in {YEAR}, {len(registrations):,}"
            f" registrations, {args.lokets} lokets; after birth: {args.after_birth}"
            f" (generated in {generate_seconds:.1f} s); history: {history:,} filler rows"
            f" over {args.history_years} years ({history_seconds:.1f} s)"
        )

        truth: dict[int, int] = {}  # entry id -> true child
        unborn_entries: dict[int, list[int]] = defaultdict(list)  # true child -> entry ids
        residence_of: dict[int, int] = {}
        born_on: dict[int, tuple[str, date]] = {}  # entry id -> family key, birth date
        # What each family's own requests say of its children (the wizard reads them in
        # the lokets' schemas): child pk -> FamilyChild.
        family_children: dict[str, dict[int, FamilyChild]] = defaultdict(dict)
        true_children_of: dict[int, set[int]] = defaultdict(set)  # identity -> true children
        questions = Counter()

        def known_as(fkey: str, child_pk: int, *, born_on: date, unborn: bool, name_key: str):
            if not fkey:
                return
            known = family_children[fkey].get(child_pk)
            keys = set(known.name_keys) if known else set()
            if not unborn:
                keys.add(name_key)
            family_children[fkey][child_pk] = FamilyChild(
                child_id=uuid.UUID(int=child_pk),
                first_name="",
                birth_date=born_on,
                is_expected_birth=unborn,
                name_keys=frozenset(keys),
            )

        counter = QueryCounter()
        request_id = itertools.count(1)
        statuses = ["open"] * 12 + ["placed"] * 3 + ["cancelled"] * 3 + ["withdrawn", "lapsed"]
        entries_written, analysed = 0, False
        began = time.perf_counter()
        with connection.execute_wrapper(counter):
            for index, registration in enumerate(registrations):
                if not analysed and index > len(registrations) // 20:
                    # As a live registry would have: statistics for the planner.
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE registry_registryentry")
                    analysed = True
                keys = child_keys(
                    first_name=registration.first_name,
                    last_name=registration.last_name,
                    birth_date=registration.birth_date,
                    national_number=registration.national_number,
                )
                facts = ChildFacts(
                    name_key=keys.name_key,
                    national_number_key=keys.national_number_key,
                    family_key=registration.family_key,
                    is_expected_birth=registration.is_expected_birth,
                    birth_date=registration.birth_date,
                )
                first_child = children[registration.children[0]]
                residence = residence_of.setdefault(
                    first_child.family,
                    home[registration.lokets[0]] if rng.random() < 0.75 else rng.choice(flemish),
                )
                start_on = max(
                    registration.at.date() + timedelta(days=30),
                    registration.birth_date + timedelta(days=rng.randint(90, 365)),
                )
                if registration.relinks is not None and args.after_birth == "relink":
                    # The parent fills in the birth: their unborn requests get the new keys.
                    pks = unborn_entries[registration.relinks]
                    RegistryEntry.objects.filter(pk__in=pks).update(
                        name_key=keys.name_key,
                        national_number_key=keys.national_number_key,
                        expected_birth=None,
                        age_group=age_group_at(registration.birth_date, start_on),
                    )
                    child_relink(
                        entries=list(RegistryEntry.objects.filter(pk__in=pks)),
                        facts=facts,
                        now=registration.at,
                    )
                    born_on.update(dict.fromkeys(pks, (facts.family_key, registration.birth_date)))
                    relinked = RegistryEntry.objects.filter(pk__in=pks)
                    for pk in set(relinked.values_list("child_id", flat=True)):
                        known_as(
                            facts.family_key,
                            pk,
                            born_on=registration.birth_date,
                            unborn=False,
                            name_key=facts.name_key,
                        )
                    continue
                chosen, another_child = None, False
                if args.answers == "asked" and facts.family_key:
                    asked = children_to_ask_about(
                        family_children[facts.family_key].values(),
                        name_key=facts.name_key,
                        birth_date=facts.birth_date,
                        is_expected_birth=facts.is_expected_birth,
                        another_child=False,
                    )
                    if asked:
                        # The parent knows their children: this one, or another one.
                        true_child = registration.children[0]
                        mine = [
                            known
                            for known in asked
                            if true_child in true_children_of[known.child_id.int]
                        ]
                        if mine:
                            chosen = Child.objects.get(pk=mine[0].child_id.int)
                        another_child = not mine
                        questions["this child" if mine else "another child"] += 1
                resolution = child_resolve(facts=facts, chosen=chosen, another_child=another_child)
                submission = uuid.uuid4()
                for number, true_child in enumerate(registration.children):
                    if number:  # the next of unborn multiples: a child of its own
                        resolution = Resolution(child=Child.objects.create())
                    created = []
                    for loket in registration.lokets:
                        request = next(request_id)
                        status = rng.choice(statuses)
                        if registration.is_expected_birth and args.after_birth == "register":
                            status = "withdrawn"  # superseded by the registration after birth
                        entry = RegistryEntry.objects.create(
                            loket_id=loket,
                            request_id=request,
                            reference=f"I{request}",
                            submission=submission,
                            name_key=facts.name_key,
                            national_number_key=facts.national_number_key,
                            child=resolution.child,
                            family_key=facts.family_key,
                            expected_birth=registration.birth_date
                            if registration.is_expected_birth
                            else None,
                            desired_start=start_on,
                            age_group=age_group_at(registration.birth_date, start_on),
                            residence_id=residence,
                            has_priority=rng.random() < 0.35,
                            registered_by_staff=registration.by_staff,
                            registered_at=registration.at,
                            status=status,
                            has_offer=status == "open" and rng.random() < 0.15,
                            placed_at=registration.at + timedelta(days=rng.randint(10, 300))
                            if status == "placed"
                            else None,
                        )
                        created.append(entry)
                        truth[entry.pk] = true_child
                        true_children_of[resolution.child.pk].add(true_child)
                        if registration.is_expected_birth:
                            unborn_entries[true_child].append(entry.pk)
                        else:
                            born_on[entry.pk] = (facts.family_key, registration.birth_date)
                    entries_written += len(created)
                    known_as(
                        facts.family_key,
                        resolution.child.pk,
                        born_on=registration.birth_date,
                        unborn=registration.is_expected_birth,
                        name_key=facts.name_key,
                    )
                    if resolution.matched_elsewhere:
                        duplicates_record(
                            entry=created[0], resolution=resolution, now=registration.at
                        )
        link_seconds = time.perf_counter() - began
        print(
            f"linking: {len(registrations):,} registrations, {entries_written:,} entries in"
            f" {link_seconds:.1f} s: {len(registrations) / link_seconds:,.0f} registrations/s,"
            f" {entries_written / link_seconds:,.0f} entries/s,"
            f" {counter.count / len(registrations):.1f} queries per registration,"
            f" {sum(counter.seconds.values()) / link_seconds:.0%} of the time in the database"
        )
        print(
            f"parents asked which child (answers: {args.answers}):"
            f" {sum(questions.values()):,} registrations; answered 'this child'"
            f" {questions['this child']:,}, 'another child' {questions['another child']:,}"
        )
        if args.queries:
            for shape, seconds in counter.seconds.most_common(12):
                print(f"  {seconds:6.1f} s {counter.shapes[shape]:>8,}x  {shape[:110]}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_registryentry")
            cursor.execute("ANALYZE registry_child")

        report_accuracy(
            children, truth, born_on, RegistryEntry, PossibleDuplicate, period_of_year(YEAR)
        )
        report_figures(
            args,
            connection,
            CaptureQueriesContext,
            selectors,
            figures_compute,
            scope_all(),
            period_of_year(YEAR),
        )
        transaction.set_rollback(True)


def report_accuracy(children, truth, born_on, RegistryEntry, PossibleDuplicate, period) -> None:
    from opvangloket.text import fold

    start, end = period.bounds()
    rows = list(
        RegistryEntry.objects.filter(pk__in=truth).values_list(
            "pk", "child_id", "registered_at", "name_key"
        )
    )
    by_child = {pk: child for pk, child, _at, _key in rows}
    in_year = [pk for pk, _child, at, _key in rows if start <= at < end]

    predicted = Counter(by_child[pk] for pk in truth)
    real = Counter(truth.values())
    both = Counter((by_child[pk], truth[pk]) for pk in truth)
    linked_pairs = sum(pairs(n) for n in predicted.values())
    true_pairs = sum(pairs(n) for n in real.values())
    right = sum(pairs(n) for n in both.values())
    precision = right / linked_pairs if linked_pairs else 1.0
    recall = right / true_pairs if true_pairs else 1.0
    print(
        f"same child, over {len(truth):,} entries: precision {precision:.4%}, recall"
        f" {recall:.4%} ({right:,} of {true_pairs:,} true pairs linked, {linked_pairs - right:,}"
        " linked pairs wrong)"
    )

    # Children merged into one identity, by pairs of true children.
    def canonical(child) -> str:
        return "|".join(
            (
                fold(child.first_name).replace(" ", ""),
                fold(child.last_name).replace(" ", ""),
                child.birth.isoformat(),
            )
        )

    members: dict[int, set[int]] = defaultdict(set)
    for pk, true_child in truth.items():
        members[by_child[pk]].add(true_child)
    merged = Counter()
    merged_coincidences = set()
    examples: dict[str, list[str]] = defaultdict(list)
    for group in members.values():
        for one, other in itertools.combinations(sorted(group), 2):
            a, b = children[one], children[other]
            if a.family == b.family:
                kind = "one family: twins" if "twin" in a.tags & b.tags else "one family: siblings"
            elif canonical(a) == canonical(b):
                kind = "other families, same name and birth date (by design)"
                merged_coincidences.add((one, other))
            else:
                kind = "OTHER FAMILIES, different children"
            merged[kind] += 1
            if len(examples[kind]) < 3:
                examples[kind].append(
                    f"{a.first_name} {a.last_name} / {b.first_name} {b.last_name}"
                )
    print("false merges (pairs of different true children with one identity):")
    for kind in (
        "one family: twins",
        "one family: siblings",
        "other families, same name and birth date (by design)",
        "OTHER FAMILIES, different children",
    ):
        shown = f"  e.g. {'; '.join(examples[kind])}" if examples[kind] else ""
        print(f"  {kind:<56} {merged[kind]:>6}{shown}")

    # Coincidences in the generated data: different families, one name and birth date.
    by_name: dict[str, list[TrueChild]] = defaultdict(list)
    for child in children:
        by_name[canonical(child)].append(child)
    coincidences = {
        (a.number, b.number)
        for group in by_name.values()
        for a, b in itertools.combinations(group, 2)
        if a.family != b.family
    }
    duplicates = list(PossibleDuplicate.objects.values_list("entry_id", "other_id"))
    flagged = {
        tuple(sorted((truth[e], truth[o]))) for e, o in duplicates if e in truth and o in truth
    }
    same_child = sum(1 for e, o in duplicates if truth.get(e) == truth.get(o))
    print(
        f"coincidences in the data (other families, same name + birth date):"
        f" {len(coincidences)} pairs of children; merged {len(merged_coincidences)},"
        f" with a possible duplicate {len(coincidences & flagged)}"
    )
    print(
        f"possible duplicates: {len(duplicates):,} ({same_child:,} truly one child registered"
        f" by two families, e.g. desk and online; {len(duplicates) - same_child:,} different"
        " children)"
    )

    # The unique-request count of the year: distinct identities against true children.
    counted = len({by_child[pk] for pk in in_year})
    real_children = len({truth[pk] for pk in in_year})
    old_way = len({key for pk, _c, at, key in rows if start <= at < end})
    identities: dict[int, set[int]] = defaultdict(set)
    for pk in in_year:
        identities[truth[pk]].add(by_child[pk])
    split = Counter()
    order = (
        "desk without e-mail",
        "typo",
        "desk and online",
        "twin",
        "registered before birth",
        "lokets one by one",
        "desk",
    )
    for true_child, found in identities.items():
        if len(found) > 1:
            tags = children[true_child].tags
            split[next((t for t in order if t in tags), "other")] += len(found) - 1
    print(
        f"unique requests {YEAR}: {counted:,} identities for {real_children:,} true children:"
        f" error {(counted - real_children) / real_children:+.2%} (target within 0.5 %);"
        f" by name_key (the old way) {old_way:,}: {(old_way - real_children) / real_children:+.2%}"
    )
    if split:
        print(
            "  children counted more than once, extra identities by cause: "
            + ", ".join(f"{kind} {n}" for kind, n in split.most_common())
        )

    # What if, within one family, born entries with one date of birth were one child (a
    # keyed hash of family and birth date; the parent would say "another child" for twins)?
    root = {child: child for child in members}

    def find(child: int) -> int:
        while root[child] != child:
            root[child] = root[root[child]]
            child = root[child]
        return child

    first_of: dict[tuple[str, date], int] = {}
    for pk, (family, birth) in born_on.items():
        if family:
            other = first_of.setdefault((family, birth), by_child[pk])
            root[find(by_child[pk])] = find(other)
    counted_if = len({find(by_child[pk]) for pk in in_year})
    grouped: dict[int, set[int]] = defaultdict(set)
    for pk, true_child in truth.items():
        grouped[find(by_child[pk])].add(true_child)
    twins_if = sum(pairs(len(group)) for group in grouped.values()) - sum(
        pairs(len(group)) for group in members.values()
    )
    print(
        f"  what if one family's born entries with one birth date were one child:"
        f" {counted_if:,} identities, error {(counted_if - real_children) / real_children:+.2%},"
        f" {twins_if} more pairs of different children merged (twins, unless the parent"
        " says 'another child')"
    )


def report_figures(
    args, connection, CaptureQueriesContext, selectors, figures_compute, scope, period
) -> None:
    from datetime import date as _date

    start, end = period.bounds()
    new_sql = selectors._PER_MUNICIPALITY.format(scope="TRUE")
    old_sql = new_sql.replace("e.child_id", "e.name_key")
    assert old_sql != new_sql

    def timed(run) -> list[float]:
        timings = []
        for _ in range(args.runs):
            began = time.perf_counter()
            run()
            timings.append(time.perf_counter() - began)
        return timings

    def query(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end])
            return cursor.fetchall()

    with CaptureQueriesContext(connection) as captured:
        figures = figures_compute(scope=scope, period=period, supply_month=_date(YEAR, 6, 1))
    queries = sum(not q["sql"].startswith("SET ") for q in captured)
    totals = figures["totals"]
    full = timed(
        lambda: figures_compute(scope=scope, period=period, supply_month=_date(YEAR, 6, 1))
    )
    main_new = timed(lambda: query(new_sql))
    main_old = timed(lambda: query(old_sql))
    old_total = next(row for row in query(old_sql) if row[1])[2]
    print(
        f"figures, all lokets, {period.label} ({totals['requests']:,} requests,"
        f" {totals['unique_requests']:,} children, {totals['waiting']:,} waiting):"
    )
    print(f"  figures_compute ({queries} queries)       {summary_ms(full)}  (target < 500 ms)")
    print(f"  main query, by child_id           {summary_ms(main_new)}")
    print(f"  main query, by name_key (old way) {summary_ms(main_old)}  ({old_total:,} 'children')")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + new_sql, [start, end])
        plan = [row[0] for row in cursor.fetchall()]
        print("EXPLAIN ANALYZE of the main query (by child_id):")
        for line in plan:
            print(f"  {line}")
        cursor.execute(
            """
            SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)),
                   pg_size_pretty(pg_indexes_size(c.oid)), c.reltuples::bigint
              FROM pg_class c
             WHERE c.relname IN ('registry_registryentry', 'registry_child',
                                 'registry_possibleduplicate')
             ORDER BY c.relname
            """
        )
        print("tables (table, indexes, rows as estimated):")
        for name, table, indexes, rows in cursor.fetchall():
            print(f"  {name:<28} {table:>10} {indexes:>10} {rows:>12,}")
    if args.try_index:
        # The candidate index, made and dropped inside this run's transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
            cursor.execute(
                "CREATE INDEX bench_registered_child ON registry_registryentry"
                " (registered_at, child_id)"
            )
            cursor.execute("ANALYZE registry_registryentry")
        full = timed(
            lambda: figures_compute(scope=scope, period=period, supply_month=_date(YEAR, 6, 1))
        )
        main_new = timed(lambda: query(new_sql))
        print("with an index on (registered_at, child_id):")
        print(f"  figures_compute                   {summary_ms(full)}")
        print(f"  main query, by child_id           {summary_ms(main_new)}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + new_sql, [start, end])
            for (line,) in cursor.fetchall():
                print(f"  {line}")


if __name__ == "__main__":
    main()

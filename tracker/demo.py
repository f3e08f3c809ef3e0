"""`flask demo`: a fictional, deterministic dataset with a login for every role.

Everything here is made up. Personnummer are generated (valid format and
check digit, serial numbers 980–999) and must never be mixed with real data.
Rows are inserted directly, without audit entries: they are not anybody's
reading or changing of real personal data.
"""

import importlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker.auth.models import Authority, Organisation, OrgType, Role, User
from tracker.auth.passwords import hash_password
from tracker.consent.categories import Category
from tracker.consent.models import (
    Block,
    Consent,
    ConsentCategory,
    ConsentForm,
    ConsentParty,
    ConsentPurpose,
    Purpose,
)
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import CaseContact, Gender, Individual

DEMO_PASSWORD = "puls-demo-2026"

# Each domain adds its demo rows in a module with `build(ctx: DemoContext)`.
DOMAIN_DEMO_MODULES: list[str] = [
    "tracker.benefits.demo",
    "tracker.meetings.demo",
    "tracker.referrals.demo",
]


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    orgs: dict[str, Organisation]
    users: dict[str, User]
    individuals: list[Individual] = field(default_factory=list)


FIRST_NAMES = {
    Gender.KVINNA: [
        "Alva",
        "Maja",
        "Elsa",
        "Wilma",
        "Ella",
        "Saga",
        "Nora",
        "Ebba",
        "Tilda",
        "Moa",
        "Linnea",
        "Agnes",
        "Klara",
        "Selma",
        "Stina",
        "Amira",
        "Hanna",
        "Ida",
        "Sara",
        "Emma",
    ],
    Gender.MAN: [
        "Oscar",
        "Elias",
        "Hugo",
        "Liam",
        "Noah",
        "Adam",
        "Viktor",
        "Axel",
        "Leo",
        "Emil",
        "Malte",
        "Isak",
        "Filip",
        "Anton",
        "Jonatan",
        "Omar",
        "Ali",
        "Erik",
        "Olle",
        "Nils",
    ],
    Gender.ANNAT: ["Kim", "Robin", "Alex", "Charlie", "Sam"],
    Gender.OKANT: ["Love", "Eli"],
}
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Holm",
    "Sandberg",
    "Ek",
    "Åberg",
    "Öberg",
    "Lundgren",
    "Mohammed",
    "Hassan",
    "Nguyen",
    "Virtanen",
    "Kowalski",
    "Fors",
]
MUNICIPALITIES = ["Uppsala", "Enköping", "Tierp", "Östhammar", "Knivsta", "Heby", "Älvkarleby", "Håbo"]

CLINICS = [
    "Psykiatrimottagning Norr",
    "Psykiatrimottagning Söder",
    "Psykiatrimottagning Väster",
    "Psykiatrimottagning Öster",
    "Psykiatrimottagning Centrum",
]


def _luhn_digit(nine: str) -> int:
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def fictional_personnummer(rng: random.Random, used: set[str], born: date, gender: Gender) -> str:
    while True:
        serial = rng.randint(98, 99) * 10 + rng.randint(0, 9)
        if gender == Gender.KVINNA and serial % 2:
            serial -= 1
        if gender == Gender.MAN and serial % 2 == 0:
            serial += 1
        serial = min(serial, 999)
        nine = born.strftime("%y%m%d") + f"{serial:03d}"
        number = born.strftime("%Y%m%d") + f"{serial:03d}{_luhn_digit(nine)}"
        if number not in used:
            used.add(number)
            return number
        born += timedelta(days=1)


def _organisations() -> dict[str, Organisation]:
    orgs = {}

    def add(key, name, org_type, parent=None, municipality=None):
        orgs[key] = Organisation(name=name, org_type=org_type, parent=parent, municipality=municipality)
        db.session.add(orgs[key])

    for index, name in enumerate(CLINICS, start=1):
        add(f"clinic{index}", name, OrgType.REGION_CLINIC)
    add("region", "Region Uppsala – Rehabenheten", OrgType.REGION_OTHER)
    add("fk", "Försäkringskassan", OrgType.FK)
    add("fk_office", "Försäkringskassan Lokalkontor Uppsala", OrgType.FK, parent=orgs["fk"])
    add("kommun", "Uppsala kommun – Socialtjänsten", OrgType.KOMMUN, municipality="Uppsala")
    add("af", "Arbetsförmedlingen Uppsala", OrgType.AF, municipality="Uppsala")
    add("forbund", "Samordningsförbundet Uppsala län", OrgType.FORBUND)
    add("project", "Projekt Plattformen", OrgType.PROJECT)
    db.session.flush()
    return orgs


def _users(orgs: dict[str, Organisation]) -> dict[str, User]:
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}

    def add(key, name, role, org):
        users[key] = User(
            email=f"{key}@demo.puls.example",
            full_name=name,
            role=role,
            organisation=org,
            password_hash=password_hash,
        )
        db.session.add(users[key])

    add("admin", "Ada Administratör", Role.ADMIN, orgs["region"])
    rehab_names = ["Rebecka Rehab", "Rasmus Rehab", "Rut Rehab", "Ronja Rehab", "Rikard Rehab"]
    for index, name in enumerate(rehab_names, start=1):
        add(f"rehab{index}", name, Role.REHABKOORDINATOR, orgs[f"clinic{index}"])
    add("fk1", "Frida Handläggare", Role.HANDLAGGARE, orgs["fk_office"])
    add("fk2", "Fredrik Handläggare", Role.HANDLAGGARE, orgs["fk_office"])
    add("samordnare", "Sam Samordnare", Role.SAMORDNARE, orgs["project"])
    add("kommun", "Karin Socialsekreterare", Role.SAMORDNARE, orgs["kommun"])
    add("ledning", "Lena Ledning", Role.LEDNING, orgs["forbund"])
    db.session.flush()
    return users


def _consent(rng, individual, today, orgs, creator) -> None:
    roll = rng.random()
    given = today - timedelta(days=rng.randint(10, 700))
    valid_until = given + timedelta(days=365) if roll < 0.8 else None
    if roll < 0.1:
        valid_until = today + timedelta(days=rng.randint(1, 25))  # expiring soon
    consent = Consent(
        individual=individual,
        form=rng.choice(list(ConsentForm)),
        given_on=min(given, today),
        valid_until=valid_until,
        created_by_id=creator.id,
    )
    if valid_until and valid_until < consent.given_on:
        consent.valid_until = consent.given_on
    consent.parties = [ConsentParty(authority=Authority.FK), ConsentParty(organisation=orgs["kommun"])]
    consent.categories = [ConsentCategory(category=c) for c in Category]
    consent.purposes = [
        ConsentPurpose(purpose=Purpose.REHAB_EXCHANGE),
        ConsentPurpose(purpose=Purpose.PULSMOTE_REVIEW),
    ]
    if rng.random() < 0.08:
        consent.withdrawn_on = today - timedelta(days=rng.randint(0, 5))
        consent.withdrawal_reason = "Personen återkallade samtycket muntligt."
        consent.withdrawn_by_id = creator.id
    db.session.add(consent)


def build(individual_count: int, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    today = today_local()
    orgs = _organisations()
    users = _users(orgs)
    used: set[str] = set()
    ctx = DemoContext(rng=rng, today=today, orgs=orgs, users=users)
    officers = [users["fk1"], users["fk2"]]
    for number in range(individual_count):
        clinic_index = number % len(CLINICS) + 1
        gender = rng.choices(list(Gender), weights=[48, 46, 4, 2])[0]
        born = date(today.year - rng.randint(19, 29), rng.randint(1, 12), rng.randint(1, 28))
        coordinator = users[f"rehab{clinic_index}"]
        individual = Individual(
            personnummer=fictional_personnummer(rng, used, born, gender),
            first_name=rng.choice(FIRST_NAMES[gender]),
            last_name=rng.choice(LAST_NAMES),
            gender=gender,
            home_municipality=rng.choice(MUNICIPALITIES),
            clinic=orgs[f"clinic{clinic_index}"],
            coordinator_id=coordinator.id,
            fk_officer_id=rng.choice(officers).id if rng.random() < 0.75 else None,
            created_by_id=coordinator.id,
        )
        individual.refresh_search_name()
        db.session.add(individual)
        ctx.individuals.append(individual)
        if rng.random() < 0.3:
            individual.contacts.append(CaseContact(organisation=orgs["kommun"]))
        if rng.random() < 0.6:
            _consent(rng, individual, today, orgs, coordinator)
        if rng.random() < 0.03:
            db.session.add(
                Block(
                    individual=individual,
                    category=Category.PLAN,
                    starts_on=today - timedelta(days=30),
                    note="Personen vill inte att vårdplanen delas.",
                    created_by_id=coordinator.id,
                )
            )
        if number % 1000 == 999:
            db.session.flush()
    db.session.flush()
    for module_name in DOMAIN_DEMO_MODULES:
        importlib.import_module(module_name).build(ctx)
        db.session.flush()
    return {"organisations": len(orgs), "users": len(users), "individuals": individual_count}


@click.command("demo")
@click.option("--individuals", default=200, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--seed", default=2026, show_default=True)
@with_appcontext
def demo_command(individuals: int, seed: int):
    """Fill an empty database with fictional demo data (logins for every role)."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has users; demo data not loaded.")
        return
    counts = build(individuals, seed)
    db.session.commit()
    click.echo(
        f"Demo data: {counts['organisations']} organisations, {counts['users']} users, "
        f"{counts['individuals']} individuals."
    )
    click.echo(f"Log in as e.g. rehab1@demo.puls.example / {DEMO_PASSWORD} (see README for all roles).")

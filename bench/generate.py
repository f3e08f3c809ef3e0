"""Fill a scratch database with a realistic volume of fictional data, fast.

    python bench/generate.py --database-url sqlite:////tmp/puls_bench.db --scale 1

Scale 1 is the volume of issue 8: 10,000 individuals, ~200,000 case events
(certificates, decisions, bevakningar, plans/insatser/status changes,
consents, audit rows, meeting case notes, referrals/enrolments), five years
of time entries for the demo staff and 500 meetings with invitations.

The schema comes from the migrations (`flask db upgrade`), organisations,
users, projects and a small realistic core from `tracker.demo.build`; the
bulk is then inserted with SQLAlchemy Core `insert()` executemany in
batches and explicit primary keys (sequences are moved on afterwards on
PostgreSQL). Everything is fictional and deterministic for a given seed.
"""

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

BATCH = 2000
DEMO_CORE_INDIVIDUALS = 200


def app_for(database_url: str, **extra):
    from tracker import create_app

    return create_app(
        "production",
        overrides={
            **extra,
            "SECRET_KEY": "bench-only-not-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SESSION_COOKIE_SECURE": False,
            "TOTP_REQUIRED_FOR_ADMIN": False,
            "MAIL_BACKEND": "outbox",
            "PUBLIC_BASE_URL": "https://puls.bench",
        },
    )


class Loader:
    """Batches rows per table, hands out explicit ids and counts what was inserted."""

    def __init__(self, session):
        self.session = session
        self.pending: dict = {}
        self.next_ids: dict = {}
        self.counts: dict[str, int] = {}

    def next_id(self, table) -> int:
        if table.name not in self.next_ids:
            current = self.session.scalar(select(func.max(table.c.id))) or 0
            self.next_ids[table.name] = current + 1
        value = self.next_ids[table.name]
        self.next_ids[table.name] += 1
        return value

    def add(self, table, row: dict, *, with_id: bool = True) -> int | None:
        if with_id and "id" in table.c and "id" not in row:
            row["id"] = self.next_id(table)
        rows = self.pending.setdefault(table.name, (table, []))[1]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()  # every table, parents first (the order they were first added in)
        return row.get("id")

    def flush_table(self, name: str) -> None:
        table, rows = self.pending.get(name, (None, []))
        if rows:
            self.session.execute(insert(table), rows)
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            rows.clear()

    def flush(self, *names: str) -> None:
        for name in names or list(self.pending):
            self.flush_table(name)

    def fix_sequences(self) -> None:
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name in self.next_ids:
            sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"  # noqa: S608
            self.session.execute(text(sql))


def _tables():
    from tracker import models  # noqa: F401  (every table registered)
    from tracker.extensions import db

    names = {
        "AuditEvent": "audit_events",
        "Certificate": "certificates",
        "FkDecision": "fk_decisions",
        "FollowUp": "follow_ups",
        "Consent": "consents",
        "ConsentCategory": "consent_categories",
        "ConsentParty": "consent_parties",
        "ConsentPurpose": "consent_purposes",
        "AgendaCase": "agenda_cases",
        "Meeting": "meetings",
        "MeetingAttendance": "meeting_attendances",
        "MeetingCaseNote": "meeting_case_notes",
        "MeetingInvitation": "meeting_invitations",
        "CaseContact": "case_contacts",
        "Individual": "individuals",
        "CarePlan": "care_plans",
        "Insats": "insatser",
        "InsatsStatusChange": "insats_status_changes",
        "Enrolment": "enrolments",
        "Project": "projects",
        "ProjectBudget": "project_budgets",
        "Referral": "referrals",
        "AllocationKey": "allocation_keys",
        "HourlyCost": "hourly_costs",
        "TimeEntry": "time_entries",
        "User": "users",
    }
    return SimpleNamespace(**{key: db.metadata.tables[name] for key, name in names.items()})


def generate(database_url: str, scale: float, seed: int = 2026, quiet: bool = False) -> dict:
    """Migrate an empty database and fill it; returns row counts and seconds taken."""
    from flask_migrate import upgrade

    from tracker import demo
    from tracker.extensions import db

    started = time.perf_counter()
    app = app_for(database_url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if db.session.scalar(text("SELECT COUNT(*) FROM users")):
            raise SystemExit("The database is not empty; generate into a fresh scratch database.")
        demo.build(min(DEMO_CORE_INDIVIDUALS, max(10, int(10_000 * scale))), seed)
        db.session.commit()
        loader = Loader(db.session)
        _Bulk(loader, scale, seed).run()
        loader.flush()
        loader.fix_sequences()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        counts = {
            name: db.session.scalar(text(f"SELECT COUNT(*) FROM {name}"))  # noqa: S608  (metadata names)
            for name in sorted(db.metadata.tables)
        }
    seconds = time.perf_counter() - started
    if not quiet:
        events = sum(counts[n] for n in CASE_EVENT_TABLES)
        print(
            f"generated in {seconds:.0f} s: {counts['individuals']} individuals, {events} case events, "
            f"{counts['time_entries']} time entries, {counts['meetings']} meetings"
        )
    return {"seconds": seconds, "counts": counts}


CASE_EVENT_TABLES = (
    "certificates",
    "fk_decisions",
    "follow_ups",
    "care_plans",
    "insatser",
    "insats_status_changes",
    "consents",
    "audit_events",
    "meeting_case_notes",
    "agenda_cases",
    "referrals",
    "enrolments",
)


class _Bulk:
    def __init__(self, loader: Loader, scale: float, seed: int):
        from tracker.core.timeutil import today_local

        self.load = loader
        self.session = loader.session
        self.rng = random.Random(seed + 1)
        self.scale = scale
        self.today = today_local()
        self.t = _tables()

    # --- helpers -------------------------------------------------------------------------------
    def _ids(self, sql: str) -> dict:
        # Every caller orders by id: the same data on SQLite and PostgreSQL.
        return dict(self.session.execute(text(sql)).all())

    def _day(self, days_back_max: int, days_back_min: int = 0) -> date:
        return self.today - timedelta(days=self.rng.randint(days_back_min, days_back_max))

    @staticmethod
    def _at(day: date, hour: int = 9) -> datetime:
        return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)

    def run(self) -> None:
        self.users = self._ids("SELECT email, id FROM users ORDER BY id")
        self.users = {email.split("@")[0]: uid for email, uid in self.users.items()}
        self.user_orgs = self._ids("SELECT id, organisation_id FROM users ORDER BY id")
        self.user_roles = self._ids("SELECT id, role FROM users ORDER BY id")
        self.orgs = self._ids("SELECT name, id FROM organisations ORDER BY id")
        self.clinics = [i for n, i in self.orgs.items() if n.startswith("Psykiatrimottagning")]
        self.projects = self._ids("SELECT kind, id FROM projects ORDER BY id")
        self.project_orgs = self._ids("SELECT id, organisation_id FROM projects ORDER BY id")
        used = set(self.session.scalars(text("SELECT personnummer FROM individuals")))
        self._staff()
        individuals = self._individuals(used)
        self._case_events(individuals)
        self._platform(individuals)
        self._meetings(individuals)
        self._time_entries()
        self._audit(individuals)

    def _staff(self) -> None:
        """Enough handläggare and rehabkoordinatorer for ~250 cases each (the demo has 2 and 5)."""
        t = self.t
        users = t.User
        template = self.session.execute(
            select(users.c.password_hash, users.c.organisation_id).where(users.c.id == self.users["fk1"])
        ).one()
        self.officers = [self.users["fk1"], self.users["fk2"]]
        self.coordinators = {c: [self.users[f"rehab{i}"]] for i, c in enumerate(self.clinics, start=1)}
        cases = int(10_000 * self.scale)
        for number in range(3, max(3, cases // 250) + 1):
            self.officers.append(
                self.load.add(
                    users,
                    {
                        "email": f"fk{number}@demo.puls.example",
                        "full_name": f"Handläggare {number}",
                        "password_hash": template.password_hash,
                        "role": "handlaggare",
                        "organisation_id": template.organisation_id,
                    },
                )
            )
        for index, clinic_id in enumerate(self.clinics, start=1):
            for number in range(2, max(2, cases // len(self.clinics) // 250) + 1):
                self.coordinators[clinic_id].append(
                    self.load.add(
                        users,
                        {
                            "email": f"rehab{index}-{number}@demo.puls.example",
                            "full_name": f"Rehabkoordinator {index}-{number}",
                            "password_hash": template.password_hash,
                            "role": "rehabkoordinator",
                            "organisation_id": clinic_id,
                        },
                    )
                )
        self.load.flush("users")

    # --- individuals and their case events -------------------------------------------------------
    def _individuals(self, used: set[str]) -> list[tuple]:
        from tracker.demo import FIRST_NAMES, LAST_NAMES, MUNICIPALITIES, fictional_personnummer
        from tracker.people.models import Gender

        t, rng = self.t, self.rng
        total = int(10_000 * self.scale)
        existing = self.session.scalar(text("SELECT COUNT(*) FROM individuals"))
        officers = self.officers
        result = []
        for number in range(max(0, total - existing)):
            clinic_index = number % len(self.clinics)
            gender = rng.choices(list(Gender), weights=[48, 46, 4, 2])[0]
            born = date(self.today.year - rng.randint(19, 29), rng.randint(1, 12), rng.randint(1, 28))
            first, last = rng.choice(FIRST_NAMES[gender]), rng.choice(LAST_NAMES)
            coordinator = rng.choice(self.coordinators[self.clinics[clinic_index]])
            created = self._day(5 * 365, 30)
            closed = created + timedelta(days=rng.randint(200, 900)) if rng.random() < 0.25 else None
            if closed and closed >= self.today:
                closed = None
            fk_officer = rng.choice(officers) if rng.random() < 0.75 else None
            individual_id = self.load.add(
                t.Individual,
                {
                    "personnummer": fictional_personnummer(rng, used, born, gender),
                    "first_name": first,
                    "last_name": last,
                    "gender": gender,
                    "search_name": f"{first} {last}".casefold(),
                    "home_municipality": rng.choice(MUNICIPALITIES),
                    "clinic_id": self.clinics[clinic_index],
                    "coordinator_id": coordinator,
                    "fk_officer_id": fk_officer,
                    "closed_on": closed,
                    "closed_reason": "Ärendet avslutat." if closed else None,
                    "created_by_id": coordinator,
                    "created_at": self._at(created),
                    "updated_at": self._at(created),
                },
            )
            result.append(
                (individual_id, self.clinics[clinic_index], coordinator, created, closed, fk_officer)
            )
            if rng.random() < 0.3:
                self.load.add(
                    t.CaseContact,
                    {
                        "individual_id": individual_id,
                        "organisation_id": self.orgs["Uppsala kommun – Socialtjänsten"],
                        "created_by_id": coordinator,
                    },
                )
        self.load.flush("individuals", "case_contacts")
        return result

    def _case_events(self, individuals: list[tuple]) -> None:
        from tracker.benefits.models import CertificateType, FollowUpReason, FollowUpStatus, Level, Outcome
        from tracker.plans.models import InsatsStatus

        t, rng, today = self.t, self.rng, self.today
        officers = self.officers
        for individual_id, clinic_id, coordinator, created, closed, fk_officer in individuals:
            end = closed or today
            span = max(1, (end - created).days)
            officer = fk_officer or rng.choice(officers)
            # Certificates and the decisions answering them (about two of each per case).
            for _ in range(rng.choice([1, 2, 2, 3])):
                issued = created + timedelta(days=rng.randint(0, span))
                certificate_id = self.load.add(
                    t.Certificate,
                    {
                        "individual_id": individual_id,
                        "issued_on": issued,
                        "clinic_id": clinic_id,
                        "doctor": "Dr. Exempel",
                        "certificate_type": rng.choice(list(CertificateType)),
                        "sent_to_fk_on": issued + timedelta(days=rng.randint(0, 10)),
                        "created_by_id": coordinator,
                    },
                )
                decided = issued + timedelta(days=rng.randint(20, 120))
                if decided >= today:
                    outcome, decided = Outcome.PENDING, None
                else:
                    outcome = rng.choices(
                        [Outcome.GRANTED, Outcome.DENIED, Outcome.WITHDRAWN], weights=[75, 20, 5]
                    )[0]
                granted = outcome == Outcome.GRANTED
                start = decided + timedelta(days=1) if granted else None
                self.load.add(
                    t.FkDecision,
                    {
                        "individual_id": individual_id,
                        "decided_on": decided,
                        "outcome": outcome,
                        "level": rng.choice(list(Level)) if granted else None,
                        "period_start": start,
                        "period_end": start + timedelta(days=rng.choice([364, 729])) if granted else None,
                        "officer_id": officer,
                        "certificate_id": certificate_id,
                        "created_by_id": officer,
                    },
                )
            # Bevakningar (the case's own handläggare only): mostly done, the newest open.
            for index in range(rng.choice([1, 2, 2, 3]) if fk_officer else 0):
                due = created + timedelta(days=rng.randint(30, span + 60))
                done = index > 0 or closed is not None or rng.random() < 0.4
                self.load.add(
                    t.FollowUp,
                    {
                        "individual_id": individual_id,
                        "owner_id": officer,
                        "due_on": due,
                        "reason": rng.choice(list(FollowUpReason)),
                        "clinic_id": clinic_id,
                        "coordinator_id": coordinator,
                        "status": FollowUpStatus.DONE if done else FollowUpStatus.OPEN,
                        "done_on": min(due, today) if done else None,
                        "created_by_id": officer,
                    },
                )
            # Consent (with its parties, categories and purposes).
            if rng.random() < 0.85:
                given = created + timedelta(days=rng.randint(0, 20))
                consent_id = self.load.add(
                    t.Consent,
                    {
                        "individual_id": individual_id,
                        "form": "written",
                        "given_on": given,
                        "valid_until": given + timedelta(days=365 * rng.choice([1, 2, 5])),
                        "created_by_id": coordinator,
                    },
                )
                self.load.add(
                    t.ConsentParty, {"consent_id": consent_id, "authority": "fk", "organisation_id": None}
                )
                self.load.add(
                    t.ConsentParty,
                    {
                        "consent_id": consent_id,
                        "authority": None,
                        "organisation_id": self.orgs["Uppsala kommun – Socialtjänsten"],
                    },
                )
                for category in ("identity", "certificates", "fk_records", "plan", "meeting_notes"):
                    self.load.add(
                        t.ConsentCategory, {"consent_id": consent_id, "category": category}, with_id=False
                    )
                for purpose in ("rehab_exchange", "pulsmote_review"):
                    self.load.add(
                        t.ConsentPurpose, {"consent_id": consent_id, "purpose": purpose}, with_id=False
                    )
            # Plan, insatser and their status changes.
            if rng.random() < 0.7:
                established = created + timedelta(days=rng.randint(10, 60))
                plan_id = self.load.add(
                    t.CarePlan,
                    {
                        "individual_id": individual_id,
                        "established_on": established,
                        "goals": "Komma närmare arbete eller studier.",
                        "follow_up_on": established + timedelta(days=180),
                        "is_sip": rng.random() < 0.3,
                        "created_by_id": coordinator,
                    },
                )
                for _ in range(2):
                    starts = established + timedelta(days=rng.randint(0, 60))
                    history = [InsatsStatus.PLANNED, InsatsStatus.ONGOING]
                    history.append(rng.choice([InsatsStatus.COMPLETED, InsatsStatus.INTERRUPTED]))
                    history = history[: rng.randint(1, 3)]
                    insats_id = self.load.add(
                        t.Insats,
                        {
                            "plan_id": plan_id,
                            "individual_id": individual_id,
                            "what": rng.choice(["Arbetsträning", "Samtalsstöd", "Studiebesök", "Praktik"]),
                            "organisation_id": clinic_id,
                            "starts_on": starts,
                            "status": history[-1],
                            "created_by_id": coordinator,
                        },
                    )
                    previous = None
                    for step, status in enumerate(history):
                        self.load.add(
                            t.InsatsStatusChange,
                            {
                                "insats_id": insats_id,
                                "individual_id": individual_id,
                                "from_status": previous,
                                "to_status": status,
                                "changed_on": starts + timedelta(days=30 * step),
                                "created_by_id": coordinator,
                            },
                        )
                        previous = status

    def _platform(self, individuals: list[tuple]) -> None:
        """A share of the cases is referred to and enrolled in the platform project."""
        from tracker.referrals.models import (
            DischargeReason,
            EducationLevel,
            IncomeSource,
            Occupation,
            ReferralStatus,
            ReferrerType,
            SupportDuration,
        )

        t, rng, today = self.t, self.rng, self.today
        platform = self.projects["platform"]
        start = today - timedelta(days=5 * 365)
        self._move_project_start(start)
        staff = self.users["samordnare"]
        for individual_id, *_rest in individuals:
            if rng.random() >= 0.1:
                continue
            referred = start + timedelta(days=rng.randint(0, 5 * 365 - 2))
            waited = rng.randint(7, 45)
            enrolled = referred + timedelta(days=waited)
            accepted = enrolled < today and rng.random() < 0.85
            referral_id = self.load.add(
                t.Referral,
                {
                    "project_id": platform,
                    "individual_id": individual_id,
                    "referred_on": referred,
                    "referrer_type": rng.choice(list(ReferrerType)),
                    "reason": "Behöver samordnat stöd mot arbete eller studier.",
                    "status": ReferralStatus.ACCEPTED if accepted else ReferralStatus.QUEUED,
                    "status_changed_on": enrolled if accepted else None,
                    "created_by_id": staff,
                },
            )
            if not accepted:
                continue
            discharged = enrolled + timedelta(days=rng.randint(60, 420))
            discharged = discharged if discharged < today else None
            self.load.add(
                t.Enrolment,
                {
                    "project_id": platform,
                    "individual_id": individual_id,
                    "referral_id": referral_id,
                    "enrolled_on": enrolled,
                    "discharged_on": discharged,
                    "discharge_reason": rng.choice(list(DischargeReason)) if discharged else None,
                    "income_before": rng.choice(list(IncomeSource)),
                    "income_after": rng.choice(list(IncomeSource)) if discharged else None,
                    "occupation_before": rng.choice(list(Occupation)),
                    "occupation_after": rng.choice(list(Occupation)) if discharged else None,
                    "education_level": rng.choice(list(EducationLevel)),
                    "support_before": rng.choice(list(SupportDuration)),
                    "involves_fk": rng.random() < 0.6,
                    "involves_region": rng.random() < 0.7,
                    "involves_kommun": rng.random() < 0.5,
                    "involves_af": rng.random() < 0.3,
                    "created_by_id": staff,
                },
            )

    def _move_project_start(self, start: date) -> None:
        """Let both demo projects run five years back, with budgets, keys and costs from then."""
        t = self.t
        for project_id in self.projects.values():
            first = self.session.scalar(select(t.Project.c.starts_on).where(t.Project.c.id == project_id))
            self.session.execute(
                t.Project.update().where(t.Project.c.id == project_id).values(starts_on=start)
            )
            for table in (t.AllocationKey, t.HourlyCost):
                self.session.execute(
                    table.update()
                    .where(table.c.project_id == project_id, table.c.valid_from == first)
                    .values(valid_from=start)
                )
            budgets = self.session.execute(
                select(t.ProjectBudget.c.forbund_id, t.ProjectBudget.c.amount).where(
                    t.ProjectBudget.c.project_id == project_id, t.ProjectBudget.c.year == first.year
                )
            ).all()
            for year in range(start.year, first.year):
                for forbund_id, amount in budgets:
                    self.load.add(
                        t.ProjectBudget,
                        {"project_id": project_id, "forbund_id": forbund_id, "year": year, "amount": amount},
                    )
            self.first_demo_day = getattr(self, "first_demo_day", first)
        self.project_start = start

    def _time_entries(self) -> None:
        """Five years of time for the demo staff: the years before the demo's own entries."""
        from tracker.timesheets.models import TimeCategory

        t, rng = self.t, self.rng
        categories = list(TimeCategory)
        workers = [(self.users["samordnare"], "platform", 8), (self.users["kommun"], "platform", 2)]
        workers += [(self.users[f"rehab{i}"], "ae", 3) for i in range(1, 6)]
        day = self.project_start
        while day < self.first_demo_day:
            if day.weekday() < 5:
                for user_id, kind, budget in workers:
                    for category in rng.sample(categories, 2):
                        self.load.add(
                            t.TimeEntry,
                            {
                                "user_id": user_id,
                                "project_id": self.projects[kind],
                                "work_date": day,
                                "booked_on": day,
                                "category": category,
                                "clinic_id": self.user_orgs[user_id] if kind == "ae" else None,
                                "hours": Decimal(rng.randint(2, budget * 2)) / 4,
                                "created_by_id": user_id,
                            },
                        )
            day += timedelta(days=1)

    # --- meetings --------------------------------------------------------------------------------
    def _meetings(self, individuals: list[tuple]) -> None:
        from tracker.meetings.models import MeetingKind, MeetingMode, MeetingStatus

        t, rng, today = self.t, self.rng, self.today
        existing = self.session.scalar(text("SELECT COUNT(*) FROM meetings"))
        count = max(0, int(500 * max(self.scale, 0.1)) - existing)
        organiser = self.users["samordnare"]
        invited_orgs = [self.orgs["Försäkringskassan Lokalkontor Uppsala"]]
        invited_orgs.append(self.orgs["Uppsala kommun – Socialtjänsten"])
        invited_users = [self.users["fk1"], self.users["kommun"]] + [
            self.users[f"rehab{i}"] for i in range(1, 6)
        ]
        ids = [row[0] for row in individuals]
        first = today - timedelta(days=5 * 365)
        span = 5 * 365 + 90  # five years back and three months ahead
        for number in range(count):
            day = first + timedelta(days=int(span * number / max(count, 1)))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            starts = datetime(day.year, day.month, day.day, 8 + rng.randint(0, 6), 0, tzinfo=UTC)
            held = day < today
            status = MeetingStatus.HELD if held else MeetingStatus.PLANNED
            if rng.random() < 0.04:
                status = MeetingStatus.CANCELLED
            meeting_id = self.load.add(
                t.Meeting,
                {
                    "title": "Pulsmöte",
                    "kind": MeetingKind.PULSMOTE if rng.random() < 0.85 else MeetingKind.STYRGRUPP,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=1, minutes=30),
                    "mode": rng.choice(list(MeetingMode)),
                    "meeting_link": "https://mote.example/puls",
                    "address": "Rehabenheten, plan 2",
                    "organiser_id": organiser,
                    "status": status,
                    "cancel_reason": "Inställt." if status == MeetingStatus.CANCELLED else None,
                    "held_at": starts if status == MeetingStatus.HELD else None,
                    "created_by_id": organiser,
                    "created_at": starts - timedelta(days=14),
                    "updated_at": starts - timedelta(days=14),
                    "calendar_changed_at": starts - timedelta(days=14),
                },
            )
            for org_id in invited_orgs:
                self.load.add(
                    t.MeetingInvitation,
                    {"meeting_id": meeting_id, "organisation_id": org_id, "user_id": None},
                )
            for user_id in invited_users:
                self.load.add(
                    t.MeetingInvitation,
                    {"meeting_id": meeting_id, "organisation_id": None, "user_id": user_id},
                )
            if status == MeetingStatus.HELD:
                for user_id in invited_users[:4]:
                    self.load.add(t.MeetingAttendance, {"meeting_id": meeting_id, "user_id": user_id})
            if not ids or status == MeetingStatus.CANCELLED:
                continue
            for individual_id in rng.sample(ids, min(len(ids), 20)):
                self.load.add(
                    t.AgendaCase,
                    {"meeting_id": meeting_id, "individual_id": individual_id, "created_by_id": organiser},
                )
                if status == MeetingStatus.HELD:
                    self.load.add(
                        t.MeetingCaseNote,
                        {
                            "meeting_id": meeting_id,
                            "individual_id": individual_id,
                            "note": "Genomgång av läget; insatsen fortsätter.",
                            "next_steps": "Följ upp vid nästa möte.",
                            "created_by_id": organiser,
                        },
                    )

    # --- audit -----------------------------------------------------------------------------------
    def _audit(self, individuals: list[tuple]) -> None:
        """Reads and changes of the cases, chained like the real log (so `audit verify` passes)."""
        from tracker.audit.services import GENESIS_HASH, compute_hash

        t, rng = self.t, self.rng
        self.load.flush()
        prev = self.session.scalar(text("SELECT row_hash FROM audit_events ORDER BY id DESC LIMIT 1"))
        prev = prev or GENESIS_HASH
        actors = [(self.users[k], k) for k in ("fk1", "fk2", "rehab1", "rehab2", "rehab3", "samordnare")]
        total = int(65_000 * self.scale)
        ids = [row[0] for row in individuals] or [None]
        moment = datetime.now(UTC) - timedelta(days=2 * 365)
        step = timedelta(days=2 * 365) / max(total, 1)
        for _ in range(total):
            user_id, key = rng.choice(actors)
            moment += step
            event = SimpleNamespace(
                occurred_at=moment.replace(microsecond=0),
                user_id=user_id,
                user_label=f"{key}@demo.puls.example",
                organisation_id=self.user_orgs[user_id],
                role=self.user_roles[user_id],
                action=rng.choices(["view", "list", "update", "create"], weights=[70, 15, 10, 5])[0],
                object_type="Individual",
                object_id=None,
                individual_id=rng.choice(ids),
                reason=None,
                details=None,
                remote_addr="127.0.0.1",
            )
            event.object_id = event.individual_id
            row = dict(vars(event))
            row["prev_hash"] = prev
            row["row_hash"] = prev = compute_hash(event, prev)
            self.load.add(t.AuditEvent, row)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(args.database_url, args.scale, args.seed)


if __name__ == "__main__":
    main()

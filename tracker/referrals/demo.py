"""Demo rows for projects, referrals, enrolment, activities and time (fictional, deterministic)."""

from datetime import date, timedelta
from decimal import Decimal

from tracker.auth.models import Authority, Organisation, OrgType
from tracker.consent.categories import Category
from tracker.consent.models import (
    Consent,
    ConsentCategory,
    ConsentForm,
    ConsentParty,
    ConsentPurpose,
    Purpose,
)
from tracker.core.timeutil import now_utc
from tracker.demo import FIRST_NAMES, LAST_NAMES, MUNICIPALITIES, DemoContext, fictional_personnummer
from tracker.extensions import db
from tracker.people.models import CaseContact, Gender, Individual
from tracker.referrals.models import (
    ActivityGroup,
    Consultation,
    DischargeReason,
    EducationLevel,
    Enrolment,
    GroupAttendance,
    GroupSession,
    IncomeSource,
    InfoSession,
    Occupation,
    Project,
    ProjectBudget,
    ProjectKind,
    ProjectMember,
    Referral,
    ReferralStatus,
    ReferrerType,
    SupportDuration,
)
from tracker.timesheets.models import (
    AllocationKey,
    AllocationShare,
    HourlyCost,
    MonthLock,
    TimeCategory,
    TimeEntry,
)

PARTICIPANTS = 48


def _projects(ctx: DemoContext) -> tuple[Project, Project, list[Organisation]]:
    first_year = date(ctx.today.year - 2, 7, 1)
    west = Organisation(name="Samordningsförbundet Västra Uppland", org_type=OrgType.FORBUND)
    ae_team = Organisation(name="AE-samordningen", org_type=OrgType.PROJECT)
    db.session.add_all([west, ae_team])
    db.session.flush()
    forbund = [ctx.orgs["forbund"], west]
    platform = Project(
        name="Plattformen – unga vuxna",
        kind=ProjectKind.PLATFORM,
        organisation_id=ctx.orgs["project"].id,
        principal_id=ctx.orgs["kommun"].id,
        starts_on=first_year,
        target_group="Unga vuxna 19–29 år långt från arbetsmarknaden",
        planned_participants=40,
    )
    ae = Project(
        name="AE-samordning psykiatrin",
        kind=ProjectKind.AE,
        organisation_id=ae_team.id,
        principal_id=ctx.orgs["clinic1"].id,
        starts_on=first_year,
        target_group="Unga vuxna med aktivitetsersättning",
        planned_participants=150,
    )
    db.session.add_all([platform, ae])
    db.session.flush()
    platform.members = [
        ProjectMember(user_id=ctx.users["samordnare"].id, is_lead=True),
        ProjectMember(user_id=ctx.users["kommun"].id),
    ]
    ae.members = [ProjectMember(user_id=ctx.users[f"rehab{i}"].id, is_lead=i == 1) for i in range(1, 6)]
    for project, budget in ((platform, 1_200_000), (ae, 900_000)):
        for year in range(first_year.year, ctx.today.year + 1):
            db.session.add(
                ProjectBudget(
                    project_id=project.id, forbund_id=forbund[0].id, year=year, amount=budget * 6 // 10
                )
            )
            db.session.add(
                ProjectBudget(
                    project_id=project.id, forbund_id=forbund[1].id, year=year, amount=budget * 4 // 10
                )
            )
        # The key changes on 1 January: the förbund renegotiated their shares.
        keys = ((first_year, ("60", "40")), (date(ctx.today.year - 1, 1, 1), ("55", "45")))
        keys += ((date(ctx.today.year, 1, 1), ("52.5", "47.5")),)
        for valid_from, shares in keys:
            key = AllocationKey(project_id=project.id, valid_from=valid_from)
            key.shares = [
                AllocationShare(forbund_id=f.id, percent=Decimal(p))
                for f, p in zip(forbund, shares, strict=True)
            ]
            db.session.add(key)
        db.session.add(HourlyCost(project_id=project.id, valid_from=first_year, amount=Decimal("650.00")))
    db.session.add(
        HourlyCost(
            project_id=platform.id,
            user_id=ctx.users["samordnare"].id,
            valid_from=first_year,
            amount=Decimal("712.50"),
        )
    )
    return platform, ae, forbund


def _people(ctx: DemoContext, platform: Project) -> list[Individual]:
    used = {i.personnummer for i in ctx.individuals}
    people = []
    for _ in range(PARTICIPANTS):
        gender = ctx.rng.choices(list(Gender), weights=[50, 45, 4, 1])[0]
        born = date(ctx.today.year - ctx.rng.randint(19, 29), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28))
        person = Individual(
            personnummer=fictional_personnummer(ctx.rng, used, born, gender),
            first_name=ctx.rng.choice(FIRST_NAMES[gender]),
            last_name=ctx.rng.choice(LAST_NAMES),
            gender=gender,
            home_municipality=ctx.rng.choice(MUNICIPALITIES[:5]),
            clinic_id=platform.organisation_id,
            coordinator_id=ctx.users["samordnare"].id,
            created_by_id=ctx.users["samordnare"].id,
        )
        person.refresh_search_name()
        db.session.add(person)
        people.append(person)
    db.session.flush()
    return people


def _referrals_and_enrolments(
    ctx: DemoContext, platform: Project, people: list[Individual]
) -> list[Enrolment]:
    rng, start = ctx.rng, platform.starts_on
    span = (ctx.today - start).days
    enrolments = []
    referrer_orgs = {
        ReferrerType.SOCIALTJANST: ctx.orgs["kommun"],
        ReferrerType.AF: ctx.orgs["af"],
        ReferrerType.FK: ctx.orgs["fk_office"],
        ReferrerType.PSYKIATRI: ctx.orgs["clinic2"],
    }
    for index, person in enumerate(people):
        referred = start + timedelta(days=int(span * index / len(people)) + rng.randint(0, 10))
        referred = min(referred, ctx.today - timedelta(days=1))
        kind = rng.choices(list(ReferrerType), weights=[20, 30, 15, 8, 12, 5, 7, 3])[0]
        referral = Referral(
            project_id=platform.id,
            individual_id=person.id,
            referred_on=referred,
            referrer_type=kind,
            referrer_org_id=referrer_orgs[kind].id if kind in referrer_orgs else None,
            reason="Behöver samordnat stöd mot arbete eller studier.",
            created_by_id=ctx.users["samordnare"].id,
        )
        db.session.add(referral)
        if kind in referrer_orgs:
            db.session.add(CaseContact(individual_id=person.id, organisation_id=referrer_orgs[kind].id))
        waited = rng.randint(7, 45)
        if referred + timedelta(days=waited) >= ctx.today or rng.random() < 0.1:
            if rng.random() < 0.3 and referred + timedelta(days=30) < ctx.today:
                referral.status = ReferralStatus.RETURNED
                referral.status_reason = "Annan insats passar bättre."
                referral.status_changed_on = referred + timedelta(days=20)
            elif rng.random() < 0.3:
                referral.status = ReferralStatus.SIP_REQUESTED
            continue
        referral.status, referral.status_changed_on = (
            ReferralStatus.ACCEPTED,
            referred + timedelta(days=waited),
        )
        enrolled = referred + timedelta(days=waited)
        enrolment = Enrolment(
            project_id=platform.id,
            individual_id=person.id,
            referral=referral,
            enrolled_on=enrolled,
            income_before=rng.choices(list(IncomeSource), weights=[30, 12, 5, 25, 3, 10, 3, 10, 2])[0],
            occupation_before=rng.choice([Occupation.NONE, Occupation.JOB_SEEKING, Occupation.STUDIES]),
            education_level=rng.choice(list(EducationLevel)),
            support_before=rng.choice(list(SupportDuration)),
            involves_fk=rng.random() < 0.6,
            involves_region=rng.random() < 0.7,
            involves_kommun=kind == ReferrerType.SOCIALTJANST or rng.random() < 0.4,
            involves_af=kind == ReferrerType.AF or rng.random() < 0.3,
            created_by_id=ctx.users["samordnare"].id,
        )
        length = rng.randint(60, 420)
        if enrolled + timedelta(days=length) < ctx.today:
            enrolment.discharged_on = enrolled + timedelta(days=length)
            enrolment.discharge_reason = rng.choices(
                list(DischargeReason), weights=[30, 25, 20, 5, 10, 7, 3]
            )[0]
            enrolment.income_after = rng.choice(
                [IncomeSource.SALARY, IncomeSource.ACTIVITY_SUPPORT, enrolment.income_before]
            )
            enrolment.occupation_after = rng.choice([Occupation.WORK, Occupation.STUDIES, Occupation.NONE])
        db.session.add(enrolment)
        enrolments.append(enrolment)
        _consent(ctx, person, platform, enrolled)
    db.session.flush()
    return enrolments


def _consent(ctx: DemoContext, person: Individual, platform: Project, given_on: date) -> None:
    if ctx.rng.random() < 0.15:
        return
    consent = Consent(
        individual_id=person.id,
        form=ConsentForm.WRITTEN,
        given_on=given_on,
        valid_until=given_on + timedelta(days=365),
        created_by_id=ctx.users["samordnare"].id,
    )
    consent.parties = [
        ConsentParty(organisation_id=platform.organisation_id),
        ConsentParty(authority=Authority.FK),
        ConsentParty(organisation_id=ctx.orgs["kommun"].id),
    ]
    consent.categories = [ConsentCategory(category=c) for c in Category]
    consent.purposes = [ConsentPurpose(purpose=Purpose.SIP)]
    if ctx.rng.random() < 0.1 and given_on + timedelta(days=40) < ctx.today:
        consent.withdrawn_on = given_on + timedelta(days=ctx.rng.randint(20, 40))
        consent.withdrawal_reason = "Personen återkallade samtycket."
        consent.withdrawn_by_id = ctx.users["samordnare"].id
    db.session.add(consent)


def _activities(ctx: DemoContext, platform: Project, enrolments: list[Enrolment]) -> None:
    rng = ctx.rng
    group = ActivityGroup(project_id=platform.id, name="Måndagsgruppen", description="Veckovis gruppträff")
    db.session.add(group)
    db.session.flush()
    day = platform.starts_on + timedelta(days=(7 - platform.starts_on.weekday()) % 7)
    while day < ctx.today:
        present = [
            e.individual_id
            for e in enrolments
            if e.enrolled_on <= day
            and (e.discharged_on is None or e.discharged_on >= day)
            and rng.random() < 0.6
        ]
        session = GroupSession(group_id=group.id, held_on=day)
        session.attendances = [GroupAttendance(individual_id=i) for i in present]
        db.session.add(session)
        day += timedelta(days=7 if rng.random() < 0.85 else 14)
    span = (ctx.today - platform.starts_on).days
    for _ in range(18):
        kind = rng.choice(
            [ReferrerType.FK, ReferrerType.SKOLA, ReferrerType.SOCIALTJANST, ReferrerType.VARDCENTRAL]
        )
        db.session.add(
            Consultation(
                project_id=platform.id,
                held_on=platform.starts_on + timedelta(days=rng.randint(0, span - 1)),
                actor_type=kind,
                actor=kind.label,
                topic=rng.choice(
                    ["Samverkansrutiner", "Enskilt ärende (avidentifierat)", "Vägledning om insatser"]
                ),
            )
        )
    for _ in range(7):
        db.session.add(
            InfoSession(
                project_id=platform.id,
                held_on=platform.starts_on + timedelta(days=rng.randint(0, span - 1)),
                audience=rng.choice(["Handläggare", "Socialsekreterare", "Studie- och yrkesvägledare"]),
                organisation=rng.choice(["Försäkringskassan", "Uppsala kommun", "Arbetsförmedlingen"]),
                attendees=rng.randint(5, 30),
            )
        )


def _time(ctx: DemoContext, platform: Project, ae: Project) -> None:
    rng = ctx.rng
    workers = [(ctx.users["samordnare"], platform), (ctx.users["kommun"], platform)]
    workers += [(ctx.users[f"rehab{i}"], ae) for i in range(1, 6)]
    categories = list(TimeCategory)
    day = platform.starts_on
    while day < ctx.today:
        if day.weekday() < 5:
            for user, project in workers:
                if user is ctx.users["kommun"] and day.weekday() != 2:
                    continue
                budget = 8 if user is ctx.users["samordnare"] else rng.choice([1, 2, 3])
                for category in rng.sample(categories, 2):
                    hours = Decimal(rng.randint(2, budget * 2)) / 4
                    db.session.add(
                        TimeEntry(
                            user_id=user.id,
                            project_id=project.id,
                            work_date=day,
                            booked_on=day,
                            category=category,
                            clinic_id=user.organisation_id if project is ae else None,
                            hours=hours,
                        )
                    )
        day += timedelta(days=1)
    month = date(platform.starts_on.year, platform.starts_on.month, 1)
    last_locked = date(ctx.today.year, ctx.today.month, 1) - timedelta(days=1)
    while month <= last_locked:
        for project in (platform, ae):
            db.session.add(
                MonthLock(project_id=project.id, year=month.year, month=month.month, locked_at=now_utc())
            )
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def build(ctx: DemoContext) -> None:
    platform, ae, _forbund = _projects(ctx)
    people = _people(ctx, platform)
    enrolments = _referrals_and_enrolments(ctx, platform, people)
    _activities(ctx, platform, enrolments)
    _time(ctx, platform, ae)
    db.session.flush()

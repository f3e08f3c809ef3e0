"""Small factories for test rows. They flush; tests commit when a request must see them."""

import itertools
from datetime import date, timedelta

from tracker.auth.models import Authority, Organisation, OrgType, Role, User
from tracker.auth.passwords import hash_password
from tracker.benefits.models import (
    Certificate,
    CertificateType,
    FkDecision,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    Level,
    Outcome,
)
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
from tracker.demo import fictional_personnummer
from tracker.people.models import CaseContact, Gender, Individual
from tracker.plans.models import CarePlan, Insats, InsatsStatus

_seq = itertools.count(1)
# Typed into request bodies by tests that create a person (tests/security): the factory never hands
# it out, or such a test fails with "already exists" whenever the sequence above happens to land on it.
TYPED_PERSONNUMMER = {"200005179809"}

# Factory admins have two-factor (required for admins); their app shows codes for this secret.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DEFAULT_ORG_TYPE = {
    Role.ADMIN: OrgType.REGION_OTHER,
    Role.REHABKOORDINATOR: OrgType.REGION_CLINIC,
    Role.HANDLAGGARE: OrgType.FK,
    Role.SAMORDNARE: OrgType.PROJECT,
    Role.LEDNING: OrgType.FORBUND,
}


class Factory:
    def __init__(self, db):
        self.db = db
        self._pnr_used: set[str] = set(TYPED_PERSONNUMMER)
        self._hash = None

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def organisation(self, org_type=OrgType.REGION_CLINIC, name=None, **kwargs) -> Organisation:
        n = next(_seq)
        return self._add(Organisation(name=name or f"Org {n}", org_type=OrgType(org_type), **kwargs))

    def user(self, role="rehabkoordinator", organisation=None, password=None, totp=None, **kwargs) -> User:
        """A user; `totp` (default: only for admins) enrols two-factor with TEST_TOTP_SECRET."""
        from tests.conftest import PASSWORD
        from tracker.auth.totp import encrypt_secret

        role = Role(role)
        if organisation is None:
            organisation = self.organisation(DEFAULT_ORG_TYPE[role])
        n = next(_seq)
        if password is None:
            self._hash = self._hash or hash_password(PASSWORD)
            password_hash = self._hash
        else:
            password_hash = hash_password(password)
        kwargs.setdefault("email", f"user{n}@test.example")
        kwargs.setdefault("full_name", f"Testanvändare {n}")
        if totp if totp is not None else role == Role.ADMIN:
            kwargs.setdefault("totp_secret_enc", encrypt_secret(TEST_TOTP_SECRET))
        return self._add(User(role=role, organisation=organisation, password_hash=password_hash, **kwargs))

    def individual(self, clinic=None, born=date(2000, 5, 17), gender=Gender.KVINNA, **kwargs) -> Individual:
        if clinic is None:
            clinic = self.organisation(OrgType.REGION_CLINIC)
        import random

        pnr = kwargs.pop("personnummer", None) or fictional_personnummer(
            random.Random(next(_seq)), self._pnr_used, born, gender
        )
        n = next(_seq)
        kwargs.setdefault("first_name", f"Förnamn{n}")
        kwargs.setdefault("last_name", f"Efternamn{n}")
        kwargs.setdefault("home_municipality", "Uppsala")
        individual = Individual(personnummer=pnr, gender=gender, clinic=clinic, **kwargs)
        individual.refresh_search_name()
        return self._add(individual)

    def contact(self, individual, organisation) -> CaseContact:
        return self._add(CaseContact(individual=individual, organisation=organisation))

    def consent(
        self,
        individual,
        parties=(Authority.FK,),
        categories=tuple(Category),
        given_on=date(2026, 1, 1),
        valid_until=None,
        purposes=(Purpose.REHAB_EXCHANGE,),
        **kwargs,
    ) -> Consent:
        consent = Consent(
            individual=individual,
            form=ConsentForm.WRITTEN,
            given_on=given_on,
            valid_until=valid_until,
            **kwargs,
        )
        for party in parties:
            if isinstance(party, Organisation):
                consent.parties.append(ConsentParty(organisation=party))
            else:
                consent.parties.append(ConsentParty(authority=Authority(party)))
        consent.categories = [ConsentCategory(category=Category(c)) for c in categories]
        consent.purposes = [ConsentPurpose(purpose=p) for p in purposes]
        return self._add(consent)

    def block(
        self, individual, category=None, organisation=None, starts_on=date(2026, 1, 1), **kwargs
    ) -> Block:
        return self._add(
            Block(
                individual=individual,
                category=category,
                organisation=organisation,
                starts_on=starts_on,
                **kwargs,
            )
        )

    # ---------------------------------------------------------------- benefits and plans

    def certificate(self, individual, issued_on=date(2026, 1, 10), clinic=None, **kwargs) -> Certificate:
        kwargs.setdefault("certificate_type", CertificateType.AE_REDUCED_CAPACITY)
        return self._add(
            Certificate(
                individual_id=individual.id,
                issued_on=issued_on,
                clinic_id=(clinic or individual.clinic).id,
                **kwargs,
            )
        )

    def decision(self, individual, officer=None, outcome=Outcome.GRANTED, **kwargs) -> FkDecision:
        if officer is None:
            officer = self.user("handlaggare")
        if outcome == Outcome.GRANTED:
            kwargs.setdefault("decided_on", date(2026, 2, 1))
            kwargs.setdefault("level", Level.FULL)
            kwargs.setdefault("period_start", date(2026, 2, 1))
            kwargs.setdefault("period_end", date(2027, 1, 31))
        return self._add(
            FkDecision(individual_id=individual.id, officer_id=officer.id, outcome=outcome, **kwargs)
        )

    def follow_up(self, individual, owner, due_on=date(2026, 4, 1), clinic=None, **kwargs) -> FollowUp:
        kwargs.setdefault("reason", FollowUpReason.PLAN_FOLLOW_UP)
        kwargs.setdefault("status", FollowUpStatus.OPEN)
        return self._add(
            FollowUp(
                individual_id=individual.id,
                owner_id=owner.id,
                due_on=due_on,
                clinic_id=(clinic or individual.clinic).id,
                **kwargs,
            )
        )

    def care_plan(self, individual, established_on=date(2026, 2, 15), **kwargs) -> CarePlan:
        kwargs.setdefault("goals", "Komma igång med studier.")
        return self._add(CarePlan(individual_id=individual.id, established_on=established_on, **kwargs))

    def insats(self, plan, organisation=None, starts_on=date(2026, 2, 20), **kwargs) -> Insats:
        kwargs.setdefault("what", "Arbetsträning")
        kwargs.setdefault("status", InsatsStatus.PLANNED)
        organisation = organisation or self.organisation(OrgType.KOMMUN)
        return self._add(
            Insats(
                plan=plan,
                individual_id=plan.individual_id,
                organisation_id=organisation.id,
                starts_on=starts_on,
                **kwargs,
            )
        )

    def meeting(self, organiser, orgs=(), users=(), **kwargs):
        """A meeting created through the service (so SEQUENCE/UID are as in production)."""
        from tracker.meetings.services import create_meeting

        if not orgs and not users:
            orgs = (organiser.organisation,)
        return create_meeting(meeting_data(orgs=orgs, users=users, **kwargs), organiser)


def days(n: int) -> timedelta:
    return timedelta(days=n)


# ------------------------------------------------ projects and time (referrals/timesheets/reports)


def _project_factories():
    from decimal import Decimal

    from tracker.referrals.models import (
        Enrolment,
        Project,
        ProjectKind,
        ProjectMember,
        Referral,
        ReferrerType,
    )
    from tracker.timesheets.models import AllocationKey, AllocationShare, HourlyCost, TimeCategory, TimeEntry

    def project(self, organisation=None, kind=ProjectKind.PLATFORM, **kwargs) -> Project:
        organisation = organisation or self.organisation(OrgType.PROJECT)
        n = next(_seq)
        kwargs.setdefault("name", f"Projekt {n}")
        kwargs.setdefault("starts_on", date(2024, 1, 1))
        return self._add(Project(organisation_id=organisation.id, kind=kind, **kwargs))

    def member(self, project, user, is_lead=False) -> ProjectMember:
        return self._add(ProjectMember(project_id=project.id, user_id=user.id, is_lead=is_lead))

    def enrolment(self, project, individual=None, enrolled_on=date(2025, 1, 1), **kwargs) -> Enrolment:
        individual = individual or self.individual(clinic=project.organisation)
        return self._add(
            Enrolment(project_id=project.id, individual_id=individual.id, enrolled_on=enrolled_on, **kwargs)
        )

    def referral(self, project, individual=None, referred_on=date(2025, 1, 1), **kwargs) -> Referral:
        individual = individual or self.individual(clinic=project.organisation)
        kwargs.setdefault("referrer_type", ReferrerType.SOCIALTJANST)
        return self._add(
            Referral(project_id=project.id, individual_id=individual.id, referred_on=referred_on, **kwargs)
        )

    def allocation_key(self, project, valid_from, shares: dict) -> AllocationKey:
        key = AllocationKey(project_id=project.id, valid_from=valid_from)
        key.shares = [AllocationShare(forbund_id=f.id, percent=Decimal(str(p))) for f, p in shares.items()]
        return self._add(key)

    def hourly_cost(self, project, amount, valid_from=date(2020, 1, 1), user=None) -> HourlyCost:
        return self._add(
            HourlyCost(
                project_id=project.id,
                user_id=user.id if user else None,
                valid_from=valid_from,
                amount=Decimal(str(amount)),
            )
        )

    def time_entry(self, user, project, work_date, hours, category=TimeCategory.PATIENT_WORK, **kwargs):
        kwargs.setdefault("booked_on", work_date)
        return self._add(
            TimeEntry(
                user_id=user.id,
                project_id=project.id,
                work_date=work_date,
                hours=Decimal(str(hours)),
                category=category,
                **kwargs,
            )
        )

    return [project, member, enrolment, referral, allocation_key, hourly_cost, time_entry]


for _func in _project_factories():
    setattr(Factory, _func.__name__, _func)


def api_token(user, scope: str = "write") -> str:
    """A live API token secret for `user` (flushes the token row)."""
    from tracker.auth.tokens import create_token

    _, secret = create_token(user, "test", scope, None, user)
    return secret


# ---------------------------------------------------------------- meetings


def meeting_data(day=None, start="10:00", end="11:30", orgs=(), users=(), **kwargs):
    from datetime import datetime

    from tracker.meetings.services import MeetingData

    values = {
        "title": "Pulsmöte Norr",
        "kind": "pulsmote",
        "day": day or date(2026, 4, 2),
        "start_time": datetime.strptime(start, "%H:%M").time(),
        "end_time": datetime.strptime(end, "%H:%M").time(),
        "mode": "both",
        "meeting_link": "https://meet.example/abc",
        "address": "Storgatan 1, Uppsala",
        "organisation_ids": [o.id for o in orgs],
        "user_ids": [u.id for u in users],
    }
    values.update(kwargs)
    return MeetingData(**values)


def totp_code(secret: str = TEST_TOTP_SECRET, offset_steps: int = 0) -> str:
    import time

    import pyotp

    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def login_client(client, user, password=None, db=None):
    """Log in through the real form, answering the code step when the user has two-factor."""
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": password or PASSWORD})
    if response.status_code == 302 and response.location.endswith("/login/kod"):
        if db is not None:  # a test may log the same user in twice within one time-step
            user.totp_last_step = None
            db.session.commit()
        response = client.post("/login/kod", data={"code": totp_code()})
    return response

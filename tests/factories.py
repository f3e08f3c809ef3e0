"""Small factories for test rows. They flush; tests commit when a request must see them."""

import itertools
from datetime import date, timedelta

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
from tracker.demo import fictional_personnummer
from tracker.people.models import CaseContact, Gender, Individual

_seq = itertools.count(1)

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
        self._pnr_used: set[str] = set()
        self._hash = None

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def organisation(self, org_type=OrgType.REGION_CLINIC, name=None, **kwargs) -> Organisation:
        n = next(_seq)
        return self._add(Organisation(name=name or f"Org {n}", org_type=OrgType(org_type), **kwargs))

    def user(self, role="rehabkoordinator", organisation=None, password=None, **kwargs) -> User:
        from tests.conftest import PASSWORD

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

"""The worked example: a platform project with known participants, time, costs and keys."""

from dataclasses import dataclass, field
from datetime import date

import pytest

from tracker.auth.models import OrgType
from tracker.consent.models import Consent
from tracker.people.models import Gender
from tracker.referrals.models import (
    ActivityGroup,
    Consultation,
    DischargeReason,
    GroupAttendance,
    GroupSession,
    IncomeSource,
    InfoSession,
    ProjectBudget,
    ReferrerType,
)
from tracker.timesheets.models import TimeCategory


@dataclass
class Example:
    project: object
    team: object
    forbund: list
    staff: list
    people: dict = field(default_factory=dict)


@pytest.fixture
def example(factory, db):
    team = factory.organisation(OrgType.PROJECT, name="Plattformen test")
    project = factory.project(organisation=team, name="Exempelprojektet")
    f1 = factory.organisation(OrgType.FORBUND, name="Förbund A")
    f2 = factory.organisation(OrgType.FORBUND, name="Förbund B")
    f3 = factory.organisation(OrgType.FORBUND, name="Förbund C")
    u1 = factory.user("samordnare", organisation=team, full_name="Ulla Ett")
    u2 = factory.user("samordnare", organisation=team, full_name="Ulf Två")
    factory.member(project, u1, is_lead=True)
    factory.member(project, u2)
    ex = Example(project, team, [f1, f2, f3], [u1, u2])

    def person(key, gender, municipality, enrolled, discharged=None, reason=None, income=None, **flags):
        individual = factory.individual(clinic=team, gender=gender, home_municipality=municipality)
        factory.enrolment(
            project,
            individual,
            enrolled_on=enrolled,
            discharged_on=discharged,
            discharge_reason=reason,
            income_before=income,
            **flags,
        )
        ex.people[key] = individual

    K, M, A = Gender.KVINNA, Gender.MAN, Gender.ANNAT
    person(1, K, "Uppsala", date(2024, 6, 1), involves_fk=True, involves_region=True)
    person(
        2,
        M,
        "Uppsala",
        date(2025, 1, 1),
        date(2025, 3, 1),
        DischargeReason.WORK,
        IncomeSource.ECONOMIC_ASSISTANCE,
        involves_kommun=True,
    )
    person(3, A, "Uppsala", date(2025, 12, 31), involves_fk=True, involves_region=True)
    person(
        4,
        K,
        "Enköping",
        date(2024, 11, 15),
        date(2025, 6, 30),
        DischargeReason.STUDIES,
        IncomeSource.SICKNESS_BENEFIT,
        involves_fk=True,
        involves_region=True,
        involves_kommun=True,
    )
    person(5, K, "Enköping", date(2025, 2, 1), date(2026, 1, 15), DischargeReason.WORK, IncomeSource.NONE)
    person(
        6,
        M,
        "Tierp",
        date(2025, 4, 1),
        date(2025, 10, 1),
        DischargeReason.WORK,
        IncomeSource.NONE,
        involves_kommun=True,
    )
    person(7, K, "Uppsala", date(2024, 1, 1), date(2024, 12, 31), DischargeReason.MOVED)
    person(8, M, "Uppsala", date(2026, 1, 1))

    factory.consent(ex.people[1], given_on=date(2025, 1, 1), valid_until=date(2026, 6, 30))
    factory.consent(ex.people[2], given_on=date(2024, 5, 1), valid_until=date(2025, 5, 1))
    factory.consent(ex.people[4], given_on=date(2025, 2, 1), withdrawn_on=date(2025, 12, 31))
    factory.consent(ex.people[5], given_on=date(2026, 1, 10))
    factory.consent(ex.people[7], given_on=date(2024, 1, 1))

    factory.referral(project, ex.people[2], date(2024, 12, 1), referrer_type=ReferrerType.FK)
    factory.referral(project, ex.people[5], date(2025, 1, 20), referrer_type=ReferrerType.FK)
    factory.referral(project, ex.people[6], date(2025, 3, 1), referrer_type=ReferrerType.SOCIALTJANST)
    factory.referral(project, ex.people[3], date(2025, 11, 1), referrer_type=ReferrerType.SOCIALTJANST)

    session = db.session
    session.add_all(
        [
            Consultation(
                project_id=project.id,
                held_on=date(2025, 2, 3),
                actor_type=ReferrerType.FK,
                actor="FK Uppsala",
                topic="Rutiner",
            ),
            Consultation(
                project_id=project.id,
                held_on=date(2025, 9, 3),
                actor_type=ReferrerType.SKOLA,
                actor="Gymnasiet",
                topic="Elev",
            ),
            Consultation(
                project_id=project.id,
                held_on=date(2024, 9, 3),
                actor_type=ReferrerType.SKOLA,
                actor="Gymnasiet",
                topic="Före perioden",
            ),
            InfoSession(
                project_id=project.id,
                held_on=date(2025, 4, 2),
                audience="Handläggare",
                organisation="FK",
                attendees=10,
            ),
            InfoSession(
                project_id=project.id,
                held_on=date(2025, 10, 2),
                audience="Socialsekreterare",
                organisation="Uppsala kommun",
                attendees=15,
            ),
            ProjectBudget(project_id=project.id, forbund_id=f1.id, year=2025, amount=36500),
        ]
    )
    group = ActivityGroup(project_id=project.id, name="Måndagsgruppen")
    session.add(group)
    session.flush()
    s1 = GroupSession(group_id=group.id, held_on=date(2025, 3, 3))
    s2 = GroupSession(group_id=group.id, held_on=date(2025, 3, 10))
    session.add_all([s1, s2])
    session.flush()
    session.add_all(
        [
            GroupAttendance(session_id=s1.id, individual_id=ex.people[1].id),
            GroupAttendance(session_id=s1.id, individual_id=ex.people[2].id),
            GroupAttendance(session_id=s2.id, individual_id=ex.people[1].id),
        ]
    )

    factory.allocation_key(project, date(2024, 1, 1), {f1: "33.33", f2: "33.33", f3: "33.34"})
    factory.allocation_key(project, date(2025, 7, 1), {f1: 50, f2: 30, f3: 20})
    factory.hourly_cost(project, "400")
    factory.hourly_cost(project, "850.30", valid_from=date(2025, 1, 1), user=u2)
    factory.time_entry(u1, project, date(2025, 3, 10), "2.5", TimeCategory.PATIENT_WORK)
    factory.time_entry(u1, project, date(2025, 9, 15), "2.5", TimeCategory.INTERNAL_MEETING)
    factory.time_entry(u2, project, date(2025, 8, 20), "0.25", TimeCategory.ADMINISTRATION)
    factory.time_entry(u1, project, date(2024, 12, 31), "4", TimeCategory.PATIENT_WORK)
    session.flush()
    assert Consent  # imported for readers: consents above come from factory.consent
    return ex

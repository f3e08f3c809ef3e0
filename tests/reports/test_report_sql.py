"""The report's shared SQL expressions give what Python would, on SQLite and PostgreSQL alike."""

from datetime import date

from sqlalchemy import select

from tracker.people.models import Gender, Individual
from tracker.referrals.models import DischargeReason, Enrolment
from tracker.reports.sql import days_between, stored_value

STAYS = [
    (date(2025, 3, 1), date(2025, 3, 1)),
    (date(2024, 2, 28), date(2024, 3, 1)),  # leap day
    (date(2023, 12, 31), date(2025, 1, 1)),
    (date(2020, 6, 15), date(2026, 6, 14)),
]


def test_days_between_counts_whole_days_as_python_date_subtraction(factory, db):
    project = factory.project()
    for enrolled, discharged in STAYS:
        factory.enrolment(project, factory.individual(), enrolled_on=enrolled, discharged_on=discharged)
    db.session.flush()
    lengths = db.session.scalars(
        select(days_between(Enrolment.enrolled_on, Enrolment.discharged_on))
        .where(Enrolment.project_id == project.id)
        .order_by(Enrolment.id)
    ).all()
    assert lengths == [(discharged - enrolled).days for enrolled, discharged in STAYS]
    assert all(type(n) is int for n in lengths)


def test_stored_value_reads_an_enum_column_as_its_members_value(factory, db):
    project = factory.project()
    person = factory.individual(gender=Gender.KVINNA)
    factory.enrolment(
        project,
        person,
        enrolled_on=date(2025, 1, 1),
        discharged_on=date(2025, 2, 1),
        discharge_reason=DischargeReason.WORK,
    )
    factory.enrolment(project, person, enrolled_on=date(2025, 3, 1))
    db.session.flush()
    rows = db.session.execute(
        select(stored_value(Enrolment.discharge_reason), stored_value(Individual.gender))
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(Enrolment.project_id == project.id)
        .order_by(Enrolment.id)
    ).all()
    assert [tuple(r) for r in rows] == [("arbete", "kvinna"), (None, "kvinna")]
    assert type(rows[0][0]) is str

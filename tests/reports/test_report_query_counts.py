"""The restructured report and invoicing reads: a fixed number of statements, whatever the data."""

from datetime import date, timedelta

from tracker.auth.models import OrgType
from tracker.benefits.models import Outcome
from tracker.meetings.models import AgendaCase
from tracker.referrals.models import ProjectKind
from tracker.reports.registry import build_report
from tracker.reports.tables import Period
from tracker.timesheets.invoicing import invoicing_basis
from tracker.timesheets.models import TimeCategory

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def test_the_ae_report_query_count_does_not_grow_with_cases(factory, db, count_queries):
    def project_with(n):
        clinic = factory.organisation()
        project = factory.project(kind=ProjectKind.AE)
        rehab = factory.user("rehabkoordinator", organisation=clinic)
        factory.member(project, rehab)
        meeting = factory.meeting(rehab, orgs=[clinic], day=date(2025, 3, 6))
        for i in range(n):
            person = factory.individual(clinic=clinic)
            certificate = factory.certificate(person, issued_on=date(2025, 1, 1) + timedelta(days=i))
            factory.decision(
                person,
                outcome=Outcome.GRANTED,
                decided_on=date(2025, 2, 1) + timedelta(days=i),
                certificate_id=certificate.id,
            )
            if i % 2:
                factory.care_plan(person, established_on=date(2025, 3, 1))
            db.session.add(AgendaCase(meeting=meeting, individual_id=person.id))
        db.session.flush()
        return project

    small, large = project_with(2), project_with(20)
    build_report(small, YEAR)  # warm up imports
    with count_queries() as few:
        build_report(small, YEAR)
    with count_queries() as many:
        build_report(large, YEAR)
    assert many.count == few.count


def test_the_invoicing_basis_query_count_does_not_grow_with_days_staff_or_price_changes(
    factory, db, count_queries
):
    def project_with(n):
        team = factory.organisation(OrgType.PROJECT)
        project = factory.project(organisation=team)
        forbund = factory.organisation(OrgType.FORBUND)
        staff = [factory.user("samordnare", organisation=team) for _ in range(1 + n // 5)]
        factory.hourly_cost(project, "500")
        for month in range(1, 1 + n // 4):
            factory.allocation_key(project, date(2025, month, 1), {forbund: 100})
            factory.hourly_cost(project, 500 + month, valid_from=date(2025, month, 15), user=staff[0])
        for i in range(n):
            day = date(2025, 1, 1) + timedelta(days=7 * i)
            factory.time_entry(staff[i % len(staff)], project, day, "1.5", TimeCategory.PATIENT_WORK)
        return project

    small, large = project_with(4), project_with(40)
    for project in (small, large):  # both economy sections and the invoicing page
        build_report(project, YEAR)
        invoicing_basis(project, YEAR.start, YEAR.end)
    with count_queries() as few:
        build_report(small, YEAR)
        invoicing_basis(small, YEAR.start, YEAR.end)
    with count_queries() as many:
        build_report(large, YEAR)
        invoicing_basis(large, YEAR.start, YEAR.end)
    assert many.count == few.count

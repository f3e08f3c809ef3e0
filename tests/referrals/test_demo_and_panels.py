"""The demo dataset gives the report real content; panels on the start page and the case page."""

from datetime import date

from sqlalchemy import select

from tracker.demo import build
from tracker.referrals.models import Project, ProjectKind
from tracker.reports.registry import build_report
from tracker.reports.tables import Period
from tracker.timesheets.models import AllocationKey


def test_the_demo_platform_project_has_a_full_report(db):
    build(10)
    project = db.session.scalar(select(Project).where(Project.kind == ProjectKind.PLATFORM))
    keys = db.session.scalars(
        select(AllocationKey.valid_from).where(AllocationKey.project_id == project.id)
    ).all()
    assert date(2026, 1, 1) in keys
    tables = {
        t.key: t
        for s in build_report(project, Period(date(2025, 1, 1), date(2025, 12, 31)))
        for t in s.tables
    }
    participants = tables["deltagare_kon_kommun"].rows[-1].cells[-1].value
    discharged = tables["utskrivna_orsak_kon"].rows[-1].cells[-1].value
    assert participants > 10 and discharged > 3
    assert tables["fakturering"].rows[-1].cells[0].value > 100_000
    assert len(tables["fakturering"].rows) == 3  # two förbund and the total


def test_start_page_shows_time_and_report_panels_for_samordnare(factory, client, login, db):
    project = factory.project()
    user = factory.user("samordnare", organisation=project.organisation)
    factory.time_entry(user, project, date(2026, 3, 16), "1.5")
    db.session.commit()
    login(user)
    html = client.get("/").get_data(as_text=True)
    assert "Rapporterat denna vecka: <strong>1,5</strong>" in html
    assert project.name in html


def test_case_page_shows_the_persons_enrolments_to_project_staff(factory, client, login, db):
    project = factory.project(name="Plattformen X")
    user = factory.user("samordnare", organisation=project.organisation)
    enrolment = factory.enrolment(project, enrolled_on=date(2026, 2, 2))
    db.session.commit()
    login(user)
    html = client.get(f"/personer/{enrolment.individual.public_id}").get_data(as_text=True)
    assert "Plattformen X: inskriven 2026-02-02" in html

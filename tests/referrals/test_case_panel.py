"""The projects section of the case page: the person's enrolments in the user's own projects."""

from datetime import date

from tracker.auth.models import OrgType
from tracker.referrals.models import DischargeReason


def _setup(factory, db):
    clinic = factory.organisation(OrgType.REGION_CLINIC)
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    person = factory.individual(clinic=clinic, coordinator_id=rehab.id)
    db.session.commit()
    return clinic, rehab, person


def _section(html):
    start = html.index('<h2 id="projects-heading">')
    return html[start : html.index("</section>", start)]


def test_enrolments_are_shown_only_for_projects_the_user_works_in(client, login, factory, db):
    clinic, rehab, person = _setup(factory, db)
    member_of = factory.project(name="Projekt där jag är med")
    factory.member(member_of, rehab)
    own_org = factory.project(organisation=clinic, name="Mottagningens projekt")
    other = factory.project(name="Någon annans projekt")
    factory.enrolment(
        member_of,
        person,
        enrolled_on=date(2025, 3, 1),
        discharged_on=date(2025, 9, 1),
        discharge_reason=DischargeReason.STUDIES,
    )
    factory.enrolment(own_org, person, enrolled_on=date(2025, 1, 1))
    factory.enrolment(other, person, enrolled_on=date(2024, 1, 1))
    db.session.commit()
    login(rehab)
    section = _section(client.get(f"/personer/{person.public_id}").get_data(as_text=True))
    assert "Någon annans projekt" not in section
    assert section.index("Mottagningens projekt: inskriven 2025-01-01</li>") < section.index(
        "Projekt där jag är med: inskriven 2025-03-01, utskriven 2025-09-01 (Studier)</li>"
    )
    assert f'href="/insatser/person/{person.public_id}/remiss"' in section


def test_a_project_worker_sees_that_the_person_is_not_enrolled(client, login, factory, db):
    _clinic, rehab, person = _setup(factory, db)
    factory.member(factory.project(), rehab)
    db.session.commit()
    login(rehab)
    section = _section(client.get(f"/personer/{person.public_id}").get_data(as_text=True))
    assert "<li>Inte inskriven i något av dina projekt.</li>" in section


def test_the_section_is_hidden_for_who_works_in_no_project(client, login, factory, db):
    _clinic, rehab, person = _setup(factory, db)
    factory.enrolment(factory.project(), person)
    db.session.commit()
    login(rehab)
    html = client.get(f"/personer/{person.public_id}").get_data(as_text=True)
    assert "Projekt och inskrivningar" not in html


def test_the_case_page_uses_the_same_number_of_queries_for_1_and_8_projects(
    client, login, factory, db, count_queries
):
    _clinic, rehab, person = _setup(factory, db)

    def add_projects(n):
        for _ in range(n):
            project = factory.project()
            factory.member(project, rehab)
            factory.enrolment(project, person)
        db.session.commit()

    login(rehab)
    url = f"/personer/{person.public_id}"
    add_projects(1)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_projects(7)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert _section(html).count("inskriven 2025-01-01") == 8
    assert few.count == many.count

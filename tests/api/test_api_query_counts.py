"""API lists use a fixed number of SQL queries regardless of row count."""

from datetime import date

from tracker.auth.models import Authority, OrgType


def _queries(count_queries, call, url) -> int:
    call("GET", url)  # warm-up: the first use of a token records when it was last used
    with count_queries() as counter:
        response = call("GET", url)
    assert response.status_code == 200, response.json
    return counter.count


def test_case_lists_do_not_grow_with_rows(api, case, factory, count_queries, db):
    factory.consent(case.individual, parties=[Authority.FK])
    plan = factory.care_plan(case.individual)
    call = api(case.officer)
    rehab = api(case.rehab)
    base = f"/individuals/{case.individual.public_id}"
    counts = []
    for rows in (3, 30):
        for _ in range(rows - (0 if rows == 3 else 3)):
            factory.certificate(case.individual)
            factory.decision(case.individual, officer=case.officer)
            factory.follow_up(case.individual, owner=case.officer)
            factory.insats(plan)
        db.session.commit()
        counts.append(
            [
                _queries(count_queries, call, base + "/certificates"),
                _queries(count_queries, call, base + "/decisions"),
                _queries(count_queries, call, base + "/follow-ups"),
                _queries(count_queries, call, "/follow-ups"),
                _queries(count_queries, rehab, base + "/plan"),
            ]
        )
    assert counts[0] == counts[1]


def test_project_and_meeting_lists_do_not_grow_with_rows(api, factory, count_queries, db):
    team = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=team)
    staff = factory.user("samordnare", organisation=team)
    call = api(staff)
    counts = []
    for rows in (3, 30):
        for _ in range(rows - (0 if rows == 3 else 3)):
            person = factory.individual(clinic=team)
            factory.referral(project, person, referred_on=date(2026, 1, 5))
            factory.enrolment(project, person)
            factory.meeting(staff)
        db.session.commit()
        counts.append(
            [
                _queries(count_queries, call, f"/projects/{project.id}/referrals"),
                _queries(count_queries, call, f"/projects/{project.id}/enrolments"),
                _queries(count_queries, call, "/meetings?per_page=100"),
            ]
        )
    assert counts[0] == counts[1]

from datetime import date, timedelta

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Authority
from tracker.benefits.models import FollowUpReason, FollowUpStatus
from tracker.benefits.queries import worklist

TODAY = date(2026, 3, 16)


def _ids(items):
    return [follow_up.id for follow_up, _ in items]


def test_worklist_groups_overdue_due_within_seven_days_and_later(app, case, factory):
    overdue = factory.follow_up(case.individual, case.officer, due_on=TODAY - timedelta(days=1))
    today = factory.follow_up(case.individual, case.officer, due_on=TODAY)
    day7 = factory.follow_up(case.individual, case.officer, due_on=TODAY + timedelta(days=7))
    day8 = factory.follow_up(case.individual, case.officer, due_on=TODAY + timedelta(days=8))
    factory.follow_up(case.individual, case.officer, due_on=TODAY, status=FollowUpStatus.DONE)
    result = worklist(case.officer)
    assert _ids(result.overdue) == [overdue.id]
    assert _ids(result.due_soon) == [today.id, day7.id]
    assert _ids(result.later) == [day8.id]
    assert result.total == 4


def test_worklist_is_sorted_by_due_date_then_by_the_chosen_column(app, case, factory):
    second = factory.individual(clinic=case.clinic, last_name="Andersson", fk_officer_id=case.officer.id)
    a = factory.follow_up(case.individual, case.officer, due_on=TODAY + timedelta(days=20))
    b = factory.follow_up(
        second, case.officer, due_on=TODAY + timedelta(days=30), reason=FollowUpReason.NEW_CERTIFICATE
    )
    c = factory.follow_up(
        case.individual, case.officer, due_on=TODAY + timedelta(days=10), reason=FollowUpReason.PERIOD_ENDS
    )
    assert _ids(worklist(case.officer).later) == [c.id, a.id, b.id]
    assert _ids(worklist(case.officer, "namn").later) == [b.id, c.id, a.id]
    assert _ids(worklist(case.officer, "orsak").later) == [b.id, c.id, a.id]
    assert _ids(worklist(case.officer, "'; drop table").later) == [c.id, a.id, b.id]


def test_worklist_shows_only_the_handlaggares_own_and_visible_cases(app, case, factory):
    colleague = factory.user("handlaggare", organisation=case.fk_office)
    mine = factory.follow_up(case.individual, case.officer)
    factory.follow_up(case.individual, colleague)
    # Owned by me, but the person is assigned to a colleague and gave no consent: hidden.
    unassigned = factory.individual(clinic=case.clinic, fk_officer_id=colleague.id)
    factory.follow_up(unassigned, case.officer)
    # Owned by me, assigned to a colleague, consent covering FK: shown.
    consenting = factory.individual(clinic=case.clinic, fk_officer_id=colleague.id)
    factory.contact(consenting, case.fk_office)
    factory.consent(consenting, parties=(Authority.FK,))
    shown = factory.follow_up(consenting, case.officer)
    assert sorted(_ids(worklist(case.officer).later)) == sorted([mine.id, shown.id])


def test_worklist_page_lists_counts_and_is_audited(client, login, case, factory, db):
    factory.follow_up(case.individual, case.officer, due_on=TODAY - timedelta(days=3))
    db.session.commit()
    login(case.officer)
    response = client.get("/formaner/bevakningar?sort=namn")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'Försenade <span class="count">(1)</span>' in html
    assert case.individual.last_name in html
    rows = db.session.query(AuditEvent).filter_by(action="list", object_type="FollowUp").all()
    # The list's own row, and one in the trail of each person shown.
    assert sorted((r.individual_id or 0) for r in rows) == [0, case.individual.id]


def test_worklist_is_the_handlaggares_start_page(client, login, case, factory, db):
    factory.follow_up(case.individual, case.officer, due_on=TODAY + timedelta(days=2))
    db.session.commit()
    login(case.officer)
    html = client.get("/").get_data(as_text=True)
    assert "Mina bevakningar (1)" in html
    assert 'Förfaller inom 7 dagar <span class="count">(1)</span>' in html


def test_rehabkoordinator_may_not_open_the_worklist_page(client, login, case, db):
    login(case.rehab)
    assert client.get("/formaner/bevakningar").status_code == 403
    assert db.session.query(AuditEvent).filter_by(action="denied", user_id=case.rehab.id).count() == 1


def test_worklist_page_uses_the_same_number_of_queries_for_10_and_200_rows(
    client, login, case, factory, db, count_queries
):
    def build(n):
        for _ in range(n):
            person = factory.individual(clinic=case.clinic, fk_officer_id=case.officer.id)
            factory.follow_up(person, case.officer, due_on=TODAY + timedelta(days=n % 20 - 5))
        db.session.commit()

    login(case.officer)
    build(10)
    client.get("/formaner/bevakningar")
    with count_queries() as few:
        assert client.get("/formaner/bevakningar").status_code == 200
    build(190)
    with count_queries() as many:
        html = client.get("/formaner/bevakningar").get_data(as_text=True)
    assert "Mina bevakningar (200)" in html
    assert few.count == many.count


def test_the_alarms_and_the_expiring_consents_audit_each_person_shown(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation, coordinator_id=user.id)
    factory.consent(person, parties=(Authority.FK,), valid_until=TODAY + timedelta(days=10))
    db.session.commit()
    assert person.last_name in client.get("/samtycken/utgaende").get_data(as_text=True)
    client.get("/formaner/larm")
    shown = db.session.execute(
        select(AuditEvent.object_type, AuditEvent.individual_id).where(AuditEvent.individual_id.is_not(None))
    ).all()
    assert ("Consent", person.id) in shown
    alarm_rows = {individual_id for object_type, individual_id in shown if object_type == "Alarm"}
    assert alarm_rows == {person.id}  # the consent runs out within the alarm's days

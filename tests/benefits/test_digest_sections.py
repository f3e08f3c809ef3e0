"""The daily digest's benefits sections: counts and links only, sent once a day."""

from datetime import date

from sqlalchemy import select

from tracker.benefits.models import FollowUpStatus
from tracker.jobs.reminders import send_daily_digests
from tracker.notifications.models import Notification, OutboxMail


def _digest(db, user):
    return db.session.scalar(
        select(Notification).where(Notification.kind == "digest", Notification.user_id == user.id)
    )


def _secrets(*individuals):
    for individual in individuals:
        yield from (
            individual.first_name,
            individual.last_name,
            individual.personnummer,
            individual.public_id,
        )
        yield individual.personnummer[2:8]


def test_the_fk_officer_gets_counts_of_own_bevakningar_overdue_and_due_soon(db, factory, case):
    other_officer = factory.user("handlaggare", organisation=case.fk_office)
    factory.follow_up(case.individual, case.officer, due_on=date(2026, 3, 10))  # overdue
    factory.follow_up(case.individual, case.officer, due_on=date(2026, 3, 12))  # overdue
    factory.follow_up(case.individual, case.officer, due_on=date(2026, 3, 23))  # within 7 days
    factory.follow_up(case.individual, case.officer, due_on=date(2026, 3, 24))  # day 8: later
    factory.follow_up(case.individual, case.officer, due_on=date(2026, 3, 11), status=FollowUpStatus.DONE)
    their_case = factory.individual(clinic=case.clinic, fk_officer_id=other_officer.id)
    factory.follow_up(their_case, other_officer, due_on=date(2026, 3, 17))

    assert send_daily_digests() == 3  # the two officers, and the rehabkoordinator's alarm
    body = _digest(db, case.officer).body
    assert "Dina bevakningar (2):" in body
    assert "- 2 bevakningar har passerat förfallodagen https://puls.test/formaner/bevakningar" in body
    assert "- 1 bevakning förfaller inom 7 dagar https://puls.test/formaner/bevakningar" in body
    assert "1 bevakning förfaller inom 7 dagar" in _digest(db, other_officer).body
    # The rehabkoordinator gets no FK worklist counts, but the overdue alarm once per case.
    rehab_body = _digest(db, case.rehab).body
    assert "Dina bevakningar" not in rehab_body
    assert "- Försenade bevakningar: 1 ärende https://puls.test/formaner/larm" in rehab_body
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == case.officer.email))
    for secret in _secrets(case.individual):
        assert secret not in mail.body and secret not in mail.subject


def test_the_officer_counts_only_the_bevakningar_the_worklist_shows(db, factory, case, app):
    """A case moved to another handläggare leaves its bevakningar with the old owner: not counted."""
    from tracker.benefits.queries import worklist

    new_officer = factory.user("handlaggare", organisation=case.fk_office)
    factory.follow_up(case.individual, case.officer, due_on=date(2026, 3, 10))
    moved = factory.individual(clinic=case.clinic, fk_officer_id=new_officer.id)
    factory.follow_up(moved, case.officer, due_on=date(2026, 3, 11))  # owner no longer assigned
    factory.follow_up(moved, case.officer, due_on=date(2026, 3, 18))

    send_daily_digests()
    body = _digest(db, case.officer).body
    assert "- 1 bevakning har passerat förfallodagen" in body
    assert "förfaller inom" not in body
    with app.test_request_context():
        assert worklist(case.officer).total == 1


def test_the_rehabkoordinator_gets_periods_ending_and_alarm_counts_once(db, factory, case):
    # Granted a month and a half ago and still no plan: "granted without plan".
    no_plan = factory.individual(clinic=case.clinic, first_name="Nils", last_name="Planlös")
    factory.decision(no_plan, officer=case.officer)
    # A grant ending in seven weeks (within ALARM_PERIOD_ENDING_DAYS), with a plan.
    ending = factory.individual(clinic=case.clinic, first_name="Erik", last_name="Slutdatum")
    factory.decision(
        ending,
        officer=case.officer,
        decided_on=date(2025, 5, 2),
        period_start=date(2025, 5, 2),
        period_end=date(2026, 5, 1),
    )
    factory.care_plan(ending)
    # Another clinic's cases are not counted for this rehabkoordinator.
    other_rehab = factory.user("rehabkoordinator")
    elsewhere = factory.individual(clinic=other_rehab.organisation)
    factory.decision(elsewhere, officer=case.officer)

    assert send_daily_digests() == 2  # both rehabkoordinatorer
    assert send_daily_digests() == 0  # sent once a day
    body = _digest(db, case.rehab).body
    assert "Beslutsperioder som tar slut (1):" in body
    assert "- 1 ärende där beslutsperioden slutar inom 120 dagar https://puls.test/formaner/larm" in body
    assert "Larm i dina ärenden (1):" in body
    assert "- Beviljad AE men ingen vårdplan: 1 ärende https://puls.test/formaner/larm" in body
    other = _digest(db, other_rehab).body
    assert "Beviljad AE men ingen vårdplan: 1 ärende" in other and "Beslutsperioder" not in other
    assert _digest(db, case.officer) is None
    mails = db.session.scalars(select(OutboxMail)).all()
    assert len(mails) == 2
    for mail in mails:
        for secret in _secrets(no_plan, ending, elsewhere):
            assert secret not in mail.body and secret not in mail.subject


def test_the_digest_sections_read_with_a_fixed_number_of_queries(db, factory, case, count_queries):
    from tracker.jobs.reminders import DIGEST_SECTIONS, active_users

    def run(n):
        clinic = factory.organisation("region_clinic")
        factory.user("rehabkoordinator", organisation=clinic)
        officer = factory.user("handlaggare", organisation=case.fk_office)
        for _ in range(n):
            person = factory.individual(clinic=clinic)
            factory.decision(person, officer=officer)
            factory.follow_up(person, officer, due_on=date(2026, 3, 18))
        users = active_users()
        with count_queries() as counter:
            for key in ("follow_ups", "periods_ending", "alarms"):
                DIGEST_SECTIONS[key].builder(users, date(2026, 3, 16))
        return counter.count

    assert run(3) == run(30)

import os
import subprocess
import sys
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session

from tests.conftest import FROZEN_NOW
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.jobs.reminders import send_daily_digests, send_meeting_reminders
from tracker.meetings.models import Meeting, MeetingInvitation, MeetingKind, MeetingMode
from tracker.notifications.models import Notification, OutboxMail


def _count(db, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_a_meeting_reminder_goes_out_once_even_if_the_job_runs_twice(db, factory, fk_setup):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk_office"]], day=date(2026, 3, 18))
    far = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk_office"]], day=date(2026, 3, 25))
    assert send_meeting_reminders() == 2  # organiser + the officer of the invited office
    assert send_meeting_reminders() == 0
    rows = db.session.scalars(select(Notification).where(Notification.kind == "meeting_reminder")).all()
    assert {r.user_id for r in rows} == {fk_setup["rehab"].id, fk_setup["officer"].id}
    assert {r.object_key for r in rows} == {f"meeting:{meeting.id}"} and far.id != meeting.id
    assert rows[0].link == f"/moten/{meeting.id}/dagordning"
    assert _count(db, OutboxMail, recipient=fk_setup["officer"].email) == 1


def test_cancelled_and_past_meetings_get_no_reminder(db, factory, fk_setup):
    from tracker.meetings.services import cancel_meeting

    cancelled = factory.meeting(fk_setup["rehab"], day=date(2026, 3, 17))
    cancel_meeting(cancelled, "Krock")
    factory.meeting(fk_setup["rehab"], day=date(2026, 3, 16), start="08:00", end="09:00")  # already begun
    assert send_meeting_reminders() == 0


def test_the_daily_digest_lists_expiring_consents_once_without_names(db, factory, fk_setup):
    individual = factory.individual(clinic=fk_setup["clinic"], first_name="Greta", last_name="Gåttut")
    factory.consent(individual, valid_until=date(2026, 3, 30))
    other = factory.individual(clinic=fk_setup["clinic"])
    factory.consent(other, valid_until=date(2026, 9, 30))  # not soon
    assert send_daily_digests() == 1
    assert send_daily_digests() == 0
    row = db.session.scalar(select(Notification).where(Notification.kind == "digest"))
    assert row.user_id == fk_setup["rehab"].id
    assert "1 samtycken går ut snart" in row.body and "/samtycken/utgaende" in row.body
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == fk_setup["rehab"].email))
    # Mail leaves the organisation: not even the opaque public id of the person.
    for secret in (
        "Greta",
        "Gåttut",
        individual.personnummer,
        individual.personnummer[2:8],
        individual.public_id,
    ):
        assert secret not in mail.body and secret not in mail.subject


def test_the_digest_of_the_next_day_is_sent_again(db, factory, fk_setup, frozen_time):
    individual = factory.individual(clinic=fk_setup["clinic"])
    factory.consent(individual, valid_until=date(2026, 3, 30))
    assert send_daily_digests() == 1
    frozen_time.shift(timedelta(days=1))
    assert send_daily_digests() == 1


def test_the_scheduler_is_configured_to_coalesce_and_catch_up(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    from tracker.jobs.runner import build_scheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)  # job defaults apply when jobs are added to a started scheduler
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert {
        "daily_digest",
        "meeting_reminders",
        "catch_up_daily_digest",
        "catch_up_meeting_reminders",
    } <= set(jobs)
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 3600
    assert str(scheduler.timezone) == "Europe/Stockholm"
    assert "hour='0,1,3-23'" in str(jobs["meeting_reminders"].trigger)  # never in the DST hour
    assert "hour='6'" in str(jobs["daily_digest"].trigger)


def test_creating_the_app_starts_no_scheduler(app):
    import threading

    names = {t.name for t in threading.enumerate()}
    assert not any("APScheduler" in n for n in names)


def test_the_reminder_job_from_two_processes_at_once_sends_each_reminder_once(app):
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    marker = uuid.uuid4().hex[:8]
    engine = create_engine(url)
    now = FROZEN_NOW
    with Session(engine) as session:
        org = Organisation(name=f"Concurrency {marker}", org_type=OrgType.FK)
        session.add(org)
        users = [
            User(
                email=f"c{i}-{marker}@test.example",
                full_name=f"C {i}",
                password_hash="x",
                role=Role.HANDLAGGARE,
                organisation=org,
            )
            for i in range(3)
        ]
        session.add_all(users)
        session.flush()
        meeting = Meeting(
            title=f"Concurrency {marker}", kind=MeetingKind.PULSMOTE, starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=1), mode=MeetingMode.DIGITAL,
            meeting_link="https://meet.example/x", organiser_id=users[0].id, calendar_changed_at=now,
        )  # fmt: skip
        meeting.invitations = [MeetingInvitation(organisation_id=org.id)]
        session.add(meeting)
        session.commit()
        meeting_id, user_ids, emails = meeting.id, [u.id for u in users], [u.email for u in users]
        org_id = org.id
    try:
        env = dict(os.environ, TEST_DATABASE_URL=url)
        args = [sys.executable, "-m", "tests.meetings.reminder_worker", now.isoformat()]
        workers = [
            subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
        ]
        outputs = [w.communicate(timeout=120) for w in workers]
        assert all(w.returncode == 0 for w in workers), outputs
        with Session(engine) as session:
            rows = session.scalars(
                select(Notification).where(Notification.object_key == f"meeting:{meeting_id}")
            ).all()
            assert sorted(r.user_id for r in rows) == sorted(user_ids)
            mails = session.scalar(
                select(func.count()).select_from(OutboxMail).where(OutboxMail.recipient.in_(emails))
            )
            assert mails == 3
        sent = sorted(int(out.strip().splitlines()[-1]) for out, _err in outputs)
        assert sent == [0, 3]
    finally:
        with Session(engine) as session:
            session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
            session.execute(delete(OutboxMail).where(OutboxMail.recipient.in_(emails)))
            session.execute(delete(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting_id))
            session.execute(delete(Meeting).where(Meeting.id == meeting_id))
            session.execute(delete(User).where(User.id.in_(user_ids)))
            session.execute(delete(Organisation).where(Organisation.id == org_id))
            session.commit()
        engine.dispose()


def test_the_digest_lists_the_users_meetings_of_the_coming_days(db, factory, fk_setup):
    factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], day=date(2026, 3, 17), title="Pulsmöte imorgon")
    factory.meeting(
        fk_setup["rehab"], orgs=[fk_setup["clinic"]], day=date(2026, 3, 17), title="Bara kliniken"
    )
    factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], day=date(2026, 3, 30), title="Senare")
    assert send_daily_digests() == 2  # the officer (via FK) and the organiser
    body = db.session.scalar(
        select(Notification.body).where(
            Notification.user_id == fk_setup["officer"].id, Notification.kind == "digest"
        )
    )
    assert "Pulsmöte imorgon 2026-03-17 10:00" in body
    assert "Bara kliniken" not in body and "Senare" not in body

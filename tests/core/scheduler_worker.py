"""The scheduler's jobs in a separate process, for the kill-mid-run test (test_faults.py).

    python -m tests.core.scheduler_worker <database-url> seed
    python -m tests.core.scheduler_worker <database-url> run [--hang-after-first-reminder]

`seed` creates the tables and a clinic with three users, a meeting tomorrow
and a consent expiring soon, then prints the number of outbox mails already
there and how many reminders and digests a run must send (found by running
the jobs once inside a transaction that is rolled back). `run` runs every
job once, like `flask scheduler --once`; with the flag it stops dead after
the first reminder row is flushed, so the test can kill it mid-run.
"""

import sys
import time
from datetime import datetime, timedelta

from tracker import create_app
from tracker.core.timeutil import STOCKHOLM, today_local
from tracker.extensions import db


def _app(url: str):
    return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})


def seed(url: str) -> None:
    from sqlalchemy import func, select

    from tests.factories import Factory
    from tracker.jobs.reminders import send_daily_digests, send_meeting_reminders
    from tracker.notifications.models import OutboxMail

    app = _app(url)
    with app.app_context():
        db.create_all()
        factory = Factory(db)
        clinic = factory.organisation("region_clinic", name="Psykiatrin Schemat")
        organiser = factory.user("rehabkoordinator", organisation=clinic)
        others = [factory.user("rehabkoordinator", organisation=clinic) for _ in range(2)]
        individual = factory.individual(clinic=clinic, coordinator_id=organiser.id)
        factory.consent(
            individual,
            given_on=today_local() - timedelta(days=300),
            valid_until=today_local() + timedelta(days=10),
        )
        tomorrow = (datetime.now(STOCKHOLM) + timedelta(days=1)).date()
        factory.meeting(organiser, users=others, day=tomorrow, start="10:00", end="11:00")
        db.session.commit()
        baseline = db.session.scalar(select(func.count()).select_from(OutboxMail))
        with db.session.begin_nested() as probe:
            digests = send_daily_digests()
            reminders = send_meeting_reminders()
            probe.rollback()
        db.session.rollback()
    print(baseline, reminders, digests)


def run(url: str, hang: bool) -> None:
    import tracker.jobs.reminders as reminders
    from tracker.jobs.runner import JOBS, run_job

    if hang:
        original = reminders.notify_once

        def notify_then_hang(user, kind, *args, **kwargs):
            row = original(user, kind, *args, **kwargs)
            if row is not None and kind == "meeting_reminder":
                print("reminder-row-inserted", flush=True)
                time.sleep(600)  # killed here: the row is flushed, not committed
            return row

        reminders.notify_once = notify_then_hang
    app = _app(url)
    for job_id in JOBS:
        print(job_id, run_job(app, job_id), flush=True)


if __name__ == "__main__":
    database_url, command = sys.argv[1], sys.argv[2]
    if command == "seed":
        seed(database_url)
    else:
        run(database_url, "--hang-after-first-reminder" in sys.argv)

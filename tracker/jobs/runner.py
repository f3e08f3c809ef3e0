"""The scheduler process: `flask --app tracker scheduler`.

Exactly one such process runs beside the web server; create_app() never
starts a scheduler, so web workers and the debug reloader have none. Jobs
are defined here with fixed ids, coalesce missed runs into one, never run
twice at once in this process, and tolerate long delays (misfire grace).
On start every job runs once, so reminders missed while the process was
down are caught up (the jobs sweep for what is due and not yet sent).
"""

import logging
from datetime import datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.core.timeutil import STOCKHOLM
from tracker.extensions import db
from tracker.imports.services import discard_expired as discard_expired_imports
from tracker.jobs.reminders import send_daily_digests, send_meeting_reminders

log = logging.getLogger("puls.jobs")

JOBS = {
    "daily_digest": send_daily_digests,
    "meeting_reminders": send_meeting_reminders,
    "discard_expired_imports": discard_expired_imports,
}
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600}


def run_job(app: Flask, job_id: str) -> int:
    """Run one job in its own app context and transaction (commit or roll back)."""
    with app.app_context():
        try:
            result = JOBS[job_id]()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            raise
        finally:
            db.session.remove()
        log.info("job %s done: %s", job_id, result)
        return result


def build_scheduler(app: Flask, scheduler_class=BlockingScheduler):
    scheduler = scheduler_class(timezone=STOCKHOLM, job_defaults=JOB_DEFAULTS)
    digest_hour = int(app.config.get("DIGEST_HOUR", 6))
    if digest_hour == 2:
        digest_hour = 6  # never inside the DST change hour
    triggers = {
        "daily_digest": CronTrigger(hour=digest_hour, minute=15, timezone=STOCKHOLM),
        # Hourly, but not 02:xx (the hour that is skipped or repeated at DST changes).
        "meeting_reminders": CronTrigger(hour="0,1,3-23", minute=5, timezone=STOCKHOLM),
        # Unconfirmed import files hold personal data: swept hourly once expired.
        "discard_expired_imports": CronTrigger(hour="0,1,3-23", minute=35, timezone=STOCKHOLM),
    }
    now = datetime.now(STOCKHOLM)
    for job_id, trigger in triggers.items():
        scheduler.add_job(run_job, trigger, args=[app, job_id], id=job_id, name=job_id, replace_existing=True)
        catch_up = f"catch_up_{job_id}"
        scheduler.add_job(run_job, "date", run_date=now, args=[app, job_id], id=catch_up, name=catch_up)
    return scheduler


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Kör alla jobb en gång och avsluta.")
@with_appcontext
def scheduler_command(once: bool):
    """Run the scheduler (reminders, digests). Start exactly one such process."""
    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO)
    if once:
        for job_id in JOBS:
            click.echo(f"{job_id}: {run_job(app, job_id)}")
        return
    scheduler = build_scheduler(app)
    click.echo("Schemaläggaren startar (avsluta med Ctrl+C).")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)

"""Run the meeting reminder job in a separate process (used by the concurrency test).

Usage: python -m tests.meetings.reminder_worker <iso-datetime>
"""

import sys
from datetime import datetime

import time_machine

from tracker import create_app
from tracker.jobs.runner import run_job

if __name__ == "__main__":
    with time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True):
        app = create_app("testing")
        print(run_job(app, "meeting_reminders"))

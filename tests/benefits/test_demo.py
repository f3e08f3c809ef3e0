from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.benefits.alarms import alarms_for
from tracker.benefits.models import Certificate, FkDecision, FollowUp
from tracker.benefits.queries import worklist
from tracker.demo import build
from tracker.plans.models import CarePlan, InsatsStatusChange


def test_demo_data_fills_the_worklist_and_every_alarm(app, db):
    build(200)
    for model in (Certificate, FkDecision, FollowUp, CarePlan, InsatsStatusChange):
        assert db.session.scalar(select(func.count()).select_from(model)) > 0
    users = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
    totals: dict[str, int] = {}
    for index in range(1, 6):
        for alarm in alarms_for(users[f"rehab{index}"]):
            totals[alarm.key] = totals.get(alarm.key, 0) + alarm.count
    assert len(totals) == 5 and all(count > 0 for count in totals.values()), totals
    fk1 = worklist(users["fk1"])
    assert fk1.overdue and fk1.due_soon and fk1.later

"""set_day_hours: one cell of the grid, as imports write it."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.auth.models import OrgType
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc
from tracker.timesheets.models import MonthLock, TimeEntry
from tracker.timesheets.services import CellChange, set_day_hours

DAY = date(2026, 3, 10)


@pytest.fixture
def setup(factory):
    org = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=org)
    user = factory.user("samordnare", organisation=org)
    return project, user


def _hours(db, user):
    return [e.hours for e in db.session.scalars(select(TimeEntry).where(TimeEntry.user_id == user.id))]


def test_a_cell_is_created_replaced_left_alone_and_removed(db, setup):
    project, user = setup
    allowed = {project.id}
    assert set_day_hours(user, project.id, DAY, "patientarbete", None, "1,5", allowed) == CellChange.CREATED
    assert (
        set_day_hours(user, project.id, DAY, "patientarbete", None, "1.50", allowed) == CellChange.UNCHANGED
    )
    assert set_day_hours(user, project.id, DAY, "patientarbete", None, "2", allowed) == CellChange.UPDATED
    assert _hours(db, user) == [Decimal("2")]
    assert set_day_hours(user, project.id, DAY, "patientarbete", None, "0", allowed) == CellChange.UPDATED
    assert _hours(db, user) == []


def test_the_week_grid_rules_apply(db, setup, factory):
    project, user = setup
    set_day_hours(user, project.id, DAY, "administration", None, "20", {project.id})
    with pytest.raises(ValidationError) as too_many:
        set_day_hours(user, project.id, DAY, "patientarbete", None, "5", {project.id})
    assert too_many.value.errors == {"hours": "Mer än 24 timmar den 2026-03-10."}
    with pytest.raises(ValidationError) as not_mine:
        set_day_hours(user, factory.project().id, DAY, "patientarbete", None, "1", {project.id})
    assert "project_id" in not_mine.value.errors
    db.session.add(MonthLock(project_id=project.id, year=2026, month=3, locked_at=now_utc()))
    db.session.flush()
    with pytest.raises(ValidationError) as locked:
        set_day_hours(user, project.id, DAY, "administration", None, "19", {project.id})
    assert "låst" in locked.value.errors["work_date"]
    # Setting a locked cell to what it already is changes nothing and is fine.
    assert (
        set_day_hours(user, project.id, DAY, "administration", None, "20", {project.id})
        == CellChange.UNCHANGED
    )

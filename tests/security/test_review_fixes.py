"""Defects found in the end-of-session privacy review, each pinned by a test."""

import pytest

from tracker.core.errors import ValidationError


@pytest.mark.parametrize("title", ["Möte 900101  1234", "Möte 19900101\t1234", "Möte 900101-1234"])
def test_meeting_title_with_a_spaced_out_personnummer_is_refused(app, factory, db, title):
    from tests.factories import meeting_data
    from tracker.meetings.services import create_meeting

    rehab = factory.user("rehabkoordinator")
    with app.test_request_context(), pytest.raises(ValidationError) as error:
        create_meeting(meeting_data(title=title, orgs=[rehab.organisation]), rehab)
    assert "personnummer" in error.value.errors["title"]


def test_emergency_access_reason_may_not_carry_a_personnummer(app, factory, db):
    from tracker.consent.services import open_emergency_access

    admin = factory.user("admin")
    person = factory.individual()
    with app.test_request_context(), pytest.raises(ValidationError) as error:
        open_emergency_access(person, admin, f"Akut läge för patienten {person.personnummer_display} nu")
    assert "personnummer" in error.value.errors["reason"]


def test_masked_report_hides_day_measures_of_few_people():
    from tracker.reports.formatting import is_masked
    from tracker.reports.tables import Cell

    assert is_masked(Cell(40, "days", base=2), 5)
    assert not is_masked(Cell(40, "days", base=12), 5)


def test_viewing_notifications_does_not_mark_them_read_only_the_post_does(client, login_as, db):
    from sqlalchemy import select

    from tracker.core.timeutil import now_utc
    from tracker.notifications.models import Notification

    user = login_as("rehabkoordinator")
    db.session.add(
        Notification(
            user_id=user.id,
            kind="digest",
            object_key="day",
            due_on=now_utc().date(),
            subject="Sammanfattning",
            body="1 larm",
        )
    )
    db.session.commit()
    assert client.get("/notiser/").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Notification.read_at)) is None
    assert client.post("/notiser/lasta").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Notification.read_at)) is not None

from sqlalchemy import func, select

from tests.factories import login_client
from tracker.meetings.models import Meeting, MeetingStatus
from tracker.notifications.models import OutboxMail


def _meeting(user, **overrides):
    return {
        "title": "Pulsmöte Norr",
        "kind": "pulsmote",
        "day": "2026-04-02",
        "start_time": "10:00",
        "end_time": "11:30",
        "mode": "digital",
        "meeting_link": "https://meet.example/abc",
        "organisation_ids": [user.organisation_id],
        **overrides,
    }


def test_organiser_creates_lists_reads_and_updates_a_meeting(api, factory, db):
    call = api("samordnare")
    colleague = factory.user("rehabkoordinator")
    db.session.commit()
    created = call("POST", "/meetings", _meeting(call.user, user_ids=[colleague.id]))
    assert created.status_code == 201, created.json
    assert created.json["starts_at"] == "2026-04-02T08:00:00Z"
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) >= 1
    meeting_id = created.json["id"]
    assert [m["id"] for m in call("GET", "/meetings").json["items"]] == [meeting_id]
    assert call("GET", "/meetings?when=past").json["total"] == 0
    assert call("GET", f"/meetings/{meeting_id}").json["title"] == "Pulsmöte Norr"
    updated = call(
        "PUT",
        f"/meetings/{meeting_id}",
        _meeting(call.user, user_ids=[colleague.id], start_time="13:00", end_time="14:00", version=1),
    )
    assert updated.status_code == 200 and updated.json["starts_at"] == "2026-04-02T11:00:00Z"
    assert api(colleague)("GET", f"/meetings/{meeting_id}").status_code == 200


def test_stale_meeting_update_gives_409(api, db):
    call = api("samordnare")
    meeting_id = call("POST", "/meetings", _meeting(call.user)).json["id"]
    assert (
        call("PUT", f"/meetings/{meeting_id}", _meeting(call.user, title="Ett", version=1)).status_code == 200
    )
    stale = call("PUT", f"/meetings/{meeting_id}", _meeting(call.user, title="Två", version=1))
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert call("GET", f"/meetings/{meeting_id}").json["title"] == "Ett"


def test_meeting_validation_is_the_services(api, db):
    call = api("samordnare")
    response = call("POST", "/meetings", _meeting(call.user, title="Om 20000517-9809"))
    assert response.status_code == 422 and "personnummer" in response.json["errors"]["title"]
    late = call("POST", "/meetings", _meeting(call.user, start_time="12:00", end_time="11:00"))
    assert late.status_code == 422 and "end_time" in late.json["errors"]
    assert call("POST", "/meetings", _meeting(call.user, start_time="25:00")).status_code == 422
    assert call("POST", "/meetings", _meeting(call.user, mode="on_site")).json["errors"]["address"]
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_cancel_a_meeting_once(api, db):
    call = api("samordnare")
    meeting_id = call("POST", "/meetings", _meeting(call.user)).json["id"]
    cancelled = call("POST", f"/meetings/{meeting_id}/cancel", {"reason": "Sjukdom"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == MeetingStatus.CANCELLED
    again = call("POST", f"/meetings/{meeting_id}/cancel", {"reason": "Sjukdom"})
    assert again.status_code == 422 and "reason" in again.json["errors"]
    assert call("GET", "/meetings?status=cancelled").json["total"] == 1


def test_ics_is_the_same_bytes_as_the_web_download(api, client, db):
    call = api("samordnare")
    meeting_id = call("POST", "/meetings", _meeting(call.user)).json["id"]
    from_api = call("GET", f"/meetings/{meeting_id}.ics")
    assert from_api.status_code == 200 and from_api.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in from_api.data
    login_client(client, call.user, db=db)
    from_web = client.get(f"/moten/{meeting_id}.ics")
    assert from_web.status_code == 200 and from_web.data == from_api.data


def test_uninvited_user_gets_403_and_unknown_meeting_404(api, factory, db):
    call = api("samordnare")
    meeting_id = call("POST", "/meetings", _meeting(call.user)).json["id"]
    other = api("rehabkoordinator")
    assert other("GET", f"/meetings/{meeting_id}").status_code == 403
    assert other("GET", f"/meetings/{meeting_id}.ics").status_code == 403
    assert other("POST", f"/meetings/{meeting_id}/cancel", {"reason": "x"}).status_code == 403
    assert other("GET", "/meetings").json["total"] == 0
    assert call("GET", "/meetings/999999").status_code == 404


def test_invited_user_may_read_but_not_change_a_meeting(api, factory, db):
    call = api("samordnare")
    guest_org = factory.organisation()
    guest = api("rehabkoordinator", organisation=guest_org)
    meeting_id = call("POST", "/meetings", _meeting(call.user, organisation_ids=[guest_org.id])).json["id"]
    assert guest("GET", f"/meetings/{meeting_id}").status_code == 200
    assert guest("PUT", f"/meetings/{meeting_id}", _meeting(call.user, version=1)).status_code == 403


def test_read_only_token_cannot_create_meetings(api, db):
    call = api("samordnare", scope="read")
    assert call("POST", "/meetings", _meeting(call.user)).status_code == 403
    assert call("GET", "/meetings").status_code == 200


def test_an_id_beyond_the_database_range_is_404_for_every_method(api, db):
    call = api("samordnare")
    assert call("PUT", "/meetings/2147483648", _meeting(call.user, version=1)).status_code == 404
    assert call("PUT", "/certificates/99999999999", {}).status_code == 404
    assert call("GET", "/meetings/2147483647").status_code == 404


def test_a_revoked_token_is_refused_on_every_new_resource(api, case, db):
    from datetime import UTC, datetime

    from tracker.auth.models import ApiToken

    call = api(case.rehab)
    urls = ["/meetings", "/projects", f"/individuals/{case.individual.public_id}/certificates"]
    assert all(call("GET", url).status_code == 200 for url in urls)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == case.rehab.id))
    token.revoked_at = datetime.now(UTC)
    db.session.commit()
    for url in urls:
        response = call("GET", url)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.auth.models import OrgType
from tracker.timesheets import services
from tracker.timesheets.models import TimeEntry

WEEK = "2026-03-09"  # a Monday; time is frozen at 2026-03-16


@pytest.fixture
def team(factory, db):
    org = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=org, name="Plattformen")
    lead = factory.user("samordnare", organisation=org)
    worker = factory.user("samordnare", organisation=org)
    factory.member(project, lead, is_lead=True)
    factory.member(project, worker)
    db.session.commit()
    return project, lead, worker


def _entry(project, **overrides):
    return {
        "project_id": project.id,
        "category": "patientarbete",
        "work_date": "2026-03-10",
        "hours": 1.5,
        **overrides,
    }


def test_worker_adds_lists_changes_and_deletes_own_time(api, team, db):
    project, _lead, worker = team
    call = api(worker)
    created = call("POST", "/time-entries", _entry(project))
    assert created.status_code == 201, created.json
    assert created.json["hours"] == 1.5 and created.json["work_date"] == "2026-03-10"
    more = call("POST", "/time-entries", _entry(project, hours=0.25))
    assert more.json["hours"] == 1.75  # the same cell of the week grid
    listed = call("GET", f"/time-entries?week={WEEK}")
    assert listed.status_code == 200 and [e["hours"] for e in listed.json["items"]] == [1.75]
    changed = call("PUT", f"/time-entries/{more.json['id']}", {"hours": 3})
    assert changed.status_code == 200 and changed.json["hours"] == 3
    assert call("DELETE", f"/time-entries/{changed.json['id']}").status_code == 204
    assert call("GET", f"/time-entries?week={WEEK}").json["total"] == 0


def test_whole_week_is_saved_through_the_grid_service(api, team, db):
    project, _lead, worker = team
    call = api(worker)
    row = {"project_id": project.id, "category": "administration", "hours": [1, 0, 8, 0, 0, 0, 0]}
    saved = call("PUT", "/time-entries/week", {"week": "2026-03-11", "rows": [row]})
    assert saved.status_code == 200, saved.json
    assert [(e["work_date"], e["hours"]) for e in saved.json["items"]] == [
        ("2026-03-09", 1),
        ("2026-03-11", 8),
    ]
    too_much = call(
        "PUT",
        "/time-entries/week",
        {"week": WEEK, "rows": [row, {**row, "category": "information", "hours": [24, 0, 0, 0, 0, 0, 0]}]},
    )
    assert too_much.status_code == 422 and "day-0" in too_much.json["errors"]
    assert call("PUT", "/time-entries/week", {"week": WEEK, "rows": []}).json["total"] == 0


def test_hours_rules_give_422_with_field_names(api, team, factory, db):
    project, _lead, worker = team
    call = api(worker)
    assert call("POST", "/time-entries", _entry(project, hours=1.1)).status_code == 422
    assert call("POST", "/time-entries", _entry(project, hours=25)).status_code == 422
    other = factory.project()
    db.session.commit()
    foreign = call("POST", "/time-entries", _entry(other))
    assert foreign.status_code == 422 and "project_id" in foreign.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(TimeEntry)) == 0


def test_a_locked_month_refuses_changes_through_the_api(api, team, factory, db):
    project, lead, worker = team
    entry = factory.time_entry(worker, project, date(2026, 2, 23), "4")
    services.lock_month(project, 2026, 2, lead)
    db.session.commit()
    call = api(worker)
    changed = call("PUT", f"/time-entries/{entry.id}", {"hours": 2})
    assert changed.status_code == 422 and "låst" in changed.json["errors"]["work_date"]
    assert call("DELETE", f"/time-entries/{entry.id}").status_code == 422
    assert call("POST", "/time-entries", _entry(project, work_date="2026-02-24")).status_code == 422
    db.session.expire_all()
    assert db.session.get(TimeEntry, entry.id).hours == Decimal(4)


def test_other_users_entries_are_404_and_roles_and_scope_are_checked(api, team, factory, db):
    project, lead, worker = team
    entry = factory.time_entry(worker, project, date(2026, 3, 10), "2")
    db.session.commit()
    assert api(lead)("PUT", f"/time-entries/{entry.id}", {"hours": 1}).status_code == 404
    assert api(lead)("DELETE", f"/time-entries/{entry.id}").status_code == 404
    assert api(worker)("DELETE", "/time-entries/999999").status_code == 404
    assert api("handlaggare")("GET", "/time-entries").status_code == 403
    reader = api(worker, scope="read")
    assert reader("DELETE", f"/time-entries/{entry.id}").status_code == 403
    assert reader("GET", f"/time-entries?week={WEEK}").json["total"] == 1


def test_period_report_as_json_is_the_report_pages_aggregates(api, team, factory, db):
    project, lead, _worker = team
    people = [factory.individual(clinic=project.organisation) for _ in range(3)]
    for person in people:
        factory.enrolment(project, person, enrolled_on=date(2025, 3, 1))
    db.session.commit()
    response = api(lead)("GET", f"/projects/{project.id}/report?start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200, response.json
    body = response.get_data(as_text=True)
    for person in people:
        assert person.personnummer not in body and person.last_name not in body
    from tracker.reports.registry import build_report
    from tracker.reports.tables import Period

    expected = build_report(project, Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert [s["key"] for s in response.json["sections"]] == [s.key for s in expected]
    assert any(
        c["value"] == 3
        for s in response.json["sections"]
        for t in s["tables"]
        for r in t["rows"]
        for c in r["cells"]
    )
    masked = api(lead)(
        "GET", f"/projects/{project.id}/report?start=2025-01-01&end=2025-12-31&masked=true"
    ).json
    cells = [c for s in masked["sections"] for t in s["tables"] for r in t["rows"] for c in r["cells"]]
    assert any(c["masked"] and c["value"] is None for c in cells)
    assert (
        api("ledning")("GET", f"/projects/{project.id}/report?start=2025-01-01&end=2025-12-31").status_code
        == 200
    )


def test_report_refuses_outsiders_bad_periods_and_unknown_projects(api, team, db):
    project, lead, _worker = team
    url = f"/projects/{project.id}/report"
    assert api("handlaggare")("GET", url + "?start=2025-01-01&end=2025-12-31").status_code == 403
    backwards = api(lead)("GET", url + "?start=2025-12-31&end=2025-01-01")
    assert backwards.status_code == 422 and "end" in backwards.json["errors"]
    assert api(lead)("GET", url).status_code == 422
    assert api(lead)("GET", "/projects/999999/report?start=2025-01-01&end=2025-12-31").status_code == 404

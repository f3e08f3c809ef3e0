from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import OrgType
from tracker.reports.models import ReportText, TextSection
from tracker.reports.services import report_texts
from tracker.reports.tables import Period
from tracker.timesheets import services
from tracker.timesheets.models import MonthLock, TimeEntry


def _denials(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)
    )


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


# ---------------------------------------------------------------- month locks


def test_project_lead_locks_a_month_once(api, team, db):
    project, lead, _worker = team
    call = api(lead)
    url = f"/projects/{project.id}/month-locks"
    locked = call("POST", url, {"month": "2026-02"})
    assert locked.status_code == 201 and locked.json["month"] == "2026-02"
    again = call("POST", url, {"month": "2026-02"})
    assert again.status_code == 409 and "redan låst" in again.json["errors"]["month"]
    future = call("POST", url, {"month": "2026-04"})
    assert future.status_code == 422 and "month" in future.json["errors"]
    assert call("POST", url, {"month": "2026-13"}).status_code == 422
    assert call("POST", "/projects/999999/month-locks", {"month": "2026-02"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(MonthLock)) == 1
    listed = call("GET", url + "?year=2026").json
    assert [lock["month"] for lock in listed["items"]] == ["2026-02"]
    assert call("GET", url + "?year=2025").json["total"] == 0
    assert call("GET", url).status_code == 422


def test_only_the_lead_with_a_write_token_locks_a_month(api, team, db):
    project, lead, worker = team
    url = f"/projects/{project.id}/month-locks"
    before = _denials(db)
    assert api(worker)("POST", url, {"month": "2026-02"}).status_code == 403
    assert _denials(db) == before + 1
    assert api(lead, scope="read")("POST", url, {"month": "2026-02"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MonthLock)) == 0
    assert api(worker, scope="read")("GET", url + "?year=2026").status_code == 200
    assert api("samordnare")("GET", url + "?year=2026").status_code == 403


# ---------------------------------------------------------------- adjustments


def _adjustment(project, **overrides):
    return {
        "project_id": project.id,
        "work_date": "2026-02-23",
        "category": "patientarbete",
        "hours": -1.5,
        "note": "Felregistrerat",
        **overrides,
    }


def test_a_locked_month_is_corrected_with_an_adjustment_booked_today(api, team, factory, db):
    project, lead, worker = team
    factory.time_entry(worker, project, date(2026, 2, 23), "4")
    services.lock_month(project, 2026, 2, lead)
    db.session.commit()
    call = api(worker)
    created = call("POST", "/time-adjustments", _adjustment(project))
    assert created.status_code == 201, created.json
    assert created.json["is_adjustment"] and created.json["booked_on"] == "2026-03-16"
    assert created.json["hours"] == -1.5 and created.json["work_date"] == "2026-02-23"
    listed = call("GET", "/time-entries?week=2026-02-23").json["items"]
    assert sorted((e["is_adjustment"], e["hours"]) for e in listed) == [(False, 4.0), (True, -1.5)]


def test_adjustment_rules_are_the_services(api, team, factory, db):
    project, lead, worker = team
    services.lock_month(project, 2026, 2, lead)
    db.session.commit()
    call = api(worker)
    open_month = call("POST", "/time-adjustments", _adjustment(project, work_date="2026-03-10"))
    assert open_month.status_code == 422 and "inte låst" in open_month.json["errors"]["work_date"]
    assert "hours" in call("POST", "/time-adjustments", _adjustment(project, hours=0.3)).json["errors"]
    assert call("POST", "/time-adjustments", _adjustment(project, hours=25)).status_code == 422
    assert call("POST", "/time-adjustments", _adjustment(project, note="")).status_code == 422
    assert call("POST", "/time-adjustments", _adjustment(project, project_id=999999)).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(TimeEntry)) == 0


def test_adjustments_refuse_outsiders_other_roles_and_read_only_tokens(api, team, db):
    project, lead, _worker = team
    services.lock_month(project, 2026, 2, lead)
    db.session.commit()
    before = _denials(db)
    assert api("samordnare")("POST", "/time-adjustments", _adjustment(project)).status_code == 403
    assert api("handlaggare")("POST", "/time-adjustments", _adjustment(project)).status_code == 403
    assert _denials(db) == before + 2
    assert api(lead, scope="read")("POST", "/time-adjustments", _adjustment(project)).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(TimeEntry)) == 0


# ---------------------------------------------------------------- invoicing basis


def test_invoicing_basis_as_json_is_the_pages_calculation(api, team, factory, db):
    project, lead, worker = team
    forbund = factory.organisation(OrgType.KOMMUN, name="Förbund A")
    other = factory.organisation(OrgType.KOMMUN, name="Förbund B")
    factory.allocation_key(project, date(2026, 1, 1), {forbund: Decimal("0.5"), other: Decimal("0.5")})
    factory.hourly_cost(project, Decimal("500.00"))
    factory.time_entry(worker, project, date(2026, 3, 2), "3")
    factory.time_entry(lead, project, date(2026, 3, 3), "1.5")
    db.session.commit()
    response = api(lead)("GET", f"/projects/{project.id}/invoicing-basis?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200, response.json
    from tracker.timesheets.invoicing import invoicing_basis

    expected = invoicing_basis(project, date(2026, 3, 1), date(2026, 3, 31))
    body = response.json
    assert body["total"] == expected.total and body["total_hours"] == float(expected.total_hours) == 4.5
    assert sum(p["amount"] for p in body["parts"]) == body["total"]
    assert [line["user_name"] for line in body["lines"]] == [line.user_name for line in expected.lines]
    default = api("ledning")("GET", f"/projects/{project.id}/invoicing-basis")
    assert default.status_code == 200 and default.json["start"] == "2026-03-01"
    assert default.json["end"] == "2026-03-16"


def test_invoicing_basis_refuses_staff_who_do_not_lead(api, team, db):
    project, _lead, worker = team
    before = _denials(db)
    assert api(worker)("GET", f"/projects/{project.id}/invoicing-basis").status_code == 403
    assert _denials(db) == before + 1
    assert api("ledning")("GET", "/projects/999999/invoicing-basis").status_code == 404
    bad = api("ledning")("GET", f"/projects/{project.id}/invoicing-basis?start=igår")
    assert bad.status_code == 422


# ---------------------------------------------------------------- report free texts

PERIOD = "?start=2025-01-01&end=2025-12-31"


def test_report_texts_are_saved_and_read_per_period(api, team, db):
    project, lead, worker = team
    call = api(worker)
    url = f"/projects/{project.id}/report/texts"
    empty = call("GET", url + PERIOD)
    assert empty.status_code == 200 and set(empty.json["texts"].values()) == {""}
    assert empty.json["labels"]["goals"] == "Mål och måluppfyllelse"
    saved = call("PUT", url + PERIOD, {"goals": "  Målen nåddes. ", "obstacles": "Långa väntetider"})
    assert saved.status_code == 200
    assert saved.json["texts"]["goals"] == "Målen nåddes." and saved.json["texts"]["deviations"] == ""
    assert api(lead)("GET", url + PERIOD).json["texts"]["obstacles"] == "Långa väntetider"
    assert call("GET", url + "?start=2025-01-01&end=2025-06-30").json["texts"]["goals"] == ""
    cleared = call("PUT", url + PERIOD, {"goals": "Nytt"})
    assert cleared.json["texts"]["obstacles"] == ""
    # The report page reads the same rows.
    texts = report_texts(project, Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert texts[TextSection.GOALS] == "Nytt" and texts[TextSection.OBSTACLES] == ""


def test_report_texts_refuse_outsiders_bad_input_and_read_only_tokens(api, team, db):
    project, lead, _worker = team
    url = f"/projects/{project.id}/report/texts"
    before = _denials(db)
    assert api("handlaggare")("GET", url + PERIOD).status_code == 403
    assert api("samordnare")("PUT", url + PERIOD, {"goals": "x"}).status_code == 403
    assert _denials(db) == before + 2
    assert api(lead, scope="read")("PUT", url + PERIOD, {"goals": "x"}).status_code == 403
    assert api(lead)("GET", "/projects/999999/report/texts" + PERIOD).status_code == 404
    backwards = api(lead)("PUT", url + "?start=2025-12-31&end=2025-01-01", {"goals": "x"})
    assert backwards.status_code == 422 and "end" in backwards.json["errors"]
    too_long = api(lead)("PUT", url + PERIOD, {"goals": "x" * 20_001})
    assert too_long.status_code == 422 and "goals" in too_long.json["errors"]
    assert api(lead)("PUT", url + PERIOD, {"summary": "x"}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ReportText)) == 0


@pytest.mark.parametrize("period", ["?start=2025-12-31&end=2025-01-01", "?start=1900-01-01&end=2199-12-31"])
def test_a_bad_report_period_is_answered_on_the_query_parameter_the_caller_sent(api, team, db, period):
    """The period checks are the report page's; their errors name `end`, not the page's `till`."""
    project, lead, _worker = team
    call = api(lead)
    saved = call("PUT", f"/projects/{project.id}/report/texts{period}", {"goals": "x"})
    report = call("GET", f"/projects/{project.id}/report{period}")
    for response in (saved, report):
        assert response.status_code == 422
        assert set(response.json["errors"]) == {"end"}, response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(ReportText)) == 0

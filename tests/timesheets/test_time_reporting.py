"""The weekly grid, quarter hours, locked months, adjustments and who sees what."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import OrgType
from tracker.core.errors import ValidationError
from tracker.timesheets import services
from tracker.timesheets.invoicing import invoicing_basis
from tracker.timesheets.models import MonthLock, TimeEntry

MONDAY = date(2026, 3, 9)


@pytest.fixture
def team(factory, db):
    org = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=org)
    lead = factory.user("samordnare", organisation=org)
    worker = factory.user("samordnare", organisation=org)
    factory.member(project, lead, is_lead=True)
    factory.member(project, worker)
    factory.hourly_cost(project, "500")
    forbund = factory.organisation(OrgType.FORBUND)
    factory.allocation_key(project, date(2020, 1, 1), {forbund: 100})
    return project, lead, worker


def _row(project, hours, category="patientarbete"):
    return services.GridRow(project.id, category, None, hours)


def test_the_week_grid_saves_quarter_hours(team, db):
    project, _lead, worker = team
    services.save_week(worker, MONDAY, [_row(project, ["1,25", "", "8", "", "", "", ""])], {project.id})
    entries = db.session.scalars(select(TimeEntry).order_by(TimeEntry.work_date)).all()
    assert [(e.work_date, e.hours) for e in entries] == [(MONDAY, Decimal("1.25")), (date(2026, 3, 11), 8)]


@pytest.mark.parametrize("value", ["1,1", "-1", "25", "abc"])
def test_the_week_grid_refuses_bad_hours(team, db, value):
    project, _lead, worker = team
    with pytest.raises(ValidationError):
        services.save_week(worker, MONDAY, [_row(project, [value, "", "", "", "", "", ""])], {project.id})


def test_more_than_24_hours_a_day_is_refused(team, db):
    project, _lead, worker = team
    rows = [_row(project, ["16"] + [""] * 6), _row(project, ["9"] + [""] * 6, "administration")]
    with pytest.raises(ValidationError) as error:
        services.save_week(worker, MONDAY, rows, {project.id})
    assert "Mer än 24 timmar" in str(error.value)


def test_time_on_a_project_the_user_does_not_work_in_is_refused(team, factory, db):
    project, _lead, worker = team
    other = factory.project()
    with pytest.raises(ValidationError):
        services.save_week(worker, MONDAY, [_row(other, ["1"] + [""] * 6)], {project.id})


def test_a_locked_month_refuses_edits_but_accepts_an_adjustment(team, factory, db, frozen_time):
    project, lead, worker = team
    factory.time_entry(worker, project, date(2026, 2, 23), "4")
    services.lock_month(project, 2026, 2, lead)
    with pytest.raises(ValidationError) as error:
        services.save_week(worker, date(2026, 2, 23), [_row(project, ["6"] + [""] * 6)], {project.id})
    assert "är låst efter fakturering" in str(error.value)
    # The unchanged locked week can still be saved with open-month changes.
    services.save_week(worker, MONDAY, [_row(project, ["2"] + [""] * 6)], {project.id})
    adjustment = services.add_adjustment(
        worker, project, date(2026, 2, 23), "patientarbete", "2", "Glömd tid"
    )
    assert adjustment.booked_on == date(2026, 3, 16) and adjustment.is_adjustment
    february = invoicing_basis(project, date(2026, 2, 1), date(2026, 2, 28))
    march = invoicing_basis(project, date(2026, 3, 1), date(2026, 3, 31))
    assert (february.total_hours, february.total) == (4, 2000)
    assert (march.total_hours, march.total) == (4, 2000)  # 2 h ordinary + 2 h adjustment


def test_an_adjustment_needs_a_locked_month_and_a_reason(team, db):
    project, _lead, worker = team
    with pytest.raises(ValidationError) as error:
        services.add_adjustment(worker, project, date(2026, 2, 2), "patientarbete", "1", "")
    assert set(error.value.errors) == {"work_date", "note"}


def test_a_month_cannot_be_locked_twice_or_before_it_starts(team, db):
    project, lead, _worker = team
    services.lock_month(project, 2026, 1, lead)
    with pytest.raises(ValidationError):
        services.lock_month(project, 2026, 1, lead)
    with pytest.raises(ValidationError):
        services.lock_month(project, 2026, 4, lead)


def test_allocation_key_must_sum_to_exactly_100(team, factory, db):
    project, lead, _worker = team
    a, b = factory.organisation(OrgType.FORBUND), factory.organisation(OrgType.FORBUND)
    with pytest.raises(ValidationError) as error:
        services.save_allocation_key(project, date(2026, 1, 1), {a.id: "60", b.id: "39,99"}, lead)
    assert "exakt 100" in error.value.errors["shares"]
    key = services.save_allocation_key(project, date(2026, 1, 1), {a.id: "60", b.id: "40"}, lead)
    assert sorted(s.percent for s in key.shares) == [40, 60]


def test_a_user_specific_hourly_cost_wins_over_the_project_cost(team, factory, db):
    project, _lead, worker = team
    factory.hourly_cost(project, "800", valid_from=date(2026, 3, 1), user=worker)
    factory.time_entry(worker, project, date(2026, 2, 27), "1")
    factory.time_entry(worker, project, date(2026, 3, 2), "1")
    basis = invoicing_basis(project, date(2026, 2, 1), date(2026, 3, 31))
    assert basis.total == 1300


# ---------------------------------------------------------------- pages


def test_week_page_saves_the_grid(team, client, login, db):
    project, _lead, worker = team
    login(worker)
    data = {"rows": "1", "r0-project": str(project.id), "r0-category": "externt_mote", "r0-clinic": ""}
    data.update({f"r0-d{d}": "" for d in range(7)})
    data["r0-d1"] = "2,5"
    response = client.post("/tid/vecka", query_string={"vecka": "2026-03-09"}, data=data)
    assert response.status_code == 302
    page = client.get("/tid/vecka", query_string={"vecka": "2026-03-09"}).get_data(as_text=True)
    assert 'value="2,5"' in page


def test_week_page_shows_errors_with_422_and_saves_nothing(team, client, login, db):
    project, _lead, worker = team
    login(worker)
    data = {"rows": "1", "r0-project": str(project.id), "r0-category": "patientarbete", "r0-d0": "0,3"}
    response = client.post("/tid/vecka", query_string={"vecka": "2026-03-09"}, data=data)
    assert response.status_code == 422
    assert "kvartar" in response.get_data(as_text=True)
    assert db.session.scalar(select(TimeEntry.id)) is None


def test_a_handlaggare_cannot_report_time(client, login_as, db):
    login_as("handlaggare")
    assert client.get("/tid/vecka").status_code == 403
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == str(AuditAction.DENIED)))


def test_the_lead_sees_everyones_hours_and_others_only_their_own(team, factory, client, login, db):
    project, lead, worker = team
    factory.time_entry(lead, project, date(2026, 3, 2), "3")
    factory.time_entry(worker, project, date(2026, 3, 3), "5")
    db.session.commit()
    login(worker)
    own = client.get(f"/tid/projekt/{project.id}", query_string={"manad": "2026-03"}).get_data(as_text=True)
    assert worker.full_name in own and lead.full_name not in own
    client.post("/logout")
    login(lead)
    everyone = client.get(f"/tid/projekt/{project.id}", query_string={"manad": "2026-03"}).get_data(
        as_text=True
    )
    assert worker.full_name in everyone and lead.full_name in everyone


def test_only_the_lead_may_lock_a_month(team, client, login, db):
    project, lead, worker = team
    login(worker)
    assert client.post(f"/tid/projekt/{project.id}/las", data={"manad": "2026-02"}).status_code == 403
    client.post("/logout")
    login(lead)
    assert client.post(f"/tid/projekt/{project.id}/las", data={"manad": "2026-02"}).status_code == 302
    assert db.session.scalar(select(MonthLock.month)) == 2


def test_invoicing_basis_for_lead_and_ledning_not_for_other_staff(team, client, login, login_as, db):
    project, lead, worker = team
    login(worker)
    assert client.get(f"/tid/projekt/{project.id}/fakturaunderlag").status_code == 403
    client.post("/logout")
    login(lead)
    assert client.get(f"/tid/projekt/{project.id}/fakturaunderlag").status_code == 200
    xlsx = client.get(f"/tid/projekt/{project.id}/fakturaunderlag.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    client.post("/logout")
    login_as("ledning")
    assert client.get(f"/tid/projekt/{project.id}/fakturaunderlag").status_code == 200


def test_admin_saves_an_allocation_key_through_the_form(team, factory, client, login_as, db):
    project, _lead, _worker = team
    a = factory.organisation(OrgType.FORBUND)
    login_as("admin")
    url = f"/tid/projekt/{project.id}/admin"
    bad = client.post(url, data={"what": "key", "k-valid_from": "2027-01-01", f"share-{a.id}": "90"})
    assert bad.status_code == 422 and "exakt 100" in bad.get_data(as_text=True)
    # The fixture's förbund keeps its 100 % from 2020; the new key gives all to `a` from 2027.
    good = client.post(url, data={"what": "key", "k-valid_from": "2027-01-01", f"share-{a.id}": "100"})
    assert good.status_code == 302


def test_saving_a_week_across_a_locked_month_keeps_the_locked_rows(team, factory, db):
    project, lead, worker = team
    locked_row = factory.time_entry(worker, project, date(2026, 2, 27), "3")
    services.lock_month(project, 2026, 2, lead)
    week = date(2026, 2, 23)
    row = _row(project, ["", "", "", "", "3", "2", ""])  # Saturday 28 February is in the locked month
    with pytest.raises(ValidationError):
        services.save_week(worker, week, [row], {project.id})
    factory.time_entry(worker, project, date(2026, 3, 1), "1")  # Sunday 1 March, open month
    row = _row(project, ["", "", "", "", "3", "", "1,5"])
    services.save_week(worker, week, [row], {project.id})
    hours = dict(db.session.execute(select(TimeEntry.work_date, TimeEntry.hours)).all())
    assert hours == {date(2026, 2, 27): 3, date(2026, 3, 1): Decimal("1.5")}
    assert db.session.get(TimeEntry, locked_row.id) is not None


def test_an_unknown_clinic_is_refused(team, db):
    project, _lead, worker = team
    row = services.GridRow(project.id, "patientarbete", 999_999, ["1"] + [""] * 6)
    with pytest.raises(ValidationError):
        services.save_week(worker, MONDAY, [row], {project.id})

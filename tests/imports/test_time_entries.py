"""Importing one's own hours: decimal comma, locked months, re-import."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.imports.conftest import csv_bytes, xlsx_bytes
from tracker.auth.models import OrgType
from tracker.core.timeutil import now_utc
from tracker.imports.kinds import spec_for
from tracker.imports.kinds.base import Status
from tracker.imports.services import run_import
from tracker.timesheets.models import MonthLock, TimeCategory, TimeEntry

HEADER = ["Datum", "Projekt", "Kategori", "Timmar", "Mottagning"]
SPEC = spec_for("tid")


@pytest.fixture
def team(factory, clinic):
    org = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=org, name="AE-samordning Öst")
    worker = factory.user("rehabkoordinator", organisation=clinic)
    factory.member(project, worker)
    return project, worker


def _rows():
    return [
        HEADER,
        ["2026-03-02", "AE-samordning Öst", "Patientarbete", "1,5", "Psykiatrimottagning Norr"],
        ["2026-03-02", "AE-samordning Öst", "Internt möte", "0,75", ""],
        ["2026-03-03", "AE-samordning Öst", "Administration", "2", ""],
    ]


def _entries(db):
    return db.session.scalars(select(TimeEntry).order_by(TimeEntry.work_date, TimeEntry.hours)).all()


def test_a_windows_1252_semicolon_file_with_decimal_commas_reports_hours(db, team, clinic):
    project, worker = team
    result = run_import(SPEC, csv_bytes(_rows(), encoding="cp1252"), worker, dry_run=False)

    assert result.ok, result.rows
    internal, patient, admin = _entries(db)
    assert (patient.hours, patient.category, patient.clinic_id) == (
        Decimal("1.5"),
        TimeCategory.PATIENT_WORK,
        clinic.id,
    )
    assert internal.hours == Decimal("0.75") and internal.clinic_id is None
    assert (
        admin.work_date == date(2026, 3, 3) and admin.user_id == worker.id and admin.project_id == project.id
    )


def test_an_xlsx_file_with_numbers_and_dates_reports_hours(db, team):
    _project, worker = team
    rows = _rows()
    rows[1][0], rows[1][3] = date(2026, 3, 2), 1.5
    result = run_import(SPEC, xlsx_bytes(rows), worker, dry_run=False)
    assert result.ok, result.rows
    assert sum(e.hours for e in _entries(db)) == Decimal("4.25")


def test_rows_with_errors_write_nothing(db, team):
    _project, worker = team
    rows = _rows()
    rows.append(["2026-03-04", "AE-samordning Öst", "Fika", "1,1", "Okänd mottagning"])
    rows.append(["2026-03-05", "AE-samordning Öst", "Patientarbete", "0,3", ""])
    rows.append(["2026-03-03", "AE-samordning Öst", "Administration", "3", ""])  # repeats row 4
    result = run_import(SPEC, csv_bytes(rows), worker, dry_run=False)

    assert not result.ok and _entries(db) == []
    assert {e.column for e in result.rows[3].errors} == {"Kategori", "Mottagning"}
    assert [(e.column, e.message) for e in result.rows[4].errors] == [
        ("Timmar", "Ange timmar i kvartar (0,25, 0,5, 0,75 …).")
    ]
    assert "rad 4" in result.rows[5].errors[0].message


def test_re_importing_the_same_file_changes_nothing(db, team):
    _project, worker = team
    content = csv_bytes(_rows())
    run_import(SPEC, content, worker, dry_run=False)
    ids = [e.id for e in _entries(db)]

    again = run_import(SPEC, content, worker, dry_run=False)

    assert [r.status for r in again.rows] == [Status.UNCHANGED] * 3
    assert [e.id for e in _entries(db)] == ids


def test_changed_hours_replace_the_cell_and_a_locked_month_refuses(db, team):
    project, worker = team
    run_import(SPEC, csv_bytes(_rows()), worker, dry_run=False)
    rows = _rows()
    rows[3][3] = "3"
    result = run_import(SPEC, csv_bytes(rows), worker, dry_run=False)
    assert [r.status for r in result.rows] == [Status.UNCHANGED, Status.UNCHANGED, Status.UPDATE]
    assert _entries(db)[-1].hours == Decimal("3")

    db.session.add(MonthLock(project_id=project.id, year=2026, month=3, locked_at=now_utc()))
    db.session.flush()
    rows[3][3] = "4"
    locked = run_import(SPEC, csv_bytes(rows), worker, dry_run=False)
    assert not locked.ok and "låst" in locked.rows[2].errors[0].message
    assert _entries(db)[-1].hours == Decimal("3")


def test_ledning_may_import_its_own_hours_but_not_in_projects_it_is_not_in(db, factory, team):
    _project, _worker = team
    lead = factory.user("ledning")
    result = run_import(SPEC, csv_bytes(_rows()), lead, dry_run=False)
    assert not result.ok
    assert result.rows[0].errors[0].message == "Du kan bara rapportera tid på projekt du arbetar i."

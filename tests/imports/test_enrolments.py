"""Importing enrolments and discharges in the user's projects."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.imports.conftest import audit_count, csv_bytes, pnr, xlsx_bytes
from tracker.audit.models import AuditAction
from tracker.auth.models import OrgType
from tracker.imports.kinds import spec_for
from tracker.imports.kinds.base import Status
from tracker.imports.services import run_import
from tracker.referrals.models import DischargeReason, Enrolment, IncomeSource

HEADER = ["Personnummer", "Projekt", "Inskriven", "Utskriven", "Utskrivningsorsak", "Försörjning före"]
SPEC = spec_for("inskrivningar")


@pytest.fixture
def team(factory):
    org = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=org, name="Plattformen Väst")
    samordnare = factory.user("samordnare", organisation=org)
    people = [factory.individual(clinic=org, personnummer=pnr(n).replace("-", "")) for n in (21, 22)]
    return project, samordnare, people


def _rows():
    return [
        HEADER,
        [pnr(21), "Plattformen Väst", "2026-01-12", "", "", "Aktivitetsersättning"],
        [pnr(22), "plattformen väst", "2025-09-01", "2026-02-27", "Studier", "Ekonomiskt bistånd"],
    ]


def _enrolments(db):
    return db.session.scalars(select(Enrolment).order_by(Enrolment.enrolled_on)).all()


def test_a_windows_1252_semicolon_file_enrols_and_discharges(db, team):
    project, samordnare, people = team
    result = run_import(SPEC, csv_bytes(_rows(), encoding="cp1252"), samordnare, dry_run=False)

    assert result.ok, result.rows
    discharged, enrolled = _enrolments(db)
    assert enrolled.individual_id == people[0].id and enrolled.project_id == project.id
    assert enrolled.income_before == IncomeSource.ACTIVITY_COMPENSATION and enrolled.discharged_on is None
    assert discharged.discharged_on == date(2026, 2, 27)
    assert discharged.discharge_reason == DischargeReason.STUDIES
    assert audit_count(db, action=AuditAction.CREATE, object_type="Enrolment") == 2


def test_an_xlsx_file_enrols(db, team):
    _project, samordnare, _people = team
    rows = _rows()
    rows[1][2] = date(2026, 1, 12)
    result = run_import(SPEC, xlsx_bytes(rows), samordnare, dry_run=False)
    assert result.ok, result.rows
    assert len(_enrolments(db)) == 2


def test_rows_with_errors_write_nothing(db, team):
    _project, samordnare, _people = team
    rows = _rows()
    rows.append([pnr(21), "Okänt projekt", "2030-01-01", "", "Studier", "Lotto"])
    rows.append([pnr(22), "Plattformen Väst", "2026-04-01", "", "", ""])  # in the future
    result = run_import(SPEC, csv_bytes(rows), samordnare, dry_run=False)

    assert not result.ok and _enrolments(db) == []
    assert {e.column for e in result.rows[2].errors} == {"Projekt", "Utskriven", "Försörjning före"}
    assert [(e.column, e.message) for e in result.rows[3].errors] == [
        ("Inskriven", "Datumet får inte ligga i framtiden.")
    ]


def test_re_importing_the_same_file_changes_nothing(db, team):
    _project, samordnare, _people = team
    content = csv_bytes(_rows())
    run_import(SPEC, content, samordnare, dry_run=False)
    versions = [e.version for e in _enrolments(db)]
    audits = audit_count(db, object_type="Enrolment")

    again = run_import(SPEC, content, samordnare, dry_run=False)

    assert [r.status for r in again.rows] == [Status.UNCHANGED, Status.UNCHANGED]
    assert [e.version for e in _enrolments(db)] == versions
    assert audit_count(db, object_type="Enrolment") == audits


def test_a_later_file_discharges_and_updates_the_open_enrolment(db, team):
    _project, samordnare, _people = team
    run_import(SPEC, csv_bytes(_rows()), samordnare, dry_run=False)
    rows = _rows()
    rows[1][3:6] = ["2026-03-13", "Arbete", "Sjukpenning"]
    result = run_import(SPEC, csv_bytes(rows), samordnare, dry_run=False)

    assert [r.status for r in result.rows] == [Status.UPDATE, Status.UNCHANGED]
    enrolment = _enrolments(db)[1]
    assert enrolment.discharge_reason == DischargeReason.WORK
    assert enrolment.income_before == IncomeSource.SICKNESS_BENEFIT


def test_a_different_discharge_in_puls_is_a_conflict_not_overwritten(db, team):
    _project, samordnare, _people = team
    run_import(SPEC, csv_bytes(_rows()), samordnare, dry_run=False)
    rows = _rows()
    rows[2][3] = "2026-03-01"
    result = run_import(SPEC, csv_bytes(rows), samordnare, dry_run=False)
    assert not result.ok and result.rows[1].errors[0].column == "Utskriven"
    assert _enrolments(db)[0].discharged_on == date(2026, 2, 27)


def test_a_project_the_user_does_not_work_in_is_refused(db, factory, team):
    _project, _samordnare, _people = team
    outsider = factory.user("samordnare")
    result = run_import(SPEC, csv_bytes(_rows()), outsider, dry_run=False)
    assert not result.ok and _enrolments(db) == []
    assert result.rows[0].errors[0].message == "Du arbetar inte i projektet."
    assert audit_count(db, action=AuditAction.DENIED) == 2


def test_the_form_labels_are_accepted_as_headers_too(db, team):
    _project, samordnare, _people = team
    rows = _rows()
    rows[0][2:4] = ["Inskrivningsdatum", "utskrivningsdatum"]
    result = run_import(SPEC, csv_bytes(rows), samordnare, dry_run=True)
    assert result.ok and [r.status for r in result.rows] == [Status.CREATE, Status.CREATE]

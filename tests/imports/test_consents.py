"""Importing consents: matched on person, Gäller från and parties; never reviving a withdrawn one."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.imports.conftest import audit_count, csv_bytes, pnr, xlsx_bytes
from tracker.audit.models import AuditAction
from tracker.auth.models import Authority
from tracker.consent.categories import Category
from tracker.consent.models import Consent, Purpose
from tracker.imports.kinds import spec_for
from tracker.imports.kinds.base import Status
from tracker.imports.services import run_import

HEADER = ["Personnummer", "Parter", "Ändamål", "Uppgifter", "Form", "Gäller från", "Gäller till"]
SPEC = spec_for("samtycken")


@pytest.fixture
def people(factory, clinic):
    return [factory.individual(clinic=clinic, personnummer=pnr(n).replace("-", "")) for n in (11, 12)]


def _rows():
    return [
        HEADER,
        [pnr(11), "FK;Region", "Rehabilitering;Pulsmöte", "Alla", "Skriftligt", "2026-01-15", "2027-01-14"],
        [pnr(12), "Kommun, AF", "SIP", "Vårdplan; Mötesanteckningar", "muntligt", "2026-02-01", ""],
    ]


def _consents(db):
    return db.session.scalars(select(Consent).order_by(Consent.id)).all()


def test_a_windows_1252_semicolon_file_registers_consents(db, rehab, people):
    result = run_import(SPEC, csv_bytes(_rows(), encoding="cp1252"), rehab, dry_run=False)

    assert result.ok, result.rows
    first, second = _consents(db)
    assert first.individual_id == people[0].id
    assert {p.authority for p in first.parties} == {Authority.FK, Authority.REGION}
    assert first.purpose_set == {Purpose.REHAB_EXCHANGE, Purpose.PULSMOTE_REVIEW}
    assert first.category_set == set(Category)
    assert (first.given_on, first.valid_until) == (date(2026, 1, 15), date(2027, 1, 14))
    assert second.category_set == {Category.PLAN, Category.MEETING_NOTES} and second.valid_until is None
    assert audit_count(db, action=AuditAction.CREATE, object_type="Consent") == 2


def test_an_xlsx_file_with_real_dates_registers_consents(db, rehab, people):
    rows = _rows()
    rows[1][5], rows[1][6] = date(2026, 1, 15), date(2027, 1, 14)
    result = run_import(SPEC, xlsx_bytes(rows), rehab, dry_run=False)
    assert result.ok, result.rows
    assert _consents(db)[0].valid_until == date(2027, 1, 14)


def test_rows_with_errors_write_nothing(db, rehab, people):
    rows = _rows()
    rows.append([pnr(13), "FK", "SIP", "Alla", "Skriftligt", "2026-01-01", ""])  # not in Puls
    rows.append([pnr(11), "Grannen", "Annat", "Allt", "Telepatiskt", "15/1 2026", "2025-01-01"])
    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)

    assert not result.ok and _consents(db) == []
    assert [e.column for e in result.rows[2].errors] == ["Personnummer"]
    assert {e.column for e in result.rows[3].errors} == {"Parter", "Uppgifter", "Form", "Gäller från"}


def test_a_service_rule_is_reported_on_its_column(db, rehab, people):
    rows = [HEADER, [pnr(11), "FK", "Annat", "Alla", "Skriftligt", "2026-01-15", "2026-01-01"]]
    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)
    messages = {e.column: e.message for e in result.rows[0].errors}
    assert messages == {
        "Annat ändamål": "Beskriv det andra ändamålet.",
        "Gäller till": "Slutdatum kan inte ligga före startdatum.",
    }


def test_re_importing_the_same_file_changes_nothing(db, rehab, people):
    content = csv_bytes(_rows())
    run_import(SPEC, content, rehab, dry_run=False)
    audits = audit_count(db, object_type="Consent")

    again = run_import(SPEC, content, rehab, dry_run=False)

    assert [r.status for r in again.rows] == [Status.UNCHANGED, Status.UNCHANGED]
    assert len(_consents(db)) == 2 and audit_count(db, object_type="Consent") == audits


def test_a_changed_consent_is_corrected_as_a_new_version(db, rehab, people):
    run_import(SPEC, csv_bytes(_rows()), rehab, dry_run=False)
    rows = _rows()
    rows[1][6] = "2026-12-31"
    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)

    assert [r.status for r in result.rows] == [Status.UPDATE, Status.UNCHANGED]
    old, _second, new = _consents(db)
    assert old.superseded_at is not None and new.supersedes_id == old.id
    assert new.valid_until == date(2026, 12, 31)


def test_a_withdrawn_consent_is_not_revived_by_an_old_file(db, rehab, people):
    run_import(SPEC, csv_bytes(_rows()), rehab, dry_run=False)
    first = _consents(db)[0]
    first.withdrawn_on = date(2026, 3, 1)
    db.session.flush()

    result = run_import(SPEC, csv_bytes(_rows()), rehab, dry_run=False)

    assert not result.ok and "återkallat" in result.rows[0].errors[0].message
    assert len(_consents(db)) == 2


def test_a_consent_for_someone_elses_case_is_refused_and_audited(db, factory, rehab):
    stranger = factory.individual(personnummer=pnr(14).replace("-", ""))
    rows = [HEADER, [pnr(14), "FK", "SIP", "Alla", "Skriftligt", "2026-01-15", ""]]
    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)
    assert not result.ok and _consents(db) == []
    assert audit_count(db, action=AuditAction.DENIED, individual_id=stranger.id) == 1

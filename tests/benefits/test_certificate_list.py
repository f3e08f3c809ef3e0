"""The certificate list for FK (page, CSV, XLSX): who is named, and that each named read is audited on the person."""

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Authority
from tracker.consent.categories import Category

SINCE = "2026-02-01"
LIST_URL = f"/formaner/lakarutlatanden?sedan={SINCE}"
CSV_URL = f"/formaner/lakarutlatanden/export.csv?sedan={SINCE}"
XLSX_URL = f"/formaner/lakarutlatanden/export.xlsx?sedan={SINCE}"


def _person(case, factory, last_name: str):
    person = factory.individual(clinic=case.clinic, first_name="Ines", last_name=last_name)
    factory.certificate(person, issued_on=date(2026, 3, 2))
    return person


def _everything_fk_gets(client) -> str:
    """The page, the CSV and the XLSX as one text, to search for names."""
    page = client.get(LIST_URL).get_data(as_text=True)
    csv_text = client.get(CSV_URL).data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(client.get(XLSX_URL).data)).active
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return "\n".join((page, csv_text, cells))


def _list_events(db, person=None):
    query = select(AuditEvent).where(AuditEvent.object_type == "CertificateList")
    if person is not None:
        query = query.where(AuditEvent.individual_id == person.id)
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


# ---------------------------------------------------------------- naming needs identity too


def test_a_consent_that_leaves_out_identity_does_not_name_the_person_to_fk(client, login, case, factory, db):
    person = _person(case, factory, "Identitetslös")
    factory.consent(person, parties=(Authority.FK,), categories=(Category.CERTIFICATES,))
    db.session.commit()
    login(case.rehab)
    assert "Identitetslös" not in _everything_fk_gets(client)
    assert "Utan samtycke till FK: 1 utlåtanden" in client.get(LIST_URL).get_data(as_text=True)


def test_a_sparr_on_identity_against_fk_keeps_the_person_unnamed_despite_consent(
    client, login, case, factory, db
):
    person = _person(case, factory, "Spärrsson")
    factory.consent(person, parties=(Authority.FK,))
    factory.block(person, category=Category.IDENTITY, organisation=case.fk_office.parent)
    db.session.commit()
    login(case.rehab)
    assert "Spärrsson" not in _everything_fk_gets(client)
    assert "Utan samtycke till FK: 1 utlåtanden" in client.get(LIST_URL).get_data(as_text=True)


def test_a_consent_covering_identity_and_certificates_names_the_person_to_fk(
    client, login, case, factory, db
):
    person = _person(case, factory, "Namngiven")
    factory.consent(person, parties=(Authority.FK,), categories=(Category.IDENTITY, Category.CERTIFICATES))
    db.session.commit()
    login(case.rehab)
    assert _everything_fk_gets(client).count("Ines Namngiven") == 3


# ---------------------------------------------------------------- one audit row per person named


@pytest.mark.parametrize(
    ("url", "action", "details"),
    [
        (LIST_URL, "list", f"fk-list html since={SINCE}"),
        (CSV_URL, "export", f"fk-list csv since={SINCE}"),
        (XLSX_URL, "export", f"fk-list xlsx since={SINCE}"),
    ],
)
def test_each_person_named_on_the_certificate_list_gets_an_audit_row_of_their_own(
    client, login, case, factory, db, url, action, details
):
    first, second = _person(case, factory, "Först"), _person(case, factory, "Andra")
    for person in (first, second):
        factory.consent(person, parties=(Authority.FK,))
    unnamed = _person(case, factory, "Utan")
    db.session.commit()
    login(case.rehab)
    assert client.get(url).status_code == 200
    events = _list_events(db)
    assert sorted(e.individual_id for e in events) == sorted([first.id, second.id])
    assert {(e.action, e.details, e.user_id) for e in events} == {(action, details, case.rehab.id)}
    assert _list_events(db, unnamed) == []
    for person in (first, second):
        assert person.last_name not in details and person.personnummer not in details


def test_the_register_extract_lists_that_the_person_was_named_on_the_certificate_list(
    client, login, case, factory, db
):
    person = _person(case, factory, "Utdragsson")
    factory.consent(person, parties=(Authority.FK,))
    db.session.commit()
    login(case.rehab)
    client.get(LIST_URL)
    client.get(CSV_URL)
    extract = json.loads(
        client.get(f"/personer/{person.public_id}/registerutdrag.json").get_data(as_text=True)
    )
    reads = [(row["Händelse"], row["Uppgift"]) for row in extract["audit_trail"]]
    assert ("Lista", "CertificateList") in reads and ("Export", "CertificateList") in reads

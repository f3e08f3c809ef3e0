"""The certificate list for FK (page, CSV, XLSX): who is named."""

import io
from datetime import date

from openpyxl import load_workbook

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

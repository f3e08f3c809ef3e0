"""Importing individuals: Swedish Excel CSV, XLSX, rows with errors, re-import, other units."""

from sqlalchemy import select

from tests.imports.conftest import audit_count, csv_bytes, pnr, xlsx_bytes
from tracker.audit.models import AuditAction, AuditEvent
from tracker.imports.kinds import spec_for
from tracker.imports.kinds.base import Status
from tracker.imports.services import run_import
from tracker.people.models import Gender, Individual

HEADER = ["Personnummer", "Förnamn", "Efternamn", "Kön", "Hemkommun", "Handläggare FK (e-post)"]
SPEC = spec_for("personer")


def _rows():
    return [
        HEADER,
        [pnr(1), "Åsa", "Öberg", "Kvinna", "Västerås", "Handlaggare.FK@test.example"],
        [pnr(2, gender=Gender.MAN), "Örjan", "Ärlig", "M", "Enköping", ""],
    ]


def _individuals(db):
    return db.session.scalars(select(Individual).order_by(Individual.first_name)).all()


def test_a_windows_1252_semicolon_file_creates_individuals_in_the_users_unit(db, rehab, clinic, officer):
    content = csv_bytes(_rows(), encoding="cp1252", delimiter=";")
    assert "Å".encode("cp1252") in content  # really Windows-1252, not UTF-8

    result = run_import(SPEC, content, rehab, dry_run=False)

    assert result.ok and [r.status for r in result.rows] == [Status.CREATE, Status.CREATE]
    asa, orjan = _individuals(db)
    assert (asa.first_name, asa.last_name, asa.home_municipality) == ("Åsa", "Öberg", "Västerås")
    assert asa.clinic_id == clinic.id and asa.coordinator_id == rehab.id
    assert asa.fk_officer_id == officer.id and orjan.fk_officer_id is None
    assert orjan.gender == Gender.MAN
    assert audit_count(db, action=AuditAction.CREATE, object_type="Individual") == 2
    assert audit_count(db, action=AuditAction.CREATE, object_type="Import") == 1


def test_an_xlsx_file_creates_individuals(db, rehab, officer):
    rows = _rows()
    rows[1][0] = int(rows[1][0].replace("-", ""))  # Excel turned the number into a number
    result = run_import(SPEC, xlsx_bytes(rows), rehab, dry_run=False)
    assert result.ok, result.rows
    assert [i.first_name for i in _individuals(db)] == ["Åsa", "Örjan"]


def test_rows_with_errors_write_nothing_and_say_where_the_errors_are(db, rehab, officer):
    rows = _rows()
    rows.append(["19991231-0000", "", "Nilsson", "Kanske", "Uppsala", "okand@test.example"])
    rows.append(rows[1][:])  # the same personnummer twice
    before = audit_count(db)

    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)

    assert not result.ok
    assert _individuals(db) == []
    bad, duplicate = result.rows[2], result.rows[3]
    assert bad.number == 4 and duplicate.number == 5
    columns = {e.column: e.message for e in bad.errors}
    assert set(columns) == {"Personnummer", "Förnamn", "Kön", "Handläggare FK (e-post)"}
    assert "1231" not in " ".join(columns.values())  # the number is never repeated
    assert duplicate.errors[0].message == "Personnumret finns redan på rad 2."
    # Only the summary is audited; the created-then-undone rows left no audit trace.
    assert audit_count(db) == before + 1
    summary = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert summary.object_type == "Import" and summary.action == AuditAction.VIEW
    assert summary.details == (
        "import personer (rejected, nothing written): rows=4 create=2 update=0 unchanged=0 errors=2"
    )


def test_re_importing_the_same_file_changes_nothing(db, rehab, officer):
    content = csv_bytes(_rows())
    run_import(SPEC, content, rehab, dry_run=False)
    versions = [(i.id, i.version) for i in _individuals(db)]
    individual_audits = audit_count(db, object_type="Individual")

    again = run_import(SPEC, content, rehab, dry_run=False)

    assert again.ok and [r.status for r in again.rows] == [Status.UNCHANGED, Status.UNCHANGED]
    db.session.expire_all()
    assert [(i.id, i.version) for i in _individuals(db)] == versions
    assert audit_count(db, object_type="Individual") == individual_audits


def test_a_changed_row_updates_the_individual(db, rehab, officer):
    run_import(SPEC, csv_bytes(_rows()), rehab, dry_run=False)
    rows = _rows()
    rows[1][4] = "Uppsala"
    rows[1][5] = ""
    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)
    assert [r.status for r in result.rows] == [Status.UPDATE, Status.UNCHANGED]
    asa = _individuals(db)[0]
    assert asa.home_municipality == "Uppsala" and asa.fk_officer_id is None and asa.version == 2


def test_without_the_officer_column_the_officer_is_kept(db, rehab, officer):
    run_import(SPEC, csv_bytes(_rows()), rehab, dry_run=False)
    rows = [r[:5] for r in _rows()]
    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)
    assert [r.status for r in result.rows] == [Status.UNCHANGED, Status.UNCHANGED]
    assert _individuals(db)[0].fk_officer_id == officer.id


def test_a_dry_run_writes_nothing_but_reports_what_would_happen(db, rehab, officer):
    result = run_import(SPEC, csv_bytes(_rows()), rehab, dry_run=True)
    assert result.ok and [r.status.label(True) for r in result.rows] == ["skapas", "skapas"]
    assert _individuals(db) == []
    assert audit_count(db, action=AuditAction.VIEW, object_type="Import") == 1
    assert audit_count(db, object_type="Individual") == 0


def test_an_individual_of_another_unit_is_refused_and_the_denial_audited(db, factory, rehab):
    other = factory.individual(personnummer=pnr(3).replace("-", ""))
    rows = [HEADER[:5], [pnr(3), "Ny", "Namn", "Kvinna", "Uppsala"]]

    result = run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)

    assert not result.ok
    assert result.rows[0].errors[0].column == "Personnummer"
    db.session.refresh(other)
    assert other.first_name != "Ny"
    denial = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.DENIED))
    assert denial.individual_id == other.id and "row=2" in denial.details


def test_headers_are_matched_regardless_of_case_and_order(db, rehab):
    rows = [
        ["hemkommun", "KÖN", "efternamn ", "Förnamn", "personnummer"],
        ["Uppsala", "Annat", "B", "A", pnr(4)],
    ]
    result = run_import(SPEC, csv_bytes(rows, encoding="utf-8", delimiter=","), rehab, dry_run=False)
    assert result.ok and _individuals(db)[0].gender == Gender.ANNAT


def test_missing_and_unknown_columns_are_named_without_echoing_cells(db, rehab):
    import pytest

    from tracker.core.errors import ValidationError

    rows = [[pnr(5), "Anna", "Andersson"], [pnr(6), "Bo", "Berg"]]  # no header row
    with pytest.raises(ValidationError) as error:
        run_import(SPEC, csv_bytes(rows), rehab, dry_run=False)
    message = error.value.errors["file"]
    assert "Kolumner saknas: Personnummer, Förnamn, Efternamn, Kön, Hemkommun." in message
    assert "kolumn A, B, C" in message and pnr(5) not in message and "Anna" not in message


def test_the_policy_facts_are_loaded_in_batches_not_per_row(db, rehab, count_queries):
    def rows(n):
        return [HEADER[:5]] + [[pnr(100 + i), "Anna", f"N{i}", "Kvinna", "Sala"] for i in range(n)]

    costs = {}
    for n in (3, 30):
        content = csv_bytes(rows(n))
        run_import(SPEC, content, rehab, dry_run=False)
        with count_queries() as counter:
            result = run_import(SPEC, content, rehab, dry_run=False)
        assert [r.status for r in result.rows] == [Status.UNCHANGED] * n
        costs[n] = counter.count
    # An unchanged row costs one query (the service's personnummer check); the
    # individuals and their consents, contacts, spärrar and emergency accesses come in batches.
    assert costs[30] - costs[3] <= 27, costs

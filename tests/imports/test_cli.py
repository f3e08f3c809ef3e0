"""`flask import KIND FILE --user EMAIL [--dry-run]`: as that user, audited, all or nothing."""

from sqlalchemy import func, select

from tests.imports.conftest import csv_bytes, pnr, xlsx_bytes
from tracker.audit.models import AuditAction, AuditEvent
from tracker.people.models import Individual

HEADER = ["Personnummer", "Förnamn", "Efternamn", "Kön", "Hemkommun"]


def _rows():
    return [HEADER, [pnr(41), "Åsa", "Öberg", "Kvinna", "Västerås"], [pnr(42), "Per", "Ek", "Man", "Sala"]]


def _individuals(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Individual))


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["import", *args])


def test_a_dry_run_then_the_real_run_then_a_re_import(app, db, rehab, tmp_path):
    path = tmp_path / "personer.csv"
    path.write_bytes(csv_bytes(_rows()))

    dry = _invoke(app, "personer", str(path), "--user", rehab.email.upper(), "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert "rad 2: skapas" in dry.output and "Provkörning, inget sparat: 2 skapas" in dry.output
    assert _individuals(db) == 0

    real = _invoke(app, "individuals", str(path), "--user", rehab.email)
    assert real.exit_code == 0 and "Importen är klar: 2 skapade" in real.output
    assert _individuals(db) == 2
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type.in_(["Import", "Individual"]))
    )
    assert {(e.user_id, e.remote_addr) for e in events} == {(rehab.id, "cli")}

    again = _invoke(app, "personer", str(path), "--user", rehab.email)
    assert "rad 2: oförändrad" in again.output and _individuals(db) == 2


def test_an_xlsx_file_with_errors_writes_nothing_and_exits_non_zero(app, db, rehab, tmp_path):
    rows = _rows() + [[pnr(43), "Eva", "", "Kvinna", "Heby"]]
    path = tmp_path / "personer.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    result = _invoke(app, "personer", str(path), "--user", rehab.email)
    assert result.exit_code == 1
    assert "rad 4, Efternamn: Fältet måste fyllas i." in result.stderr
    assert pnr(43) not in result.stderr + result.output
    assert _individuals(db) == 0
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "Import"))
    assert summary.user_id == rehab.id and "errors=1" in summary.details


def test_a_user_whose_role_may_not_import_is_refused_and_audited(app, db, factory, tmp_path):
    officer = factory.user("handlaggare")
    path = tmp_path / "personer.csv"
    path.write_bytes(csv_bytes(_rows()))
    result = _invoke(app, "personer", str(path), "--user", officer.email)
    assert result.exit_code == 1 and "får inte importera personer" in result.stderr
    denial = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.DENIED))
    assert denial.user_id == officer.id and "import personer" in denial.details
    assert _individuals(db) == 0


def test_unknown_kinds_users_and_unreadable_files_are_explained(app, db, rehab, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    assert "Okänd typ av import" in _invoke(app, "bilar", str(path), "--user", rehab.email).stderr
    assert "ingen aktiv användare" in _invoke(app, "personer", str(path), "--user", "nobody@x.se").stderr
    empty = _invoke(app, "personer", str(path), "--user", rehab.email)
    assert empty.exit_code == 1 and "Filen är tom." in empty.stderr

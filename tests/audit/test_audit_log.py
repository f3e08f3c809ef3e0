from sqlalchemy import select, text

from tracker.audit.models import AuditAction, AuditEvent
from tracker.audit.services import record, record_each, record_kept, verify_chain


def _events(db, **filters):
    db.session.expire_all()
    query = select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)
    return db.session.scalars(query).all()


def test_viewing_an_individual_is_audited_with_who_and_which_individual(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    db.session.commit()
    assert client.get(f"/personer/{person.public_id}").status_code == 200
    [event] = _events(db, action=AuditAction.VIEW, individual_id=person.id)
    assert event.user_id == user.id
    assert event.organisation_id == user.organisation_id
    assert event.role == "rehabkoordinator"
    assert event.object_type == "Individual"


def test_denied_access_is_audited(client, login_as, factory, db):
    login_as("rehabkoordinator")
    other_clinic_person = factory.individual()
    db.session.commit()
    assert client.get(f"/personer/{other_clinic_person.public_id}").status_code == 403
    [event] = _events(db, action=AuditAction.DENIED)
    assert event.individual_id == other_clinic_person.id
    assert "not_connected" in event.details


def test_chain_verifies_when_untouched(app, db):
    with app.test_request_context():
        for n in range(5):
            record(AuditAction.VIEW, object_type="Thing", object_id=n)
    report = verify_chain()
    assert report.ok and report.checked >= 5


def test_one_row_per_individual_shown_chains_in_the_given_order(app, db, factory):
    a, b, c = (factory.individual().id for _ in range(3))
    with app.test_request_context():
        record(AuditAction.VIEW, object_type="Thing", object_id=1)
        written = record_each(AuditAction.VIEW, [c, a, None, b, a], object_type="Note", details="meeting 7")
        record(AuditAction.VIEW, object_type="Thing", object_id=2)
    assert written == 3  # None and the repeated one are left out
    rows = _events(db, object_type="Note")
    assert [r.individual_id for r in rows] == [c, a, b]
    assert {r.details for r in rows} == {"meeting 7"}
    assert verify_chain().ok


def test_a_kept_row_outside_a_web_request_is_written_at_once(app, db, factory):
    # A command acting as a user runs in a request context that no `finish` will end.
    person = factory.individual()
    with app.test_request_context():
        record_kept(AuditAction.DENIED, individual_id=person.id, details="personnummer_taken; create")
    [event] = _events(db, action=AuditAction.DENIED)
    assert event.individual_id == person.id


def test_nothing_shown_writes_no_audit_rows(app, db):
    with app.test_request_context():
        assert record_each(AuditAction.VIEW, [], object_type="Note") == 0
    assert _events(db, object_type="Note") == []


def test_chain_verification_finds_a_tampered_row(app, db):
    with app.test_request_context():
        events = [record(AuditAction.VIEW, object_type="Thing", object_id=n) for n in range(5)]
    db.session.execute(
        text("UPDATE audit_events SET details = 'covered up' WHERE id = :id"), {"id": events[2].id}
    )
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == events[2].id


def test_chain_verification_finds_a_deleted_row(app, db):
    with app.test_request_context():
        events = [record(AuditAction.VIEW, object_type="Thing", object_id=n) for n in range(4)]
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id})
    assert verify_chain().first_bad_id == events[2].id


def test_audit_verify_command_reports_ok_and_broken(app, db):
    with app.test_request_context():
        events = [record(AuditAction.VIEW, object_type="Thing", object_id=n) for n in range(3)]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "OK" in result.output
    db.session.execute(text("UPDATE audit_events SET action = 'x' WHERE id = :id"), {"id": events[0].id})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1


def test_admin_reviews_log_filtered_by_action(client, login_as, db):
    login_as("admin")
    response = client.get("/admin/logg/?action=login")
    assert response.status_code == 200
    assert "Inloggning" in response.get_data(as_text=True)


def test_bad_log_filter_gets_a_swedish_message(client, login_as, db):
    login_as("admin")
    response = client.get("/admin/logg/?from=2026-13-45")
    assert response.status_code == 422
    assert "ÅÅÅÅ-MM-DD" in response.get_data(as_text=True)


def test_admin_exports_log_as_csv_and_the_export_is_audited(client, login_as, db):
    admin = login_as("admin")
    response = client.get("/admin/logg/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffid;")
    assert admin.email in body
    assert _events(db, action=AuditAction.EXPORT)


def test_non_admin_roles_are_refused_the_log(client, login_as, db):
    for role in ("rehabkoordinator", "handlaggare", "ledning", "samordnare"):
        client.post("/logout")
        login_as(role)
        assert client.get("/admin/logg/").status_code == 403
        assert client.get("/admin/logg/export.csv").status_code == 403


def test_log_page_uses_a_fixed_number_of_queries(client, login_as, app, db, count_queries):
    login_as("admin")
    with app.test_request_context():
        for n in range(5):
            record(AuditAction.VIEW, object_type="Thing", object_id=n)
    db.session.commit()
    with count_queries() as few:
        client.get("/admin/logg/")
    with app.test_request_context():
        for n in range(40):
            record(AuditAction.VIEW, object_type="Thing", object_id=n)
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/logg/")
    assert few.count == many.count

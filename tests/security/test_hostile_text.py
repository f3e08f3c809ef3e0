"""Script tags and template syntax in every free-text field render as text."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.security.conftest import PAYLOAD, assert_escaped
from tracker.auth.models import Organisation, User
from tracker.consent.models import Consent, EmergencyAccess
from tracker.people.models import CaseContact, Individual


def test_individual_names_and_municipality_are_stored_verbatim_and_shown_escaped(client, login_as, db):
    user = login_as("rehabkoordinator")
    data = {
        "personnummer": "20000517-9809",
        "first_name": PAYLOAD,
        "last_name": PAYLOAD,
        "gender": "kvinna",
        "home_municipality": PAYLOAD,
        "clinic_id": str(user.organisation_id),
        "coordinator_id": str(user.id),
        "fk_officer_id": "",
    }
    assert client.post("/personer/ny", data=data).status_code == 302
    person = db.session.scalar(select(Individual).where(Individual.personnummer == "200005179809"))
    assert person.first_name == PAYLOAD and person.home_municipality == PAYLOAD
    for url in (
        f"/personer/{person.public_id}",
        "/personer/",
        f"/personer/{person.public_id}/andra",
        f"/personer/{person.public_id}/registerutdrag",
        f"/personer/{person.public_id}/samtycken",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.get_data(as_text=True))
    found = client.post("/personer/sok", data={"q": "alert"})
    assert_escaped(found.get_data(as_text=True))


def test_case_contact_texts_are_shown_escaped(client, own_case, factory, db):
    _, person = own_case
    org = factory.organisation("kommun")
    db.session.commit()
    response = client.post(
        f"/personer/{person.public_id}/kontakter",
        data={"organisation_id": str(org.id), "contact_person": PAYLOAD, "note": PAYLOAD},
    )
    assert response.status_code == 302
    contact = db.session.scalar(select(CaseContact).where(CaseContact.individual_id == person.id))
    assert contact.note == PAYLOAD
    assert_escaped(client.get(f"/personer/{person.public_id}").get_data(as_text=True))


def test_consent_notes_purposes_and_withdrawal_reasons_are_shown_escaped(client, own_case, db):
    _, person = own_case
    data = {
        "authorities": ["fk"],
        "purposes": ["other"],
        "purpose_other": PAYLOAD,
        "categories": ["identity"],
        "form": "written",
        "given_on": "2026-03-01",
        "valid_until": "",
        "note": PAYLOAD,
    }
    assert client.post(f"/personer/{person.public_id}/samtycken/nytt", data=data).status_code == 302
    consent = db.session.scalar(select(Consent).where(Consent.individual_id == person.id))
    assert consent.note == PAYLOAD
    response = client.post(
        f"/samtycken/{consent.id}/aterkalla", data={"withdrawn_on": "2026-03-10", "reason": PAYLOAD}
    )
    assert response.status_code == 302
    for url in (f"/personer/{person.public_id}/samtycken", f"/personer/{person.public_id}/registerutdrag"):
        assert_escaped(client.get(url).get_data(as_text=True))
    assert_escaped(client.get(f"/personer/{person.public_id}").get_data(as_text=True), shown=False)


def test_block_notes_are_shown_escaped(client, own_case, db):
    _, person = own_case
    response = client.post(
        f"/personer/{person.public_id}/sparrar/ny",
        data={"category": "plan", "organisation_id": "", "starts_on": "2026-03-01", "note": PAYLOAD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert_escaped(client.get(f"/personer/{person.public_id}/registerutdrag").get_data(as_text=True))
    page = client.get(f"/personer/{person.public_id}/samtycken").get_data(as_text=True)
    assert_escaped(page, shown=False)


def test_closing_reason_is_shown_escaped_in_the_extract(client, own_case):
    _, person = own_case
    response = client.post(
        f"/personer/{person.public_id}/avsluta", data={"closed_on": "2026-03-16", "reason": PAYLOAD}
    )
    assert response.status_code == 302
    assert_escaped(client.get(f"/personer/{person.public_id}/registerutdrag").get_data(as_text=True))


def test_admin_texts_for_organisations_and_users_are_shown_escaped(client, login_as, db):
    admin = login_as("admin")
    response = client.post(
        "/admin/organisationer",
        data={"name": PAYLOAD, "org_type": "kommun", "parent_id": "", "municipality": PAYLOAD},
    )
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.name == PAYLOAD))
    assert_escaped(client.get("/admin/organisationer").get_data(as_text=True))
    response = client.post(
        "/admin/anvandare",
        data={
            "full_name": PAYLOAD,
            "email": "hostile@test.example",
            "role": "samordnare",
            "organisation_id": str(org.id),
            "password": "ett-långt-lösenord",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "hostile@test.example"))
    for url in ("/admin/anvandare", f"/admin/anvandare/{user.id}"):
        assert_escaped(client.get(url).get_data(as_text=True))
    assert_escaped(client.get("/admin/logg/").get_data(as_text=True), shown=False)
    assert admin.id != user.id


def test_emergency_access_reasons_are_shown_escaped_to_reviewers(client, login_as, factory, db):
    admin = login_as("admin")
    person = factory.individual()
    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    db.session.add(
        EmergencyAccess(
            user_id=admin.id,
            individual_id=person.id,
            reason=PAYLOAD,
            started_at=now,
            expires_at=now + timedelta(hours=4),
        )
    )
    db.session.commit()
    assert_escaped(client.get("/admin/nodoppningar").get_data(as_text=True))


def test_hostile_text_in_a_login_or_search_field_is_echoed_escaped(client, own_case):
    response = client.post("/personer/sok", data={"q": PAYLOAD})
    assert response.status_code == 200
    assert_escaped(response.get_data(as_text=True))


def test_no_page_contains_inline_script_even_with_hostile_data(client, own_case, factory, db):
    _, person = own_case
    factory.consent(person, note=PAYLOAD, given_on=date(2026, 1, 1))
    db.session.commit()
    for url in (f"/personer/{person.public_id}", f"/personer/{person.public_id}/samtycken"):
        response = client.get(url)
        assert "<script>" not in response.get_data(as_text=True)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]

from datetime import date

from tracker.auth.models import Authority

CONSENT = {
    "authorities": ["fk"],
    "purposes": ["rehab_exchange"],
    "categories": ["identity", "plan"],
    "form": "written",
    "given_on": "2026-03-01",
    "valid_until": "2027-03-01",
}


def test_register_list_and_withdraw_a_consent(api, factory, db):
    call = api("rehabkoordinator")
    person = factory.individual(clinic=call.user.organisation)
    db.session.commit()
    created = call("POST", f"/individuals/{person.public_id}/consents", CONSENT)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "active"
    listed = call("GET", f"/individuals/{person.public_id}/consents")
    assert listed.json["total"] == 1
    withdrawn = call(
        "POST", f"/consents/{created.json['id']}/withdraw", {"withdrawn_on": "2026-03-16", "reason": "Ringde"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"


def test_consent_with_end_before_start_gives_422(api, factory, db):
    call = api("rehabkoordinator")
    person = factory.individual(clinic=call.user.organisation)
    db.session.commit()
    response = call(
        "POST", f"/individuals/{person.public_id}/consents", {**CONSENT, "valid_until": "2026-01-01"}
    )
    assert response.status_code == 422
    assert "valid_until" in response.json["errors"]


def test_consent_check_via_api_reveals_only_validity(api, factory, db):
    call = api("handlaggare")
    person = factory.individual(first_name="Hemlig")
    factory.consent(person, parties=[Authority.FK], categories=["plan"], valid_until=date(2026, 12, 31))
    db.session.commit()
    response = call("POST", "/consent-check", {"personnummer": person.personnummer})
    assert response.status_code == 200
    assert response.json == {
        "covered": True,
        "purposes": ["rehab_exchange"],
        "categories": ["plan"],
        "valid_until": "2026-12-31",
    }
    assert "Hemlig" not in response.get_data(as_text=True)


def test_fk_token_without_consent_gets_403_on_the_case(api, factory, db):
    call = api("handlaggare")
    person = factory.individual()
    db.session.commit()
    assert call("GET", f"/individuals/{person.public_id}/consents").status_code == 403
    assert (
        call(
            "POST", f"/individuals/{person.public_id}/blocks", {"category": "plan", "starts_on": "2026-03-16"}
        ).status_code
        == 403
    )


def test_block_via_api(api, factory, db):
    call = api("rehabkoordinator")
    person = factory.individual(clinic=call.user.organisation)
    db.session.commit()
    created = call(
        "POST", f"/individuals/{person.public_id}/blocks", {"category": "plan", "starts_on": "2026-03-16"}
    )
    assert created.status_code == 201
    assert call("GET", f"/individuals/{person.public_id}/blocks").json["items"][0]["category"] == "plan"
    empty = call("POST", f"/individuals/{person.public_id}/blocks", {"starts_on": "2026-03-16"})
    assert empty.status_code == 422

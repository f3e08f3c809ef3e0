from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.people.models import Individual


def _form(user, **overrides):
    data = {
        "personnummer": "20000517-9809",
        "first_name": "Alva",
        "last_name": "Åberg",
        "gender": "kvinna",
        "home_municipality": "Uppsala",
        "clinic_id": str(user.organisation_id),
        "coordinator_id": str(user.id),
        "fk_officer_id": "",
    }
    data.update(overrides)
    return data


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Individual))


def test_rehabkoordinator_registers_an_individual_and_it_is_audited(client, login_as, db):
    from tracker.core.personnummer import normalise

    user = login_as("rehabkoordinator")
    data = _form(user, personnummer="20000517-9809")
    normalise(data["personnummer"])  # the fixture number is valid
    response = client.post("/personer/ny", data=data)
    assert response.status_code == 302
    person = db.session.scalar(select(Individual).where(Individual.last_name == "Åberg"))
    assert person.personnummer == "200005179809"
    assert person.public_id in response.headers["Location"]
    assert "200005179809" not in response.headers["Location"]
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.CREATE, AuditEvent.individual_id == person.id
        )
    )


def test_bad_personnummer_reshows_form_with_values_and_saves_nothing(client, login_as, db):
    user = login_as("rehabkoordinator")
    before = _count(db)
    response = client.post("/personer/ny", data=_form(user, personnummer="20000517-9808"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "kontrollsiffra" in body
    assert 'value="Åberg"' in body
    assert _count(db) == before


def test_missing_fields_are_reported_in_swedish(client, login_as, db):
    user = login_as("rehabkoordinator")
    response = client.post("/personer/ny", data=_form(user, first_name="", home_municipality=""))
    assert response.status_code == 422
    assert "Fältet måste fyllas i" in response.get_data(as_text=True)


def test_the_same_personnummer_cannot_be_registered_twice(client, login_as, db):
    user = login_as("rehabkoordinator")
    assert client.post("/personer/ny", data=_form(user)).status_code == 302
    response = client.post("/personer/ny", data=_form(user, first_name="Annan"))
    assert response.status_code == 422
    assert "finns redan" in response.get_data(as_text=True)


def test_individual_cannot_be_registered_for_another_unit(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    other = factory.organisation()
    db.session.commit()
    response = client.post("/personer/ny", data=_form(user, clinic_id=str(other.id)))
    assert response.status_code == 422
    assert _count(db) == 0


def test_handlaggare_cannot_register_individuals(client, login_as, db):
    user = login_as("handlaggare")
    assert client.post("/personer/ny", data=_form(user)).status_code == 403


def test_edit_saves_changes_and_audits_changed_fields(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation, first_name="Maja")
    db.session.commit()
    data = _form(user, personnummer=person.personnummer, first_name="Majken", version=str(person.version))
    response = client.post(f"/personer/{person.public_id}/andra", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Individual, person.id).first_name == "Majken"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE))
    assert "first_name" in event.details and "Majken" not in event.details


def test_second_save_of_a_stale_form_is_refused_without_losing_the_first(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation, first_name="Maja")
    db.session.commit()
    stale_version = str(person.version)
    first = _form(user, personnummer=person.personnummer, first_name="Första", version=stale_version)
    second = _form(user, personnummer=person.personnummer, first_name="Andra", version=stale_version)
    assert client.post(f"/personer/{person.public_id}/andra", data=first).status_code == 302
    response = client.post(f"/personer/{person.public_id}/andra", data=second)
    assert response.status_code == 409
    assert "Någon annan har ändrat" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Individual, person.id).first_name == "Första"


def test_search_by_name_is_posted_and_finds_case_insensitively(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    factory.individual(clinic=user.organisation, first_name="Åsa", last_name="Östberg")
    factory.individual(clinic=user.organisation, first_name="Bo", last_name="Berg")
    db.session.commit()
    response = client.post("/personer/sok", data={"q": "åsa öst"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Östberg" in body and "Berg, Bo" not in body
    assert client.get("/personer/sok?q=x").status_code in (404, 405)  # no GET search


def test_search_by_personnummer_finds_exact_match(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    db.session.commit()
    response = client.post("/personer/sok", data={"q": person.personnummer_display})
    assert person.last_name in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.SEARCH))
    assert person.personnummer not in (event.details or "")


def test_search_with_sql_metacharacters_is_harmless(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    factory.individual(clinic=user.organisation, last_name="Berg")
    db.session.commit()
    for term in ("' OR 1=1 --", "%", "_%_", "\\"):
        response = client.post("/personer/sok", data={"q": term})
        assert response.status_code in (200, 422)
        assert "Berg" not in response.get_data(as_text=True).split("<table>")[-1] or term == "%"


def test_list_shows_only_own_units_individuals(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    factory.individual(clinic=user.organisation, last_name="Egen")
    factory.individual(last_name="Främmande")
    db.session.commit()
    body = client.get("/personer/").get_data(as_text=True)
    assert "Egen" in body and "Främmande" not in body


def test_handlaggare_lists_only_assigned_individuals(client, login_as, factory, db):
    officer = login_as("handlaggare")
    factory.individual(fk_officer_id=officer.id, last_name="Tilldelad")
    factory.individual(last_name="Annan")
    db.session.commit()
    body = client.get("/personer/").get_data(as_text=True)
    assert "Tilldelad" in body and "Annan" not in body


def test_ledning_and_admin_are_refused_individual_pages(client, login_as, factory, db):
    person = factory.individual(last_name="Hemlig")
    db.session.commit()
    login_as("ledning")
    assert client.get("/personer/").status_code == 403
    assert client.get(f"/personer/{person.public_id}").status_code == 403
    client.post("/logout")
    login_as("admin")  # without an emergency access the admin sees nobody
    assert "Hemlig" not in client.get("/personer/").get_data(as_text=True)
    assert client.get(f"/personer/{person.public_id}").status_code == 403


def test_list_uses_the_same_number_of_queries_for_few_and_many_rows(
    client, login_as, factory, db, count_queries
):
    user = login_as("rehabkoordinator")
    for _ in range(3):
        factory.individual(clinic=user.organisation)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/personer/").status_code == 200
    for _ in range(30):
        factory.individual(clinic=user.organisation)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/personer/?page=2").status_code == 200
    assert few.count == many.count


def test_paging_and_sorting_parameters_are_validated(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    factory.individual(clinic=user.organisation)
    db.session.commit()
    assert client.get("/personer/?page=abc&sort=drop").status_code == 200
    assert client.get("/personer/?page=-5").status_code == 200


def test_case_contact_is_added_and_removed(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    kommun = factory.organisation("kommun", name="Socialtjänsten Test")
    db.session.commit()
    response = client.post(
        f"/personer/{person.public_id}/kontakter", data={"organisation_id": str(kommun.id)}
    )
    assert response.status_code == 302
    assert "Socialtjänsten Test" in client.get(f"/personer/{person.public_id}").get_data(as_text=True)


def test_registering_a_number_already_in_puls_is_refused_and_audited_on_that_person(
    client, login_as, factory, db
):
    user = login_as("rehabkoordinator")
    stranger = factory.individual()  # another clinic's patient
    db.session.commit()
    response = client.post("/personer/ny", data=_form(user, personnummer=stranger.personnummer_display))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Det finns redan en person med det numret i Puls." in page and "Åberg" in page  # values kept
    db.session.expire_all()
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)).all()
    assert (event.individual_id, event.user_id) == (stranger.id, user.id)
    assert db.session.scalar(select(func.count()).select_from(Individual)) == 1


def test_a_search_hit_and_each_person_on_a_list_page_are_audited_on_that_person(
    client, login_as, factory, db
):
    user = login_as("rehabkoordinator")
    found = factory.individual(clinic=user.organisation, last_name="Sökdal")
    other = factory.individual(clinic=user.organisation, last_name="Listberg")
    elsewhere = factory.individual()  # another clinic's patient: not shown, not audited
    db.session.commit()
    client.post("/personer/sok", data={"q": found.personnummer_display})
    client.get("/personer/")
    db.session.expire_all()
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.individual_id).where(AuditEvent.individual_id.is_not(None))
    ).all()
    assert sorted(rows) == sorted(
        [(AuditAction.SEARCH, found.id), (AuditAction.LIST, found.id), (AuditAction.LIST, other.id)]
    )
    assert elsewhere.id not in {individual_id for _action, individual_id in rows}

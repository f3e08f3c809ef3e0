"""update_individual_if_changed: the idempotent update path repeated imports rely on."""

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.core.errors import ValidationError
from tracker.people.services import IndividualData, update_individual_if_changed


def _data(individual, **changes) -> IndividualData:
    values = {
        "personnummer": individual.personnummer,
        "first_name": individual.first_name,
        "last_name": individual.last_name,
        "gender": individual.gender.value,
        "home_municipality": individual.home_municipality,
        "clinic_id": individual.clinic_id,
        "coordinator_id": individual.coordinator_id,
        "fk_officer_id": individual.fk_officer_id,
    }
    values.update(changes)
    return IndividualData(**values)


def _audits(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_equal_data_changes_nothing_and_writes_no_audit_row(db, factory):
    user = factory.user("rehabkoordinator")
    individual = factory.individual(clinic=user.organisation)
    before = _audits(db)
    assert update_individual_if_changed(individual, _data(individual), user) == []
    assert individual.version == 1 and _audits(db) == before


def test_a_changed_field_is_saved_audited_and_named(db, factory):
    user = factory.user("rehabkoordinator")
    individual = factory.individual(clinic=user.organisation)
    changed = update_individual_if_changed(individual, _data(individual, home_municipality="Knivsta"), user)
    assert changed == ["home_municipality"]
    assert individual.home_municipality == "Knivsta" and individual.version == 2
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert last.details == "fields: home_municipality"


def test_the_same_rules_as_a_normal_update_apply(db, factory):
    user = factory.user("rehabkoordinator")
    individual = factory.individual(clinic=user.organisation)
    with pytest.raises(ValidationError) as error:
        update_individual_if_changed(individual, _data(individual, first_name=""), user)
    assert error.value.errors == {"first_name": "Fältet måste fyllas i."}

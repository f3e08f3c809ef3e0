"""API: individuals."""

from flask_login import current_user

from tracker.api.core import ApiError, individual_access, operation, roles
from tracker.api.schemas import IndividualIn, IndividualListQuery, IndividualOut, IndividualUpdate, SearchIn
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_list as audit_list
from tracker.auth.models import Role
from tracker.consent.categories import Action, Category
from tracker.core.editing import StaleEdit
from tracker.core.pagination import paginate
from tracker.people import services
from tracker.people.models import Individual
from tracker.people.queries import visible_individuals_query

CASE_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.HANDLAGGARE, Role.ADMIN)
EDITOR_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


def _data(body: IndividualIn) -> services.IndividualData:
    return services.IndividualData(
        personnummer=body.personnummer,
        first_name=body.first_name,
        last_name=body.last_name,
        gender=body.gender.value,
        home_municipality=body.home_municipality,
        clinic_id=body.clinic_id,
        coordinator_id=body.coordinator_id,
        fk_officer_id=body.fk_officer_id,
    )


@operation(
    "/individuals",
    "GET",
    summary="Personer du har åtkomst till",
    tag="Personer",
    query=IndividualListQuery,
    response=IndividualOut,
    many=True,
    access=roles(*CASE_ROLES),
)
def list_individuals(query: IndividualListQuery):
    filters = []
    if query.municipality:
        filters.append(Individual.home_municipality == query.municipality)
    if query.gender:
        filters.append(Individual.gender == query.gender)
    statement = visible_individuals_query(query.sort)
    if filters:
        statement = statement.where(*filters)
    page = paginate(statement, max(1, min(query.page, 100_000)), query.per_page)
    audit_list(
        AuditAction.LIST,
        [i.id for i in page.items],
        object_type="Individual",
        details=f"api page={page.page}",
    )
    return page


@operation(
    "/individuals/search",
    "POST",
    summary="Sök på namn eller personnummer (termen skickas i kroppen, aldrig i URL:en)",
    tag="Personer",
    body=SearchIn,
    response=IndividualOut,
    many=True,
    access=roles(*CASE_ROLES),
)
def search_individuals(body: SearchIn):
    page = paginate(
        visible_individuals_query("namn", services.search_filter(body.q)), body.page, body.per_page
    )
    audit_list(
        AuditAction.SEARCH,
        [i.id for i in page.items],
        object_type="Individual",
        details=f"api hits={page.total}",
    )
    return page


@operation(
    "/individuals/<public_id>",
    "GET",
    summary="En person",
    tag="Personer",
    response=IndividualOut,
    access=individual_access(Action.VIEW, Category.IDENTITY, *CASE_ROLES),
)
def get_individual(public_id: str, individual: Individual):
    audit_record(AuditAction.VIEW, obj=individual, individual_id=individual.id, details="api")
    return individual


@operation(
    "/individuals",
    "POST",
    summary="Registrera en person",
    tag="Personer",
    body=IndividualIn,
    response=IndividualOut,
    status=201,
    access=roles(*EDITOR_ROLES),
)
def create_individual(body: IndividualIn):
    return services.create_individual(_data(body), current_user)


@operation(
    "/individuals/<public_id>",
    "PUT",
    summary="Ändra en person (ange versionen du läste)",
    tag="Personer",
    body=IndividualUpdate,
    response=IndividualOut,
    errors=(409,),
    access=individual_access(Action.EDIT, Category.IDENTITY, *EDITOR_ROLES),
)
def update_individual(public_id: str, body: IndividualUpdate, individual: Individual):
    try:
        return services.update_individual(individual, _data(body), body.version, current_user)
    except StaleEdit as stale:
        raise ApiError(409, "Posten har ändrats", str(stale)) from stale

"""Request and response models of the API (they also make the OpenAPI document)."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from tracker.api.core import ApiModel
from tracker.auth.models import Authority
from tracker.consent.categories import Category
from tracker.consent.models import ConsentForm, Purpose
from tracker.core.web import MAX_DB_ID
from tracker.people.models import Gender

Name = Field(min_length=1, max_length=100)
DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]
Page = Annotated[int, Field(ge=1, le=100_000)]
Version = Annotated[int, Field(ge=1, le=MAX_DB_ID, description="Versionen du läste; en ändrad post ger 409.")]


def _sane_day(value: date) -> date:
    if not date(1900, 1, 1) <= value <= date(2199, 12, 31):
        raise ValueError("Datumet ligger utanför rimliga gränser (1900–2199).")
    return value


# A calendar date within bounds the services can do arithmetic on.
Day = Annotated[date, AfterValidator(_sane_day)]


class IndividualIn(ApiModel):
    personnummer: str = Field(
        min_length=10, max_length=13, description="ÅÅÅÅMMDD-NNNN (samordningsnummer accepteras)"
    )
    first_name: str = Name
    last_name: str = Name
    gender: Gender
    home_municipality: str = Name
    clinic_id: DbId = Field(description="Ansvarig enhet; måste vara din egen organisation.")
    coordinator_id: DbId | None = None
    fk_officer_id: DbId | None = None


class IndividualUpdate(IndividualIn):
    version: Annotated[int, Field(ge=1, le=MAX_DB_ID)] = Field(
        description="Versionen du läste; en ändrad post ger 409."
    )


class IndividualOut(ApiModel):
    id: str = Field(validation_alias="public_id")
    personnummer: str
    first_name: str
    last_name: str
    gender: Gender
    home_municipality: str
    clinic_id: int
    coordinator_id: int | None
    fk_officer_id: int | None
    version: int
    created_at: datetime

    model_config = ApiModel.model_config | {"from_attributes": True, "populate_by_name": True}


class IndividualListQuery(ApiModel):
    page: Page = 1
    per_page: int = Field(25, ge=1, le=100)
    municipality: str | None = Field(None, max_length=100)
    gender: Gender | None = None
    sort: str = Field("namn", pattern="^(namn|kommun|nyast)$")


class SearchIn(ApiModel):
    # No NUL: PostgreSQL text cannot hold it (a 422 here, not a 500 from the database).
    q: str = Field(min_length=2, max_length=100, pattern=r"^[^\x00]*$", description="Namn eller personnummer")
    page: Page = 1
    per_page: int = Field(25, ge=1, le=100)


class ConsentIn(ApiModel):
    authorities: list[Authority] = Field(default_factory=list, max_length=5)
    organisation_ids: list[DbId] = Field(default_factory=list, max_length=50)
    purposes: list[Purpose] = Field(min_length=1, max_length=4)
    purpose_other: str = Field("", max_length=500)
    categories: list[Category] = Field(min_length=1, max_length=5)
    form: ConsentForm
    given_on: Day
    valid_until: Day | None = None
    note: str = Field("", max_length=2000)


class ConsentOut(ApiModel):
    id: int
    status: str
    authorities: list[Authority]
    organisation_ids: list[int]
    purposes: list[Purpose]
    categories: list[Category]
    form: ConsentForm
    given_on: date
    valid_until: date | None
    withdrawn_on: date | None
    supersedes_id: int | None
    superseded: bool


class WithdrawIn(ApiModel):
    withdrawn_on: Day
    reason: str = Field(min_length=1, max_length=1000)


class ConsentCheckIn(ApiModel):
    personnummer: str = Field(min_length=10, max_length=13)


class ConsentCheckOut(ApiModel):
    covered: bool
    purposes: list[Purpose] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    valid_until: date | None = None


class BlockIn(ApiModel):
    category: Category | None = None
    organisation_id: DbId | None = None
    starts_on: Day
    ends_on: Day | None = None
    note: str = Field("", max_length=1000)


class BlockOut(ApiModel):
    id: int
    category: Category | None
    organisation_id: int | None
    starts_on: date
    ends_on: date | None
    lifted_on: date | None

    model_config = ApiModel.model_config | {"from_attributes": True}

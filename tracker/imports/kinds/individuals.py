"""Importing individuals into the importing user's own unit (matched on personnummer)."""

from sqlalchemy import func, select

from tracker.auth.models import Role, User
from tracker.consent.categories import Action, Category
from tracker.extensions import db
from tracker.imports import cells
from tracker.imports.kinds.base import (
    Column,
    Context,
    KindSpec,
    RowParser,
    RowRefused,
    Status,
)
from tracker.imports.models import ImportKind
from tracker.people import services as people
from tracker.people.models import GENDER_LABELS, Gender

GENDERS = cells.labels_to_choices(
    GENDER_LABELS, {"k": Gender.KVINNA, "m": Gender.MAN, "okänd": Gender.OKANT, "okand": Gender.OKANT}
)


class IndividualsSpec(KindSpec):
    kind = ImportKind.INDIVIDUALS
    title = "Personer"
    description = (
        "Personer som din enhet ansvarar för. Finns personen redan (samma personnummer) "
        "uppdateras namn, kön, hemkommun och handläggare; annars registreras personen "
        "med din enhet som ansvarig och dig som ansvarig koordinator."
    )
    roles = (Role.REHABKOORDINATOR, Role.SAMORDNARE)
    columns = (
        Column(
            "personnummer",
            "Personnummer",
            True,
            "ÅÅÅÅMMDD-NNNN eller samordningsnummer (även ÅÅMMDD-NNNN).",
            "19121212-1212",
        ),
        Column("first_name", "Förnamn", True, "Högst 100 tecken.", "Anna"),
        Column("last_name", "Efternamn", True, "Högst 100 tecken.", "Andersson"),
        Column("gender", "Kön", True, "Kvinna, Man, Annat eller Okänt (K och M går också).", "Kvinna"),
        Column("home_municipality", "Hemkommun", True, "Högst 100 tecken.", "Uppsala"),
        Column(
            "fk_officer",
            "Handläggare FK (e-post)",
            False,
            "E-postadress till en handläggare på Försäkringskassan med konto i Puls. "
            "Tom cell: ingen handläggare. Utelämnad kolumn: handläggaren ändras inte.",
            "",
            ("Handläggare FK", "Handläggare på Försäkringskassan"),
        ),
    )
    field_columns = {
        "personnummer": "personnummer",
        "first_name": "first_name",
        "last_name": "last_name",
        "gender": "gender",
        "home_municipality": "home_municipality",
        "fk_officer_id": "fk_officer",
        "clinic_id": None,
        "coordinator_id": None,
    }
    duplicate_message = "Personnumret finns redan på rad {row}"

    def parse(self, parser: RowParser, ctx: Context) -> dict:
        values = {
            "personnummer": parser.personnummer(),
            "first_name": parser.get("first_name", cells.text, required=True),
            "last_name": parser.get("last_name", cells.text, required=True),
            "gender": parser.get(
                "gender", cells.choice, GENDERS, "Kvinna, Man, Annat eller Okänt", required=True
            ),
            "home_municipality": parser.get("home_municipality", cells.text, required=True),
        }
        if parser.has("fk_officer"):
            email = parser.get("fk_officer", cells.text)
            officer_id = _officer_id(ctx, email.lower()) if email else None
            if email and officer_id is None:
                parser.fail(
                    "fk_officer", "Ingen aktiv handläggare på Försäkringskassan har den e-postadressen."
                )
            values["fk_officer_id"] = officer_id
        parser.done()
        return values

    def key(self, values: dict) -> tuple:
        return (values["personnummer"],)

    def apply(self, values: dict, ctx: Context) -> Status:
        user = ctx.user
        existing = ctx.individual(values["personnummer"])
        if existing is None:
            people.create_individual(
                _data(values, user.organisation_id, user.id, values.get("fk_officer_id")), user
            )
            return Status.CREATE
        decision = ctx.may(Action.EDIT, existing, Category.IDENTITY)
        if not decision or existing.clinic_id != user.organisation_id:
            raise RowRefused(
                "personnummer",
                "Personen finns redan i Puls med en annan ansvarig enhet; du kan inte ändra uppgifterna.",
                decision.reason if not decision else "other_unit",
                existing.id,
            )
        officer_id = values.get("fk_officer_id", existing.fk_officer_id)
        data = _data(values, existing.clinic_id, existing.coordinator_id, officer_id)
        changed = people.update_individual_if_changed(existing, data, user)
        return Status.UPDATE if changed else Status.UNCHANGED


def _data(values: dict, clinic_id, coordinator_id, officer_id) -> people.IndividualData:
    return people.IndividualData(
        personnummer=values["personnummer"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        gender=values["gender"].value,
        home_municipality=values["home_municipality"],
        clinic_id=clinic_id,
        coordinator_id=coordinator_id,
        fk_officer_id=officer_id,
    )


def _officer_id(ctx: Context, email: str) -> int | None:
    officers = ctx.cached(
        "fk_officers",
        lambda: dict(
            db.session.execute(
                select(func.lower(User.email), User.id).where(
                    User.role == Role.HANDLAGGARE, User.is_active_account.is_(True)
                )
            ).all()
        ),
    )
    return officers.get(email)

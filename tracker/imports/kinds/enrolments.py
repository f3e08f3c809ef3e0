"""Importing enrolments (inskrivningar) and discharges in projects the user works in.

An enrolment is matched on (person, project, Inskriven). A discharge in the
file is applied to an open enrolment; a different discharge already in Puls
is a conflict, never overwritten.
"""

from sqlalchemy import select

from tracker.auth.models import Role
from tracker.consent.categories import Action, Category
from tracker.core.errors import ValidationError
from tracker.extensions import db
from tracker.imports import cells
from tracker.imports.kinds.base import (
    NOT_IN_PULS,
    Column,
    Context,
    KindSpec,
    RowErrors,
    RowParser,
    RowRefused,
    Status,
)
from tracker.imports.models import ImportKind
from tracker.referrals import services as referrals
from tracker.referrals.models import DISCHARGE_LABELS, INCOME_LABELS, DischargeReason, Enrolment, Project
from tracker.referrals.queries import is_project_staff

DISCHARGE_REASONS = cells.labels_to_choices(
    DISCHARGE_LABELS,
    {"annan aktör": DischargeReason.OTHER_ACTOR, "annan insats": DischargeReason.OTHER_ACTOR},
)
INCOME_SOURCES = cells.labels_to_choices(INCOME_LABELS)


class EnrolmentsSpec(KindSpec):
    kind = ImportKind.ENROLMENTS
    title = "Inskrivningar"
    description = (
        "In- och utskrivningar i projekt där du arbetar, för personer som redan finns i Puls. "
        "En inskrivning känns igen på personnummer, projekt och inskrivningsdatum."
    )
    roles = (Role.SAMORDNARE, Role.REHABKOORDINATOR)
    columns = (
        Column("personnummer", "Personnummer", True, "ÅÅÅÅMMDD-NNNN.", "19121212-1212"),
        Column("project", "Projekt", True, "Projektets namn som det står i Puls.", "Plattformen"),
        Column(
            "enrolled_on",
            "Inskriven",
            True,
            "ÅÅÅÅ-MM-DD, inte i framtiden.",
            "2026-01-12",
            ("Inskrivningsdatum",),
        ),
        Column(
            "discharged_on",
            "Utskriven",
            False,
            "ÅÅÅÅ-MM-DD; tom cell: fortfarande inskriven.",
            "",
            ("Utskrivningsdatum",),
        ),
        Column(
            "discharge_reason",
            "Utskrivningsorsak",
            False,
            "Krävs vid utskrivning: " + ", ".join(DISCHARGE_LABELS.values()) + ".",
            "",
        ),
        Column(
            "income_before",
            "Försörjning före",
            False,
            ", ".join(INCOME_LABELS.values())
            + ". Tom cell: uppgiften tas bort. Utelämnad kolumn: ändras inte.",
            "Aktivitetsersättning",
        ),
    )
    field_columns = {
        "enrolled_on": "enrolled_on",
        "discharged_on": "discharged_on",
        "discharge_reason": "discharge_reason",
        "income_before": "income_before",
    }
    duplicate_message = "Samma person, projekt och inskrivningsdatum finns redan på rad {row}"

    def parse(self, parser: RowParser, ctx: Context) -> dict:
        values = {
            "personnummer": parser.personnummer(),
            "project": parser.get("project", cells.text, required=True),
            "enrolled_on": parser.get("enrolled_on", cells.parse_date, required=True),
            "discharged_on": parser.get("discharged_on", cells.parse_date),
            "discharge_reason": parser.get(
                "discharge_reason", cells.choice, DISCHARGE_REASONS, "en orsak ur listan i mallen"
            ),
        }
        if parser.has("income_before"):
            values["income_before"] = parser.get(
                "income_before", cells.choice, INCOME_SOURCES, "en försörjning ur listan i mallen"
            )
        if values["project"]:
            values["project"] = _project(ctx, values["project"])
            if values["project"] is None:
                parser.fail("project", "Det finns inget projekt med det namnet i Puls.")
        if values["discharged_on"] and not values["discharge_reason"]:
            parser.fail("discharge_reason", "Ange orsak till utskrivningen.")
        if values["discharge_reason"] and not values["discharged_on"]:
            parser.fail("discharged_on", "Ange utskrivningsdatum.")
        parser.done()
        return values

    def key(self, values: dict) -> tuple:
        return (values["personnummer"], values["project"].id, values["enrolled_on"])

    def apply(self, values: dict, ctx: Context) -> Status:
        project: Project = values["project"]
        if not is_project_staff(ctx.user, project):
            raise RowRefused("project", "Du arbetar inte i projektet.", "project_staff")
        individual = ctx.individual(values["personnummer"])
        if individual is None:
            raise RowErrors({"personnummer": NOT_IN_PULS})
        decision = ctx.may(Action.VIEW, individual, Category.IDENTITY)
        if not decision:
            raise RowRefused(
                "personnummer", "Du har inte åtkomst till personen i Puls.", decision.reason, individual.id
            )
        income = values.get("income_before")
        existing = db.session.scalar(
            select(Enrolment).where(
                Enrolment.project_id == project.id,
                Enrolment.individual_id == individual.id,
                Enrolment.enrolled_on == values["enrolled_on"],
            )
        )
        if existing is None:
            extra = {"income_before": income.value} if income else {}
            enrolment = referrals.enrol(project, individual, values["enrolled_on"], ctx.user, **extra)
            if values["discharged_on"]:
                referrals.discharge(enrolment, values["discharged_on"], values["discharge_reason"].value)
            return Status.CREATE
        return _update(existing, values)


def _update(enrolment: Enrolment, values: dict) -> Status:
    changed = False
    if "income_before" in values and enrolment.income_before != values["income_before"]:
        income = values["income_before"]
        referrals.update_enrolment(
            enrolment, {"income_before": income.value if income else ""}, enrolment.version
        )
        changed = True
    wanted = (values["discharged_on"], values["discharge_reason"])
    if wanted == (enrolment.discharged_on, enrolment.discharge_reason):
        return Status.UPDATE if changed else Status.UNCHANGED
    if enrolment.discharged_on is None:
        referrals.discharge(enrolment, values["discharged_on"], values["discharge_reason"].value)
        return Status.UPDATE
    raise ValidationError(
        {"discharged_on": "Personen är redan utskriven med andra uppgifter i Puls. Ändra där i stället."}
    )


def _project(ctx: Context, name: str) -> Project | None:
    projects = ctx.cached(
        "projects", lambda: {cells.key(p.name): p for p in db.session.scalars(select(Project))}
    )
    return projects.get(cells.key(name))

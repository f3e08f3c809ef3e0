"""Importing the importing user's own hours, one row per day, project, category and clinic."""

from sqlalchemy import select

from tracker.auth.models import Organisation, OrgType, Role
from tracker.extensions import db
from tracker.imports import cells
from tracker.imports.kinds.base import Column, Context, KindSpec, RowParser, Status
from tracker.imports.models import ImportKind
from tracker.referrals.models import Project
from tracker.referrals.queries import is_project_staff, projects_for
from tracker.timesheets import services as timesheets
from tracker.timesheets.models import TIME_CATEGORY_LABELS, TimeCategory

CATEGORIES = cells.labels_to_choices(
    TIME_CATEGORY_LABELS,
    {
        "patient": TimeCategory.PATIENT_WORK,
        "internt": TimeCategory.INTERNAL_MEETING,
        "externt": TimeCategory.EXTERNAL_MEETING,
        "admin": TimeCategory.ADMINISTRATION,
    },
)
STATUS = {
    timesheets.CellChange.CREATED: Status.CREATE,
    timesheets.CellChange.UPDATED: Status.UPDATE,
    timesheets.CellChange.UNCHANGED: Status.UNCHANGED,
}


class TimeEntriesSpec(KindSpec):
    kind = ImportKind.TIME_ENTRIES
    title = "Tidrapporter"
    description = (
        "Dina egna timmar på projekt där du arbetar. En rad per dag, projekt, kategori och "
        "mottagning; timmarna ersätter det som redan står för just den kombinationen "
        "(0 tar bort den). Låsta månader ändras inte."
    )
    roles = (Role.SAMORDNARE, Role.REHABKOORDINATOR, Role.LEDNING)
    columns = (
        Column("work_date", "Datum", True, "ÅÅÅÅ-MM-DD.", "2026-03-02"),
        Column("project", "Projekt", True, "Projektets namn som det står i Puls.", "Plattformen"),
        Column(
            "category",
            "Kategori",
            True,
            ", ".join(TIME_CATEGORY_LABELS.values()) + ".",
            "Patientarbete",
        ),
        Column("hours", "Timmar", True, "I kvartar, decimalkomma eller -punkt: 1,5 eller 0.75.", "1,5"),
        Column("clinic", "Mottagning", False, "Mottagningens namn i Puls; tom cell: ingen.", ""),
    )
    field_columns = {
        "work_date": "work_date",
        "project_id": "project",
        "category": "category",
        "clinic_id": "clinic",
        "hours": "hours",
    }
    duplicate_message = "Samma datum, projekt, kategori och mottagning finns redan på rad {row}"

    def parse(self, parser: RowParser, ctx: Context) -> dict:
        values = {
            "work_date": parser.get("work_date", cells.parse_date, required=True),
            "project": parser.get("project", cells.text, required=True),
            "category": parser.get(
                "category", cells.choice, CATEGORIES, "en kategori ur listan i mallen", required=True
            ),
            "hours": parser.get("hours", cells.decimal_text, required=True),
            "clinic": parser.get("clinic", cells.text),
        }
        if values["project"]:
            values["project"] = _by_name(ctx, "projects", select(Project), values["project"])
            if values["project"] is None:
                parser.fail("project", "Det finns inget projekt med det namnet i Puls.")
        if values["clinic"]:
            clinics = select(Organisation).where(
                Organisation.org_type.in_((OrgType.REGION_CLINIC, OrgType.REGION_OTHER))
            )
            values["clinic"] = _by_name(ctx, "clinics", clinics, values["clinic"])
            if values["clinic"] is None:
                parser.fail("clinic", "Det finns ingen mottagning med det namnet i Puls.")
        else:
            values["clinic"] = None
        parser.done()
        return values

    def key(self, values: dict) -> tuple:
        clinic = values["clinic"]
        return (values["work_date"], values["project"].id, values["category"], clinic.id if clinic else None)

    def apply(self, values: dict, ctx: Context) -> Status:
        user = ctx.user
        allowed = ctx.cached(
            "own_projects", lambda: {p.id for p in projects_for(user) if is_project_staff(user, p)}
        )
        change = timesheets.set_day_hours(
            user,
            values["project"].id,
            values["work_date"],
            values["category"].value,
            values["clinic"].id if values["clinic"] else None,
            values["hours"],
            allowed,
        )
        return STATUS[change]


def _by_name(ctx: Context, name: str, query, wanted: str):
    rows = ctx.cached(name, lambda: {cells.key(row.name): row for row in db.session.scalars(query)})
    return rows.get(cells.key(wanted))

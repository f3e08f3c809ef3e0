"""Export of participant variables in the shape of Försäkringskassan's Finsam follow-up (SUS).

One row per enrolment, with a running number instead of identity: no names,
no personnummer (the birth date is read only to derive the age band; retention keeps
the age at start on the enrolment, so an anonymised participant's band stays). The
column names follow SUS's variables as far as we know them; exact SUS codes
must be checked against FK's current SUS manual before any upload.
"""

import io

from flask_login import current_user
from sqlalchemy import select

from tracker.consent.policy import visible_individuals
from tracker.core.exports import csv_writer
from tracker.core.personnummer import age_on, birth_date
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.referrals.models import Enrolment
from tracker.reports.population import participant_clause
from tracker.reports.tables import ReportContext

SUS_COLUMNS = [
    "Löpnummer",
    "Kön",
    "Åldersgrupp vid start",
    "Hemkommun",
    "Startdatum",
    "Avslutsdatum",
    "Avslutsorsak",
    "Försörjning vid start",
    "Försörjning vid avslut",
    "Sysselsättning vid start",
    "Sysselsättning vid avslut",
    "Utbildningsnivå",
    "Tid i offentlig försörjning före start",
    "Aktörer FK",
    "Aktörer Region",
    "Aktörer Kommun",
    "Aktörer AF",
]
AGE_BANDS = [(0, 15, "-15"), (16, 19, "16-19"), (20, 24, "20-24"), (25, 29, "25-29"), (30, 39, "30-39")]


def age_at_start(enrolment: Enrolment, personnummer: str) -> int | None:
    """From the personnummer; once retention has replaced it, the age retention kept on the enrolment."""
    born = birth_date(personnummer)
    return age_on(born, enrolment.enrolled_on) if born else enrolment.age_at_start


def age_band(age: int | None) -> str:
    if age is None:
        return "okänd"
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "40-"


def _label(value) -> str:
    return value.label if value is not None else ""


def sus_csv(ctx: ReportContext) -> tuple[bytes, int]:
    rows = db.session.execute(
        select(Enrolment, Individual.gender, Individual.personnummer, Individual.home_municipality)
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(participant_clause(ctx), visible_individuals(current_user))
        .order_by(Enrolment.enrolled_on, Enrolment.id)
    ).all()
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(SUS_COLUMNS)
    for number, (enrolment, gender, personnummer, municipality) in enumerate(rows, start=1):
        writer.writerow(
            [
                number,
                gender.label,
                age_band(age_at_start(enrolment, personnummer)),
                municipality,
                enrolment.enrolled_on.isoformat(),
                enrolment.discharged_on.isoformat() if enrolment.discharged_on else "",
                _label(enrolment.discharge_reason),
                _label(enrolment.income_before),
                _label(enrolment.income_after),
                _label(enrolment.occupation_before),
                _label(enrolment.occupation_after),
                _label(enrolment.education_level),
                _label(enrolment.support_before),
                *(
                    "Ja" if flag else "Nej"
                    for flag in (
                        enrolment.involves_fk,
                        enrolment.involves_region,
                        enrolment.involves_kommun,
                        enrolment.involves_af,
                    )
                ),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8"), len(rows)

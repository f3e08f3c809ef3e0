"""The benefits domain in the register extract and in retention (anonymisation).

Imported by tracker/benefits/views.py so the sections and hooks are
registered whenever the app is. One query per extract section.
"""

from sqlalchemy import select, update

from tracker.benefits.models import Certificate, FkDecision, FollowUp
from tracker.extensions import db
from tracker.people.extract import extract_section
from tracker.people.models import Individual
from tracker.people.retention import anonymiser


def _label(value):
    return value.label if value is not None else None


@extract_section("certificates", "Läkarutlåtanden", order=40)
def certificates_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(Certificate).where(Certificate.individual_id == individual.id).order_by(Certificate.id)
    )
    return [
        {
            "Utfärdat": c.issued_on,
            "Typ": c.certificate_type.label,
            "Mottagning": c.clinic.name,
            "Läkare": c.doctor,
            "Skickat till FK": c.sent_to_fk_on,
            "Anteckning": c.note,
            "Registrerat": c.created_at,
        }
        for c in rows
    ]


@extract_section("decisions", "Beslut från Försäkringskassan", order=41)
def decisions_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(FkDecision).where(FkDecision.individual_id == individual.id).order_by(FkDecision.id)
    ).unique()
    return [
        {
            "Beslutat": d.decided_on,
            "Utfall": d.outcome.label,
            "Nivå": _label(d.level),
            "Period från": d.period_start,
            "Period till": d.period_end,
            "Handläggare": d.officer.full_name,
            "Läkarutlåtande utfärdat": d.certificate.issued_on if d.certificate else None,
            "Anteckning": d.note,
        }
        for d in rows
    ]


@extract_section("follow_ups", "Bevakningar", order=42)
def follow_ups_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(FollowUp).where(FollowUp.individual_id == individual.id).order_by(FollowUp.id)
    ).unique()
    return [
        {
            "Förfaller": f.due_on,
            "Skäl": f.reason.label,
            "Beskrivning": f.reason_text,
            "Handläggare": f.owner.full_name,
            "Mottagning": f.clinic.name,
            "Status": f.status.label,
            "Klar": f.done_on,
            "Anteckning vid klarmarkering": f.done_note,
        }
        for f in rows
    ]


@anonymiser("benefits")
def clear_benefits_free_text(individual: Individual) -> None:
    db.session.execute(
        update(Certificate).where(Certificate.individual_id == individual.id).values(note=None, doctor=None)
    )
    db.session.execute(update(FkDecision).where(FkDecision.individual_id == individual.id).values(note=None))
    db.session.execute(
        update(FollowUp)
        .where(FollowUp.individual_id == individual.id)
        .values(reason_text=None, done_note=None)
    )

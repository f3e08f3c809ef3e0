"""Participants, discharges, referrers and involved authorities."""

from statistics import median

from sqlalchemy import case, distinct, func, select

from tracker.extensions import db
from tracker.people.models import GENDER_LABELS, Gender, Individual
from tracker.referrals.models import (
    DISCHARGE_LABELS,
    INCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    REFERRER_LABELS,
    Enrolment,
    Referral,
    authority_combination,
)
from tracker.reports.population import discharged_clause, new_clause, participant_clause, referral_clause
from tracker.reports.tables import Cell, ReportContext, Row, Table, cross_tables, section, share_table

MISSING = "Uppgift saknas"


def _gender_columns(present) -> list[tuple[str, str]]:
    return [
        (g.value, GENDER_LABELS[g]) for g in Gender if g in (Gender.KVINNA, Gender.MAN) or g.value in present
    ]


@section("participants", "Deltagare", order=10)
def participants(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(Individual.home_municipality, Individual.gender, func.count(distinct(Enrolment.individual_id)))
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(participant_clause(ctx))
        .group_by(Individual.home_municipality, Individual.gender)
    ).all()
    counts = {(m, str(g)): n for m, g, n in rows}
    municipalities = sorted({m for m, _g, _n in rows})
    columns = _gender_columns({str(g) for _m, g, _n in rows})

    def drill(municipality, gender):
        params = {"set": "participants"}
        if municipality:
            params["kommun"] = municipality
        if gender:
            params["kon"] = gender
        return params

    tables = cross_tables(
        "deltagare_kon_kommun",
        "Deltagare under perioden per hemkommun och kön",
        "Hemkommun",
        [(m, m) for m in municipalities],
        columns,
        counts,
        drill,
    )
    new_count, all_count = db.session.execute(
        select(
            func.coalesce(func.sum(case((new_clause(ctx), 1), else_=0)), 0), func.count(Enrolment.id)
        ).where(participant_clause(ctx))
    ).one()
    by_status = {"new": int(new_count), "already": all_count - int(new_count)}
    tables.append(
        share_table(
            "deltagare_nya",
            "Redan inskrivna och nyinskrivna under perioden",
            "Inskrivning",
            [
                ("Inskrivna före perioden", by_status.get("already", 0), {"set": "participants", "ny": "0"}),
                ("Nyinskrivna under perioden", by_status.get("new", 0), {"set": "participants", "ny": "1"}),
            ],
        )
    )
    combos = db.session.execute(
        select(
            Enrolment.involves_fk,
            Enrolment.involves_region,
            Enrolment.involves_kommun,
            Enrolment.involves_af,
            func.count(Enrolment.id),
        )
        .where(participant_clause(ctx))
        .group_by(
            Enrolment.involves_fk, Enrolment.involves_region, Enrolment.involves_kommun, Enrolment.involves_af
        )
    ).all()
    items = []
    for fk, region, kommun, af, n in sorted(combos, key=lambda r: (-r[4], authority_combination(*r[:4]))):
        code = "".join("1" if flag else "0" for flag in (fk, region, kommun, af))
        items.append(
            (authority_combination(fk, region, kommun, af), n, {"set": "participants", "myndigheter": code})
        )
    tables.append(
        share_table(
            "myndigheter",
            "Involverade myndigheter per deltagare (kombinationer)",
            "Kombination",
            items,
            note="Uppgiften hämtas vid inskrivningen från ärendets kontakter och samtycken och kan ändras.",
            chart=True,
        )
    )
    return tables


@section("discharges", "Utskrivna", order=20)
def discharges(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(Enrolment.discharge_reason, Individual.gender, func.count(Enrolment.id))
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(discharged_clause(ctx))
        .group_by(Enrolment.discharge_reason, Individual.gender)
    ).all()
    counts = {(str(r), str(g)): n for r, g, n in rows}
    reasons = [(k.value, label) for k, label in DISCHARGE_LABELS.items() if any(r == k for r, _g, _n in rows)]

    def drill(reason, gender):
        params = {"set": "discharged"}
        if reason:
            params["orsak"] = reason
        if gender:
            params["kon"] = gender
        return params

    tables = cross_tables(
        "utskrivna_orsak_kon",
        "Utskrivna under perioden per orsak och kön",
        "Orsak",
        reasons,
        _gender_columns({str(g) for _r, g, _n in rows}),
        counts,
        drill,
    )
    spans = db.session.execute(
        select(Enrolment.enrolled_on, Enrolment.discharged_on).where(discharged_clause(ctx))
    ).all()
    days = [(out - into).days for into, out in spans]
    length = Table("inskrivningstid", "Inskrivningstid för utskrivna (dagar)", ["Mått", "Dagar"])
    if days:
        length.rows = [
            # With few people each measure is one person's own length: masked like a count.
            Row("Median", [Cell(median(days), "days", base=len(days))]),
            Row("Kortast", [Cell(min(days), "days", base=len(days))]),
            Row("Längst", [Cell(max(days), "days", base=len(days))]),
            Row("Antal utskrivna", [Cell(len(days), drill={"set": "discharged"})]),
        ]
    else:
        length.rows = [Row("Antal utskrivna", [Cell(0)])]
    tables.append(length)
    income = db.session.execute(
        select(Enrolment.income_before, func.count(Enrolment.id))
        .where(discharged_clause(ctx))
        .group_by(Enrolment.income_before)
    ).all()
    by_income = {str(k) if k else "": n for k, n in income}
    items = [
        (label, by_income[k.value], {"set": "discharged", "forsorjning": k.value})
        for k, label in INCOME_LABELS.items()
        if k.value in by_income
    ]
    if "" in by_income:
        items.append((MISSING, by_income[""], {"set": "discharged", "forsorjning": ""}))
    tables.append(
        share_table(
            "forsorjning_fore", "Utskrivnas huvudsakliga försörjning före insatsen", "Försörjning", items
        )
    )
    return tables


@section("referrals", "Remisser och remittenter", order=30)
def referrals(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(Referral.referrer_type, func.count(Referral.id))
        .where(referral_clause(ctx))
        .group_by(Referral.referrer_type)
    ).all()
    by_type = {str(t): n for t, n in rows}
    items = [
        (label, by_type[k.value], {"set": "referrals", "remittent": k.value})
        for k, label in REFERRER_LABELS.items()
        if k.value in by_type
    ]
    status_rows = db.session.execute(
        select(Referral.status, func.count(Referral.id)).where(referral_clause(ctx)).group_by(Referral.status)
    ).all()
    by_status = {str(s): n for s, n in status_rows}
    status_items = [
        (label, by_status[k.value], {"set": "referrals", "status": k.value})
        for k, label in REFERRAL_STATUS_LABELS.items()
        if k.value in by_status
    ]
    return [
        share_table("remittenter", "Remisser under perioden per remittent", "Remittent", items, chart=True),
        share_table("remiss_status", "Remisser under perioden per status i dag", "Status", status_items),
    ]

"""Participants, discharges, referrers and involved authorities."""

from collections import Counter
from statistics import median

from sqlalchemy import case, distinct, func, select

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
from tracker.reports.sql import days_between, stored_value
from tracker.reports.tables import Cell, ReportContext, Row, Table, cross_tables, section, share_table

MISSING = "Uppgift saknas"


def _gender_columns(present) -> list[tuple[str, str]]:
    return [
        (g.value, GENDER_LABELS[g]) for g in Gender if g in (Gender.KVINNA, Gender.MAN) or g.value in present
    ]


def _by_municipality_and_gender(ctx: ReportContext):
    return (
        select(Individual.home_municipality, Individual.gender, func.count(distinct(Enrolment.individual_id)))
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(participant_clause(ctx))
        .group_by(Individual.home_municipality, Individual.gender)
    )


def _by_authorities(ctx: ReportContext):
    return (
        select(
            Enrolment.involves_fk,
            Enrolment.involves_region,
            Enrolment.involves_kommun,
            Enrolment.involves_af,
            func.count(Enrolment.id),
            func.coalesce(func.sum(case((new_clause(ctx), 1), else_=0)), 0),
        )
        .where(participant_clause(ctx))
        .group_by(
            Enrolment.involves_fk, Enrolment.involves_region, Enrolment.involves_kommun, Enrolment.involves_af
        )
    )


def _discharged(ctx: ReportContext):
    """One row per discharged enrolment: reason, gender, income before (as stored text: they are
    only counted) and the length of stay in days (the median needs every length)."""
    return (
        select(
            stored_value(Enrolment.discharge_reason),
            stored_value(Individual.gender),
            stored_value(Enrolment.income_before),
            days_between(Enrolment.enrolled_on, Enrolment.discharged_on),
        )
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(discharged_clause(ctx))
    )


def _referrals_by_type_and_status(ctx: ReportContext):
    return (
        select(Referral.referrer_type, Referral.status, func.count(Referral.id))
        .where(referral_clause(ctx))
        .group_by(Referral.referrer_type, Referral.status)
    )


@section("participants", "Deltagare", order=10)
def participants(ctx: ReportContext) -> list[Table]:
    rows = ctx.rows(_by_municipality_and_gender)
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
    # One pass over the participants' enrolments: authority combinations and, summed over them,
    # the newly enrolled and all enrolments.
    combos = ctx.rows(_by_authorities)
    all_count = sum(row[4] for row in combos)
    new_count = sum(int(row[5]) for row in combos)
    by_status = {"new": new_count, "already": all_count - new_count}
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
    items = []
    for fk, region, kommun, af, n, _new in sorted(
        combos, key=lambda r: (-r[4], authority_combination(*r[:4]))
    ):
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
    discharged = ctx.rows(_discharged)
    rows = [(r, g, n) for (r, g), n in Counter((r, g) for r, g, _i, _days in discharged).items()]
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
    days = [length for _r, _g, _i, length in discharged]
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
    by_income = Counter(k or "" for _r, _g, k, _days in discharged)
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
    rows = ctx.rows(_referrals_by_type_and_status)
    by_type: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for referrer, status, n in rows:
        by_type[str(referrer)] = by_type.get(str(referrer), 0) + n
        by_status[str(status)] = by_status.get(str(status), 0) + n
    items = [
        (label, by_type[k.value], {"set": "referrals", "remittent": k.value})
        for k, label in REFERRER_LABELS.items()
        if k.value in by_type
    ]
    status_items = [
        (label, by_status[k.value], {"set": "referrals", "status": k.value})
        for k, label in REFERRAL_STATUS_LABELS.items()
        if k.value in by_status
    ]
    return [
        share_table("remittenter", "Remisser under perioden per remittent", "Remittent", items, chart=True),
        share_table("remiss_status", "Remisser under perioden per status i dag", "Status", status_items),
    ]

"""Consents of the project's participants as they stood at the end of the period."""

from sqlalchemy import and_, case, func, select

from tracker.consent.models import Consent
from tracker.extensions import db
from tracker.referrals.models import Enrolment
from tracker.reports.population import participant_clause
from tracker.reports.tables import ReportContext, Table, section, share_table


@section("consents", "Samtycken", order=60)
def consents(ctx: ReportContext) -> list[Table]:
    people = select(Enrolment.individual_id).where(participant_clause(ctx))
    end = ctx.end
    state = case(
        (and_(Consent.withdrawn_on.is_not(None), Consent.withdrawn_on <= end), "withdrawn"),
        (and_(Consent.valid_until.is_not(None), Consent.valid_until < end), "expired"),
        else_="active",
    )
    rows = db.session.execute(
        select(state, func.count(Consent.id))
        .where(
            Consent.individual_id.in_(people),
            Consent.given_on <= end,
            Consent.superseded_at.is_(None),
        )
        .group_by(state)
    ).all()
    by_state = dict(rows)
    return [
        share_table(
            "samtycken",
            f"Samtycken för periodens deltagare per {end.isoformat()}",
            "Status vid periodens slut",
            [
                ("Giltiga", by_state.get("active", 0), None),
                ("Utgångna", by_state.get("expired", 0), None),
                ("Återkallade", by_state.get("withdrawn", 0), None),
            ],
            note="Räknar samtycken (inte personer); ersatta versioner räknas inte.",
        )
    ]

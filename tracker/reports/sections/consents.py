"""Consents of the project's population (see population.py) as they stood at the end of the period."""

from sqlalchemy import and_, case, func, select

from tracker.consent.models import Consent
from tracker.reports.population import population
from tracker.reports.tables import ReportContext, Table, section, share_table


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _by_state(ctx: ReportContext):
    end = ctx.end
    withdrawn = and_(Consent.withdrawn_on.is_not(None), Consent.withdrawn_on <= end)
    expired = and_(~withdrawn, Consent.valid_until.is_not(None), Consent.valid_until < end)
    return select(_count_where(withdrawn), _count_where(expired), func.count(Consent.id)).where(
        Consent.individual_id.in_(population(ctx)),
        Consent.given_on <= end,
        Consent.superseded_at.is_(None),
    )


@section("consents", "Samtycken", order=60)
def consents(ctx: ReportContext) -> list[Table]:
    end = ctx.end
    ((n_withdrawn, n_expired, n_all),) = ctx.rows(_by_state)
    by_state = {
        "withdrawn": int(n_withdrawn),
        "expired": int(n_expired),
        "active": n_all - int(n_withdrawn) - int(n_expired),
    }
    return [
        share_table(
            "samtycken",
            f"Samtycken för projektets personer per {end.isoformat()}",
            "Status vid periodens slut",
            [
                ("Giltiga", by_state.get("active", 0), None),
                ("Utgångna", by_state.get("expired", 0), None),
                ("Återkallade", by_state.get("withdrawn", 0), None),
            ],
            note="Räknar samtycken (inte personer); ersatta versioner räknas inte.",
        )
    ]

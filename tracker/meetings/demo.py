"""Demo meetings: a pulsmöte series (every other month, first Thursday) and a few others."""

from datetime import time, timedelta

from tracker.consent.policy import consent_is_active
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.meetings.models import (
    AgendaCase,
    AgendaPoint,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingMode,
    MeetingSeries,
    MeetingStatus,
    RepeatRule,
)
from tracker.meetings.timing import local_to_utc, nth_weekday, occurrence_dates


def _meeting(title, kind, day, start, end, organiser, orgs, mode=MeetingMode.BOTH, series=None):
    meeting = Meeting(
        title=title,
        kind=kind,
        starts_at=local_to_utc(day, start),
        ends_at=local_to_utc(day, end),
        mode=mode,
        meeting_link="https://moten.example/puls-demo" if mode != MeetingMode.ON_SITE else None,
        address="Rehabenheten, Sjukhusvägen 1, Uppsala" if mode != MeetingMode.DIGITAL else None,
        organiser=organiser,
        created_by_id=organiser.id,
        series=series,
        sequence=0,
        calendar_changed_at=now_utc(),
    )
    meeting.invitations = [MeetingInvitation(organisation=org) for org in orgs]
    db.session.add(meeting)
    return meeting


def build(ctx) -> None:
    today = ctx.today
    rehab1 = ctx.users["rehab1"]
    clinics = [ctx.orgs[f"clinic{i}"] for i in range(1, 6)]
    parties = [clinics[0], ctx.orgs["fk"]]  # one clinic and FK: consents naming FK suffice
    month = today.month - 4
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    first = nth_weekday(year, month, 3, 1)  # first Thursday
    series = MeetingSeries(
        title="Pulsmöte Norr och FK",
        rule=RepeatRule.MONTHLY_WEEKDAY,
        repeat_every=2,
        first_on=first,
        occurrence_count=8,
        organiser=rehab1,
        created_by_id=rehab1.id,
    )
    db.session.add(series)
    meetings = [
        _meeting(
            "Pulsmöte Norr och FK",
            MeetingKind.PULSMOTE,
            day,
            time(9),
            time(11),
            rehab1,
            parties,
            series=series,
        )
        for day in occurrence_dates(RepeatRule.MONTHLY_WEEKDAY, 2, first, None, 8)
    ]
    for meeting in meetings:
        if meeting.starts_at.date() < today:
            meeting.status = MeetingStatus.HELD
            meeting.held_at = meeting.ends_at
            meeting.general_notes = "Genomgång av nya utlåtanden och beslut."
    upcoming = next((m for m in meetings if m.starts_at.date() >= today), meetings[-1])
    upcoming.agenda_points = [
        AgendaPoint(
            text="Rutiner för att skicka listan med läkarutlåtanden till FK", created_by_id=rehab1.id
        ),
        AgendaPoint(text="Övriga frågor", created_by_id=rehab1.id),
    ]
    own = [i for i in ctx.individuals if i.clinic_id == clinics[0].id]
    consented = [i for i in own if any(consent_is_active(c, today) for c in i.consents)]
    clinic_cases = consented[:3] + [i for i in own if i not in consented][:1]
    upcoming.agenda_cases = [AgendaCase(individual_id=i.id, created_by_id=rehab1.id) for i in clinic_cases]

    ledning = ctx.users["ledning"]
    board = [ctx.orgs[key] for key in ("forbund", "region", "fk", "kommun", "af")]
    _meeting(
        "Styrgruppsmöte Finsam", MeetingKind.STYRGRUPP, today + timedelta(days=20), time(13), time(15),
        ledning, board, mode=MeetingMode.ON_SITE,
    )  # fmt: skip
    samordnare = ctx.users["samordnare"]
    _meeting(
        "Informationsmöte om Plattformen", MeetingKind.INFORMATION, today + timedelta(days=9), time(10),
        time(11, 30), samordnare, [ctx.orgs["project"], ctx.orgs["kommun"], ctx.orgs["af"]],
        mode=MeetingMode.DIGITAL,
    )  # fmt: skip
    cancelled = _meeting(
        "Uppstartsmöte Mottagning Söder", MeetingKind.UPPSTART, today + timedelta(days=5), time(14), time(15),
        ctx.users["rehab2"], [clinics[1], ctx.orgs["fk"]], mode=MeetingMode.DIGITAL,
    )  # fmt: skip
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.cancel_reason = "Flyttas till nästa månad."
    cancelled.sequence = 1

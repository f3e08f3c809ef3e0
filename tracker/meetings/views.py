"""Meeting pages: list, month view, create, show, edit, cancel, ICS downloads.

Agenda/minutes pages live in views_agenda.py, calendar links in
views_calendar.py; all register on this blueprint.
"""

import calendar as pycalendar
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.models import Organisation, User
from tracker.consent.policy import deny, require_role
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.pagination import paginate, parse_page
from tracker.core.panels import home_panel
from tracker.core.timeutil import STOCKHOLM, today_local
from tracker.extensions import db
from tracker.meetings import invitations, services
from tracker.meetings.forms import CancelForm, MeetingForm, parse_date, parse_int, parse_time
from tracker.meetings.models import Meeting, MeetingSeries, MeetingStatus
from tracker.meetings.queries import (
    ORGANISER_ROLES,
    get_meeting_or_404,
    may_manage_meeting,
    may_view_meeting,
    meetings_in_month,
    meetings_query,
)
from tracker.meetings.timing import red_days

bp = Blueprint("meetings", __name__, url_prefix="/moten")

MONTH_NAMES = [
    "", "januari", "februari", "mars", "april", "maj", "juni", "juli",
    "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


def _choices(form: MeetingForm) -> None:
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
    )
    form.organisation_ids.choices = [(o.id, o.name) for o in orgs]
    users = db.session.execute(
        select(User.id, User.full_name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.is_active_account.is_(True))
        .order_by(User.full_name)
    )
    form.user_ids.choices = [(uid, f"{name} ({org})") for uid, name, org in users]


def _data(form: MeetingForm, with_day: bool = True) -> services.MeetingData:
    errors = {}
    values = {}
    for name, parser, args in (
        ("day", parse_date, ("day", with_day)),
        ("start_time", parse_time, ("start_time",)),
        ("end_time", parse_time, ("end_time",)),
    ):
        try:
            values[name] = parser(getattr(form, name).data, *args)
        except ValidationError as exc:
            errors.update(exc.errors)
            values[name] = None
    if errors:
        raise ValidationError(errors)
    return services.MeetingData(
        title=form.title.data,
        kind=form.kind.data,
        day=values["day"],
        start_time=values["start_time"],
        end_time=values["end_time"],
        mode=form.mode.data,
        meeting_link=form.meeting_link.data,
        address=form.address.data,
        organisation_ids=list(form.organisation_ids.data or []),
        user_ids=list(form.user_ids.data or []),
    )


def _repeat(form: MeetingForm) -> services.RepeatData:
    errors = {}
    values = {}
    for name, parser in (("interval", parse_int), ("count", parse_int)):
        try:
            values[name] = parser(getattr(form, name).data, name)
        except ValidationError as exc:
            errors.update(exc.errors)
    try:
        values["until_on"] = parse_date(form.until_on.data, "until_on", required=False)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return services.RepeatData(form.repeat.data, values["interval"], values["until_on"], values["count"])


@bp.route("/")
def index():
    past = request.args.get("visa") == "tidigare"
    page = paginate(
        meetings_query(current_user, upcoming=not past),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("meetings/index.html", page=page, past=past, ORGANISER_ROLES=ORGANISER_ROLES)


@bp.route("/manad")
def month():
    today = today_local()
    year = parse_int_arg("ar", today.year, 2000, 2100)
    month_no = parse_int_arg("manad", today.month, 1, 12)
    meetings = meetings_in_month(current_user, year, month_no)
    by_day: dict[date, list] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.starts_at.astimezone(STOCKHOLM).date(), []).append(meeting)
    weeks = pycalendar.Calendar().monthdatescalendar(year, month_no)
    prev = (year - 1, 12) if month_no == 1 else (year, month_no - 1)
    nxt = (year + 1, 1) if month_no == 12 else (year, month_no + 1)
    return render_template(
        "meetings/month.html", weeks=weeks, by_day=by_day, year=year, month=month_no,
        month_name=MONTH_NAMES[month_no], prev=prev, nxt=nxt,
    )  # fmt: skip


def parse_int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return value if low <= value <= high else default


@bp.route("/nytt", methods=["GET", "POST"])
def create():
    require_role(current_user, *ORGANISER_ROLES)
    form = MeetingForm()
    _choices(form)
    if request.method == "GET":
        form.organisation_ids.data = [current_user.organisation_id]
        form.start_time.data, form.end_time.data = "09:00", "10:30"
    if form.validate_on_submit():
        try:
            data = _data(form)
            if form.repeat.data:
                series = services.create_series(data, _repeat(form), current_user)
                invitations.send_invitations(series.meetings, "REQUEST")
                flash(f"Mötesserien är skapad med {len(series.meetings)} tillfällen.", "success")
                days = [m.starts_at.astimezone(STOCKHOLM).date() for m in series.meetings]
                for day, name in red_days(days):
                    flash(
                        f"Observera: {day.isoformat()} är en helgdag ({name}). "
                        "Flytta eller ställ in det tillfället.",
                        "warning",
                    )
                return redirect(url_for("meetings.show", meeting_id=series.meetings[0].id))
            meeting = services.create_meeting(data, current_user)
            invitations.send_invitations([meeting], "REQUEST")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Mötet är skapat och inbjudningar är skickade.", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render_template("meetings/form.html", form=form, meeting=None), status


@bp.route("/<int:meeting_id>")
def show(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        may_manage=may_manage_meeting(current_user, meeting),
        MeetingStatus=MeetingStatus,
    )


@bp.route("/<int:meeting_id>/andra", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id, manage=True)
    form = MeetingForm(obj=None if request.method == "POST" else meeting)
    _choices(form)
    if request.method == "GET":
        local_start = meeting.starts_at.astimezone(STOCKHOLM)
        form.day.data = local_start.date().isoformat()
        form.start_time.data = local_start.strftime("%H:%M")
        form.end_time.data = meeting.ends_at.astimezone(STOCKHOLM).strftime("%H:%M")
        form.kind.data, form.mode.data = meeting.kind.value, meeting.mode.value
        form.organisation_ids.data = sorted(meeting.invited_org_ids)
        form.user_ids.data = sorted(meeting.invited_user_ids)
        form.version.data = str(meeting.version)
    if form.validate_on_submit():
        scope = form.scope.data if meeting.series_id else services.SCOPE_THIS
        try:
            before = invitations.recipient_ids(services.following(meeting) if scope != "this" else [meeting])
            changed = services.update_meeting(
                meeting, _data(form, with_day=scope == services.SCOPE_THIS), form.version.data, scope
            )
            invitations.send_invitations(changed, "REQUEST")
            invitations.send_uninvitations(changed, before)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return render_template("meetings/form.html", form=form, meeting=meeting), 409
        else:
            flash(f"Ändringen är sparad ({len(changed)} tillfällen).", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render_template("meetings/form.html", form=form, meeting=meeting), status


@bp.route("/<int:meeting_id>/stall-in", methods=["GET", "POST"])
def cancel(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id, manage=True)
    form = CancelForm()
    if form.validate_on_submit():
        scope = form.scope.data if meeting.series_id else services.SCOPE_THIS
        try:
            cancelled = services.cancel_meeting(meeting, form.reason.data, scope)
            invitations.send_invitations(cancelled, "CANCEL")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(f"Mötet är inställt ({len(cancelled)} tillfällen).", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render_template("meetings/cancel.html", form=form, meeting=meeting), status


@bp.route("/<int:meeting_id>.ics")
def download(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    return invitations.calendar_response([meeting], f"mote-{meeting.id}.ics")


@bp.route("/serie/<int:series_id>.ics")
def download_series(series_id: int):
    series = db.session.get(MeetingSeries, series_id)
    if series is None or not series.meetings:
        return invitations.not_found()
    meetings = [m for m in series.meetings if may_view_meeting(current_user, m)]
    if not meetings:
        deny("meeting", details=f"series:{series.id}")
    return invitations.calendar_response(meetings, f"serie-{series.id}.ics")


@home_panel("meetings")
def home_meetings(user):
    # Plain rows of the shown columns: no Meeting objects with their eager invitations.
    query = (
        meetings_query(user, upcoming=True)
        .with_only_columns(Meeting.id, Meeting.starts_at, Meeting.title, Meeting.status)
        .limit(5)
    )
    from tracker.notifications.views import unread_count

    return {"upcoming": db.session.execute(query).all(), "unread": unread_count(user)}


from tracker.meetings import rights, views_agenda, views_calendar  # noqa: E402, F401  (routes on bp; rights)

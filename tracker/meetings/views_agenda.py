"""Agenda and minutes pages of a meeting."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.auth.forms import ConfirmForm
from tracker.consent.categories import Action, Category
from tracker.consent.policy import may, require_role
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.panels import case_panel
from tracker.extensions import db
from tracker.meetings import minutes
from tracker.meetings.agenda import CONSENT_PROMPT, shown_agenda
from tracker.meetings.forms import CaseForm, CaseNoteForm, HeldForm, PointForm
from tracker.meetings.invitations import not_found
from tracker.meetings.minutes import CASE_EDITOR_ROLES
from tracker.meetings.models import AgendaCase, AgendaPoint, Meeting, MeetingCaseNote, MeetingStatus
from tracker.meetings.queries import get_meeting_or_404, may_manage_meeting
from tracker.meetings.views import bp
from tracker.people.models import Individual
from tracker.people.queries import get_individual_or_404


def _own_cases_choices() -> list[tuple[str, str]]:
    """Cases the user's unit is responsible for (they may see and edit them)."""
    if current_user.role not in CASE_EDITOR_ROLES:
        return []
    rows = db.session.execute(
        select(Individual.public_id, Individual.first_name, Individual.last_name)
        .where(
            or_(
                Individual.clinic_id == current_user.organisation_id,
                Individual.coordinator_id == current_user.id,
            )
        )
        .order_by(Individual.last_name, Individual.first_name)
        .limit(1000)
    )
    return [("", "– välj –")] + [(pid, f"{last}, {first}") for pid, first, last in rows]


def _open_form_choices(meeting, form) -> list[tuple[str, str]]:
    """Cases and notes are added while the meeting is planned; a refused form is shown with its error."""
    if meeting.status != MeetingStatus.PLANNED and not form.errors:
        return []
    return _own_cases_choices()


def _render_agenda(meeting, point_form=None, case_form=None, status=200):
    agenda = shown_agenda(meeting, current_user)
    case_form = case_form or CaseForm()
    case_form.individual.choices = _open_form_choices(meeting, case_form)
    rows = {row.individual_id: row for row in meeting.agenda_cases}
    return render_template(
        "meetings/agenda.html",
        meeting=meeting,
        agenda=agenda,
        agenda_rows=rows,
        prompt=CONSENT_PROMPT,
        may_manage=may_manage_meeting(current_user, meeting),
        point_form=point_form or PointForm(),
        case_form=case_form,
        confirm=ConfirmForm(),
        MeetingStatus=MeetingStatus,
    ), status


@bp.route("/<int:meeting_id>/dagordning")
def agenda(meeting_id: int):
    return _render_agenda(get_meeting_or_404(meeting_id))


@bp.route("/<int:meeting_id>/dagordning/punkt", methods=["POST"])
def add_point(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id, manage=True)
    form = PointForm()
    if form.validate_on_submit():
        try:
            minutes.add_point(meeting, form.text.data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Punkten är tillagd.", "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    return _render_agenda(meeting, point_form=form, status=422)


@bp.route("/<int:meeting_id>/dagordning/punkt/<int:point_id>/ta-bort", methods=["POST"])
def remove_point(meeting_id: int, point_id: int):
    meeting = get_meeting_or_404(meeting_id, manage=True)
    point = db.session.get(AgendaPoint, point_id)
    if point is None or point.meeting_id != meeting.id:
        return not_found()
    _removed(minutes.remove_point, point, done="Punkten är borttagen.")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


def _removed(remove, *args, done: str) -> None:
    """Run a removal; a refusal (the minutes are closed) is flashed instead of the success."""
    try:
        remove(*args)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash(done, "success")


@bp.route("/<int:meeting_id>/dagordning/arende", methods=["POST"])
def add_case(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require_role(current_user, *CASE_EDITOR_ROLES)
    form = CaseForm()
    form.individual.choices = _own_cases_choices()
    if form.validate_on_submit():
        individual = get_individual_or_404(form.individual.data, Action.EDIT, Category.MEETING_NOTES)
        try:
            minutes.add_case(meeting, individual, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Ärendet är tillagt på dagordningen.", "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    return _render_agenda(meeting, case_form=form, status=422)


@bp.route("/<int:meeting_id>/dagordning/arende/<int:row_id>/ta-bort", methods=["POST"])
def remove_case(meeting_id: int, row_id: int):
    meeting = get_meeting_or_404(meeting_id)
    row = db.session.get(AgendaCase, row_id)
    if row is None or row.meeting_id != meeting.id:
        return not_found()
    _removed(minutes.remove_case, row, current_user, done="Ärendet är borttaget från dagordningen.")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


def _held_form(meeting, form=None):
    form = form or HeldForm()
    people = {meeting.organiser.id: meeting.organiser}
    people.update({i.user.id: i.user for i in meeting.invitations if i.user_id})
    form.present.choices = [(u.id, u.full_name) for u in sorted(people.values(), key=lambda u: u.full_name)]
    return form


def _render_minutes(meeting, note_form=None, held_form=None, status=200):
    notes = db.session.scalars(
        select(MeetingCaseNote)
        .where(MeetingCaseNote.meeting_id == meeting.id)
        .options(selectinload(MeetingCaseNote.individual))
        .order_by(MeetingCaseNote.id)
    ).all()
    note_form = note_form or CaseNoteForm()
    note_form.individual.choices = _open_form_choices(meeting, note_form)
    return render_template(
        "meetings/minutes.html",
        meeting=meeting,
        notes=minutes.visible_case_notes(current_user, meeting, list(notes)),
        total_notes=len(notes),
        note_form=note_form,
        held_form=_held_form(meeting, held_form),
        may_manage=may_manage_meeting(current_user, meeting),
        MeetingStatus=MeetingStatus,
    ), status


@bp.route("/<int:meeting_id>/protokoll")
def minutes_page(meeting_id: int):
    return _render_minutes(get_meeting_or_404(meeting_id))


@bp.route("/<int:meeting_id>/protokoll/anteckning", methods=["POST"])
def add_note(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require_role(current_user, *CASE_EDITOR_ROLES)
    form = CaseNoteForm()
    form.individual.choices = _own_cases_choices()
    if form.validate_on_submit():
        individual = get_individual_or_404(form.individual.data, Action.EDIT, Category.MEETING_NOTES)
        try:
            minutes.add_case_note(meeting, individual, form.note.data, form.next_steps.data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Anteckningen är sparad i ärendet.", "success")
            return redirect(url_for("meetings.minutes_page", meeting_id=meeting.id))
    return _render_minutes(meeting, note_form=form, status=422)


@bp.route("/<int:meeting_id>/protokoll/genomfort", methods=["POST"])
def mark_held(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id, manage=True)
    form = _held_form(meeting, HeldForm())
    if form.validate_on_submit():
        allowed = {uid for uid, _name in form.present.choices}
        present = [uid for uid in form.present.data or [] if uid in allowed]
        try:
            minutes.mark_held(
                meeting, form.general_notes.data, form.decisions.data, present,
                form.other_attendees.data,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Mötet är markerat som genomfört och protokollet är stängt.", "success")
            return redirect(url_for("meetings.minutes_page", meeting_id=meeting.id))
    return _render_minutes(meeting, held_form=form, status=422)


@case_panel("meetings")
def case_meeting_notes(user, individual, facts):
    """Notes from meetings on the individual's page, if the policy allows meeting notes."""
    if not may(user, Action.VIEW, individual, Category.MEETING_NOTES, facts=facts):
        return {"allowed": False, "notes": []}
    # Plain rows of the shown columns: no meetings with organisers and eager invitations.
    notes = db.session.execute(
        select(Meeting.starts_at, Meeting.title, MeetingCaseNote.note, MeetingCaseNote.next_steps)
        .select_from(MeetingCaseNote)
        .join(Meeting, Meeting.id == MeetingCaseNote.meeting_id)
        .where(MeetingCaseNote.individual_id == individual.id)
        .order_by(MeetingCaseNote.created_at.desc())
    ).all()
    return {"allowed": True, "notes": notes}

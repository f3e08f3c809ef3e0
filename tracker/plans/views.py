"""Pages for the vårdplan/SIP and insatser, and the plan section of the case page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, Role
from tracker.consent.categories import Action, Category
from tracker.consent.policy import may, require_role
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.panels import case_panel
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.queries import get_individual_or_404
from tracker.plans import queries, rights, services  # noqa: F401 (rights: extract sections, anonymisers)
from tracker.plans.forms import InsatsForm, InsatsStatusForm, PlanForm
from tracker.plans.models import ALLOWED_TRANSITIONS, INSATS_STATUS_LABELS

bp = Blueprint("plans", __name__, url_prefix="/planer")

PLAN_EDITORS = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


@bp.before_request
def editors_only():
    require_role(current_user, *PLAN_EDITORS)


def _organisation_choices():
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
    )
    return [(str(o.id), o.name) for o in orgs]


def _case_url(individual) -> str:
    return url_for("people.show", public_id=individual.public_id)


@bp.route("/person/<public_id>/plan", methods=["GET", "POST"])
def edit_plan(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT, Category.PLAN)
    plan = queries.plan_for(individual.id)
    form = PlanForm(obj=None if request.method == "POST" else plan)
    form.sip_organisation_ids.choices = _organisation_choices()
    if request.method == "GET":
        if plan is None:
            form.established_on.data = today_local()
        else:
            form.sip_organisation_ids.data = [str(o.id) for o in plan.sip_organisations]
            form.version.data = str(plan.version)
            audit_record(AuditAction.VIEW, obj=plan, individual_id=individual.id, details="edit form")
    if form.validate_on_submit():
        data = services.PlanData(
            established_on=form.established_on.data,
            goals=form.goals.data,
            follow_up_on=form.follow_up_on.data,
            is_sip=form.is_sip.data,
            sip_meeting_on=form.sip_meeting_on.data,
            sip_organisation_ids=form.sip_organisation_ids.data or [],
        )
        try:
            if plan is None:
                services.create_plan(individual, data, current_user)
            else:
                services.update_plan(plan, data, form.version.data)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return render_template("plans/plan_form.html", form=form, individual=individual, plan=plan), 409
        else:
            flash("Vårdplanen är sparad.", "success")
            return redirect(_case_url(individual))
    status = 422 if form.is_submitted() else 200
    return render_template("plans/plan_form.html", form=form, individual=individual, plan=plan), status


@bp.route("/person/<public_id>/insatser/ny", methods=["GET", "POST"])
def new_insats(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT, Category.PLAN)
    plan = queries.plan_for(individual.id)
    if plan is None:
        flash("Upprätta en vårdplan först.", "error")
        return redirect(url_for("plans.edit_plan", public_id=public_id))
    form = InsatsForm()
    form.organisation_id.choices = [("", "– välj –")] + _organisation_choices()
    if form.validate_on_submit():
        data = services.InsatsData(
            what=form.what.data,
            organisation_id=form.organisation_id.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            status=form.status.data,
        )
        try:
            services.add_insats(plan, data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Insatsen är tillagd.", "success")
            return redirect(_case_url(individual))
    status = 422 if form.is_submitted() else 200
    return render_template("plans/insats_form.html", form=form, individual=individual), status


@bp.route("/insatser/<int:insats_id>/status", methods=["GET", "POST"])
def insats_status(insats_id: int):
    insats = queries.get_insats_or_404(insats_id, Action.EDIT)
    individual = insats.plan.individual
    form = InsatsStatusForm()
    form.status.choices = [(s.value, INSATS_STATUS_LABELS[s]) for s in ALLOWED_TRANSITIONS[insats.status]]
    if request.method == "GET":
        form.changed_on.data = today_local()
        form.version.data = str(insats.version)
        audit_record(AuditAction.VIEW, obj=insats, individual_id=insats.individual_id)
    if form.validate_on_submit():
        try:
            services.change_insats_status(
                insats,
                form.status.data,
                form.changed_on.data,
                form.reason.data,
                form.version.data,
                current_user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return render_template(
                "plans/insats_status.html", form=form, insats=insats, individual=individual
            ), 409
        else:
            flash("Insatsens status är ändrad.", "success")
            return redirect(_case_url(individual))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "plans/insats_status.html", form=form, insats=insats, individual=individual
    ), status


@case_panel("plans")
def case(user, individual, facts):
    if not may(user, Action.VIEW, individual, Category.PLAN, facts=facts):
        return {}
    plan, history = queries.case_plan(individual.id)
    return {
        "visible": True,
        "plan": plan,
        "history": history,
        "may_edit": user.role in PLAN_EDITORS
        and bool(may(user, Action.EDIT, individual, Category.PLAN, facts=facts)),
    }

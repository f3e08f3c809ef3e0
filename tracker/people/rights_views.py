"""The individual's rights and the end of a case: register extract, closing a case."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.forms import ConfirmForm
from tracker.auth.models import Role
from tracker.consent.categories import Action, Category
from tracker.consent.policy import require_role
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.timeutil import format_datetime, now_utc, today_local
from tracker.people import services
from tracker.people.extract import audit_trail, build_extract
from tracker.people.forms import CloseCaseForm
from tracker.people.queries import get_individual_or_404

bp = Blueprint("rights", __name__, url_prefix="/personer")

# Only the responsible unit (policy: EDIT on IDENTITY) makes extracts and closes cases.
RESPONSIBLE_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


def _responsible_individual(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT, Category.IDENTITY)
    require_role(current_user, *RESPONSIBLE_ROLES)
    return individual


def _extract(individual, fmt: str) -> dict:
    # Audited first, so the extract lists its own making.
    audit_record(
        AuditAction.EXPORT, obj=individual, individual_id=individual.id, details=f"register extract {fmt}"
    )
    data = build_extract(individual)
    data["made_at"] = format_datetime(now_utc())
    data["made_by"] = {"name": current_user.full_name, "organisation": current_user.organisation.name}
    data["audit_trail"] = audit_trail(individual)
    return data


@bp.route("/<public_id>/registerutdrag")
def extract(public_id: str):
    individual = _responsible_individual(public_id)
    return render_template("people/extract.html", individual=individual, data=_extract(individual, "html"))


@bp.route("/<public_id>/registerutdrag.json")
def extract_json(public_id: str):
    individual = _responsible_individual(public_id)
    body = json.dumps(_extract(individual, "json"), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="registerutdrag-{individual.public_id}.json"'},
    )


@bp.route("/<public_id>/avsluta", methods=["GET", "POST"])
def close(public_id: str):
    individual = _responsible_individual(public_id)
    form = CloseCaseForm()
    if not form.is_submitted():
        form.closed_on.data = today_local()
    if form.validate_on_submit():
        try:
            services.close_case(individual, form.closed_on.data, form.reason.data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Ärendet är avslutat.", "success")
            return redirect(url_for("people.show", public_id=individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("people/close.html", individual=individual, form=form), status


@bp.route("/<public_id>/ateroppna", methods=["POST"])
def reopen(public_id: str):
    individual = _responsible_individual(public_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.reopen_case(individual)
        except ValidationError as error:
            flash(" ".join(error.errors.values()), "error")
        else:
            flash("Ärendet är öppnat igen.", "success")
    return redirect(url_for("people.show", public_id=individual.public_id))

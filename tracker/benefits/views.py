"""Pages for certificates, FK decisions, bevakningar, the FK worklist, alarms and the timeline."""

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_each
from tracker.audit.services import record_list as audit_list
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.benefits import (  # noqa: F401 (agenda/digest sections, extract sections and anonymisers)
    agenda_sections,
    digest_sections,
    exports,
    queries,
    rights,
    services,
)
from tracker.benefits.alarms import alarms_for
from tracker.benefits.forms import CertificateForm, DecisionForm, FollowUpDoneForm, FollowUpForm
from tracker.benefits.timeline import timeline
from tracker.consent.categories import Action, Category
from tracker.consent.policy import load_facts, may, require_role
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.panels import case_panel, home_panel
from tracker.core.timeutil import today_local
from tracker.core.urls import url_maker
from tracker.extensions import db
from tracker.people.queries import get_individual_or_404
from tracker.people.services import _as_int

bp = Blueprint("benefits", __name__, url_prefix="/formaner")

CASE_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.HANDLAGGARE)
FK_RECORD_EDITORS = (Role.REHABKOORDINATOR, Role.HANDLAGGARE)


@bp.before_request
def case_roles_only():
    require_role(current_user, *CASE_ROLES)


def _officer_choices():
    officers = db.session.scalars(
        select(User)
        .where(User.role == Role.HANDLAGGARE, User.is_active_account.is_(True))
        .order_by(User.full_name)
    )
    return [("", "– välj –")] + [(str(u.id), u.full_name) for u in officers]


def _clinic_choices():
    clinics = db.session.scalars(
        select(Organisation)
        .where(
            Organisation.org_type.in_([OrgType.REGION_CLINIC, OrgType.REGION_OTHER]),
            Organisation.is_active.is_(True),
        )
        .order_by(Organisation.name)
    )
    return [("", "– välj –")] + [(str(o.id), o.name) for o in clinics]


def _render_form(template: str, form, status: int | None = None, **context):
    status = status or (422 if form.is_submitted() else 200)
    return render_template(template, form=form, **context), status


def _case_url(individual) -> str:
    return url_for("people.show", public_id=individual.public_id)


# ---------------------------------------------------------------- certificates


def _certificate_data(form: CertificateForm) -> services.CertificateData:
    return services.CertificateData(
        issued_on=form.issued_on.data,
        clinic_id=form.clinic_id.data,
        certificate_type=form.certificate_type.data,
        doctor=form.doctor.data,
        sent_to_fk_on=form.sent_to_fk_on.data,
        note=form.note.data,
    )


@bp.route("/person/<public_id>/lakarutlatanden/ny", methods=["GET", "POST"])
def new_certificate(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT, Category.CERTIFICATES)
    require_role(current_user, Role.REHABKOORDINATOR)
    form = CertificateForm()
    form.clinic_id.choices = _clinic_choices()
    if request.method == "GET":
        form.clinic_id.data = str(individual.clinic_id)
    if form.validate_on_submit():
        try:
            services.create_certificate(individual, _certificate_data(form), current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Läkarutlåtandet är registrerat.", "success")
            return redirect(_case_url(individual))
    return _render_form("benefits/certificate_form.html", form, individual=individual, certificate=None)


@bp.route("/lakarutlatanden/<int:certificate_id>/andra", methods=["GET", "POST"])
def edit_certificate(certificate_id: int):
    certificate = queries.get_certificate_or_404(certificate_id, Action.EDIT)
    require_role(current_user, Role.REHABKOORDINATOR)
    individual = certificate.individual
    form = CertificateForm(obj=None if request.method == "POST" else certificate)
    form.clinic_id.choices = _clinic_choices()
    context = {"individual": individual, "certificate": certificate}
    if request.method == "GET":
        form.clinic_id.data = str(certificate.clinic_id)
        form.certificate_type.data = certificate.certificate_type.value
        form.version.data = str(certificate.version)
        audit_record(AuditAction.VIEW, obj=certificate, individual_id=individual.id, details="edit form")
    if form.validate_on_submit():
        try:
            services.update_certificate(certificate, _certificate_data(form), form.version.data)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return _render_form("benefits/certificate_form.html", form, 409, **context)
        else:
            flash("Läkarutlåtandet är sparat.", "success")
            return redirect(_case_url(individual))
    return _render_form("benefits/certificate_form.html", form, **context)


def _since_arg() -> date:
    try:
        return date.fromisoformat(request.args.get("sedan", ""))
    except ValueError:
        return today_local() - timedelta(days=60)


def _certificate_list():
    require_role(current_user, Role.REHABKOORDINATOR)
    since = _since_arg()
    clinics = queries.user_clinics(current_user)
    clinic_arg = _as_int(request.args.get("mottagning"))
    clinic_ids = [clinic_arg] if clinic_arg else [c.id for c in clinics]
    return queries.certificates_for_fk(current_user, since, clinic_ids), clinics, clinic_arg


def _audit_certificate_list(action: AuditAction, data: queries.CertificateList, fmt: str) -> None:
    """The summary row, and one row per person named, so the read is in each person's own trail."""
    since = data.since.isoformat()
    summary = "fk-list" if fmt == "html" else f"fk-list {fmt}"
    audit_record(
        action,
        object_type="Certificate",
        details=f"{summary} since={since} named={len(data.named)} unnamed={data.unnamed_count}",
    )
    record_each(
        action,
        (row.individual.id for row in data.named),
        object_type="CertificateList",
        details=f"fk-list {fmt} since={since}",
    )


@bp.route("/lakarutlatanden")
def certificate_list():
    data, clinics, clinic_arg = _certificate_list()
    _audit_certificate_list(AuditAction.LIST, data, "html")
    return render_template(
        "benefits/certificate_list.html", data=data, clinics=clinics, clinic_arg=clinic_arg
    )


@bp.route("/lakarutlatanden/export.<fmt>")
def certificate_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    data, _clinics, _clinic_arg = _certificate_list()
    _audit_certificate_list(AuditAction.EXPORT, data, fmt)
    name = f"lakarutlatanden-sedan-{data.since.isoformat()}.{fmt}"
    if fmt == "csv":
        body, mime = exports.certificates_csv(data), "text/csv; charset=utf-8"
    else:
        body = exports.certificates_xlsx(data)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mime,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


# ---------------------------------------------------------------- decisions


def _decision_form(individual, decision=None) -> DecisionForm:
    form = DecisionForm(obj=None if request.method == "POST" else decision)
    form.officer_id.choices = _officer_choices()
    if may(current_user, Action.VIEW, individual, Category.CERTIFICATES):
        form.certificate_id.choices = [("", "– inget –")] + [
            (str(c.id), f"{c.issued_on.isoformat()} {c.certificate_type.label}")
            for c in queries.case_certificates(individual.id)
        ]
    else:
        form.certificate_id.choices = [("", "– inget (ingen åtkomst till utlåtanden) –")]
    if request.method == "GET":
        if decision is None:
            form.officer_id.data = str(individual.fk_officer_id or "")
            if current_user.role == Role.HANDLAGGARE:
                form.officer_id.data = str(current_user.id)
        else:
            form.outcome.data = decision.outcome.value
            form.level.data = decision.level.value if decision.level else ""
            form.officer_id.data = str(decision.officer_id)
            form.certificate_id.data = str(decision.certificate_id or "")
            form.version.data = str(decision.version)
    return form


def _decision_data(form: DecisionForm) -> services.DecisionData:
    # The service keeps the certificate link for who may not see certificates.
    return services.DecisionData(
        outcome=form.outcome.data,
        officer_id=form.officer_id.data,
        decided_on=form.decided_on.data,
        level=form.level.data or None,
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        certificate_id=form.certificate_id.data,
        note=form.note.data,
    )


@bp.route("/person/<public_id>/beslut/ny", methods=["GET", "POST"])
def new_decision(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT, Category.FK_RECORDS)
    require_role(current_user, *FK_RECORD_EDITORS)
    form = _decision_form(individual)
    if form.validate_on_submit():
        try:
            services.create_decision(individual, _decision_data(form), current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Beslutet är registrerat.", "success")
            return redirect(_case_url(individual))
    return _render_form("benefits/decision_form.html", form, individual=individual, decision=None)


@bp.route("/beslut/<int:decision_id>/andra", methods=["GET", "POST"])
def edit_decision(decision_id: int):
    decision = queries.get_decision_or_404(decision_id, Action.EDIT)
    require_role(current_user, *FK_RECORD_EDITORS)
    individual = decision.individual
    form = _decision_form(individual, decision)
    if request.method == "GET":
        audit_record(AuditAction.VIEW, obj=decision, individual_id=individual.id, details="edit form")
    if form.validate_on_submit():
        try:
            services.update_decision(decision, _decision_data(form), form.version.data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return _render_form(
                "benefits/decision_form.html", form, 409, individual=individual, decision=decision
            )
        else:
            flash("Beslutet är sparat.", "success")
            return redirect(_case_url(individual))
    return _render_form("benefits/decision_form.html", form, individual=individual, decision=decision)


# ---------------------------------------------------------------- bevakningar


def _coordinator_choices():
    coordinators = db.session.scalars(
        select(User)
        .where(User.role == Role.REHABKOORDINATOR, User.is_active_account.is_(True))
        .order_by(User.full_name)
    )
    return [("", "– ingen –")] + [(str(u.id), u.full_name) for u in coordinators]


@bp.route("/person/<public_id>/bevakningar/ny", methods=["GET", "POST"])
def new_follow_up(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT, Category.FK_RECORDS)
    require_role(current_user, *FK_RECORD_EDITORS)
    form = FollowUpForm()
    form.owner_id.choices = _officer_choices()
    form.clinic_id.choices = _clinic_choices()
    form.coordinator_id.choices = _coordinator_choices()
    if request.method == "GET":
        owner = current_user.id if current_user.role == Role.HANDLAGGARE else individual.fk_officer_id
        form.owner_id.data = str(owner or "")
        form.clinic_id.data = str(individual.clinic_id)
        form.coordinator_id.data = str(individual.coordinator_id or "")
    if form.validate_on_submit():
        data = services.FollowUpData(
            owner_id=form.owner_id.data,
            due_on=form.due_on.data,
            reason=form.reason.data,
            reason_text=form.reason_text.data,
            clinic_id=form.clinic_id.data,
            coordinator_id=form.coordinator_id.data,
        )
        try:
            services.create_follow_up(individual, data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Bevakningen är lagd.", "success")
            return redirect(_case_url(individual))
    return _render_form("benefits/follow_up_form.html", form, individual=individual)


@bp.route("/bevakningar/<int:follow_up_id>/klar", methods=["GET", "POST"])
def complete_follow_up(follow_up_id: int):
    follow_up = queries.get_follow_up_or_404(follow_up_id, Action.EDIT)
    require_role(current_user, *FK_RECORD_EDITORS)
    form = FollowUpDoneForm()
    if request.method == "GET":
        form.done_on.data = today_local()
        form.version.data = str(follow_up.version)
        audit_record(AuditAction.VIEW, obj=follow_up, individual_id=follow_up.individual_id)
    if form.validate_on_submit():
        try:
            services.complete_follow_up(follow_up, form.done_on.data, form.done_note.data, form.version.data)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return _render_form("benefits/follow_up_done.html", form, 409, follow_up=follow_up)
        else:
            flash("Bevakningen är klarmarkerad.", "success")
            if current_user.role == Role.HANDLAGGARE:
                return redirect(url_for("benefits.worklist_page"))
            return redirect(_case_url(follow_up.individual))
    return _render_form("benefits/follow_up_done.html", form, follow_up=follow_up)


def _worklist_links() -> dict:
    """Each worklist row links to its case and to marking it done: built once, not per row."""
    return {
        "case": url_maker("people.show", "public_id"),
        "done": url_maker("benefits.complete_follow_up", "follow_up_id", int),
    }


@bp.route("/bevakningar")
def worklist_page():
    require_role(current_user, Role.HANDLAGGARE)
    data = queries.worklist(current_user, request.args.get("sort", "forfallodag"))
    return render_template(
        "benefits/worklist.html", worklist=data, sorts=queries.WORKLIST_SORT_LABELS, links=_worklist_links()
    )


# ---------------------------------------------------------------- alarms and timeline


@bp.route("/larm")
def alarms_page():
    require_role(current_user, Role.REHABKOORDINATOR)
    alarms = alarms_for(current_user)
    _audit_alarms(alarms)
    return render_template("benefits/alarms.html", alarms=alarms)


def _audit_alarms(alarms) -> None:
    shown = [row.individual.id for alarm in alarms for row in alarm.rows]
    audit_list(AuditAction.LIST, shown, object_type="Alarm", details=f"rows={len(shown)}")


@bp.route("/person/<public_id>/tidslinje")
def case_timeline(public_id: str):
    individual = get_individual_or_404(public_id)
    facts = load_facts(current_user, [individual.id])[individual.id]
    entries, allowed = timeline(current_user, individual, facts)
    audit_record(AuditAction.VIEW, obj=individual, individual_id=individual.id, details="timeline")
    return render_template(
        "benefits/timeline.html", individual=individual, entries=entries, allowed=allowed, Category=Category
    )


# ---------------------------------------------------------------- panels


@home_panel("benefits")
def home(user):
    if user.role == Role.HANDLAGGARE:
        data = queries.worklist(user, request.args.get("sort", "forfallodag"))
        return {"worklist": data, "links": _worklist_links()}
    if user.role == Role.REHABKOORDINATOR:
        alarms = alarms_for(user)
        _audit_alarms(alarms)
        return {"alarms": alarms}
    return {}


@case_panel("benefits")
def case(user, individual, facts):
    def allowed(category, action=Action.VIEW):
        return bool(may(user, action, individual, category, facts=facts))

    panel = {"today": today_local()}
    if allowed(Category.CERTIFICATES):
        panel["certificates"] = queries.case_certificate_rows(individual.id)
        panel["may_add_certificate"] = user.role == Role.REHABKOORDINATOR and allowed(
            Category.CERTIFICATES, Action.EDIT
        )
    if allowed(Category.FK_RECORDS):
        panel["decisions"] = queries.case_decision_rows(individual.id)
        panel["follow_ups"] = queries.case_follow_up_rows(individual.id)
        panel["may_edit_fk"] = user.role in FK_RECORD_EDITORS and allowed(Category.FK_RECORDS, Action.EDIT)
        # The lead time reveals the certificate's date: only for who may see certificates.
        panel["show_lead_time"] = "certificates" in panel
    return panel

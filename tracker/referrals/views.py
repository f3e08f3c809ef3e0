"""Pages for projects, the referral queue, enrolment, discharge and activities."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_list as audit_list
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.consent.policy import deny, require_role
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.panels import case_panel
from tracker.extensions import db
from tracker.people.queries import get_individual_or_404
from tracker.referrals import forms, queries, rights, services  # noqa: F401 (rights: extract sections, anonymisers)
from tracker.referrals.models import ActivityGroup, Consultation, InfoSession, ProjectBudget
from tracker.referrals.queries import get_enrolment_or_404, get_project_or_404, get_referral_or_404

bp = Blueprint("referrals", __name__, url_prefix="/insatser")

BACKGROUND = services.ENROLMENT_ENUM_FIELDS + tuple(services.AUTHORITY_FIELDS)


def _org_choices(*types, empty="– ingen –"):
    query = select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
    if types:
        query = query.where(Organisation.org_type.in_(types))
    return [("", empty)] + [(str(o.id), o.name) for o in db.session.scalars(query)]


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _render_form(form, title: str, status: int | None = None, **context):
    code = status or (422 if form.is_submitted() else 200)
    return render_template("referrals/form.html", form=form, title=title, **context), code


# ---------------------------------------------------------------- projects


@bp.route("/")
def index():
    if current_user.role == Role.HANDLAGGARE:
        deny("role", details="projects")
    return render_template("referrals/index.html", projects=queries.projects_for(current_user), Role=Role)


def _project_form(form):
    form.organisation_id.choices = _org_choices(OrgType.PROJECT, empty="– välj –")
    form.principal_id.choices = _org_choices()


def _project_data(form) -> services.ProjectData:
    return services.ProjectData(
        name=form.name.data,
        kind=form.kind.data,
        organisation_id=_int(form.organisation_id.data),
        principal_id=_int(form.principal_id.data),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        target_group=form.target_group.data,
        planned_participants=form.planned_participants.data,
    )


@bp.route("/ny", methods=["GET", "POST"])
def create_project():
    require_role(current_user, Role.ADMIN)
    form = forms.ProjectForm()
    _project_form(form)
    if form.validate_on_submit():
        try:
            project = services.save_project(_project_data(form), current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Projektet är skapat.", "success")
            return redirect(url_for("referrals.admin_project", project_id=project.id))
    return _render_form(form, "Nytt projekt")


@bp.route("/<int:project_id>/admin", methods=["GET", "POST"])
def admin_project(project_id: int):
    require_role(current_user, Role.ADMIN)
    project = get_project_or_404(project_id, staff=False)
    form = forms.ProjectForm(obj=None if request.method == "POST" else project)
    _project_form(form)
    if request.method == "GET":
        form.kind.data = project.kind.value
        form.organisation_id.data = str(project.organisation_id)
        form.principal_id.data = str(project.principal_id or "")
    elif form.validate_on_submit():
        try:
            services.save_project(_project_data(form), current_user, project)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Projektet är sparat.", "success")
            return redirect(url_for("referrals.admin_project", project_id=project.id))
    member_form, budget_form = forms.MemberForm(prefix="m"), forms.BudgetForm(prefix="b")
    _member_choices(member_form)
    budget_form.forbund_id.choices = _org_choices(OrgType.FORBUND, empty="– välj –")
    budgets = db.session.scalars(
        select(ProjectBudget).where(ProjectBudget.project_id == project.id).order_by(ProjectBudget.year)
    ).all()
    status = 422 if form.is_submitted() else 200
    return render_template(
        "referrals/admin_project.html",
        project=project,
        form=form,
        member_form=member_form,
        budget_form=budget_form,
        budgets=budgets,
    ), status


def _member_choices(form):
    users = db.session.scalars(
        select(User)
        .where(User.role.in_(services.STAFF_ROLES), User.is_active_account.is_(True))
        .order_by(User.full_name)
    )
    form.user_id.choices = [("", "– välj –")] + [
        (str(u.id), f"{u.full_name} ({u.role.label})") for u in users
    ]


@bp.route("/<int:project_id>/medlemmar", methods=["POST"])
def add_member(project_id: int):
    require_role(current_user, Role.ADMIN)
    project = get_project_or_404(project_id, staff=False)
    form = forms.MemberForm(prefix="m")
    _member_choices(form)
    member = db.session.get(User, _int(form.user_id.data)) if form.validate_on_submit() else None
    if member is None:
        flash("Välj en medarbetare i listan.", "error")
    else:
        try:
            services.add_member(project, member, form.is_lead.data)
        except ValidationError as error:
            flash(" ".join(error.errors.values()), "error")
        else:
            flash("Medarbetaren är tillagd.", "success")
    return redirect(url_for("referrals.admin_project", project_id=project.id))


@bp.route("/<int:project_id>/budget", methods=["POST"])
def set_budget(project_id: int):
    require_role(current_user, Role.ADMIN)
    project = get_project_or_404(project_id, staff=False)
    form = forms.BudgetForm(prefix="b")
    form.forbund_id.choices = _org_choices(OrgType.FORBUND, empty="– välj –")
    try:
        if not form.validate_on_submit():
            raise ValidationError({"amount": "Fyll i förbund, år och belopp."})
        services.set_budget(project, _int(form.forbund_id.data), form.year.data, form.amount.data)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash("Budgeten är sparad.", "success")
    return redirect(url_for("referrals.admin_project", project_id=project.id))


@bp.route("/<int:project_id>")
def show(project_id: int):
    project = get_project_or_404(project_id)
    groups = db.session.scalars(
        select(ActivityGroup).where(ActivityGroup.project_id == project.id).order_by(ActivityGroup.name)
    ).all()
    consultations = db.session.scalars(
        select(Consultation)
        .where(Consultation.project_id == project.id)
        .order_by(Consultation.held_on.desc())
        .limit(20)
    ).all()
    info_sessions = db.session.scalars(
        select(InfoSession)
        .where(InfoSession.project_id == project.id)
        .order_by(InfoSession.held_on.desc())
        .limit(20)
    ).all()
    queue, enrolments = queries.queue(project), queries.current_enrolments(project)
    audit_list(
        AuditAction.LIST,
        [r.individual_id for r in queue] + [e.individual_id for e in enrolments],
        object_type="Project",
        object_id=project.id,
        details=f"queue={len(queue)} enrolled={len(enrolments)}",
    )
    return render_template(
        "referrals/show.html",
        project=project,
        queue=queue,
        waiting_days=queries.waiting_days,
        enrolments=enrolments,
        groups=groups,
        consultations=consultations,
        info_sessions=info_sessions,
        consultation_form=forms.ConsultationForm(prefix="c"),
        info_form=forms.InfoSessionForm(prefix="i"),
        group_form=forms.GroupForm(prefix="g"),
        status_form=forms.ReferralStatusForm(prefix="s"),
    )


# ---------------------------------------------------------------- referrals


@bp.route("/person/<public_id>/remiss", methods=["GET", "POST"])
def create_referral(public_id: str):
    individual = get_individual_or_404(public_id)
    projects = [p for p in queries.projects_for(current_user) if queries.is_project_staff(current_user, p)]
    if not projects:
        deny("project_staff", individual_id=individual.id, details="referral")
    form = forms.ReferralForm()
    form.project_id.choices = [(str(p.id), p.name) for p in projects]
    form.referrer_org_id.choices = _org_choices()
    if form.validate_on_submit():
        if _int(form.project_id.data) not in {p.id for p in projects}:
            deny("project_staff", individual_id=individual.id, details="referral project")
        project = get_project_or_404(_int(form.project_id.data))
        data = services.ReferralData(
            form.referred_on.data, form.referrer_type.data, _int(form.referrer_org_id.data), form.reason.data
        )
        try:
            services.create_referral(project, individual, data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Remissen är registrerad och ligger i kön.", "success")
            return redirect(url_for("referrals.show", project_id=project.id))
    return _render_form(form, f"Ny remiss för {individual.full_name}")


@bp.route("/remisser/<int:referral_id>/status", methods=["POST"])
def referral_status(referral_id: int):
    referral = get_referral_or_404(referral_id)
    form = forms.ReferralStatusForm(prefix="s")
    try:
        if not form.validate_on_submit():  # e.g. an over-long reason: say so, not "choose a status"
            raise ValidationError({f: " ".join(e) for f, e in form.errors.items()})
        services.change_referral_status(referral, form.status.data, form.status_reason.data, current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash("Remissens status är ändrad.", "success")
    return redirect(url_for("referrals.show", project_id=referral.project_id))


# ---------------------------------------------------------------- enrolment


@bp.route("/remisser/<int:referral_id>/inskriv", methods=["GET", "POST"])
def enrol(referral_id: int):
    referral = get_referral_or_404(referral_id)
    form = forms.EnrolForm()
    if request.method == "GET":
        audit_record(
            AuditAction.VIEW, obj=referral, individual_id=referral.individual_id, details="enrol form"
        )
        derived = services.derive_authorities(referral.individual)
        for name, authority in services.AUTHORITY_FIELDS.items():
            getattr(form, name).data = authority in derived
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in BACKGROUND if hasattr(form, name)}
        try:
            services.enrol(
                referral.project,
                referral.individual,
                form.enrolled_on.data,
                current_user,
                referral=referral,
                **values,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Personen är inskriven.", "success")
            return redirect(url_for("referrals.show", project_id=referral.project_id))
    return _render_form(form, f"Inskrivning: {referral.individual.full_name}")


@bp.route("/inskrivningar/<int:enrolment_id>", methods=["GET", "POST"])
def edit_enrolment(enrolment_id: int):
    enrolment = get_enrolment_or_404(enrolment_id)
    form = forms.EnrolmentEditForm(obj=None if request.method == "POST" else enrolment)
    if request.method == "GET":
        for name in BACKGROUND + ("income_after", "occupation_after"):
            value = getattr(enrolment, name)
            getattr(form, name).data = value if isinstance(value, bool) else (value.value if value else "")
        form.version.data = str(enrolment.version)
        audit_record(AuditAction.VIEW, obj=enrolment, individual_id=enrolment.individual_id)
    if form.validate_on_submit():
        values = {f.name: f.data for f in form if f.name not in ("csrf_token", "version")}
        try:
            services.update_enrolment(enrolment, values, form.version.data)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return _render_form(form, "Uppgifter vid in- och utskrivning", status=409)
        else:
            flash("Uppgifterna är sparade.", "success")
            return redirect(url_for("referrals.show", project_id=enrolment.project_id))
    return _render_form(form, f"Uppgifter vid in- och utskrivning: {enrolment.individual.full_name}")


@bp.route("/inskrivningar/<int:enrolment_id>/utskriv", methods=["GET", "POST"])
def discharge(enrolment_id: int):
    enrolment = get_enrolment_or_404(enrolment_id)
    form = forms.DischargeForm()
    if request.method == "GET":
        audit_record(
            AuditAction.VIEW, obj=enrolment, individual_id=enrolment.individual_id, details="discharge"
        )
    if form.validate_on_submit():
        try:
            services.discharge(
                enrolment,
                form.discharged_on.data,
                form.discharge_reason.data,
                income_after=form.income_after.data,
                occupation_after=form.occupation_after.data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Personen är utskriven.", "success")
            return redirect(url_for("referrals.show", project_id=enrolment.project_id))
    return _render_form(form, f"Utskrivning: {enrolment.individual.full_name}")


# ---------------------------------------------------------------- activities


def _flash_errors(error: ValidationError) -> None:
    flash(" ".join(error.errors.values()), "error")


@bp.route("/<int:project_id>/konsultationer", methods=["POST"])
def add_consultation(project_id: int):
    project = get_project_or_404(project_id)
    form = forms.ConsultationForm(prefix="c")
    try:
        if not form.validate_on_submit():
            raise ValidationError({f: " ".join(e) for f, e in form.errors.items()})
        services.add_consultation(
            project, form.held_on.data, form.actor_type.data, form.actor.data, form.topic.data, current_user
        )
    except ValidationError as error:
        _flash_errors(error)
    else:
        flash("Konsultationen är registrerad.", "success")
    return redirect(url_for("referrals.show", project_id=project.id))


@bp.route("/<int:project_id>/informationstillfallen", methods=["POST"])
def add_info_session(project_id: int):
    project = get_project_or_404(project_id)
    form = forms.InfoSessionForm(prefix="i")
    try:
        if not form.validate_on_submit():
            raise ValidationError({f: " ".join(e) for f, e in form.errors.items()})
        services.add_info_session(
            project,
            form.held_on.data,
            form.audience.data,
            form.organisation.data,
            form.attendees.data,
            current_user,
        )
    except ValidationError as error:
        _flash_errors(error)
    else:
        flash("Informationstillfället är registrerat.", "success")
    return redirect(url_for("referrals.show", project_id=project.id))


@bp.route("/<int:project_id>/grupper", methods=["POST"])
def add_group(project_id: int):
    project = get_project_or_404(project_id)
    form = forms.GroupForm(prefix="g")
    try:
        if not form.validate_on_submit():
            raise ValidationError({f: " ".join(e) for f, e in form.errors.items()})
        services.add_group(project, form.name.data, form.description.data, current_user)
    except ValidationError as error:
        _flash_errors(error)
    else:
        flash("Gruppen är skapad.", "success")
    return redirect(url_for("referrals.show", project_id=project.id))


@bp.route("/grupper/<int:group_id>/traffar", methods=["GET", "POST"])
def add_session(group_id: int):
    group = db.session.get(ActivityGroup, group_id)
    if group is None:
        return render_template(
            "errors/error.html", title="Finns inte", text="Gruppen finns inte.", status=404
        ), 404
    project = get_project_or_404(group.project_id)
    enrolled = queries.current_enrolments(project)
    audit_list(
        AuditAction.LIST,
        [e.individual_id for e in enrolled],
        object_type="ActivityGroup",
        object_id=group.id,
        details=f"attendance choices={len(enrolled)}",
    )
    form = forms.SessionForm()
    form.attendees.choices = [(str(e.individual_id), e.individual.full_name) for e in enrolled]
    if form.validate_on_submit():
        try:
            services.add_session(
                group, form.held_on.data, [int(i) for i in form.attendees.data], current_user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Träffen och närvaron är registrerade.", "success")
            return redirect(url_for("referrals.show", project_id=project.id))
    return _render_form(form, f"Ny träff: {group.name}", sessions=group.sessions)


@case_panel("referrals")
def referrals_case_panel(user, individual, facts):
    if user.role not in (Role.SAMORDNARE, Role.REHABKOORDINATOR):
        return {}
    enrolments = queries.case_enrolments(user, individual)
    if enrolments is None:
        return {}
    return {"enrolments": enrolments, "public_id": individual.public_id}

"""Pages for individuals: list, search, create, view, edit, case contacts."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_list as audit_list
from tracker.auth.forms import ConfirmForm
from tracker.auth.models import Organisation, Role, User
from tracker.consent.categories import Action, Category
from tracker.consent.policy import load_facts, require_role, visible_categories
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.pagination import paginate, parse_page
from tracker.core.panels import build_case_panels
from tracker.extensions import db
from tracker.people import services
from tracker.people.forms import ContactForm, IndividualForm, SearchForm
from tracker.people.models import CaseContact, Individual
from tracker.people.queries import SORTS, get_individual_or_404, visible_individuals_query

bp = Blueprint("people", __name__, url_prefix="/personer")

# Admins reach case pages only for individuals under an active emergency access.
CASE_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.HANDLAGGARE, Role.ADMIN)
EDITOR_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


def _choices(form: IndividualForm) -> None:
    org = current_user.organisation
    form.clinic_id.choices = [(str(org.id), org.name)]
    coordinators = db.session.scalars(
        select(User)
        .where(
            User.organisation_id == org.id,
            User.role.in_(services.COORDINATOR_ROLES),
            User.is_active_account.is_(True),
        )
        .order_by(User.full_name)
    )
    form.coordinator_id.choices = [("", "– ingen –")] + [(str(u.id), u.full_name) for u in coordinators]
    officers = db.session.scalars(
        select(User)
        .where(User.role == Role.HANDLAGGARE, User.is_active_account.is_(True))
        .order_by(User.full_name)
    )
    form.fk_officer_id.choices = [("", "– ingen –")] + [(str(u.id), u.full_name) for u in officers]


def _data(form: IndividualForm) -> services.IndividualData:
    return services.IndividualData(
        personnummer=form.personnummer.data,
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        gender=form.gender.data,
        home_municipality=form.home_municipality.data,
        clinic_id=services._as_int(form.clinic_id.data),
        coordinator_id=services._as_int(form.coordinator_id.data),
        fk_officer_id=services._as_int(form.fk_officer_id.data),
    )


@bp.before_request
def case_roles_only():
    require_role(current_user, *CASE_ROLES)


@bp.route("/")
def index():
    sort = request.args.get("sort", "namn")
    sort = sort if sort in SORTS else "namn"
    page = paginate(
        visible_individuals_query(sort), parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"]
    )
    audit_list(
        AuditAction.LIST, [i.id for i in page.items], object_type="Individual", details=f"page={page.page}"
    )
    return render_template(
        "people/index.html", page=page, sort=sort, sorts=SORTS, search_form=SearchForm(), term=None
    )


@bp.route("/sok", methods=["POST"])
def search():
    # POSTed so the term (perhaps a personnummer) never lands in access logs.
    form = SearchForm()
    if not form.validate_on_submit():
        return render_template(
            "people/index.html", page=None, sort="namn", sorts=SORTS, search_form=form, term=None
        ), 422
    page = paginate(
        visible_individuals_query("namn", services.search_filter(form.q.data)),
        parse_page(request.form.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    audit_list(
        AuditAction.SEARCH, [i.id for i in page.items], object_type="Individual", details=f"hits={page.total}"
    )
    return render_template(
        "people/index.html", page=page, sort="namn", sorts=SORTS, search_form=form, term=form.q.data
    )


@bp.route("/ny", methods=["GET", "POST"])
def create():
    require_role(current_user, *EDITOR_ROLES)
    form = IndividualForm()
    _choices(form)
    if request.method == "GET":
        form.clinic_id.data = str(current_user.organisation_id)
        form.coordinator_id.data = str(current_user.id)
    if form.validate_on_submit():
        try:
            individual = services.create_individual(_data(form), current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Personen är registrerad.", "success")
            return redirect(url_for("people.show", public_id=individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("people/form.html", form=form, individual=None), status


@bp.route("/<public_id>")
def show(public_id: str):
    individual = get_individual_or_404(
        public_id, options=(joinedload(Individual.coordinator), joinedload(Individual.fk_officer))
    )
    audit_record(AuditAction.VIEW, obj=individual, individual_id=individual.id)
    facts = load_facts(current_user, [individual.id])[individual.id]
    categories = visible_categories(current_user, individual, facts)
    may_edit = current_user.role in EDITOR_ROLES and current_user.organisation_id == individual.clinic_id
    contact_form = ContactForm()
    if may_edit:  # the form is shown to editors only
        contact_form.organisation_id.choices = _contact_choices()
    return render_template(
        "people/show.html",
        individual=individual,
        categories=categories,
        Category=Category,
        may_edit=may_edit,
        contact_form=contact_form,
        confirm=ConfirmForm(),
        case_panels=build_case_panels(current_user, individual, facts),
    )


@bp.route("/<public_id>/andra", methods=["GET", "POST"])
def edit(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT)
    require_role(current_user, *EDITOR_ROLES)
    form = IndividualForm(obj=None if request.method == "POST" else individual)
    _choices(form)
    if request.method == "GET":
        form.personnummer.data = individual.personnummer_display
        form.gender.data = individual.gender.value
        form.clinic_id.data = str(individual.clinic_id)
        form.coordinator_id.data = str(individual.coordinator_id or "")
        form.fk_officer_id.data = str(individual.fk_officer_id or "")
        form.version.data = str(individual.version)
        audit_record(AuditAction.VIEW, obj=individual, individual_id=individual.id, details="edit form")
    if form.validate_on_submit():
        try:
            services.update_individual(individual, _data(form), form.version.data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        except StaleEdit as stale:
            form.form_errors.append(str(stale))
            return render_template("people/form.html", form=form, individual=individual), 409
        else:
            flash("Uppgifterna är sparade.", "success")
            return redirect(url_for("people.show", public_id=individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("people/form.html", form=form, individual=individual), status


def _contact_choices():
    orgs = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.is_active.is_(True))
        .order_by(Organisation.name)
    )
    return [("", "– välj –")] + [(str(org_id), name) for org_id, name in orgs]


@bp.route("/<public_id>/kontakter", methods=["POST"])
def add_contact(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT)
    form = ContactForm()
    form.organisation_id.choices = _contact_choices()
    if form.validate_on_submit():
        org = db.session.get(Organisation, int(form.organisation_id.data))
        try:
            services.add_contact(individual, org, form.contact_person.data, form.note.data)
        except ValidationError as error:
            flash(" ".join(error.errors.values()), "error")
        else:
            flash("Kontakten är tillagd.", "success")
    else:
        flash("Välj en organisation i listan.", "error")
    return redirect(url_for("people.show", public_id=public_id))


@bp.route("/<public_id>/kontakter/<int:contact_id>/ta-bort", methods=["POST"])
def remove_contact(public_id: str, contact_id: int):
    individual = get_individual_or_404(public_id, Action.EDIT)
    contact = db.session.get(CaseContact, contact_id)
    if contact is None or contact.individual_id != individual.id:
        return redirect(url_for("people.show", public_id=public_id))
    services.remove_contact(contact)
    flash("Kontakten är borttagen.", "success")
    return redirect(url_for("people.show", public_id=public_id))

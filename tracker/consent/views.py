"""Pages for the consent registry, spärrar, the consent check and emergency access."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_kept
from tracker.audit.services import record_list as audit_list
from tracker.auth.forms import ConfirmForm
from tracker.auth.models import AUTHORITY_LABELS, Organisation, Role
from tracker.auth.reauth import require_recent_auth
from tracker.consent import queries, services
from tracker.consent.categories import CATEGORY_LABELS, Action, Category
from tracker.consent.forms import (
    BlockForm,
    ConsentCheckForm,
    ConsentEntryForm,
    EmergencyAccessForm,
    LiftBlockForm,
    WithdrawForm,
)
from tracker.consent.models import PURPOSE_LABELS, Block, Consent, ConsentDocument, EmergencyAccess
from tracker.consent.policy import is_responsible_unit, require, require_role
from tracker.core import personnummer
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.core.panels import case_panel, home_panel
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.people.queries import get_individual_or_404

bp = Blueprint("consent", __name__)

EDITOR_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)
CHECK_ROLES = (Role.HANDLAGGARE, Role.SAMORDNARE, Role.REHABKOORDINATOR)
EMERGENCY_ROLES = (Role.ADMIN, Role.REHABKOORDINATOR)


def _organisation_choices():
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
    )
    return [(o.id, o.name) for o in orgs]


def _editable_individual(public_id: str) -> Individual:
    individual = get_individual_or_404(public_id, Action.EDIT)
    require_role(current_user, *EDITOR_ROLES)
    return individual


def _get_consent_or_404(consent_id: int, action: Action) -> Consent:
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        abort(404)
    require(current_user, action, consent.individual, Category.IDENTITY)
    if action == Action.EDIT:
        require_role(current_user, *EDITOR_ROLES)
    return consent


def _consent_data(form: ConsentEntryForm) -> services.ConsentData:
    upload = None
    if form.document.data and getattr(form.document.data, "filename", ""):
        upload = services.Upload(form.document.data.filename, form.document.data.read())
    return services.ConsentData(
        authorities=form.authorities.data or [],
        organisation_ids=form.organisation_ids.data or [],
        purposes=form.purposes.data or [],
        purpose_other=form.purpose_other.data or "",
        categories=form.categories.data or [],
        form=form.form.data,
        given_on=form.given_on.data,
        valid_until=form.valid_until.data,
        note=form.note.data or "",
        document=upload,
    )


# ---------------------------------------------------------------- consents


@bp.route("/personer/<public_id>/samtycken")
def history(public_id: str):
    individual = get_individual_or_404(public_id)
    audit_record(
        AuditAction.VIEW, object_type="Consent", individual_id=individual.id, details="consent history"
    )
    consents = services.consent_history(individual)
    blocks = db.session.scalars(
        select(Block).where(Block.individual_id == individual.id).order_by(Block.id)
    ).all()
    return render_template(
        "consent/history.html",
        individual=individual,
        consents=consents,
        blocks=blocks,
        status=services.consent_status,
        needs_review=services.needs_review,
        may_edit=current_user.role in EDITOR_ROLES and is_responsible_unit(current_user, individual),
    )


@bp.route("/personer/<public_id>/samtycken/nytt", methods=["GET", "POST"])
def register(public_id: str):
    individual = _editable_individual(public_id)
    form = ConsentEntryForm()
    form.organisation_ids.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            services.register_consent(individual, _consent_data(form), current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Samtycket är registrerat.", "success")
            return redirect(url_for("consent.history", public_id=public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("consent/form.html", form=form, individual=individual, correcting=None), status


@bp.route("/samtycken/<int:consent_id>/ratta", methods=["GET", "POST"])
def correct(consent_id: int):
    old = _get_consent_or_404(consent_id, Action.EDIT)
    form = ConsentEntryForm()
    form.organisation_ids.choices = _organisation_choices()
    if request.method == "GET":
        form.authorities.data = [p.authority.value for p in old.parties if p.authority]
        form.organisation_ids.data = [p.organisation_id for p in old.parties if p.organisation_id]
        form.purposes.data = [p.value for p in old.purpose_set]
        form.purpose_other.data = old.purpose_other
        form.categories.data = [c.value for c in old.category_set]
        form.form.data = old.form.value
        form.given_on.data, form.valid_until.data, form.note.data = old.given_on, old.valid_until, old.note
    if form.validate_on_submit():
        try:
            services.correct_consent(old, _consent_data(form), current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("En ny version av samtycket är sparad; den gamla finns kvar i historiken.", "success")
            return redirect(url_for("consent.history", public_id=old.individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("consent/form.html", form=form, individual=old.individual, correcting=old), status


@bp.route("/samtycken/<int:consent_id>/aterkalla", methods=["GET", "POST"])
def withdraw(consent_id: int):
    consent = _get_consent_or_404(consent_id, Action.EDIT)
    form = WithdrawForm()
    if request.method == "GET":
        form.withdrawn_on.data = services.today_local()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(consent, form.withdrawn_on.data, form.reason.data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Samtycket är återkallat och gäller inte längre.", "success")
            return redirect(url_for("consent.history", public_id=consent.individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("consent/withdraw.html", form=form, consent=consent), status


@bp.route("/samtycken/<int:consent_id>/dokument")
def document(consent_id: int):
    consent = _get_consent_or_404(consent_id, Action.VIEW)
    doc = db.session.scalar(select(ConsentDocument).where(ConsentDocument.consent_id == consent.id))
    if doc is None:
        abort(404)
    audit_record(AuditAction.VIEW, obj=doc, individual_id=consent.individual_id)
    return Response(
        doc.content,
        mimetype=doc.mime_type,
        headers={
            "Content-Disposition": f'attachment; filename="{doc.filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/personer/<public_id>/samtycken/blankett")
def printable_form(public_id: str):
    individual = get_individual_or_404(public_id, Action.EDIT)
    audit_record(AuditAction.VIEW, obj=individual, individual_id=individual.id, details="consent form print")
    chosen = {
        "authorities": [
            AUTHORITY_LABELS[a] for a in AUTHORITY_LABELS if a.value in request.args.getlist("authorities")
        ],
        "purposes": [
            PURPOSE_LABELS[p] for p in PURPOSE_LABELS if p.value in request.args.getlist("purposes")
        ],
        "categories": [
            CATEGORY_LABELS[c] for c in CATEGORY_LABELS if c.value in request.args.getlist("categories")
        ],
    }
    return render_template(
        "consent/printable.html",
        individual=individual,
        chosen=chosen,
        all_authorities=AUTHORITY_LABELS.values(),
        all_purposes=PURPOSE_LABELS.values(),
        all_categories=CATEGORY_LABELS.values(),
    )


@bp.route("/samtycken/utgaende")
def expiring():
    require_role(current_user, *EDITOR_ROLES)
    consents = queries.expiring_consents(current_user)
    audit_list(
        AuditAction.LIST,
        [c.individual_id for c in consents],
        object_type="Consent",
        details=f"expiring worklist, {len(consents)} rows",
    )
    return render_template(
        "consent/expiring.html",
        consents=consents,
        status=services.consent_status,
        needs_review=services.needs_review,
    )


# ---------------------------------------------------------------- spärrar


@bp.route("/personer/<public_id>/sparrar/ny", methods=["GET", "POST"])
def add_block(public_id: str):
    individual = _editable_individual(public_id)
    form = BlockForm()
    form.organisation_id.choices = [("", "– alla organisationer –")] + [
        (str(i), n) for i, n in _organisation_choices()
    ]
    if request.method == "GET":
        form.starts_on.data = services.today_local()
    if form.validate_on_submit():
        try:
            services.add_block(
                individual,
                form.category.data or None,
                int(form.organisation_id.data) if form.organisation_id.data else None,
                form.starts_on.data,
                form.ends_on.data,
                form.note.data,
                current_user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Spärren är registrerad och gäller framför samtycken.", "success")
            return redirect(url_for("consent.history", public_id=public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("consent/block.html", form=form, individual=individual), status


@bp.route("/sparrar/<int:block_id>/hav", methods=["GET", "POST"])
def lift_block(block_id: int):
    block = db.session.get(Block, block_id)
    if block is None:
        abort(404)
    require(current_user, Action.EDIT, block.individual, Category.IDENTITY)
    require_role(current_user, *EDITOR_ROLES)
    form = LiftBlockForm()
    if form.validate_on_submit():
        try:
            services.lift_block(block, form.individual_asked.data, form.note.data, current_user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Spärren är hävd.", "success")
            return redirect(url_for("consent.history", public_id=block.individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("consent/lift_block.html", form=form, block=block), status


# ---------------------------------------------------------------- consent check


@bp.route("/samtyckeskontroll", methods=["GET", "POST"])
def check():
    require_role(current_user, *CHECK_ROLES)
    form = ConsentCheckForm()
    answer = None
    if form.validate_on_submit():
        try:
            number = personnummer.normalise(form.personnummer.data)
        except personnummer.InvalidPersonnummer as exc:
            form.personnummer.errors = [str(exc)]
        else:
            answer, individual = queries.check_for_party(current_user, number)
            audit_record(
                AuditAction.CONSENT_CHECK,
                object_type="Individual",
                individual_id=individual.id if individual else None,
                details=f"covered={answer.covered}",
            )
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(
        "consent/check.html",
        form=form,
        answer=answer,
        category_labels=CATEGORY_LABELS,
        purpose_labels=PURPOSE_LABELS,
    ), status


# ---------------------------------------------------------------- emergency access


# Emergency access needs the password within the last few minutes.
EMERGENCY_REAUTH_MINUTES = 5


@bp.route("/nodoppning", methods=["GET", "POST"])
@require_recent_auth(EMERGENCY_REAUTH_MINUTES)
def emergency():
    require_role(current_user, *EMERGENCY_ROLES)
    form = EmergencyAccessForm()
    if form.validate_on_submit():
        individual = _emergency_target(form)
        if individual is not None:
            services.open_emergency_access(individual, current_user, form.reason.data)
            flash("Nödöppning gäller i begränsad tid. Den loggas och granskas.", "warning")
            return redirect(url_for("people.show", public_id=individual.public_id))
    status = 422 if form.is_submitted() else 200
    return render_template("consent/emergency.html", form=form), status


def _emergency_target(form: EmergencyAccessForm) -> Individual | None:
    """The person to open, once the number and the reason are both valid (so a bad reason never
    tells whether a number is in Puls). A number not in Puls is audited as a refused attempt."""
    try:
        number = personnummer.normalise(form.personnummer.data)
    except personnummer.InvalidPersonnummer as exc:
        form.personnummer.errors = [str(exc)]
        number = None
    try:
        services.checked_emergency_reason(form.reason.data)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    if number is None:
        return None
    individual = db.session.scalar(select(Individual).where(Individual.personnummer == number))
    if individual is None:
        form.personnummer.errors = ["Ingen person med det numret finns i Puls."]
        record_kept(AuditAction.DENIED, details="emergency_access; personnummer not in Puls")
    return individual


@bp.route("/admin/nodoppningar")
def emergency_review():
    require_role(current_user, Role.ADMIN)
    accesses = db.session.scalars(
        select(EmergencyAccess)
        .options(selectinload(EmergencyAccess.user), selectinload(EmergencyAccess.reviewed_by))
        .order_by(EmergencyAccess.started_at.desc())
        .limit(500)
    ).all()
    audit_record(AuditAction.LIST, object_type="EmergencyAccess")
    return render_template("consent/emergency_review.html", accesses=accesses, confirm=ConfirmForm())


@bp.route("/admin/nodoppningar/<int:access_id>/granskad", methods=["POST"])
def emergency_reviewed(access_id: int):
    require_role(current_user, Role.ADMIN)
    access = db.session.get(EmergencyAccess, access_id)
    if access is None:
        abort(404)
    services.mark_emergency_reviewed(access, current_user)
    flash("Nödöppningen är markerad som granskad.", "success")
    return redirect(url_for("consent.emergency_review"))


# ---------------------------------------------------------------- panels


@home_panel("consent")
def _home(user):
    if user.role not in EDITOR_ROLES:
        return None
    return {"expiring": queries.expiring_count(user)}


@case_panel("consent")
def _case(user, individual, facts):
    consents = [c for c in facts.consents if c.superseded_at is None]
    return {
        "consents": sorted(consents, key=lambda c: c.given_on, reverse=True),
        "blocks": [b for b in facts.blocks if b.lifted_on is None],
        "status": services.consent_status,
        "may_edit": user.role in EDITOR_ROLES and is_responsible_unit(user, individual),
    }

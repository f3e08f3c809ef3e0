"""Import pages: choose a kind, upload, see the dry run, confirm; download templates."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.auth.models import Role
from tracker.consent.policy import require_role
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.imports import services
from tracker.imports.forms import ConfirmImportForm, UploadForm
from tracker.imports.kinds import SPECS, KindSpec, spec_for
from tracker.imports.kinds.base import Status
from tracker.imports.template_files import csv_template, xlsx_template
from tracker.reports.exports import XLSX_MIME

bp = Blueprint("imports", __name__, url_prefix="/import")

IMPORT_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.LEDNING)


def _spec(kind: str) -> KindSpec:
    spec = spec_for(kind)
    if spec is None or spec.kind.value != kind:
        abort(404)
    require_role(current_user, *spec.roles)
    return spec


def _page(spec: KindSpec, form, result=None, confirm=None, status: int = 200):
    return render_template(
        "imports/kind.html",
        spec=spec,
        form=form,
        result=result,
        confirm=confirm,
        Status=Status,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    ), status


@bp.route("/")
def index():
    require_role(current_user, *IMPORT_ROLES)
    specs = [s for s in SPECS.values() if current_user.role in s.roles]
    return render_template("imports/index.html", specs=specs)


@bp.route("/<kind>", methods=["GET", "POST"])
def upload(kind: str):
    """GET: the form and the columns; POST: a dry run of the uploaded file."""
    spec = _spec(kind)
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(spec, form, status=422 if form.is_submitted() else 200)
    content = form.file.data.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    try:
        result = services.run_import(spec, content, current_user, dry_run=True)
    except ValidationError as error:
        apply_errors(form, error)
        return _page(spec, form, status=422)
    confirm = None
    if result.ok:
        confirm = ConfirmImportForm(formdata=None)
        confirm.token.data = services.store_pending(spec, content, current_user).token
    return _page(spec, UploadForm(formdata=None), result=result, confirm=confirm)


@bp.route("/<kind>/bekrafta", methods=["POST"])
def confirm(kind: str):
    """Run the checked file for real: every row is written, or none."""
    spec = _spec(kind)
    form = ConfirmImportForm()
    pending = services.pending_for(form.token.data, spec, current_user) if form.validate_on_submit() else None
    if pending is None:
        flash("Importen har gått ut eller är redan gjord. Ladda upp filen igen.", "error")
        return redirect(url_for("imports.upload", kind=spec.kind.value))
    try:
        result = services.confirm_pending(pending, spec, current_user)
    except ValidationError as error:
        upload_form = UploadForm(formdata=None)
        apply_errors(upload_form, error)
        return _page(spec, upload_form, status=422)
    if not result.ok:
        # Something changed since the dry run: nothing was written (the response rolls back).
        return _page(spec, UploadForm(formdata=None), result=result, status=422)
    counts = result.counts
    flash(
        f"Importen är klar: {counts[Status.CREATE]} skapade, {counts[Status.UPDATE]} uppdaterade, "
        f"{counts[Status.UNCHANGED]} oförändrade.",
        "success",
    )
    return redirect(url_for("imports.upload", kind=spec.kind.value))


@bp.route("/<kind>/mall.<fmt>")
def template(kind: str, fmt: str):
    spec = _spec(kind)
    if fmt == "csv":
        body, mime = csv_template(spec), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mime = xlsx_template(spec), XLSX_MIME
    else:
        abort(404)
    filename = f"puls-import-{spec.kind.value}.{fmt}"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )

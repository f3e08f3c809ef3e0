"""The readable API documentation page (a normal logged-in page, outside /api/)."""

from flask import Blueprint, render_template, request

from tracker.api.core import bp as api_bp
from tracker.api.openapi import build_spec

bp = Blueprint("api_docs", __name__)


@bp.route("/api-dokumentation")
def docs():
    return render_template("api/docs.html", spec=build_spec(request.script_root + api_bp.url_prefix))

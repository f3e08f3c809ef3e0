"""The start page: what each role needs to see first."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from tracker.auth.models import Role
from tracker.consent.policy import visible_individuals
from tracker.core.panels import build_home_panels
from tracker.extensions import db
from tracker.people.models import Individual

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    counts = {}
    if current_user.role in (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.HANDLAGGARE):
        counts["individuals"] = db.session.scalar(
            select(func.count()).select_from(Individual).where(visible_individuals(current_user))
        )
    return render_template(
        "core/home.html", counts=counts, Role=Role, home_panels=build_home_panels(current_user)
    )

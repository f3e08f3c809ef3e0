"""In-app notifications and, in development, the outbox of mails not sent."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from tracker.auth.forms import ConfirmForm
from tracker.auth.models import Role
from tracker.consent.policy import require_role
from tracker.core.errors import render_error
from tracker.core.pagination import paginate, parse_page
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.notifications.models import Notification, OutboxMail

bp = Blueprint("notifications", __name__, url_prefix="/notiser")


@bp.route("/")
def index():
    query = select(Notification).where(Notification.user_id == current_user.id)
    page = paginate(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("notifications/index.html", page=page, confirm=ConfirmForm())


@bp.route("/lasta", methods=["POST"])
def mark_read():
    """Reading is a deliberate POST: a prefetch or link preview of the list changes nothing."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=now_utc())
    )
    flash("Alla notiser är markerade som lästa.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/utkorg")
def outbox():
    require_role(current_user, Role.ADMIN)
    if current_app.config.get("MAIL_BACKEND") != "outbox":
        return render_error(404)
    page = paginate(
        select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("notifications/outbox.html", page=page)


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )

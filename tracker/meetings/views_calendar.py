"""Calendar subscription: the personal feed link, its page, rotation and revocation."""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth import totp
from tracker.auth.forms import ConfirmForm
from tracker.auth.models import Role, User
from tracker.consent.policy import require_role
from tracker.core.timeutil import now_utc
from tracker.core.web import public
from tracker.extensions import db
from tracker.meetings import feeds
from tracker.meetings.forms import AlarmForm
from tracker.meetings.ical import stored_feed_calendar
from tracker.meetings.invitations import base_url, calendar_etag, conditional_calendar, not_found
from tracker.meetings.models import CalendarFeedToken
from tracker.meetings.queries import stored_feed_rows
from tracker.meetings.views import bp

# The new link is shown once after creation; the session keeps it for that page view only.
# The session cookie is signed, not encrypted: the link is encrypted in it, as the TOTP
# enrolment secret is, so a copied cookie does not reveal a live feed.
_FRESH = "meetings_fresh_feed_token"


def _pop_fresh_token() -> str | None:
    sealed = session.pop(_FRESH, None)
    if not sealed:
        return None
    try:
        return totp.decrypt_secret(sealed)
    except ValueError:  # the key changed: the user makes a new link
        return None


def feed_urls(token: str) -> dict[str, str]:
    https = base_url().rstrip("/") + url_for("meetings.feed", token=token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@bp.route("/kalender")
def subscription():
    row = feeds.token_for(current_user)
    token = _pop_fresh_token()
    form = AlarmForm()
    if row is not None:
        form.alarm.data = str(row.alarm_minutes or "")
    return render_template(
        "meetings/subscription.html",
        row=row,
        urls=feed_urls(token) if token and row else None,
        confirm=ConfirmForm(),
        alarm_form=form,
    )


@bp.route("/kalender/ny-lank", methods=["POST"])
def rotate():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("meetings.subscription"))
    session[_FRESH] = totp.encrypt_secret(feeds.issue_token(current_user))
    flash("En ny prenumerationslänk är skapad. En tidigare länk slutade fungera direkt.", "success")
    return redirect(url_for("meetings.subscription"))


@bp.route("/kalender/paminnelse", methods=["POST"])
def set_alarm():
    form = AlarmForm()
    if form.validate_on_submit():
        feeds.set_alarm(current_user, int(form.alarm.data) if form.alarm.data else None)
        flash("Inställningen är sparad.", "success")
    return redirect(url_for("meetings.subscription"))


@bp.route("/kalender/lankar")
def feed_admin():
    require_role(current_user, Role.ADMIN)
    rows = db.session.scalars(select(CalendarFeedToken).order_by(CalendarFeedToken.created_at.desc())).all()
    return render_template("meetings/feed_admin.html", rows=rows, confirm=ConfirmForm())


@bp.route("/kalender/lankar/<int:user_id>/aterkalla", methods=["POST"])
def revoke(user_id: int):
    require_role(current_user, Role.ADMIN)
    user = db.session.get(User, user_id)
    if user is None:
        return not_found()
    feeds.revoke_tokens(user)
    flash("Användarens kalenderlänkar är återkallade.", "success")
    return redirect(url_for("meetings.feed_admin"))


@bp.route("/prenumeration/<token>.ics")
@public
def feed(token: str):
    """The personal subscription feed. A bad, rotated or revoked token is a plain 404."""
    found = feeds.resolve_token(token)
    if found is None:
        return not_found()
    rows = stored_feed_rows(found.visibility, current_app.config.get("FEED_PAST_MONTHS", 3))
    body = stored_feed_calendar(rows, "Puls – mina möten", base_url(), found.alarm_minutes)
    etag = calendar_etag(body)
    changed_at = found.feed_changed_at
    if found.feed_etag != etag or changed_at is None:
        changed_at = now_utc()
        feeds.record_feed_change(found.id, etag, changed_at)
    return conditional_calendar(body, changed_at, etag=etag)

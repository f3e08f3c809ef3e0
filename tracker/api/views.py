"""The API blueprint with every resource and the OpenAPI document."""

from flask import request

from tracker.api import (  # noqa: F401  (register the operations)
    activities,
    benefits,
    consent,
    meeting_minutes,
    meetings,
    people,
    plans,
    project_time,
    referrals,
    reports,
    timesheets,
)
from tracker.api.core import bp
from tracker.api.openapi import build_spec
from tracker.core.web import public


@bp.route("/openapi.json")
@public
def openapi_json():
    return build_spec(request.script_root + bp.url_prefix)

"""Who may read a project's report (shared by the report pages and the JSON API)."""

from flask_login import current_user

from tracker.auth.models import Role
from tracker.consent.policy import deny
from tracker.referrals.models import Project
from tracker.referrals.queries import get_project_or_404, is_project_staff

AGGREGATE_ROLES = (Role.LEDNING, Role.ADMIN)


def get_report_project_or_404(project_id: int) -> Project:
    """The project, if the user is its staff or reads aggregates for everyone (ledning, admin)."""
    project = get_project_or_404(project_id, staff=False)
    if current_user.role not in AGGREGATE_ROLES and not is_project_staff(current_user, project):
        deny("report_access", details=f"project={project.id}")
    return project

"""Imports every domain's models so metadata and string relationships resolve."""

from tracker.audit.models import AuditEvent  # noqa: F401
from tracker.auth.models import LoginAttempt, Organisation, User, UserSession  # noqa: F401
from tracker.consent.models import (  # noqa: F401
    Block,
    Consent,
    ConsentCategory,
    ConsentParty,
    ConsentPurpose,
    EmergencyAccess,
)
from tracker.people.models import CaseContact, Individual  # noqa: F401
from tracker.referrals.models import Enrolment, Project, Referral  # noqa: F401
from tracker.reports.models import ReportText  # noqa: F401
from tracker.timesheets.models import AllocationKey, MonthLock, TimeEntry  # noqa: F401

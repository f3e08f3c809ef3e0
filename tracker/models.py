"""Imports every domain's models so metadata and string relationships resolve."""

from tracker.audit.models import AuditEvent  # noqa: F401
from tracker.auth.models import ApiToken, LoginAttempt, Organisation, User, UserSession  # noqa: F401
from tracker.benefits.models import Certificate, FkDecision, FollowUp  # noqa: F401
from tracker.consent.models import (  # noqa: F401
    Block,
    Consent,
    ConsentCategory,
    ConsentDocument,
    ConsentParty,
    ConsentPurpose,
    EmergencyAccess,
)
from tracker.imports.models import PendingImport  # noqa: F401
from tracker.meetings.models import Meeting, MeetingSeries  # noqa: F401  (and the rest of the module)
from tracker.notifications.models import Notification, OutboxMail  # noqa: F401
from tracker.people.models import CaseContact, Individual  # noqa: F401
from tracker.plans.models import CarePlan, Insats, InsatsStatusChange  # noqa: F401
from tracker.referrals.models import Enrolment, Project, Referral  # noqa: F401
from tracker.reports.models import ReportText  # noqa: F401
from tracker.timesheets.models import AllocationKey, MonthLock, TimeEntry  # noqa: F401

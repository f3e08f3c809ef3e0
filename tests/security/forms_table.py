"""Every form endpoint of the domains, with a valid base payload and the pages that show what it saves.

The hostile-input tests are driven by this table: for each form the free-text fields (StringField,
TextAreaField) and date fields are *discovered* from the form class, so a field added later is
attacked automatically, and a form class added later fails `test_every_form_is_in_the_table`
until it is listed here (or in NOT_FORM_ENDPOINTS with a reason).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from wtforms import DateField, HiddenField, PasswordField, StringField, TextAreaField

from tests.conftest import PASSWORD
from tracker.auth import forms as auth_forms
from tracker.auth.models import OrgType
from tracker.benefits import forms as benefits_forms
from tracker.meetings import forms as meetings_forms
from tracker.plans import forms as plans_forms
from tracker.referrals import forms as referrals_forms
from tracker.referrals import services as referral_services
from tracker.timesheets import forms as timesheets_forms


@dataclass
class World:
    """One clinic case, one FK officer, one platform project with a lead — all in one place."""

    factory: object
    db: object
    login: Callable
    login_as: Callable

    def __post_init__(self):
        self.logged_in = None
        login, login_as = self.login, self.login_as

        def record_login(user):
            self.logged_in = user
            return login(user)

        def record_login_as(role, **kwargs):
            self.logged_in = login_as(role, **kwargs)
            return self.logged_in

        self.login, self.login_as = record_login, record_login_as
        f = self.factory
        self.clinic = f.organisation(OrgType.REGION_CLINIC, name="Mottagningen")
        fk = f.organisation(OrgType.FK, name="Försäkringskassan")
        self.fk_office = f.organisation(OrgType.FK, name="FK lokalkontor", parent=fk)
        self.kommun = f.organisation(OrgType.KOMMUN, name="Kommunen")
        self.rehab = f.user("rehabkoordinator", organisation=self.clinic)
        self.officer = f.user("handlaggare", organisation=self.fk_office)
        self.person = f.individual(
            clinic=self.clinic, coordinator_id=self.rehab.id, fk_officer_id=self.officer.id
        )
        self.team = f.organisation(OrgType.PROJECT, name="Plattformsteamet")
        self.project = f.project(organisation=self.team, name="Plattformen")
        self.staff = f.user("samordnare", organisation=self.team)
        f.member(self.project, self.staff, is_lead=True)
        self.participant = f.individual(clinic=self.team)
        self.db.session.commit()


@dataclass
class Endpoint:
    """`setup(world)` logs the right user in, makes any rows needed and returns (url, base data, shown on)."""

    form: type | None
    setup: Callable[[World], tuple[str, dict, list[str]]]
    prefix: str = ""
    text_fields: list[str] = field(default_factory=list)  # for endpoints without a form class
    ok_status: int = 302  # what a valid post answers
    error_status: int = 422  # forms embedded in a page flash their errors and redirect back
    date_context: dict[str, dict] = field(default_factory=dict)  # extra data a date field is read with
    not_shown: dict[str, str] = field(default_factory=dict)  # free text no page shows yet, and why

    @property
    def id(self) -> str:
        return self.form.__name__ if self.form else self.setup.__name__


# Text inputs that are not free text: the service parses them (time, number, URL) — each is
# attacked by the malformed-value tests instead.
NOT_FREE_TEXT = {
    ("MeetingForm", "day"): "date",
    ("MeetingForm", "start_time"): "time of day",
    ("MeetingForm", "end_time"): "time of day",
    ("MeetingForm", "interval"): "number",
    ("MeetingForm", "until_on"): "date",
    ("MeetingForm", "count"): "number",
    ("MeetingForm", "meeting_link"): "https URL (test_a_meeting_link_must_be_https)",
    ("BudgetForm", "amount"): "amount",
    ("AdjustmentForm", "hours"): "number of hours",
    ("HourlyCostForm", "amount"): "amount",
}

# Form classes that are not in ENDPOINTS, and why.
NOT_FORM_ENDPOINTS = {
    "IndividualForm": "people: test_hostile_text.py",
    "SearchForm": "people: test_hostile_text.py / test_hostile_requests.py",
    "ContactForm": "people: test_hostile_text.py",
    "CloseCaseForm": "people: test_hostile_text.py",
    "ConsentEntryForm": "consent: test_hostile_text.py",
    "WithdrawForm": "consent: test_hostile_text.py",
    "BlockForm": "consent: test_hostile_text.py",
    "LiftBlockForm": "consent: no free text shown beyond the extract (test_hostile_requests.py IDOR)",
    "ConsentCheckForm": "consent: personnummer only (test_malformed_personnummer_is_refused_everywhere)",
    "EmergencyAccessForm": "consent: test_emergency_access_reasons_are_shown_escaped_to_reviewers",
    "UploadForm": "imports: test_hostile_imports.py",
    "ConfirmImportForm": "imports: hidden token only (test_hostile_imports.py)",
    "LoginForm": "auth: credentials, never stored or shown",
    "PasswordChangeForm": "auth: passwords, never stored or shown",
    "PasswordResetForm": "auth: a password, never stored or shown",
    "CodeForm": "auth: a one-time code, never stored or shown",
    "ReauthForm": "auth: a password, never stored or shown",
    "ConfirmForm": "auth: an empty form (a POST button)",
    "OrganisationForm": "admin: test_hostile_text.py",
    "UserForm": "admin: test_hostile_text.py",
    "BudgetForm": "referrals: förbund, year and amount (test_hostile_amounts_for_budgets_and_hourly_costs_are_refused)",
    "AlarmForm": "meetings: a select of fixed choices",
    "CaseForm": "meetings: a select of individuals (IDOR test)",
    "MemberForm": "referrals: a select of users",
    "KeyForm": "timesheets: a date and per-förbund shares (test_hostile_allocation_shares_are_refused_and_no_key_is_stored)",
    "EnrolForm": "referrals: selects and flags (dates in DATE_ENDPOINTS)",
    "EnrolmentEditForm": "referrals: selects and flags",
    "DischargeForm": "referrals: selects (dates in DATE_ENDPOINTS)",
    "SessionForm": "referrals: a date and attendee ids (dates in DATE_ENDPOINTS)",
}


def free_text_fields(endpoint: Endpoint) -> list[str]:
    if endpoint.form is None:
        return endpoint.text_fields
    return [
        name
        for name, unbound in _fields(endpoint.form)
        if issubclass(unbound.field_class, StringField | TextAreaField)
        and not issubclass(unbound.field_class, HiddenField | PasswordField)
        and name not in endpoint.not_shown
        and (endpoint.form.__name__, name) not in NOT_FREE_TEXT
    ]


def date_fields(form: type) -> list[str]:
    return [
        name
        for name, unbound in _fields(form)
        if issubclass(unbound.field_class, DateField)
        or (unbound.kwargs.get("render_kw") or {}).get("type") == "date"
    ]


def _fields(form: type):
    for name in dir(form):
        unbound = getattr(form, name, None)
        if hasattr(unbound, "field_class") and name not in ("csrf_token",):
            yield name, unbound


def input_name(endpoint: Endpoint, name: str) -> str:
    """The posted name of a field (setups return their base data already prefixed)."""
    return f"{endpoint.prefix}-{name}" if endpoint.prefix else name


# ------------------------------------------------------------------ benefits


def _case_pages(pid: str) -> list[str]:
    return [f"/formaner/person/{pid}/tidslinje", f"/personer/{pid}", f"/personer/{pid}/registerutdrag"]


def certificate(w: World):
    w.login(w.rehab)
    pid = w.person.public_id
    data = {
        "issued_on": "2026-03-10",
        "clinic_id": str(w.clinic.id),
        "certificate_type": "ae_reduced_capacity",
    }
    return f"/formaner/person/{pid}/lakarutlatanden/ny", data, _case_pages(pid)


def decision(w: World):
    w.login(w.rehab)
    pid = w.person.public_id
    data = {
        "outcome": "granted",
        "decided_on": "2026-03-01",
        "level": "half",
        "period_start": "2026-03-01",
        "period_end": "2027-02-28",
        "officer_id": str(w.officer.id),
        "certificate_id": "",
    }
    return f"/formaner/person/{pid}/beslut/ny", data, _case_pages(pid)


def follow_up(w: World):
    w.login(w.rehab)
    pid = w.person.public_id
    data = {
        "owner_id": str(w.officer.id),
        "due_on": "2026-06-01",
        "reason": "plan_follow_up",
        "clinic_id": str(w.clinic.id),
        "coordinator_id": str(w.rehab.id),
    }
    return f"/formaner/person/{pid}/bevakningar/ny", data, _case_pages(pid)


def follow_up_done(w: World):
    row = w.factory.follow_up(w.person, w.officer, clinic=w.clinic)
    w.db.session.commit()
    w.login(w.rehab)
    data = {"done_on": "2026-03-16", "version": str(row.version)}
    return f"/formaner/bevakningar/{row.id}/klar", data, _case_pages(w.person.public_id)


# ------------------------------------------------------------------ plans


def plan(w: World):
    w.login(w.rehab)
    pid = w.person.public_id
    data = {"established_on": "2026-03-10", "follow_up_on": "2026-06-10"}
    return f"/planer/person/{pid}/plan", data, _case_pages(pid)


def insats(w: World):
    w.factory.care_plan(w.person)
    w.db.session.commit()
    w.login(w.rehab)
    pid = w.person.public_id
    data = {"organisation_id": str(w.kommun.id), "starts_on": "2026-03-15", "status": "planned"}
    return f"/planer/person/{pid}/insatser/ny", data, _case_pages(pid)


def insats_status(w: World):
    row = w.factory.insats(w.factory.care_plan(w.person), organisation=w.kommun)
    w.db.session.commit()
    w.login(w.rehab)
    data = {"status": "ongoing", "changed_on": "2026-03-16", "version": str(row.version)}
    return f"/planer/insatser/{row.id}/status", data, _case_pages(w.person.public_id)


# ------------------------------------------------------------------ meetings

MEETING = {
    "kind": "pulsmote",
    "day": "2026-04-02",
    "start_time": "13:00",
    "end_time": "15:00",
    "mode": "both",
    "meeting_link": "https://meet.example/sod",
}


def meeting(w: World):
    w.login(w.rehab)
    data = dict(MEETING, organisation_ids=[str(w.fk_office.id)])
    return "/moten/nytt", data, ["/moten/", "/moten/manad?ar=2026&manad=4", _latest_meeting_page]


def _latest_meeting_page(w: World) -> str:
    from sqlalchemy import func, select

    from tracker.meetings.models import Meeting

    return f"/moten/{w.db.session.scalar(select(func.max(Meeting.id)))}"


def _meeting(w: World, **kwargs):
    row = w.factory.meeting(w.rehab, orgs=[w.clinic, w.fk_office], **kwargs)
    w.db.session.commit()
    w.login(w.rehab)
    return row


def cancel_meeting(w: World):
    row = _meeting(w)
    return f"/moten/{row.id}/stall-in", {"scope": "this"}, [f"/moten/{row.id}"]


def agenda_point(w: World):
    row = _meeting(w)
    return f"/moten/{row.id}/dagordning/punkt", {}, [f"/moten/{row.id}/dagordning"]


def case_note(w: World):
    row = _meeting(w, day=date(2026, 3, 16))
    data = {"individual": w.person.public_id}
    return f"/moten/{row.id}/protokoll/anteckning", data, [f"/moten/{row.id}/protokoll"]


def minutes(w: World):
    row = _meeting(w, day=date(2026, 3, 16), start="10:00", end="11:30")  # begun at 10:30 local
    return f"/moten/{row.id}/protokoll/genomfort", {}, [f"/moten/{row.id}/protokoll"]


# ------------------------------------------------------------------ referrals


def project(w: World):
    w.login_as("admin")
    data = {"kind": "ae", "organisation_id": str(w.team.id), "principal_id": "", "starts_on": "2026-01-01"}
    return "/insatser/ny", data, ["/insatser/", _latest_report_print]


def _latest_report_print(w: World) -> str:
    from sqlalchemy import func, select

    from tracker.referrals.models import Project

    return f"/rapporter/{w.db.session.scalar(select(func.max(Project.id)))}?utskrift=1"


def referral(w: World):
    w.login(w.staff)
    pid = w.participant.public_id
    data = {
        "project_id": str(w.project.id),
        "referred_on": "2026-03-10",
        "referrer_type": "socialtjanst",
        "referrer_org_id": str(w.kommun.id),
    }
    return (
        f"/insatser/person/{pid}/remiss",
        data,
        [f"/insatser/{w.project.id}", f"/personer/{pid}/registerutdrag"],
    )


def referral_status(w: World):
    row = w.factory.referral(w.project, w.participant)
    w.db.session.commit()
    w.login(w.staff)
    pages = [f"/insatser/{w.project.id}", f"/personer/{w.participant.public_id}/registerutdrag"]
    return f"/insatser/remisser/{row.id}/status", {"s-status": "withdrawn"}, pages


def consultation(w: World):
    w.login(w.staff)
    data = {"c-held_on": "2026-03-02", "c-actor_type": "skola"}
    return f"/insatser/{w.project.id}/konsultationer", data, [f"/insatser/{w.project.id}"]


def info_session(w: World):
    w.login(w.staff)
    data = {"i-held_on": "2026-03-03", "i-attendees": "12"}
    return f"/insatser/{w.project.id}/informationstillfallen", data, [f"/insatser/{w.project.id}"]


def group(w: World):
    w.login(w.staff)
    return f"/insatser/{w.project.id}/grupper", {}, [f"/insatser/{w.project.id}"]


# ------------------------------------------------------------------ timesheets and reports


def adjustment(w: World):
    from tracker.timesheets.services import lock_month

    lock_month(w.project, 2026, 2, w.staff)
    w.db.session.commit()
    w.login(w.staff)
    data = {
        "project_id": str(w.project.id),
        "work_date": "2026-02-09",
        "category": "patientarbete",
        "hours": "-1",
    }
    return "/tid/korrigering", data, ["/tid/vecka?vecka=2026-02-09"]


def report_texts(w: World):
    w.login(w.staff)
    url = f"/rapporter/{w.project.id}/texter?typ=ar&ar=2026"
    return url, {}, [f"/rapporter/{w.project.id}?typ=ar&ar=2026"]


def api_token(w: World):
    w.login(w.rehab)
    return "/konto/api-nycklar", {"scope": "read", "password": PASSWORD}, ["/konto/api-nycklar"]


ENDPOINTS = [
    Endpoint(auth_forms.ApiTokenForm, api_token, ok_status=200),
    Endpoint(benefits_forms.CertificateForm, certificate),
    Endpoint(benefits_forms.DecisionForm, decision),
    Endpoint(benefits_forms.FollowUpForm, follow_up),
    Endpoint(benefits_forms.FollowUpDoneForm, follow_up_done),
    Endpoint(plans_forms.PlanForm, plan),
    Endpoint(plans_forms.InsatsForm, insats),
    Endpoint(plans_forms.InsatsStatusForm, insats_status),
    Endpoint(  # the series end date is read only when a repetition is chosen
        meetings_forms.MeetingForm, meeting, date_context={"until_on": {"repeat": "weekly", "interval": "2"}}
    ),
    Endpoint(meetings_forms.CancelForm, cancel_meeting),
    Endpoint(meetings_forms.PointForm, agenda_point),
    Endpoint(meetings_forms.CaseNoteForm, case_note),
    Endpoint(meetings_forms.HeldForm, minutes),
    Endpoint(referrals_forms.ProjectForm, project),
    Endpoint(referrals_forms.ReferralForm, referral),
    Endpoint(referrals_forms.ReferralStatusForm, referral_status, prefix="s", error_status=302),
    Endpoint(referrals_forms.ConsultationForm, consultation, prefix="c", error_status=302),
    Endpoint(referrals_forms.InfoSessionForm, info_session, prefix="i", error_status=302),
    Endpoint(
        referrals_forms.GroupForm,
        group,
        prefix="g",
        error_status=302,
        not_shown={"description": "stored; no page shows a group's description yet"},
    ),
    Endpoint(timesheets_forms.AdjustmentForm, adjustment),
    Endpoint(
        None,
        report_texts,
        error_status=302,
        text_fields=["goals", "deviations", "obstacles", "success_factors", "steering_group"],
    ),
]

# Forms without free text whose dates are still attacked: (form, setup, prefix).


def enrol(w: World):
    row = w.factory.referral(w.project, w.participant)
    w.db.session.commit()
    w.login(w.staff)
    return f"/insatser/remisser/{row.id}/inskriv", {"income_before": "aktivitetsersattning"}, []


def discharge(w: World):
    row = w.factory.enrolment(w.project, w.participant, enrolled_on=date(2026, 1, 1))
    w.db.session.commit()
    w.login(w.staff)
    return f"/insatser/inskrivningar/{row.id}/utskriv", {"discharge_reason": "studier"}, []


def session(w: World):
    row = referral_services.add_group(w.project, "Måndagsgruppen", None, w.staff)
    w.db.session.commit()
    w.login(w.staff)
    return f"/insatser/grupper/{row.id}/traffar", {}, []


def hourly_cost(w: World):
    w.login_as("admin")
    data = {"what": "cost", "c-amount": "500"}
    return f"/tid/projekt/{w.project.id}/admin", data, []


DATE_ENDPOINTS = [
    *[e for e in ENDPOINTS if e.form is not None and date_fields(e.form)],
    Endpoint(referrals_forms.EnrolForm, enrol),
    Endpoint(referrals_forms.DischargeForm, discharge),
    Endpoint(referrals_forms.SessionForm, session),
    Endpoint(timesheets_forms.HourlyCostForm, hourly_cost, prefix="c"),
]

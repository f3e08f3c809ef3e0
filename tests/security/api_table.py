"""Every write operation of the JSON API with a valid base body; the hostile tests attack the
text and date properties named in the operation's own OpenAPI request schema."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tests.security.forms_table import World
from tracker.referrals import services as referral_services
from tracker.timesheets import services as timesheet_services


@dataclass
class Operation:
    operation_id: str
    setup: Callable[[World], tuple[object, str, str, dict]]  # -> (user, method, url, body)


def _rehab(w: World, method: str, url: str, body: dict):
    return w.rehab, method, url, body


def _staff(w: World, method: str, url: str, body: dict):
    return w.staff, method, url, body


def create_certificate(w):
    body = {"issued_on": "2026-03-10", "clinic_id": w.clinic.id, "certificate_type": "ae_reduced_capacity"}
    return _rehab(w, "POST", f"/individuals/{w.person.public_id}/certificates", body)


def create_decision(w):
    body = {
        "outcome": "granted",
        "decided_on": "2026-03-01",
        "level": "half",
        "period_start": "2026-03-01",
        "period_end": "2027-02-28",
        "officer_id": w.officer.id,
    }
    return _rehab(w, "POST", f"/individuals/{w.person.public_id}/decisions", body)


def create_follow_up(w):
    body = {
        "owner_id": w.officer.id,
        "due_on": "2026-06-01",
        "reason": "plan_follow_up",
        "clinic_id": w.clinic.id,
    }
    return _rehab(w, "POST", f"/individuals/{w.person.public_id}/follow-ups", body)


def complete_follow_up(w):
    row = w.factory.follow_up(w.person, w.officer, clinic=w.clinic)
    w.db.session.commit()
    return _rehab(w, "POST", f"/follow-ups/{row.id}/done", {"done_on": "2026-03-16", "version": row.version})


def put_plan(w):
    return _rehab(
        w, "PUT", f"/individuals/{w.person.public_id}/plan", {"established_on": "2026-03-10", "goals": "Mål"}
    )


def add_insats(w):
    w.factory.care_plan(w.person)
    w.db.session.commit()
    body = {"what": "Praktik", "organisation_id": w.kommun.id, "starts_on": "2026-03-15"}
    return _rehab(w, "POST", f"/individuals/{w.person.public_id}/plan/insatser", body)


def change_insats_status(w):
    row = w.factory.insats(w.factory.care_plan(w.person), organisation=w.kommun)
    w.db.session.commit()
    body = {"status": "ongoing", "changed_on": "2026-03-16", "version": row.version}
    return _rehab(w, "POST", f"/insatser/{row.id}/status", body)


def create_meeting(w):
    body = {
        "title": "Pulsmöte",
        "kind": "pulsmote",
        "day": "2026-04-02",
        "start_time": "13:00",
        "end_time": "15:00",
        "mode": "both",
        "meeting_link": "https://meet.example/x",
        "address": "Storgatan 1",
        "organisation_ids": [w.fk_office.id],
    }
    return _rehab(w, "POST", "/meetings", body)


def cancel_meeting(w):
    row = w.factory.meeting(w.rehab, orgs=[w.clinic])
    w.db.session.commit()
    return _rehab(w, "POST", f"/meetings/{row.id}/cancel", {"reason": "Sjuk"})


def create_series(w):
    _, method, _, body = create_meeting(w)
    body |= {"repeat": "weekly", "interval": 1, "count": 3}
    return _rehab(w, method, "/meeting-series", body)


def _own_meeting(w):
    """A meeting the rehab coordinator organises with the FK officer, begun 30 minutes ago."""
    row = w.factory.meeting(
        w.rehab, orgs=[w.clinic], users=[w.officer], day=date(2026, 3, 16), start="10:00", end="11:30"
    )
    w.db.session.commit()
    return row


def add_agenda_point(w):
    row = _own_meeting(w)
    return _rehab(w, "POST", f"/meetings/{row.id}/agenda/points", {"text": "Rapport från AF"})


def add_case_note(w):
    row = _own_meeting(w)
    body = {"individual": w.person.public_id, "note": "Planerar praktik", "next_steps": "Ringa AF"}
    return _rehab(w, "POST", f"/meetings/{row.id}/case-notes", body)


def add_agenda_case(w):
    row = _own_meeting(w)
    return _rehab(w, "POST", f"/meetings/{row.id}/agenda/cases", {"individual": w.person.public_id})


def mark_held(w):
    row = _own_meeting(w)
    body = {
        "general_notes": "Bra möte",
        "decisions": "Nästa i april",
        "present_user_ids": [w.rehab.id, w.officer.id],
        "other_attendees": "AF",
    }
    return _rehab(w, "POST", f"/meetings/{row.id}/held", body)


def create_referral(w):
    body = {
        "individual_id": w.participant.public_id,
        "referred_on": "2026-03-10",
        "referrer_type": "socialtjanst",
    }
    return _staff(w, "POST", f"/projects/{w.project.id}/referrals", body)


def change_referral_status(w):
    row = w.factory.referral(w.project, w.participant)
    w.db.session.commit()
    return _staff(w, "POST", f"/referrals/{row.id}/status", {"status": "withdrawn"})


def enrol(w):
    row = w.factory.referral(w.project, w.participant)
    w.db.session.commit()
    return _staff(w, "POST", f"/referrals/{row.id}/enrolment", {"enrolled_on": "2026-03-16"})


def discharge(w):
    row = w.factory.enrolment(w.project, w.participant, enrolled_on=date(2026, 1, 1))
    w.db.session.commit()
    body = {"discharged_on": "2026-03-13", "discharge_reason": "studier"}
    return _staff(w, "POST", f"/enrolments/{row.id}/discharge", body)


def add_consultation(w):
    body = {"held_on": "2026-03-02", "actor_type": "skola", "actor": "Gymnasiet", "topic": "Frånvaro"}
    return _staff(w, "POST", f"/projects/{w.project.id}/consultations", body)


def add_group(w):
    return _staff(w, "POST", f"/projects/{w.project.id}/groups", {"name": "Måndagsgruppen"})


def add_info_session(w):
    body = {"held_on": "2026-03-03", "audience": "Handläggare", "organisation": "FK", "attendees": 12}
    return _staff(w, "POST", f"/projects/{w.project.id}/info-sessions", body)


def add_session(w):
    row = referral_services.add_group(w.project, "Måndagsgruppen", None, w.staff)
    w.db.session.commit()
    return _staff(w, "POST", f"/groups/{row.id}/sessions", {"held_on": "2026-03-09"})


def create_time_entry(w):
    body = {"project_id": w.project.id, "category": "patientarbete", "work_date": "2026-03-09", "hours": 2}
    return _staff(w, "POST", "/time-entries", body)


def save_week(w):
    return _staff(w, "PUT", "/time-entries/week", {"week": "2026-03-09", "rows": []})


def lock_month(w):
    return _staff(w, "POST", f"/projects/{w.project.id}/month-locks", {"month": "2026-02"})


def add_adjustment(w):
    timesheet_services.lock_month(w.project, 2026, 2, w.staff)
    w.db.session.commit()
    body = {
        "project_id": w.project.id,
        "work_date": "2026-02-09",
        "category": "patientarbete",
        "hours": -1,
        "note": "Felregistrerat",
    }
    return _staff(w, "POST", "/time-adjustments", body)


def save_report_texts(w):
    url = f"/projects/{w.project.id}/report/texts?start=2026-01-01&end=2026-12-31"
    return _staff(w, "PUT", url, {"goals": "Fler i arbete"})


def add_block(w):
    return _rehab(
        w,
        "POST",
        f"/individuals/{w.person.public_id}/blocks",
        {"starts_on": "2026-03-01", "category": "plan"},
    )


def register_consent(w):
    body = {
        "authorities": ["fk"],
        "purposes": ["rehab_exchange"],
        "categories": ["identity"],
        "form": "written",
        "given_on": "2026-03-01",
    }
    return _rehab(w, "POST", f"/individuals/{w.person.public_id}/consents", body)


def withdraw_consent(w):
    row = w.factory.consent(w.person)
    w.db.session.commit()
    return _rehab(
        w, "POST", f"/consents/{row.id}/withdraw", {"withdrawn_on": "2026-03-10", "reason": "Muntligt"}
    )


def create_individual(w):
    body = {
        "personnummer": "20000517-9809",
        "first_name": "Alva",
        "last_name": "Åberg",
        "gender": "kvinna",
        "home_municipality": "Uppsala",
        "clinic_id": w.clinic.id,
    }
    return _rehab(w, "POST", "/individuals", body)


OPERATIONS = [
    Operation(f.__name__, f)
    for f in (
        create_certificate,
        create_decision,
        create_follow_up,
        complete_follow_up,
        put_plan,
        add_insats,
        change_insats_status,
        create_meeting,
        cancel_meeting,
        create_series,
        add_agenda_point,
        add_case_note,
        add_agenda_case,
        mark_held,
        create_referral,
        change_referral_status,
        enrol,
        discharge,
        add_consultation,
        add_group,
        add_info_session,
        add_session,
        create_time_entry,
        save_week,
        lock_month,
        add_adjustment,
        save_report_texts,
        add_block,
        register_consent,
        withdraw_consent,
        create_individual,
    )
]

# Write operations not in OPERATIONS, and why.
NOT_IN_TABLE = {
    "update_certificate": "the create body plus version (same fields, same service)",
    "update_decision": "the create body plus version",
    "update_meeting": "the create body plus version and scope",
    "update_individual": "the create body plus version",
    "update_enrolment": "enums, flags and version only",
    "update_time_entry": "hours only",
    "consent_check": "personnummer only (test_hostile_requests.py)",
    "search_individuals": "search text (test_sql_metacharacters_in_the_api_search)",
}

# String properties that are parsed, not free text, and what they are.
NOT_FREE_TEXT = {
    "personnummer": "checked and normalised (test_malformed_personnummer_is_refused_everywhere)",
    "start_time": "TT:MM, pattern-checked",
    "end_time": "TT:MM, pattern-checked",
    "scope": "this|following, pattern-checked",
    "individual_id": "an individual's public id, looked up",
    "individual": "an individual's public id, looked up through the policy (404 otherwise)",
    "meeting_link": "https URL (test_a_meeting_link_must_be_https)",
    "q": "search text (test_sql_metacharacters_in_the_api_search)",
    "month": "ÅÅÅÅ-MM, pattern-checked (test_a_malformed_month_to_lock_is_refused_and_nothing_is_locked)",
}

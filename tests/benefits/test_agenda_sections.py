"""The pulsmöte agenda's data sections: certificates, FK decisions, bevakningar and alarms."""

from datetime import date

import pytest

from tracker.auth.models import Authority, OrgType
from tracker.benefits.models import Outcome
from tracker.meetings.agenda import build_agenda
from tracker.meetings.models import MeetingSeries, RepeatRule


@pytest.fixture
def table(factory, db):
    """A series of pulsmöten (5 Feb, 19 Mar, 16 Apr) between a clinic and FK."""
    fk = factory.organisation(OrgType.FK, name="Försäkringskassan")
    fk_office = factory.organisation(OrgType.FK, name="FK lokalkontor", parent=fk)
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning Norr")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    officer = factory.user("handlaggare", organisation=fk_office)
    series = MeetingSeries(
        title="Pulsmöte Norr",
        rule=RepeatRule.WEEKLY,
        repeat_every=6,
        first_on=date(2026, 2, 5),
        occurrence_count=3,
        organiser_id=rehab.id,
    )
    db.session.add(series)
    db.session.flush()
    meetings = []
    for day in (date(2026, 2, 5), date(2026, 3, 19), date(2026, 4, 16)):
        meeting = factory.meeting(rehab, orgs=[clinic, fk], day=day)
        meeting.series_id = series.id
        meetings.append(meeting)
    db.session.flush()
    return {"clinic": clinic, "fk": fk, "rehab": rehab, "officer": officer, "meeting": meetings[1]}


def _section(agenda, key):
    return next(s for s in agenda.sections if s.key == key)


def _case_rows(factory, table, individual):
    """One row of each kind inside the meeting's windows (and the decision makes an alarm)."""
    factory.certificate(individual, issued_on=date(2026, 3, 2))
    factory.decision(
        individual,
        officer=table["officer"],
        decided_on=date(2026, 2, 10),
        period_start=date(2026, 2, 10),
        period_end=date(2027, 1, 31),
    )
    factory.follow_up(individual, table["officer"], due_on=date(2026, 4, 10))


def test_the_pulsmote_agenda_names_consented_cases_in_every_data_section(db, factory, table):
    named = factory.individual(clinic=table["clinic"], first_name="Siri", last_name="Samtyckesson")
    factory.consent(named, parties=(Authority.FK,))
    _case_rows(factory, table, named)
    # Outside the windows: issued before the previous meeting, due after the next one.
    factory.certificate(named, issued_on=date(2026, 1, 20))
    factory.follow_up(named, table["officer"], due_on=date(2026, 4, 20))

    agenda = build_agenda(table["meeting"], table["officer"])

    certificates = _section(agenda, "certificates")
    assert [c.individual.id for c in certificates.named] == [named.id]
    assert certificates.named[0].details == ["utfärdat 2026-03-02 (AE vid nedsatt arbetsförmåga)"]
    decisions = _section(agenda, "decisions")
    assert decisions.named[0].details == ["beviljad 2026-02-10, period till 2027-01-31"]
    follow_ups = _section(agenda, "follow_ups")
    assert follow_ups.named[0].details == ["bevakning förfaller 2026-04-10 (uppföljning av plan)"]
    alarms = _section(agenda, "alarms")
    assert [c.individual.id for c in alarms.named] == [named.id]
    assert alarms.named[0].details[0].startswith("Beviljad AE men ingen vårdplan: beviljad för")
    assert agenda.hidden_total == 0


def test_cases_without_consent_are_counted_and_cases_of_other_clinics_left_out(db, factory, table):
    unconsented = factory.individual(clinic=table["clinic"])
    _case_rows(factory, table, unconsented)
    elsewhere = factory.individual()  # another clinic, not at the table
    factory.consent(elsewhere)
    _case_rows(factory, table, elsewhere)

    agenda = build_agenda(table["meeting"], table["rehab"])

    for key in ("certificates", "decisions", "follow_ups", "alarms"):
        section = _section(agenda, key)
        assert section.named == [] and section.hidden_count == 1, key
        assert [i.id for i in section.own_hidden] == [unconsented.id]


def test_a_consent_not_covering_the_category_keeps_only_that_section_unnamed(db, factory, table):
    from tracker.consent.categories import Category

    person = factory.individual(clinic=table["clinic"])
    factory.consent(person, categories=(Category.IDENTITY, Category.FK_RECORDS))
    _case_rows(factory, table, person)
    agenda = build_agenda(table["meeting"], table["officer"])
    assert _section(agenda, "certificates").hidden_count == 1
    assert [c.individual.id for c in _section(agenda, "decisions").named] == [person.id]
    # The alarm speaks of the plan too: it needs both categories.
    assert _section(agenda, "alarms").hidden_count == 1


def test_a_withdrawn_consent_removes_the_name_from_the_agenda_page(client, db, factory, table, login):
    named = factory.individual(clinic=table["clinic"], first_name="Siri", last_name="Samtyckesson")
    consent = factory.consent(named, parties=(Authority.FK,))
    _case_rows(factory, table, named)
    db.session.commit()
    login(table["officer"])
    url = f"/moten/{table['meeting'].id}/dagordning"
    html = client.get(url).get_data(as_text=True)
    assert "Läkarutlåtanden sedan förra mötet" in html and "Siri Samtyckesson" in html
    assert "utfärdat 2026-03-02" in html
    consent.withdrawn_on = date(2026, 3, 16)
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Samtyckesson" not in html and named.public_id not in html
    assert "utfärdat 2026-03-02" not in html
    assert "1 ärende utan giltigt samtycke" in html


def test_a_meeting_without_a_previous_one_looks_back_a_configured_number_of_days(db, factory, table, app):
    single = factory.meeting(table["rehab"], orgs=[table["clinic"], table["fk"]], day=date(2026, 3, 26))
    person = factory.individual(clinic=table["clinic"])
    factory.consent(person)
    factory.certificate(person, issued_on=date(2026, 1, 30))  # 55 days before
    factory.certificate(person, issued_on=date(2026, 1, 20))  # 65 days before
    agenda = build_agenda(single, table["rehab"])
    assert _section(agenda, "certificates").named[0].details == [
        "utfärdat 2026-01-30 (AE vid nedsatt arbetsförmåga)"
    ]


def test_a_steering_group_meeting_has_no_case_data_sections(db, factory, table):
    person = factory.individual(clinic=table["clinic"])
    _case_rows(factory, table, person)
    meeting = factory.meeting(table["rehab"], orgs=[table["clinic"]], kind="styrgruppsmote")
    keys = {s.key for s in build_agenda(meeting, table["rehab"]).sections}
    assert keys == {"cases"}


def test_the_data_sections_use_a_fixed_number_of_queries(db, factory, table, count_queries):
    def build_with(n):
        clinic = factory.organisation(OrgType.REGION_CLINIC)
        rehab = factory.user("rehabkoordinator", organisation=clinic)
        meeting = factory.meeting(rehab, orgs=[clinic, table["fk"]], day=date(2026, 3, 19))
        for _ in range(n):
            person = factory.individual(clinic=clinic)
            factory.consent(person)
            _case_rows(factory, table, person)
            factory.decision(
                person, officer=table["officer"], outcome=Outcome.DENIED, decided_on=date(2026, 3, 1)
            )
        db.session.flush()
        db.session.expire_all()
        with count_queries() as counter:
            agenda = build_agenda(db.session.get(type(meeting), meeting.id), table["officer"])
            assert len(_section(agenda, "certificates").named) == n
            assert len(_section(agenda, "alarms").named) == n
        return counter.count

    assert build_with(3) == build_with(30)

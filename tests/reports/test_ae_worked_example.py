"""The AE worked example: the benefits and pulsmöten figures of an AE project, typed out by hand.

Period 2025-01-01 – 2025-06-30. The project's member works at Mottagning A;
its population is Mottagning A's cases.

| person | certificate (type, issued) | decision (outcome, decided, days from its certificate) | plan      |
| P1     | nedsatt, 2025-01-10         | beviljad 2025-02-19, 40 days                            | none      |
| P2     | förlängd skolgång, 02-01    | avslag 2025-03-03, 30 days                              |           |
| P3     | nedsatt, 2025-03-01         | beviljad 2025-05-30, 90 days                            | 2025-06-10|
| P4     | nedsatt, 2024-12-20 (before)| beviljad 2025-01-09, 20 days                            | 2025-07-05 (after the period) |
| P5     | nedsatt, 2025-06-30 (last day) | pending (not counted)                                |           |
| P6     |                             | indragen 2025-04-01, no certificate                     |           |
| P7 (Mottagning B, not counted) | nedsatt 2025-02-01 | beviljad 2025-03-01                         |           |

Certificates: nedsatt 3 (P1, P3, P5), förlängd 1 (P2). Decisions: beviljad 3, avslag 1, indragen 1.
Days certificate→decision: 20, 30, 40, 90 → median 35, shortest 20, longest 90, 4 decisions.
Granted people 3: with a plan by 2025-06-30 only P3; without: P1, P4.
Pulsmöten: held 2025-03-06 (organised by the member; agenda P1, P2, P7) and 2025-05-08 (organised by
FK, Mottagning A invited; agenda P1) → 2 held, 3 agenda points of the population, 2 people;
cancelled 2025-06-05 → 1; not counted: held 2025-07-03 (after), a styrgruppsmöte, and a pulsmöte of
another clinic.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from tracker.auth.models import OrgType
from tracker.benefits.models import CertificateType, Outcome
from tracker.consent.categories import Category
from tracker.meetings.models import AgendaCase, MeetingStatus
from tracker.referrals.models import ProjectKind
from tracker.reports.registry import build_report
from tracker.reports.tables import Period

H1 = Period(date(2025, 1, 1), date(2025, 6, 30))
H1_ARGS = {"typ": "fritt", "fran": "2025-01-01", "till": "2025-06-30"}
D = Decimal
REDUCED, SCHOOLING = CertificateType.AE_REDUCED_CAPACITY, CertificateType.AE_EXTENDED_SCHOOLING


@dataclass
class AeExample:
    project: object
    team: object
    rehab: object
    people: dict = field(default_factory=dict)


@pytest.fixture
def ae(factory, db):
    team = factory.organisation(OrgType.PROJECT, name="AE-samordningen")
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    other_clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning B")
    fk = factory.organisation(OrgType.FK, name="Försäkringskassan")
    project = factory.project(organisation=team, kind=ProjectKind.AE, name="AE-projektet")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    factory.member(project, rehab, is_lead=True)
    officer = factory.user("handlaggare", organisation=fk)
    other_rehab = factory.user("rehabkoordinator", organisation=other_clinic)
    ex = AeExample(project, team, rehab)

    def person(key, clinic=clinic, certificate=None, decision=None, plan_on=None):
        individual = factory.individual(clinic=clinic, last_name=f"Exempel{key}")
        cert = None
        if certificate:
            kind, issued_on = certificate
            cert = factory.certificate(individual, issued_on=issued_on, certificate_type=kind)
        if decision:
            outcome, decided_on = decision
            extra = {"certificate_id": cert.id} if cert is not None and decided_on else {}
            if outcome == Outcome.GRANTED:
                extra.update(period_start=decided_on, period_end=date(2026, 6, 30))
            factory.decision(individual, officer=officer, outcome=outcome, decided_on=decided_on, **extra)
        if plan_on:
            factory.care_plan(individual, established_on=plan_on)
        ex.people[key] = individual

    person("P1", certificate=(REDUCED, date(2025, 1, 10)), decision=(Outcome.GRANTED, date(2025, 2, 19)))
    person("P2", certificate=(SCHOOLING, date(2025, 2, 1)), decision=(Outcome.DENIED, date(2025, 3, 3)))
    person(
        "P3",
        certificate=(REDUCED, date(2025, 3, 1)),
        decision=(Outcome.GRANTED, date(2025, 5, 30)),
        plan_on=date(2025, 6, 10),
    )
    person(
        "P4",
        certificate=(REDUCED, date(2024, 12, 20)),
        decision=(Outcome.GRANTED, date(2025, 1, 9)),
        plan_on=date(2025, 7, 5),
    )
    person("P5", certificate=(REDUCED, date(2025, 6, 30)), decision=(Outcome.PENDING, None))
    person("P6", decision=(Outcome.WITHDRAWN, date(2025, 4, 1)))
    person(
        "P7",
        clinic=other_clinic,
        certificate=(REDUCED, date(2025, 2, 1)),
        decision=(Outcome.GRANTED, date(2025, 3, 1)),
    )

    def pulsmote(organiser, orgs, day, status=MeetingStatus.HELD, kind="pulsmote", cases=()):
        meeting = factory.meeting(organiser, orgs=orgs, day=day, kind=kind)
        meeting.status = status
        for key in cases:
            db.session.add(AgendaCase(meeting=meeting, individual_id=ex.people[key].id))
        return meeting

    pulsmote(rehab, [clinic, fk], date(2025, 3, 6), cases=("P1", "P2", "P7"))
    pulsmote(officer, [clinic, fk], date(2025, 5, 8), cases=("P1",))
    pulsmote(rehab, [clinic, fk], date(2025, 6, 5), status=MeetingStatus.CANCELLED)
    pulsmote(rehab, [clinic, fk], date(2025, 7, 3), cases=("P3",))
    pulsmote(rehab, [clinic], date(2025, 4, 3), kind="styrgruppsmote")
    pulsmote(other_rehab, [other_clinic, fk], date(2025, 4, 10), cases=("P7",))
    db.session.flush()
    return ex


def tables(project, period):
    return {t.key: t for s in build_report(project, period) for t in s.tables}


def values(table):
    return {row.label: [cell.value for cell in row.cells] for row in table.rows}


def test_certificates_issued_in_the_period_by_type(ae):
    t = tables(ae.project, H1)
    assert values(t["lakarutlatanden"]) == {
        "AE vid nedsatt arbetsförmåga": [3, D(75)],
        "AE vid förlängd skolgång": [1, D(25)],
        "Totalt": [4, D(100)],
    }


def test_decisions_in_the_period_by_outcome(ae):
    t = tables(ae.project, H1)
    assert values(t["beslut_utfall"]) == {
        "Beviljad": [3, D(60)],
        "Avslag": [1, D(20)],
        "Indragen/återkallad": [1, D(20)],
        "Totalt": [5, D(100)],
    }


def test_median_days_from_certificate_to_decision(ae):
    t = tables(ae.project, H1)
    assert values(t["dagar_utlatande_beslut"]) == {
        "Median": [35],
        "Kortast": [20],
        "Längst": [90],
        "Antal beslut med läkarutlåtande": [4],
    }


def test_people_granted_without_a_plan_by_the_end_of_the_period(ae):
    t = tables(ae.project, H1)
    assert values(t["beviljade_utan_plan"]) == {
        "Med vårdplan": [1, D("33.3")],
        "Utan vårdplan": [2, D("66.7")],
        "Totalt": [3, D(100)],
    }


def test_pulsmoten_held_in_the_period_for_the_projects_organisations(ae):
    t = tables(ae.project, H1)
    assert values(t["pulsmoten"]) == {
        "Genomförda pulsmöten": [2],
        "Inställda pulsmöten": [1],
        "Ärenden som togs upp (ärendepunkter)": [3],
        "Personer vars ärende togs upp": [2],
    }


def test_the_ae_sections_are_not_in_a_platform_projects_report(factory, db):
    keys = {s.key for s in build_report(factory.project(), H1)}
    assert "benefits" not in keys and "pulsmoten" not in keys


def test_the_ae_sections_read_with_a_fixed_number_of_queries(ae, factory, db, count_queries):
    build_report(ae.project, H1)
    with count_queries() as few:
        build_report(ae.project, H1)
    clinic = ae.people["P1"].clinic
    for _ in range(25):
        person = factory.individual(clinic=clinic)
        certificate = factory.certificate(person, issued_on=date(2025, 2, 2))
        factory.decision(person, decided_on=date(2025, 3, 3), certificate_id=certificate.id)
    with count_queries() as many:
        build_report(ae.project, H1)
    assert few.count == many.count


def test_the_rehabkoordinator_drills_into_the_certificates_of_the_clinic(ae, client, login, db):
    db.session.commit()
    login(ae.rehab)
    url = f"/rapporter/{ae.project.id}/underlag/certificates"
    html = client.get(url, query_string={**H1_ARGS, "typ": "fritt"}).get_data(as_text=True)
    for key in ("P1", "P2", "P3", "P5"):
        assert f"Exempel{key}" in html
    assert "ExempelP4" not in html and "ExempelP7" not in html
    assert "bygger på 4 poster" in html
    html = client.get(f"/rapporter/{ae.project.id}/underlag/granted_no_plan", query_string=H1_ARGS).get_data(
        as_text=True
    )
    assert "ExempelP1" in html and "ExempelP4" in html and "ExempelP3" not in html
    assert "bygger på 2 poster" in html
    html = client.get(f"/rapporter/{ae.project.id}/underlag/discussed", query_string=H1_ARGS).get_data(
        as_text=True
    )
    assert "bygger på 3 poster" in html and "Pulsmöte Norr" in html


def test_drill_down_lists_only_what_the_policy_lets_the_reader_see(ae, client, factory, login, db):
    """A project coordinator sees P1's certificate through a consent, but not P1's FK records."""
    coordinator = factory.user("samordnare", organisation=ae.team)
    factory.contact(ae.people["P1"], ae.team)
    factory.consent(
        ae.people["P1"], parties=(ae.team,), categories=(Category.IDENTITY, Category.CERTIFICATES)
    )
    db.session.commit()
    login(coordinator)
    html = client.get(f"/rapporter/{ae.project.id}/underlag/certificates", query_string=H1_ARGS).get_data(
        as_text=True
    )
    assert "ExempelP1" in html and "ExempelP2" not in html
    assert "bygger på 4 poster; 3 av dem kan du inte se" in html
    html = client.get(f"/rapporter/{ae.project.id}/underlag/decisions", query_string=H1_ARGS).get_data(
        as_text=True
    )
    assert "ExempelP1" not in html and "5 poster; 5 av dem kan du inte se" in html


def test_a_person_granted_twice_in_the_period_is_counted_and_listed_once(ae, client, factory, login, db):
    factory.decision(ae.people["P1"], decided_on=date(2025, 6, 1), period_start=date(2025, 6, 1))
    t = tables(ae.project, H1)
    assert values(t["beviljade_utan_plan"])["Utan vårdplan"] == [2, D("66.7")]
    assert values(t["beslut_utfall"])["Beviljad"] == [4, D("66.7")]
    db.session.commit()
    login(ae.rehab)
    html = client.get(f"/rapporter/{ae.project.id}/underlag/granted_no_plan", query_string=H1_ARGS).get_data(
        as_text=True
    )
    assert html.count("ExempelP1") == 1 and "bygger på 2 poster" in html


def test_a_chosen_period_keeps_its_type_next_to_the_certificate_type_drill(ae, client, login, db):
    """The certificate drill's filter must not clash with the period's `typ` (it used to: a 500)."""
    db.session.commit()
    login(ae.rehab)
    response = client.get(f"/rapporter/{ae.project.id}", query_string=H1_ARGS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"utlatandetyp={SCHOOLING.value}" in html and "typ=fritt" in html
    drill = client.get(
        f"/rapporter/{ae.project.id}/underlag/certificates",
        query_string={**H1_ARGS, "utlatandetyp": SCHOOLING.value},
    ).get_data(as_text=True)
    assert "ExempelP2" in drill and "ExempelP1" not in drill
    assert "bygger på 1 post" in drill

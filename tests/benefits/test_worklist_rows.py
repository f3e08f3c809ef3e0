"""The worklist as plain rows: what each row shows, its links, and a fixed number of queries."""

from datetime import date, timedelta

from flask import url_for

from tracker.benefits.models import FollowUpReason
from tracker.benefits.queries import WORKLIST_SORTS, worklist, worklist_records

TODAY = date(2026, 3, 16)


def test_each_row_shows_due_date_person_reason_clinic_coordinator_and_links(client, login, case, factory, db):
    with_coordinator = factory.follow_up(
        case.individual,
        case.officer,
        due_on=TODAY - timedelta(days=2),
        reason=FollowUpReason.OTHER,
        reason_text="Ring mottagningen",
        coordinator_id=case.rehab.id,
    )
    other = factory.individual(
        clinic=case.clinic, last_name="Utan", first_name="Koordinator", fk_officer_id=case.officer.id
    )
    without = factory.follow_up(other, case.officer, due_on=TODAY + timedelta(days=3))
    db.session.commit()
    login(case.officer)
    for url in ("/", "/formaner/bevakningar"):
        html = client.get(url).get_data(as_text=True)
        with client.application.test_request_context():
            case_link = url_for("people.show", public_id=case.individual.public_id)
            done_link = url_for("benefits.complete_follow_up", follow_up_id=with_coordinator.id)
            other_done = url_for("benefits.complete_follow_up", follow_up_id=without.id)
        assert (
            f"<td>{(TODAY - timedelta(days=2)).isoformat()}</td>\n"
            f'      <td><a href="{case_link}">{case.individual.last_name}, {case.individual.first_name}</a></td>\n'
            "      <td>Annat: Ring mottagningen</td>\n"
            f"      <td>{case.clinic.name}</td>\n"
            f"      <td>{case.rehab.full_name}</td>\n"
            f'      <td><a href="{done_link}">Klarmarkera</a></td>'
        ) in html
        assert (
            f"      <td>{case.clinic.name}</td>\n      <td>–</td>\n"
            f'      <td><a href="{other_done}">Klarmarkera</a></td>'
        ) in html
        assert "Utan, Koordinator" in html


def test_the_page_rows_and_the_api_records_are_the_same_follow_ups(app, case, factory, db):
    second = factory.individual(clinic=case.clinic, last_name="Andersson", fk_officer_id=case.officer.id)
    for days, person in (
        (-3, case.individual),
        (0, second),
        (5, case.individual),
        (20, second),
        (40, second),
    ):
        factory.follow_up(person, case.officer, due_on=TODAY + timedelta(days=days))
    db.session.commit()

    def ids(data):
        return [[f.id for f, _ in group] for group in (data.overdue, data.due_soon, data.later)]

    def people(data):
        return [i.public_id for group in (data.overdue, data.due_soon, data.later) for _, i in group]

    for sort in WORKLIST_SORTS:
        rows, records = worklist(case.officer, sort), worklist_records(case.officer, sort)
        assert ids(rows) == ids(records) and people(rows) == people(records)
        assert rows.total == records.total == 5


def test_start_page_uses_the_same_number_of_queries_for_10_and_200_rows(
    client, login, case, factory, db, count_queries
):
    def build(n):
        for i in range(n):
            person = factory.individual(clinic=case.clinic, fk_officer_id=case.officer.id)
            coordinator = case.rehab.id if i % 2 else None
            factory.follow_up(
                person, case.officer, due_on=TODAY + timedelta(days=i % 20 - 5), coordinator_id=coordinator
            )
        db.session.commit()

    login(case.officer)
    build(10)
    client.get("/")
    with count_queries() as few:
        assert client.get("/").status_code == 200
    build(190)
    with count_queries() as many:
        html = client.get("/?sort=mottagning").get_data(as_text=True)
    assert "Mina bevakningar (200)" in html
    assert few.count == many.count

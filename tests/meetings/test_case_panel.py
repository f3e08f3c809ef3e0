"""Meeting notes on the case page: newest first, a fixed number of queries."""

from datetime import date

from tracker.auth.models import OrgType
from tracker.meetings.models import MeetingCaseNote


def _section(html):
    start = html.index('<h2 id="meeting-notes-heading">')
    return html[start : html.index("</section>", start)]


def _setup(factory, db):
    clinic = factory.organisation(OrgType.REGION_CLINIC)
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    person = factory.individual(clinic=clinic, coordinator_id=rehab.id)
    db.session.commit()
    return rehab, person


def test_notes_show_the_meeting_time_and_title_newest_first(client, login, factory, db, frozen_time):
    rehab, person = _setup(factory, db)
    older = factory.meeting(rehab, title="Pulsmöte mars", day=date(2026, 3, 5))
    newer = factory.meeting(rehab, title="Pulsmöte april", day=date(2026, 4, 2))
    db.session.add(
        MeetingCaseNote(meeting=older, individual_id=person.id, note="Första", next_steps="Ring AF")
    )
    db.session.flush()
    frozen_time.shift(60)
    db.session.add(MeetingCaseNote(meeting=newer, individual_id=person.id, note="Andra"))
    db.session.commit()
    login(rehab)
    section = _section(client.get(f"/personer/{person.public_id}").get_data(as_text=True))
    assert (
        '<tr><td>2026-04-02 10:00 Pulsmöte april</td><td class="pre">Andra</td><td class="pre"></td></tr>'
    ) in section
    assert (
        '<td>2026-03-05 10:00 Pulsmöte mars</td><td class="pre">Första</td><td class="pre">Ring AF</td>'
        in section
    )
    assert section.index("Pulsmöte april") < section.index("Pulsmöte mars")


def test_the_case_page_uses_the_same_number_of_queries_for_1_and_8_meeting_notes(
    client, login, factory, db, count_queries
):
    rehab, person = _setup(factory, db)
    others = [factory.user("handlaggare") for _ in range(3)]

    def add_notes(n):
        for _ in range(n):
            meeting = factory.meeting(rehab, orgs=[rehab.organisation], users=others)
            db.session.add(MeetingCaseNote(meeting=meeting, individual_id=person.id, note="Anteckning"))
        db.session.commit()

    login(rehab)
    url = f"/personer/{person.public_id}"
    add_notes(1)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_notes(7)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert _section(html).count("Anteckning</td>") == 8
    assert few.count == many.count

"""The plan section of the case page: plan, SIP organisations, insatser and their history."""

from datetime import date

from tracker.auth.models import OrgType
from tracker.plans.models import InsatsStatus, InsatsStatusChange, sip_organisations


def _sip(factory, db, plan, n):
    organisations = [factory.organisation(OrgType.KOMMUN) for _ in range(n)]
    db.session.execute(
        sip_organisations.insert(),
        [{"care_plan_id": plan.id, "organisation_id": o.id} for o in organisations],
    )
    return organisations


def _history(db, insats, *steps):
    for changed_on, to_status in steps:
        db.session.add(
            InsatsStatusChange(
                insats_id=insats.id,
                individual_id=insats.individual_id,
                to_status=to_status,
                changed_on=changed_on,
            )
        )


def _section(html):
    start = html.index('<h2 id="plans-heading">')
    return html[start : html.index("</section>", start)]


def test_the_case_page_shows_the_sip_its_insatser_in_date_order_and_their_history(
    client, login, case, factory, db
):
    plan = factory.care_plan(case.individual, is_sip=True, sip_meeting_on=date(2026, 2, 20), goals="Studera")
    organisations = _sip(factory, db, plan, 2)
    later = factory.insats(plan, what="Studiestöd", starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 1))
    first = factory.insats(
        plan,
        what="Arbetsträning",
        starts_on=date(2026, 3, 1),
        status=InsatsStatus.INTERRUPTED,
        interruption_reason="Sjukdom",
    )
    _history(
        db, first, (date(2026, 3, 10), InsatsStatus.INTERRUPTED), (date(2026, 3, 1), InsatsStatus.PLANNED)
    )
    db.session.commit()
    login(case.rehab)
    section = _section(client.get(f"/personer/{case.individual.public_id}").get_data(as_text=True))
    assert "Vårdplan (SIP)</h2>" in section and '<dd class="pre">Studera</dd>' in section
    assert f"<dd>2026-02-20 med {organisations[0].name}, {organisations[1].name}</dd>" in section
    assert section.index("Arbetsträning") < section.index("Studiestöd")
    assert f"<td>{first.organisation.name}</td>" in section and "<td>Avbruten: Sjukdom</td>" in section
    assert "<li>2026-03-01: Planerad</li><li>2026-03-10: Avbruten</li></ul>" in section
    assert "<td>Studiestöd</td><td>" in section and '<td><ul class="plain"></ul></td>' in section
    assert (
        f"/planer/insatser/{later.id}/status" in section
        and f"/planer/insatser/{first.id}/status" not in section
    )


def test_the_case_page_without_a_plan_says_so(client, login, case, db):
    login(case.rehab)
    section = _section(client.get(f"/personer/{case.individual.public_id}").get_data(as_text=True))
    assert "<p>Ingen vårdplan är upprättad.</p>" in section


def test_the_case_page_uses_the_same_number_of_queries_for_few_and_many_sip_parties_and_changes(
    client, login, case, factory, db, count_queries
):
    plan = factory.care_plan(case.individual, is_sip=True, sip_meeting_on=date(2026, 2, 20))

    def build(n):
        _sip(factory, db, plan, n)
        for _ in range(n):
            insats = factory.insats(plan)
            _history(
                db,
                insats,
                (date(2026, 2, 20), InsatsStatus.PLANNED),
                (date(2026, 3, 1), InsatsStatus.ONGOING),
            )
        db.session.commit()

    login(case.rehab)
    url = f"/personer/{case.individual.public_id}"
    build(1)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    build(6)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert _section(html).count("2026-03-01: Pågående") == 7
    assert few.count == many.count

"""The AE section of the case page, row by row."""

from datetime import date

from tracker.benefits.models import FollowUpReason, FollowUpStatus, Outcome


def test_each_row_shows_its_clinic_officer_owner_and_derived_days(client, login, case, factory, db):
    certificate = factory.certificate(case.individual, doctor="Dr Ek", issued_on=date(2026, 1, 10))
    factory.decision(case.individual, officer=case.officer, certificate_id=certificate.id)
    pending = factory.decision(case.individual, officer=case.officer, outcome=Outcome.PENDING)
    factory.follow_up(
        case.individual,
        case.officer,
        reason=FollowUpReason.OTHER,
        reason_text="Ring",
        due_on=date(2026, 4, 1),
    )
    done = factory.follow_up(
        case.individual,
        case.officer,
        due_on=date(2026, 3, 1),
        status=FollowUpStatus.DONE,
        done_on=date(2026, 3, 2),
        done_note="Klart",
    )
    db.session.commit()
    login(case.rehab)
    html = client.get(f"/personer/{case.individual.public_id}").get_data(as_text=True)
    assert (
        f"<tr><td>2026-01-10</td><td>{case.clinic.name}</td><td>Dr Ek</td>"
        "<td>AE vid nedsatt arbetsförmåga</td><td>–</td>"
    ) in html
    granted = (
        "<tr><td>2026-02-01</td><td>Beviljad</td><td>Hel</td>\n"
        "        <td>2026-02-01 – 2027-01-31</td>\n"
        "        <td>365 dagar</td>\n"
        "        <td>22</td>\n"
        "        <td>321</td>\n"
        f"        <td>{case.officer.full_name}</td>"
    )
    assert granted in html
    undecided = (
        "<tr><td>–</td><td>Ej beslutad</td><td>–</td>\n        <td>–</td>\n        <td>–</td>\n"
        f"        <td>–</td>\n        <td>–</td>\n        <td>{case.officer.full_name}</td>"
    )
    assert undecided in html and html.index(undecided) < html.index(granted)  # undecided first
    assert f"/formaner/beslut/{pending.id}/andra" in html
    assert (
        f"<tr><td>2026-04-01</td><td>Annat: Ring</td><td>{case.officer.full_name}</td><td>{case.clinic.name}</td>"
    ) in html
    assert f"<td>{case.clinic.name}</td>\n        <td>Klar 2026-03-02 – Klart</td>" in html
    assert html.index("Klar 2026-03-02") < html.index("Annat: Ring")  # by status: done, then open
    assert f"/formaner/bevakningar/{done.id}/klar" not in html

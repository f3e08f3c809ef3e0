"""Paging counts the same rows the page query returns, whatever the query's shape."""

from sqlalchemy import func, select

from tracker.auth.models import OrgType
from tracker.core.pagination import _count_of, paginate
from tracker.people.models import CaseContact, Individual


def _world(factory):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    kommun = factory.organisation(OrgType.KOMMUN, name="Socialtjänsten")
    af = factory.organisation(OrgType.AF, name="Arbetsförmedlingen")
    people = [factory.individual(clinic=clinic) for _ in range(7)]
    for person in people[:3]:
        factory.contact(person, kommun)
        factory.contact(person, af)
    return people


def _rows(db, query) -> int:
    return len(db.session.execute(query).all())


def test_the_count_matches_the_rows_for_every_shape(app, db, factory):
    _world(factory)
    joined = select(Individual).join(CaseContact, CaseContact.individual_id == Individual.id)
    shapes = {
        "plain": select(Individual),
        "filtered": select(Individual).where(Individual.first_name.is_not(None)),
        "joined (duplicates)": joined,
        "distinct": joined.distinct(),
        "grouped": select(Individual.clinic_id, func.count()).group_by(Individual.clinic_id),
        "grouped with having": select(CaseContact.individual_id)
        .group_by(CaseContact.individual_id)
        .having(func.count() > 1),
        "limited": select(Individual).order_by(Individual.id).limit(4),
        "offset": select(Individual).order_by(Individual.id).offset(5),
    }
    with app.test_request_context():
        for name, query in shapes.items():
            assert db.session.scalar(_count_of(query)) == _rows(db, query), name


def test_a_page_knows_the_total(app, db, factory):
    _world(factory)
    with app.test_request_context():
        page = paginate(select(Individual).order_by(Individual.id), 2, 3)
    assert (page.total, page.pages, len(page.items)) == (7, 3, 3)

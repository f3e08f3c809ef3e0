from sqlalchemy import func, select

from tracker.auth.models import Role, User
from tracker.core.personnummer import is_valid
from tracker.demo import build
from tracker.people.models import Individual


def test_demo_data_has_a_login_for_every_role_and_valid_numbers(app, db):
    counts = build(50)
    assert counts["individuals"] == 50
    roles = set(db.session.scalars(select(User.role)).all())
    assert roles == set(Role)
    numbers = db.session.scalars(select(Individual.personnummer)).all()
    assert len(numbers) >= 50 and all(is_valid(n) for n in numbers)  # domains may add participants


def test_demo_data_is_deterministic(app, db):
    build(20, seed=7)
    first = db.session.scalars(select(Individual.personnummer).order_by(Individual.id)).all()
    db.session.rollback()
    build(20, seed=7)
    second = db.session.scalars(select(Individual.personnummer).order_by(Individual.id)).all()
    assert first == second
    assert db.session.scalar(select(func.count()).select_from(Individual)) == len(second)

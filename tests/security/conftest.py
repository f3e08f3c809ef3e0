import pytest

# Script tags and template syntax: must come back as text, never markup or evaluated.
PAYLOAD = "<script>alert(1)</script>{{7*7}}{% raw %}"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}{% raw %}"


def assert_escaped(body: str, shown: bool = True) -> None:
    """No live script; and, where the page shows the field, the text escaped verbatim."""
    assert "<script>alert(1)" not in body
    assert "{{7*7}}" not in body or ESCAPED in body
    if shown:
        assert ESCAPED in body


@pytest.fixture
def own_case(login_as, factory, db):
    """A rehabkoordinator logged in, with one individual of their own unit."""
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    db.session.commit()
    return user, person

"""Calendar checks shared by the meeting tests: two independent strict parsers plus
what no parser catches (CRLF, folding, TZID with VTIMEZONE, DTEND after DTSTART)."""

import re

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream


def check_calendar(body: bytes) -> icalendar.Calendar:
    text = body.decode("utf-8")
    # CRLF everywhere, no bare LF
    assert "\n" not in text.replace("\r\n", "")
    # Folded at 75 octets
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    # Every TZID used has a VTIMEZONE
    unfolded = text.replace("\r\n ", "")
    used = set(re.findall(r";TZID=([^:;]+)[:;]", unfolded))
    defined = set(re.findall(r"^TZID:(.+)$", unfolded, re.MULTILINE))
    assert used <= {t.strip() for t in defined}, (used, defined)
    cal = icalendar.Calendar.from_ical(body)
    assert not cal.errors
    for event in cal.walk("VEVENT"):
        assert not event.errors
        assert event.decoded("dtend") > event.decoded("dtstart")
    # Independent strict parsers
    vobject.readOne(text, validate=True)
    IcsCalendarStream.calendar_from_ics(text)
    return cal


@pytest.fixture
def parse_calendar():
    return check_calendar


@pytest.fixture
def fk_setup(factory):
    """A clinic rehabkoordinator, an FK office handläggare, the FK authority org."""
    from tracker.auth.models import OrgType

    fk = factory.organisation(OrgType.FK, name="Försäkringskassan test")
    fk_office = factory.organisation(OrgType.FK, name="FK lokalkontor test", parent=fk)
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning test")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    officer = factory.user("handlaggare", organisation=fk_office)
    return {"fk": fk, "fk_office": fk_office, "clinic": clinic, "rehab": rehab, "officer": officer}

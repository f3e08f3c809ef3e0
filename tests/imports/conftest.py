"""Files to import: Windows-1252 semicolon CSV (Swedish Excel), UTF-8 CSV and XLSX."""

import io
import random
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import OrgType
from tracker.demo import fictional_personnummer
from tracker.people.models import Gender

_used: set[str] = set()
_by_seed: dict[tuple, str] = {}


def pnr(seed: int, born=date(2001, 2, 3), gender=Gender.KVINNA) -> str:
    """A valid, fictional personnummer as YYYYMMDD-NNNN: the same one for the same seed."""
    key = (seed, born, gender)
    if key not in _by_seed:
        number = fictional_personnummer(random.Random(seed), _used, born, gender)
        _by_seed[key] = f"{number[:8]}-{number[8:]}"
    return _by_seed[key]


def csv_bytes(rows: list[list], encoding="cp1252", delimiter=";", bom=False) -> bytes:
    def cell(value) -> str:
        text = "" if value is None else str(value)
        if any(c in text for c in (delimiter, '"', "\n")):
            text = '"' + text.replace('"', '""') + '"'
        return text

    body = "\r\n".join(delimiter.join(cell(v) for v in row) for row in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode(encoding)


def xlsx_bytes(rows: list[list], title="Blad1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def audit_count(db, **where) -> int:
    query = select(func.count()).select_from(AuditEvent)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return db.session.scalar(query)


@pytest.fixture
def clinic(factory):
    return factory.organisation(OrgType.REGION_CLINIC, name="Psykiatrimottagning Norr")


@pytest.fixture
def rehab(factory, clinic):
    return factory.user("rehabkoordinator", organisation=clinic)


@pytest.fixture
def officer(factory):
    return factory.user("handlaggare", email="handlaggare.fk@test.example")

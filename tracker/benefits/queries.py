"""Reading benefits records: always through the access policy, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from tracker.audit.models import AuditAction
from tracker.audit.services import record_list as audit_list
from tracker.auth.models import Authority, Organisation, OrgType, User
from tracker.benefits.models import (
    Certificate,
    CertificateType,
    FkDecision,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    Level,
    Outcome,
    decision_days_left,
    decision_lead_time_days,
    decision_period_days,
)
from tracker.consent.categories import Action, Category
from tracker.consent.policy import load_facts, party_for, party_may_view, require, visible_individuals
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import Individual


def _get_or_404(model, record_id: int, action: Action, category: Category):
    obj = db.session.get(model, record_id)
    if obj is None:
        abort(404)
    individual = db.session.get(Individual, obj.individual_id)
    require(current_user, action, individual, category)
    return obj


def get_certificate_or_404(record_id: int, action: Action = Action.VIEW) -> Certificate:
    return _get_or_404(Certificate, record_id, action, Category.CERTIFICATES)


def get_decision_or_404(record_id: int, action: Action = Action.VIEW) -> FkDecision:
    return _get_or_404(FkDecision, record_id, action, Category.FK_RECORDS)


def get_follow_up_or_404(record_id: int, action: Action = Action.VIEW) -> FollowUp:
    return _get_or_404(FollowUp, record_id, action, Category.FK_RECORDS)


# ---------------------------------------------------------------- the case page


def case_certificates(individual_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.individual_id == individual_id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


def case_decisions(individual_id: int) -> list[FkDecision]:
    return list(
        db.session.scalars(
            select(FkDecision)
            .where(FkDecision.individual_id == individual_id)
            .order_by(FkDecision.decided_on.desc().nulls_first(), FkDecision.id.desc())
        ).unique()
    )


def case_follow_ups(individual_id: int) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.individual_id == individual_id)
            .order_by(FollowUp.status, FollowUp.due_on, FollowUp.id)
        ).unique()
    )


# ---------------------------------------------------------------- the case page's panel
# Plain rows of the columns the panel shows: no ORM objects with eager officers,
# clinics, certificates and coordinators (full users and organisations) per record.


class CaseCertificate(NamedTuple):
    id: int
    issued_on: date
    clinic_name: str
    doctor: str | None
    certificate_type: CertificateType
    sent_to_fk_on: date | None


class CaseDecision(NamedTuple):
    id: int
    decided_on: date | None
    outcome: Outcome
    level: Level | None
    period_start: date | None
    period_end: date | None
    officer_name: str
    certificate_issued_on: date | None

    @property
    def period_days(self) -> int | None:
        return decision_period_days(self.period_start, self.period_end)

    @property
    def lead_time_days(self) -> int | None:
        return decision_lead_time_days(self.certificate_issued_on, self.decided_on)

    def days_left(self, today: date) -> int | None:
        return decision_days_left(self.outcome, self.period_end, today)


class CaseFollowUp(NamedTuple):
    id: int
    due_on: date
    reason: FollowUpReason
    reason_text: str | None
    owner_name: str
    clinic_name: str
    status: FollowUpStatus
    done_on: date | None
    done_note: str | None


def case_certificate_rows(individual_id: int) -> list[CaseCertificate]:
    rows = db.session.execute(
        select(
            Certificate.id,
            Certificate.issued_on,
            Organisation.name,
            Certificate.doctor,
            Certificate.certificate_type,
            Certificate.sent_to_fk_on,
        )
        .join(Organisation, Organisation.id == Certificate.clinic_id)
        .where(Certificate.individual_id == individual_id)
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    )
    return [CaseCertificate(*row) for row in rows]


# Built once: constructing an alias costs more than running these small statements.
_OFFICER = aliased(User, name="officer")
_OWNER = aliased(User, name="owner")
_COORDINATOR = aliased(User, name="coordinator")


def case_decision_rows(individual_id: int) -> list[CaseDecision]:
    rows = db.session.execute(
        select(
            FkDecision.id,
            FkDecision.decided_on,
            FkDecision.outcome,
            FkDecision.level,
            FkDecision.period_start,
            FkDecision.period_end,
            _OFFICER.full_name,
            Certificate.issued_on,
        )
        .join(_OFFICER, _OFFICER.id == FkDecision.officer_id)
        .outerjoin(Certificate, Certificate.id == FkDecision.certificate_id)
        .where(FkDecision.individual_id == individual_id)
        .order_by(FkDecision.decided_on.desc().nulls_first(), FkDecision.id.desc())
    )
    return [CaseDecision(*row) for row in rows]


def case_follow_up_rows(individual_id: int) -> list[CaseFollowUp]:
    rows = db.session.execute(
        select(
            FollowUp.id,
            FollowUp.due_on,
            FollowUp.reason,
            FollowUp.reason_text,
            _OWNER.full_name,
            Organisation.name,
            FollowUp.status,
            FollowUp.done_on,
            FollowUp.done_note,
        )
        .join(_OWNER, _OWNER.id == FollowUp.owner_id)
        .join(Organisation, Organisation.id == FollowUp.clinic_id)
        .where(FollowUp.individual_id == individual_id)
        .order_by(FollowUp.status, FollowUp.due_on, FollowUp.id)
    )
    return [CaseFollowUp(*row) for row in rows]


# ---------------------------------------------------------------- the FK worklist

WORKLIST_SORTS = {
    "forfallodag": lambda: (FollowUp.due_on, FollowUp.id),
    "namn": lambda: (Individual.last_name, Individual.first_name, FollowUp.due_on, FollowUp.id),
    "orsak": lambda: (FollowUp.reason, FollowUp.due_on, FollowUp.id),
    "mottagning": lambda: (Organisation.name, FollowUp.due_on, FollowUp.id),
}
WORKLIST_SORT_LABELS = {
    "forfallodag": "förfallodag",
    "namn": "namn",
    "orsak": "orsak",
    "mottagning": "mottagning",
}


@dataclass
class Worklist:
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    later: list = field(default_factory=list)
    sort: str = "forfallodag"

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.later)


class WorklistFollowUp(NamedTuple):
    """What the worklist shows of one bevakning (plain columns, no ORM objects)."""

    id: int
    due_on: date
    reason: FollowUpReason
    reason_text: str | None
    clinic_name: str
    coordinator_name: str | None


# What a handläggare must see of a case to have its bevakningar listed (and counted in the digest).
WORKLIST_CATEGORIES = (Category.FK_RECORDS, Category.IDENTITY)


class WorklistPerson(NamedTuple):
    """What the worklist shows of the person a bevakning is about."""

    id: int
    public_id: str
    last_name: str
    first_name: str


def _worklist_statement(user: User, sort: str, *columns):
    return (
        select(*columns)
        .select_from(FollowUp)
        .join(Individual, Individual.id == FollowUp.individual_id)
        .join(Organisation, Organisation.id == FollowUp.clinic_id)
        .where(
            FollowUp.owner_id == user.id,
            FollowUp.status == FollowUpStatus.OPEN,
            visible_individuals(user, WORKLIST_CATEGORIES),
        )
        .order_by(*WORKLIST_SORTS[sort]())
    )


def _grouped(items, sort: str) -> Worklist:
    """Split (follow-up, person) items into overdue, due within N days and later; audit the list."""
    today = today_local()
    soon = today + timedelta(days=current_app.config["WORKLIST_DUE_SOON_DAYS"])
    result = Worklist(sort=sort)
    items = list(items)
    for item in items:
        due_on = item[0].due_on
        if due_on < today:
            result.overdue.append(item)
        elif due_on <= soon:
            result.due_soon.append(item)
        else:
            result.later.append(item)
    audit_list(
        AuditAction.LIST,
        [person.id for _follow_up, person in items],
        object_type="FollowUp",
        details=f"worklist rows={result.total}",
    )
    return result


def worklist(user: User, sort: str = "forfallodag") -> Worklist:
    """The handläggare's open bevakningar: overdue, due within N days, later (one query).

    Items are (WorklistFollowUp, WorklistPerson) pairs holding only the columns
    the worklist shows: the start page of a handläggare lists every open
    bevakning, and full ORM objects with their eager relationships cost more
    than the rest of the page.

    Every group is listed in full, "later" too: the start page *is* the
    handläggare's worklist and shows each group's count next to its rows;
    with plain rows a row costs ~15 µs to load and render, and bounding
    "later" would not bound the overdue rows (89 of fk1's 128 in the
    benchmark data, against 31 later).
    """
    sort = sort if sort in WORKLIST_SORTS else "forfallodag"
    rows = db.session.execute(
        _worklist_statement(
            user,
            sort,
            FollowUp.id,
            FollowUp.due_on,
            FollowUp.reason,
            FollowUp.reason_text,
            Organisation.name,
            _COORDINATOR.full_name,
            Individual.id,
            Individual.public_id,
            Individual.last_name,
            Individual.first_name,
        ).outerjoin(_COORDINATOR, _COORDINATOR.id == FollowUp.coordinator_id)
    )
    return _grouped(
        ((WorklistFollowUp(*row[:6]), WorklistPerson(*row[6:])) for row in rows),
        sort,
    )


def worklist_records(user: User, sort: str = "forfallodag") -> Worklist:
    """The same worklist as (FollowUp, Individual) ORM pairs, for the API's full records."""
    sort = sort if sort in WORKLIST_SORTS else "forfallodag"
    rows = db.session.execute(_worklist_statement(user, sort, FollowUp, Individual)).unique()
    return _grouped(((follow_up, individual) for follow_up, individual in rows), sort)


# ---------------------------------------------------------------- certificates for FK


def user_clinics(user: User) -> list[Organisation]:
    """The clinics a rehabkoordinator reports for: their own unit and units under it."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                or_(Organisation.id == user.organisation_id, Organisation.parent_id == user.organisation_id),
                Organisation.org_type.in_([OrgType.REGION_CLINIC, OrgType.REGION_OTHER]),
            )
            .order_by(Organisation.name)
        )
    )


@dataclass
class CertificateRow:
    certificate: Certificate
    individual: Individual | None  # None: FK may not see who it is; counted only


@dataclass
class CertificateList:
    since: date
    clinics: list[Organisation]
    named: list[CertificateRow]
    unnamed_count: int
    unnamed_by_clinic: dict[str, int]


# What FK must be allowed to see of a case for its certificate to be listed by name: who the
# person is as well as the certificate (as on the pulsmöte agenda). Consent need not cover
# identity, and a spärr may hit identity alone.
FK_NAMED_CATEGORIES = (Category.IDENTITY, Category.CERTIFICATES)


def certificates_for_fk(user: User, since: date, clinic_ids: list[int]) -> CertificateList:
    """Certificates issued since a date at the given clinics, named only where FK may see them."""
    clinics = [c for c in user_clinics(user) if c.id in clinic_ids]
    ids = [c.id for c in clinics]
    rows = db.session.execute(
        select(Certificate, Individual)
        .join(Individual, Individual.id == Certificate.individual_id)
        .where(
            Certificate.clinic_id.in_(ids),
            Certificate.issued_on >= since,
            visible_individuals(user, (Category.CERTIFICATES, Category.IDENTITY)),
        )
        .order_by(Certificate.issued_on, Individual.last_name, Individual.first_name, Certificate.id)
    ).all()
    facts = load_facts(user, sorted({individual.id for _, individual in rows}))
    fk = party_for(Authority.FK)
    named: list[CertificateRow] = []
    unnamed_by_clinic: dict[str, int] = {}
    for certificate, individual in rows:
        if all(party_may_view(fk, individual, c, facts[individual.id]) for c in FK_NAMED_CATEGORIES):
            named.append(CertificateRow(certificate, individual))
        else:
            key = certificate.clinic.name
            unnamed_by_clinic[key] = unnamed_by_clinic.get(key, 0) + 1
    return CertificateList(
        since=since,
        clinics=clinics,
        named=named,
        unnamed_count=sum(unnamed_by_clinic.values()),
        unnamed_by_clinic=unnamed_by_clinic,
    )

"""The facts the access policy decides on, loaded once per request.

`load_facts()` reads, for many individuals at once and in a fixed number of
queries, everything `policy.may()` needs: consents with their categories and
parties, spärrar, case contacts and the user's emergency accesses. Within one
request they are remembered per (user, individual) and forgotten on any
change to the tables they come from.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from flask import has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from tracker.auth.models import User
from tracker.consent.models import Block, Consent, ConsentCategory, ConsentParty, EmergencyAccess
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.people.models import CaseContact


@dataclass
class CaseFacts:
    """What the policy needs to know about one individual's case."""

    consents: list[Consent] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    contact_org_ids: set[int] = field(default_factory=set)
    emergency_until: datetime | None = None


def load_facts(user: User, individual_ids: list[int]) -> dict[int, CaseFacts]:
    """Everything `may()` needs for many individuals, in a fixed number of queries.

    Within one request the facts are remembered per (user, individual): a case
    page asks for them in its loader, its view and its panels. Any change to
    the tables they come from forgets them (see `_forget_facts`).
    """
    facts: dict[int, CaseFacts] = defaultdict(CaseFacts)
    if not individual_ids:
        return facts
    if db.session.autoflush:
        # As a query would: a pending spärr, consent or contact counts (and,
        # being a change to the facts, its flush forgets the memo first).
        db.session.flush()
    memo = _request_memo()
    missing = [i for i in dict.fromkeys(individual_ids) if (user.id, i) not in memo]
    loaded = _query_facts(user, missing) if missing else {}
    for individual_id in missing:
        memo[(user.id, individual_id)] = loaded[individual_id]
    for individual_id in individual_ids:
        known = memo.get((user.id, individual_id))
        facts[individual_id] = known if known is not None else loaded[individual_id]
    return facts


def _query_facts(user: User, individual_ids: list[int]) -> dict[int, CaseFacts]:
    facts: dict[int, CaseFacts] = defaultdict(CaseFacts)
    consents = db.session.scalars(
        select(Consent).where(Consent.individual_id.in_(individual_ids), Consent.superseded_at.is_(None))
    ).all()
    for consent in consents:
        facts[consent.individual_id].consents.append(consent)
    blocks = db.session.scalars(select(Block).where(Block.individual_id.in_(individual_ids)))
    for block in blocks:
        facts[block.individual_id].blocks.append(block)
    contacts = db.session.execute(
        select(CaseContact.individual_id, CaseContact.organisation_id).where(
            CaseContact.individual_id.in_(individual_ids)
        )
    )
    for individual_id, organisation_id in contacts:
        facts[individual_id].contact_org_ids.add(organisation_id)
    emergencies = db.session.execute(
        select(EmergencyAccess.individual_id, EmergencyAccess.expires_at).where(
            EmergencyAccess.user_id == user.id,
            EmergencyAccess.individual_id.in_(individual_ids),
            EmergencyAccess.expires_at > now_utc(),
        )
    )
    for individual_id, expires_at in emergencies:
        facts[individual_id].emergency_until = expires_at
    return facts


_MEMO_KEY = "_puls_case_facts"
_FACT_MODELS = (Consent, ConsentCategory, ConsentParty, Block, CaseContact, EmergencyAccess)


def _request_memo() -> dict:
    """The request's remembered facts; outside a request a fresh dict (nothing remembered).

    Kept on the request object, not on `g`: `g` belongs to the app context,
    which tests (and CLI code) share across many requests.
    """
    if not has_request_context():
        return {}
    memo = getattr(request, _MEMO_KEY, None)
    if memo is None:
        memo = {}
        setattr(request, _MEMO_KEY, memo)
    return memo


def _forget_facts() -> None:
    if has_request_context() and getattr(request, _MEMO_KEY, None):
        getattr(request, _MEMO_KEY).clear()


@event.listens_for(Session, "after_flush")
def _forget_facts_on_flush(session: Session, _context) -> None:
    if any(isinstance(obj, _FACT_MODELS) for obj in chain(session.new, session.dirty, session.deleted)):
        _forget_facts()


@event.listens_for(Session, "after_soft_rollback")
def _forget_facts_on_rollback(_session: Session, _transaction) -> None:
    _forget_facts()


@event.listens_for(Session, "do_orm_execute")
def _forget_facts_on_statement(state: ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE/INSERT and raw SQL bypass the flush; the audit log's
    # own insert and plain reads are the only statements that keep the memo.
    if state.is_select or _is_audit_insert(state.statement):
        return
    text = getattr(state.statement, "text", None)
    if text is not None and text.lstrip()[:6].upper() == "SELECT":
        return
    _forget_facts()


def _is_audit_insert(statement) -> bool:
    table = getattr(statement, "table", None)
    return getattr(statement, "is_insert", False) and getattr(table, "name", None) == "audit_events"

"""THE access policy: may this user do this to this part of this case, now?

Every view, API endpoint, export, agenda, feed and report asks this module;
nothing re-implements the rules inline. Two forms of the same rules live
here side by side and are tested against each other:

* `may()` decides for one individual (with facts from `consent/facts.py`, loaded in fixed queries),
* `visible_individuals()` is the SQL form used to filter and page lists.

The rules, in order:
1. An inactive account may do nothing.
2. An active emergency access (nödöppning) lets its user read everything.
3. `ledning` sees aggregates only, `admin` personal data only via 2.
4. The responsible unit (the clinic/team, or the assigned coordinator) has
   the case in full; a spärr does not bind the unit that holds the data.
5. The assigned FK handläggare reads and writes FK's own records and knows
   who the person is (identity), consent or not.
6. Anyone else must be connected to the case (the assigned handläggare, or
   an organisation named among the case's contacts) AND hold an active
   consent that covers their organisation (or its parent, or its whole
   authority) and the category, AND not be hit by an active spärr. Such
   parties read; they do not write the healthcare side.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask import abort
from sqlalchemy import and_, bindparam, exists, false, or_, select, union_all

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Authority, Organisation, OrgType, Role, User
from tracker.consent.categories import HEALTHCARE_CATEGORIES, Action, Category
from tracker.consent.facts import CaseFacts, load_facts
from tracker.consent.models import (
    Block,
    Consent,
    ConsentCategory,
    ConsentParty,
    EmergencyAccess,
)
from tracker.core.timeutil import now_utc, today_local
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.people.models import CaseContact, Individual

FK_OWN_CATEGORIES = frozenset({Category.FK_RECORDS, Category.IDENTITY})
# Rule 3: roles that never see an individual case in their own right (only through rule 2).
AGGREGATE_ONLY_ROLES = frozenset({Role.LEDNING, Role.ADMIN})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


# ---------------------------------------------------------------- helpers


def _user_org_ids(user: User) -> set[int]:
    """The user's organisation and its parent (an FK office under FK)."""
    ids = {user.organisation_id}
    if user.organisation.parent_id:
        ids.add(user.organisation.parent_id)
    return ids


def consent_is_active(consent: Consent, on: date) -> bool:
    return (
        consent.superseded_at is None
        and consent.given_on <= on
        and (consent.valid_until is None or consent.valid_until >= on)
        and (consent.withdrawn_on is None or consent.withdrawn_on > on)
    )


def consent_covers_user(consent: Consent, user: User) -> bool:
    org_ids = _user_org_ids(user)
    return any(
        (party.organisation_id in org_ids) or (party.authority == user.authority) for party in consent.parties
    )


def block_is_active(block: Block, on: date) -> bool:
    return (
        block.starts_on <= on
        and (block.ends_on is None or block.ends_on >= on)
        and (block.lifted_on is None or block.lifted_on > on)
    )


def _block_hits(block: Block, user: User, category: Category) -> bool:
    return (block.category is None or block.category == category) and (
        block.organisation_id is None or block.organisation_id in _user_org_ids(user)
    )


def is_responsible_unit(user: User, individual: Individual) -> bool:
    return user.organisation_id == individual.clinic_id or user.id == individual.coordinator_id


def is_assigned_fk_officer(user: User, individual: Individual) -> bool:
    return user.role == Role.HANDLAGGARE and individual.fk_officer_id == user.id


# ---------------------------------------------------------------- decisions


def may(
    user: User,
    action: Action,
    individual: Individual,
    category: Category,
    on: date | None = None,
    facts: CaseFacts | None = None,
) -> Decision:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Decision(False, "inactive")
    on = on or today_local()
    if facts is None:
        facts = load_facts(user, [individual.id])[individual.id]

    if facts.emergency_until and facts.emergency_until > now_utc() and action == Action.VIEW:
        return Decision(True, "emergency_access")
    if user.role == Role.LEDNING:
        return Decision(False, "aggregates_only")
    if user.role == Role.ADMIN:
        return Decision(False, "admin_needs_emergency_access")
    if is_responsible_unit(user, individual):
        return Decision(True, "responsible_unit")

    assigned_fk = is_assigned_fk_officer(user, individual)
    if assigned_fk and category in FK_OWN_CATEGORIES:
        return Decision(True, "assigned_fk_officer")
    if not (assigned_fk or user.organisation_id in facts.contact_org_ids):
        return Decision(False, "not_connected")
    if any(block_is_active(b, on) and _block_hits(b, user, category) for b in facts.blocks):
        return Decision(False, "blocked")
    if action != Action.VIEW:
        return Decision(False, "read_only_party")
    if any(
        consent_is_active(c, on) and category in c.category_set and consent_covers_user(c, user)
        for c in facts.consents
    ):
        return Decision(True, "consent")
    return Decision(False, "no_consent")


def visible_individuals(
    user: User,
    category: Category | tuple[Category, ...] = Category.IDENTITY,
    on: date | None = None,
):
    """The SQL form of `may(user, VIEW, individual, category)` for lists.

    A tuple of categories means "may view every one of them": one clause that
    shares the branches not depending on the category (cheaper to build and
    to plan than one clause per category).
    """
    # Sorted: (A, B) and (B, A) are the same clause, remembered once.
    categories = tuple(sorted(set(category if isinstance(category, tuple) else (category,))))
    if user is None or not user.is_active:
        return false()
    return _visibility_clause(
        _Viewer(
            user.id,
            user.role,
            user.organisation_id,
            user.authority,
            frozenset(_user_org_ids(user)),
        ),
        categories,
        on or today_local(),
        db.session.get_bind().dialect.name,
    )


@dataclass(frozen=True)
class _Viewer:
    """Every fact about the user that `visible_individuals` depends on."""

    id: int
    role: Role
    organisation_id: int
    authority: Authority
    org_ids: frozenset[int]


# Building the clause (~60 SQL elements) took ~1 ms of every list page, and
# cloning a template with `.params()` costs as much. The clause is a pure
# function of the arguments below, so it is memoised: a user's lists reuse it
# all day. The one input that is not an argument, the time that emergency
# accesses must outlast, is a bound parameter evaluated at execution
# (`callable_`), so a memoised clause never holds a stale moment. Clause
# elements are immutable; sharing one across statements and threads is safe.
@lru_cache(maxsize=512)
def _visibility_clause(viewer: _Viewer, categories: tuple[Category, ...], on: date, dialect: str):
    now = bindparam("policy_now", callable_=now_utc, type_=UTCDateTime())
    emergency_ids = select(EmergencyAccess.individual_id).where(
        EmergencyAccess.user_id == viewer.id, EmergencyAccess.expires_at > now
    )
    emergency = Individual.id.in_(emergency_ids)
    if viewer.role in AGGREGATE_ONLY_ROLES:
        return emergency
    org_ids = sorted(viewer.org_ids)
    responsible = or_(Individual.clinic_id == viewer.organisation_id, Individual.coordinator_id == viewer.id)
    is_handlaggare = viewer.role == Role.HANDLAGGARE
    assigned = Individual.fk_officer_id == viewer.id if is_handlaggare else false()
    connected = or_(
        assigned,
        exists().where(
            CaseContact.individual_id == Individual.id,
            CaseContact.organisation_id == viewer.organisation_id,
        ),
    )

    def as_party(category: Category):
        """Reached as the assigned handläggare (FK's own categories) or as a consented party."""
        fk_own = assigned if category in FK_OWN_CATEGORIES else false()
        blocked = exists().where(
            Block.individual_id == Individual.id,
            Block.starts_on <= on,
            or_(Block.ends_on.is_(None), Block.ends_on >= on),
            or_(Block.lifted_on.is_(None), Block.lifted_on > on),
            or_(Block.category.is_(None), Block.category == category),
            or_(Block.organisation_id.is_(None), Block.organisation_id.in_(org_ids)),
        )
        consented = exists().where(
            Consent.individual_id == Individual.id,
            Consent.superseded_at.is_(None),
            Consent.given_on <= on,
            or_(Consent.valid_until.is_(None), Consent.valid_until >= on),
            or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > on),
            exists().where(ConsentCategory.consent_id == Consent.id, ConsentCategory.category == category),
            exists().where(
                ConsentParty.consent_id == Consent.id,
                or_(
                    ConsentParty.organisation_id.in_(org_ids),
                    ConsentParty.authority == viewer.authority,
                ),
            ),
        )
        return or_(fk_own, and_(connected, ~blocked, consented))

    # (E or R or X1) and (E or R or X2) == E or R or (X1 and X2)
    policy = or_(emergency, responsible, and_(*(as_party(c) for c in categories)))
    if viewer.role == Role.REHABKOORDINATOR and dialect == "postgresql":
        # The responsible unit sees much of the register (~2,200 of 10,000 in
        # the benchmark): PostgreSQL scans it faster than it joins thousands of
        # links (list page + count 3.4 against 9.8 ms); SQLite is the other way
        # round (2.4 against 3.2-6.3 ms, by sort order). Same rows either way.
        return policy
    # Everyone else reaches a case only through one of these indexed links, so
    # the database starts from them instead of testing the consent clauses on
    # every individual (PostgreSQL would otherwise hash every valid consent of
    # the user's authority on each request).
    linked = union_all(
        select(Individual.id).where(Individual.clinic_id == viewer.organisation_id),
        select(Individual.id).where(Individual.coordinator_id == viewer.id),
        *([select(Individual.id).where(Individual.fk_officer_id == viewer.id)] if is_handlaggare else []),
        select(CaseContact.individual_id).where(CaseContact.organisation_id == viewer.organisation_id),
        emergency_ids,
    )
    return and_(Individual.id.in_(linked), policy)


def visible_categories(user: User, individual: Individual, facts: CaseFacts | None = None):
    """The categories of this case the user may view today."""
    if facts is None:
        facts = load_facts(user, [individual.id])[individual.id]
    return {c for c in Category if may(user, Action.VIEW, individual, c, facts=facts)}


# ---------------------------------------------------------------- parties


@dataclass(frozen=True)
class Party:
    """An outside party (a whole authority or one organisation) named in consents and spärrar.

    `organisation_ids` are the organisations whose spärr hits the party; for a
    whole authority that is every organisation of that authority.
    """

    authority: Authority
    organisation_ids: frozenset[int]
    organisation_id: int | None = None


def party_for(authority_or_org: "Authority | Organisation | Party") -> Party:
    """Resolve an authority or organisation to a Party (one query for an authority)."""
    if isinstance(authority_or_org, Party):
        return authority_or_org
    if isinstance(authority_or_org, Organisation):
        org = authority_or_org
        ids = {org.id} | ({org.parent_id} if org.parent_id else set())
        return Party(authority=org.authority, organisation_ids=frozenset(ids), organisation_id=org.id)
    authority = Authority(authority_or_org)
    org_types = [t for t in OrgType if t.authority == authority]
    ids = db.session.scalars(select(Organisation.id).where(Organisation.org_type.in_(org_types))).all()
    return Party(authority=authority, organisation_ids=frozenset(ids))


def _consent_covers_party(consent: Consent, party: Party) -> bool:
    if party.organisation_id is None:
        # A whole authority is covered only by a consent naming that authority.
        return any(p.authority == party.authority for p in consent.parties)
    return any(
        p.organisation_id in party.organisation_ids or p.authority == party.authority for p in consent.parties
    )


def party_may_view(
    authority_or_org: "Authority | Organisation | Party",
    individual: Individual,
    category: Category,
    facts: CaseFacts,
    on: date | None = None,
) -> Decision:
    """May this outside party (e.g. FK at a pulsmöte) see this part of the case?

    The responsible unit (an organisation that is the case's clinic) sees its
    own case; anyone else only with an active consent naming the party (the
    organisation, its parent, or its whole authority) and covering the
    category, and no active spärr hitting the party (a spärr does not bind
    the unit that holds the data). `facts` come from `load_facts()`
    (batched); pass a `Party` from `party_for()` in loops.
    """
    party = party_for(authority_or_org)
    if party.organisation_id is not None and party.organisation_id == individual.clinic_id:
        return Decision(True, "responsible_unit")
    on = on or today_local()
    for block in facts.blocks:
        if (
            block_is_active(block, on)
            and (block.category is None or block.category == category)
            and (block.organisation_id is None or block.organisation_id in party.organisation_ids)
        ):
            return Decision(False, "blocked")
    if any(
        consent_is_active(c, on) and category in c.category_set and _consent_covers_party(c, party)
        for c in facts.consents
    ):
        return Decision(True, "consent")
    return Decision(False, "no_consent")


# ---------------------------------------------------------------- enforcement


def deny(reason: str, *, individual_id: int | None = None, details: str | None = None):
    """Refuse the request: undo its changes, audit the denial, answer 403."""
    db.session.rollback()
    audit_record(
        AuditAction.DENIED,
        individual_id=individual_id,
        details=f"{reason}; {details}" if details else reason,
    )
    db.session.commit()
    abort(403)


def require(user: User, action: Action, individual: Individual, category: Category) -> None:
    decision = may(user, action, individual, category)
    if not decision:
        deny(decision.reason, individual_id=individual.id, details=f"{action}:{category}")


def require_role(user: User, *roles: Role) -> None:
    if not user.is_authenticated or user.role not in roles:
        deny("role", details=f"requires {','.join(r.value for r in roles)}")


__all__ = [
    "AGGREGATE_ONLY_ROLES",
    "Action",
    "CaseFacts",
    "Category",
    "HEALTHCARE_CATEGORIES",
    "Decision",
    "deny",
    "load_facts",
    "may",
    "Party",
    "party_for",
    "party_may_view",
    "require",
    "require_role",
    "visible_individuals",
]

"""May an *organisation* see a category of an individual's case on a day?

The policy's `may()` answers per user; an agenda must know whether every
invited organisation may see a case. This helper is built only from the
policy's building blocks (`load_facts`, `consent_is_active`,
`block_is_active`) so the rules stay in consent/policy.py.
TODO(integrator): unify with `party_may_view()` being added to policy.py.
"""

from datetime import date

from tracker.auth.models import Organisation
from tracker.consent.categories import Category
from tracker.consent.policy import CaseFacts, block_is_active, consent_is_active
from tracker.people.models import Individual


def _org_ids(organisation: Organisation) -> set[int]:
    ids = {organisation.id}
    if organisation.parent_id:
        ids.add(organisation.parent_id)
    return ids


def consent_covers_organisation(consent, organisation: Organisation) -> bool:
    org_ids = _org_ids(organisation)
    return any(
        (party.organisation_id in org_ids) or (party.authority == organisation.authority)
        for party in consent.parties
    )


def organisation_may_view(
    organisation: Organisation, individual: Individual, category: Category, facts: CaseFacts, on: date
) -> bool:
    """The responsible unit sees its case; anyone else needs an active consent
    covering the organisation and the category, and no active spärr."""
    if organisation.id == individual.clinic_id:
        return True
    org_ids = _org_ids(organisation)
    for block in facts.blocks:
        if (
            block_is_active(block, on)
            and (block.category is None or block.category == category)
            and (block.organisation_id is None or block.organisation_id in org_ids)
        ):
            return False
    return any(
        consent_is_active(consent, on)
        and category in consent.category_set
        and consent_covers_organisation(consent, organisation)
        for consent in facts.consents
    )

"""party_may_view(): may an outside party (FK at a pulsmöte) see this part of a case?"""

from datetime import date

from tracker.auth.models import Authority
from tracker.consent.categories import Category
from tracker.consent.policy import load_facts, party_for, party_may_view


def _fk_may(case, individual, category=Category.CERTIFICATES):
    facts = load_facts(case.rehab, [individual.id])[individual.id]
    return party_may_view(Authority.FK, individual, category, facts)


def test_fk_may_view_with_a_consent_naming_fk_and_the_category(app, case, factory):
    factory.consent(case.individual, parties=(Authority.FK,), categories=(Category.CERTIFICATES,))
    assert _fk_may(case, case.individual)


def test_fk_may_not_view_without_any_consent(app, case):
    decision = _fk_may(case, case.individual)
    assert not decision and decision.reason == "no_consent"


def test_fk_may_not_view_a_category_the_consent_leaves_out(app, case, factory):
    factory.consent(case.individual, parties=(Authority.FK,), categories=(Category.PLAN,))
    assert not _fk_may(case, case.individual)


def test_a_consent_naming_only_the_kommun_does_not_cover_fk(app, case, factory):
    kommun = factory.organisation("kommun")
    factory.consent(case.individual, parties=(kommun, Authority.AF))
    assert not _fk_may(case, case.individual)


def test_expired_or_withdrawn_consents_do_not_count(app, case, factory):
    factory.consent(case.individual, valid_until=date(2026, 3, 15))
    other = factory.individual(clinic=case.clinic)
    factory.consent(other, withdrawn_on=date(2026, 3, 16))
    assert not _fk_may(case, case.individual)
    assert not _fk_may(case, other)


def test_a_sparr_on_the_category_wins_over_the_consent(app, case, factory):
    factory.consent(case.individual)
    factory.block(case.individual, category=Category.CERTIFICATES)
    decision = _fk_may(case, case.individual)
    assert not decision and decision.reason == "blocked"
    assert _fk_may(case, case.individual, Category.FK_RECORDS)


def test_a_sparr_against_one_fk_office_hits_fk_as_a_whole(app, case, factory):
    factory.consent(case.individual)
    factory.block(case.individual, organisation=case.fk_office)
    assert not _fk_may(case, case.individual)


def test_a_sparr_against_the_kommun_does_not_hit_fk(app, case, factory):
    factory.consent(case.individual)
    factory.block(case.individual, organisation=factory.organisation("kommun"))
    assert _fk_may(case, case.individual)


def test_an_organisation_party_is_covered_by_its_own_name_or_its_authority(app, case, factory):
    factory.consent(case.individual, parties=(case.fk_office,))
    facts = load_facts(case.rehab, [case.individual.id])[case.individual.id]
    assert party_may_view(case.fk_office, case.individual, Category.CERTIFICATES, facts)
    # ... but naming one office does not name the whole authority.
    assert not party_may_view(Authority.FK, case.individual, Category.CERTIFICATES, facts)


def test_party_checks_for_many_people_use_a_fixed_number_of_queries(app, case, factory, count_queries):
    people = []
    for index in range(30):
        person = factory.individual(clinic=case.clinic)
        factory.consent(person)
        if index % 3 == 0:
            factory.block(person, category=Category.CERTIFICATES)
        people.append(person)

    def check(group):
        facts = load_facts(case.rehab, [p.id for p in group])
        party = party_for(Authority.FK)
        return [bool(party_may_view(party, p, Category.CERTIFICATES, facts[p.id])) for p in group]

    check(people[:1])
    with count_queries() as few:
        small = check(people[:3])
    with count_queries() as many:
        large = check(people)
    assert small == [False, True, True]
    assert large.count(True) == 20
    assert few.count == many.count


def test_the_responsible_clinic_as_a_party_sees_its_own_case_without_consent(app, case, factory):
    facts = load_facts(case.rehab, [case.individual.id])[case.individual.id]
    decision = party_may_view(case.clinic, case.individual, Category.MEETING_NOTES, facts)
    assert decision and decision.reason == "responsible_unit"
    # A spärr does not bind the unit that holds the data.
    factory.block(case.individual, organisation=case.clinic)
    facts = load_facts(case.rehab, [case.individual.id])[case.individual.id]
    assert party_may_view(case.clinic, case.individual, Category.MEETING_NOTES, facts)
    # Another clinic is an outside party.
    other_clinic = factory.organisation("region_clinic")
    assert not party_may_view(other_clinic, case.individual, Category.MEETING_NOTES, facts)


def test_a_consent_naming_the_parent_organisation_covers_its_office(app, case, factory):
    factory.consent(case.individual, parties=(case.fk_office.parent,))
    facts = load_facts(case.rehab, [case.individual.id])[case.individual.id]
    assert party_may_view(case.fk_office, case.individual, Category.CERTIFICATES, facts)

"""Small factories for test rows. They flush; tests commit when a request must see them."""

import itertools
from datetime import date, timedelta

from tracker.auth.models import Authority, Organisation, OrgType, Role, User
from tracker.auth.passwords import hash_password
from tracker.consent.categories import Category
from tracker.consent.models import (
    Block,
    Consent,
    ConsentCategory,
    ConsentForm,
    ConsentParty,
    ConsentPurpose,
    Purpose,
)
from tracker.demo import fictional_personnummer
from tracker.people.models import CaseContact, Gender, Individual

_seq = itertools.count(1)
# Factory admins have two-factor (required for admins); their app shows codes for this secret.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DEFAULT_ORG_TYPE = {
    Role.ADMIN: OrgType.REGION_OTHER,
    Role.REHABKOORDINATOR: OrgType.REGION_CLINIC,
    Role.HANDLAGGARE: OrgType.FK,
    Role.SAMORDNARE: OrgType.PROJECT,
    Role.LEDNING: OrgType.FORBUND,
}


class Factory:
    def __init__(self, db):
        self.db = db
        self._pnr_used: set[str] = set()
        self._hash = None

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def organisation(self, org_type=OrgType.REGION_CLINIC, name=None, **kwargs) -> Organisation:
        n = next(_seq)
        return self._add(Organisation(name=name or f"Org {n}", org_type=OrgType(org_type), **kwargs))

    def user(self, role="rehabkoordinator", organisation=None, password=None, totp=None, **kwargs) -> User:
        """A user; `totp` (default: only for admins) enrols two-factor with TEST_TOTP_SECRET."""
        from tests.conftest import PASSWORD
        from tracker.auth.totp import encrypt_secret

        role = Role(role)
        if organisation is None:
            organisation = self.organisation(DEFAULT_ORG_TYPE[role])
        n = next(_seq)
        if password is None:
            self._hash = self._hash or hash_password(PASSWORD)
            password_hash = self._hash
        else:
            password_hash = hash_password(password)
        kwargs.setdefault("email", f"user{n}@test.example")
        kwargs.setdefault("full_name", f"Testanvändare {n}")
        if totp if totp is not None else role == Role.ADMIN:
            kwargs.setdefault("totp_secret_enc", encrypt_secret(TEST_TOTP_SECRET))
        return self._add(User(role=role, organisation=organisation, password_hash=password_hash, **kwargs))

    def individual(self, clinic=None, born=date(2000, 5, 17), gender=Gender.KVINNA, **kwargs) -> Individual:
        if clinic is None:
            clinic = self.organisation(OrgType.REGION_CLINIC)
        import random

        pnr = kwargs.pop("personnummer", None) or fictional_personnummer(
            random.Random(next(_seq)), self._pnr_used, born, gender
        )
        n = next(_seq)
        kwargs.setdefault("first_name", f"Förnamn{n}")
        kwargs.setdefault("last_name", f"Efternamn{n}")
        kwargs.setdefault("home_municipality", "Uppsala")
        individual = Individual(personnummer=pnr, gender=gender, clinic=clinic, **kwargs)
        individual.refresh_search_name()
        return self._add(individual)

    def contact(self, individual, organisation) -> CaseContact:
        return self._add(CaseContact(individual=individual, organisation=organisation))

    def consent(
        self,
        individual,
        parties=(Authority.FK,),
        categories=tuple(Category),
        given_on=date(2026, 1, 1),
        valid_until=None,
        purposes=(Purpose.REHAB_EXCHANGE,),
        **kwargs,
    ) -> Consent:
        consent = Consent(
            individual=individual,
            form=ConsentForm.WRITTEN,
            given_on=given_on,
            valid_until=valid_until,
            **kwargs,
        )
        for party in parties:
            if isinstance(party, Organisation):
                consent.parties.append(ConsentParty(organisation=party))
            else:
                consent.parties.append(ConsentParty(authority=Authority(party)))
        consent.categories = [ConsentCategory(category=Category(c)) for c in categories]
        consent.purposes = [ConsentPurpose(purpose=p) for p in purposes]
        return self._add(consent)

    def block(
        self, individual, category=None, organisation=None, starts_on=date(2026, 1, 1), **kwargs
    ) -> Block:
        return self._add(
            Block(
                individual=individual,
                category=category,
                organisation=organisation,
                starts_on=starts_on,
                **kwargs,
            )
        )


def days(n: int) -> timedelta:
    return timedelta(days=n)


def totp_code(secret: str = TEST_TOTP_SECRET, offset_steps: int = 0) -> str:
    import time

    import pyotp

    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def login_client(client, user, password=None, db=None):
    """Log in through the real form, answering the code step when the user has two-factor."""
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": password or PASSWORD})
    if response.status_code == 302 and response.location.endswith("/login/kod"):
        if db is not None:  # a test may log the same user in twice within one time-step
            user.totp_last_step = None
            db.session.commit()
        response = client.post("/login/kod", data={"code": totp_code()})
    return response

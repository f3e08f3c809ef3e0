"""The data categories the policy, consents and spärrar speak about."""

from enum import StrEnum


class Category(StrEnum):
    IDENTITY = "identity"
    CERTIFICATES = "certificates"
    FK_RECORDS = "fk_records"
    PLAN = "plan"
    MEETING_NOTES = "meeting_notes"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.IDENTITY: "Identitet och kontaktuppgifter",
    Category.CERTIFICATES: "Läkarutlåtanden",
    Category.FK_RECORDS: "FK-beslut och bevakningar",
    Category.PLAN: "Vårdplan och insatser",
    Category.MEETING_NOTES: "Mötesanteckningar",
}

# Healthcare categories: FK, kommun and AF need a consent to read them.
HEALTHCARE_CATEGORIES = frozenset({Category.CERTIFICATES, Category.PLAN, Category.MEETING_NOTES})


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"

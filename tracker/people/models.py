"""The individual (the person a case is about)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import AuthoredMixin, VersionedMixin, new_public_id
from tracker.core.personnummer import display
from tracker.core.types import UTCDateTime, enum_column
from tracker.extensions import db


class Gender(StrEnum):
    KVINNA = "kvinna"
    MAN = "man"
    ANNAT = "annat"
    OKANT = "okant"

    @property
    def label(self) -> str:
        return GENDER_LABELS[self]


GENDER_LABELS = {
    Gender.KVINNA: "Kvinna",
    Gender.MAN: "Man",
    Gender.ANNAT: "Annat",
    Gender.OKANT: "Okänt",
}


class Individual(AuthoredMixin, VersionedMixin, db.Model):
    __tablename__ = "individuals"
    __table_args__ = (Index("ix_individuals_names", "last_name", "first_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What URLs carry: random, so ids reveal nothing and cannot be enumerated.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    # 12 digits, normalised; never put in a URL, log line or export aggregate.
    personnummer: Mapped[str] = mapped_column(String(12), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    # casefold()ed "first last": the same case-insensitive search on SQLite
    # (whose lower() knows only ASCII) and PostgreSQL.
    search_name: Mapped[str] = mapped_column(String(201), default="")
    home_municipality: Mapped[str] = mapped_column(String(100), index=True)
    # The responsible unit: a Region clinic (AE project) or a project team.
    clinic_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    fk_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The case is closed ("avslutat ärende"): the retention period runs from here.
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    # Set when the retention period has passed and identity data was removed.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clinic = relationship("Organisation", foreign_keys=[clinic_id], lazy="joined")
    coordinator = relationship("User", foreign_keys=[coordinator_id])
    fk_officer = relationship("User", foreign_keys=[fk_officer_id])
    contacts: Mapped[list["CaseContact"]] = relationship(
        back_populates="individual", cascade="all, delete-orphan"
    )
    consents = relationship("Consent", back_populates="individual")
    blocks = relationship("Block", back_populates="individual")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def personnummer_display(self) -> str:
        return display(self.personnummer)

    def refresh_search_name(self) -> None:
        self.search_name = f"{self.first_name} {self.last_name}".casefold()

    def __str__(self) -> str:
        return self.full_name


class CaseContact(AuthoredMixin, db.Model):
    """An organisation involved in the case (socialtjänst, AF office, ...).

    Being named here connects an organisation to the case; what its users may
    then read still depends on consent (see consent/policy.py).
    """

    __tablename__ = "case_contacts"
    __table_args__ = (UniqueConstraint("individual_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contact_person: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))

    individual: Mapped[Individual] = relationship(back_populates="contacts")
    organisation = relationship("Organisation", lazy="joined")

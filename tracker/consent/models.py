"""Consents, their parties/categories/purposes, spärrar and emergency access.

A consent's content is never edited: a correction creates a new version
(`supersedes_id`) and the old one is marked superseded. Withdrawal and
supersession are one-time transitions recorded on the row.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Authority
from tracker.consent.categories import Category
from tracker.core.models import AuthoredMixin
from tracker.core.types import UTCDateTime, enum_column
from tracker.extensions import db


class Purpose(StrEnum):
    REHAB_EXCHANGE = "rehab_exchange"
    SIP = "sip"
    PULSMOTE_REVIEW = "pulsmote_review"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PURPOSE_LABELS[self]


PURPOSE_LABELS = {
    Purpose.REHAB_EXCHANGE: "Informationsutbyte för rehabilitering",
    Purpose.SIP: "Samordnad individuell plan (SIP)",
    Purpose.PULSMOTE_REVIEW: "Ärendegenomgång på pulsmöten",
    Purpose.OTHER: "Annat",
}


class ConsentForm(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"
    DIGITAL = "digital"

    @property
    def label(self) -> str:
        return {"written": "Skriftligt", "oral": "Muntligt", "digital": "Digitalt"}[self.value]


class Consent(AuthoredMixin, db.Model):
    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= given_on", name="valid_after_given"),
        Index("ix_consents_individual_given", "individual_id", "given_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"))
    form: Mapped[ConsentForm] = mapped_column(enum_column(ConsentForm))
    given_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    purpose_other: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)

    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(1000))

    individual = relationship("Individual", back_populates="consents")
    parties: Mapped[list["ConsentParty"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    categories: Mapped[list["ConsentCategory"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    purposes: Mapped[list["ConsentPurpose"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    created_by = relationship("User", foreign_keys="Consent.created_by_id")
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])
    supersedes = relationship("Consent", remote_side=[id])
    document: Mapped["ConsentDocument | None"] = relationship(
        back_populates="consent", cascade="all, delete-orphan", uselist=False
    )

    @property
    def category_set(self) -> set[Category]:
        return {row.category for row in self.categories}

    @property
    def purpose_set(self) -> set[Purpose]:
        return {row.purpose for row in self.purposes}


class ConsentDocument(db.Model):
    """The scanned, signed form. Kept in the database (not on a web server's
    disk) so every app instance serves it, backups include it, and it is
    reachable only through a view that asks the policy."""

    __tablename__ = "consent_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    consent: Mapped[Consent] = relationship(back_populates="document")


class ConsentParty(db.Model):
    """One party a consent covers: a named organisation or a whole authority."""

    __tablename__ = "consent_parties"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (authority IS NULL)", name="org_or_authority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    authority: Mapped[Authority | None] = mapped_column(enum_column(Authority))

    organisation = relationship("Organisation", lazy="joined")


class ConsentCategory(db.Model):
    __tablename__ = "consent_categories"

    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    category: Mapped[Category] = mapped_column(enum_column(Category), primary_key=True)


class ConsentPurpose(db.Model):
    __tablename__ = "consent_purposes"

    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose), primary_key=True)


class Block(AuthoredMixin, db.Model):
    """A spärr the individual asked for. It wins over every consent."""

    __tablename__ = "blocks"
    __table_args__ = (
        CheckConstraint("category IS NOT NULL OR organisation_id IS NOT NULL", name="category_or_org"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    category: Mapped[Category | None] = mapped_column(enum_column(Category))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(1000))
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_note: Mapped[str | None] = mapped_column(String(1000))

    individual = relationship("Individual", back_populates="blocks")
    organisation = relationship("Organisation")
    lifted_by = relationship("User", foreign_keys=[lifted_by_id])


class EmergencyAccess(db.Model):
    """Nödöppning: time-limited, reasoned access outside the normal rules."""

    __tablename__ = "emergency_accesses"
    __table_args__ = (Index("ix_emergency_user_individual", "user_id", "individual_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    individual = relationship("Individual")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

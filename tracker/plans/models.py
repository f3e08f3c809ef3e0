"""The individual's vårdplan (optionally a SIP), its insatser and their status history."""

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import AuthoredMixin, VersionedMixin
from tracker.core.types import enum_column
from tracker.extensions import db


class InsatsStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"

    @property
    def label(self) -> str:
        return INSATS_STATUS_LABELS[self]


INSATS_STATUS_LABELS = {
    InsatsStatus.PLANNED: "Planerad",
    InsatsStatus.ONGOING: "Pågående",
    InsatsStatus.COMPLETED: "Avslutad",
    InsatsStatus.INTERRUPTED: "Avbruten",
}

# planned → ongoing → completed or interrupted (a planned insats may also be dropped).
ALLOWED_TRANSITIONS = {
    InsatsStatus.PLANNED: {InsatsStatus.ONGOING, InsatsStatus.INTERRUPTED},
    InsatsStatus.ONGOING: {InsatsStatus.COMPLETED, InsatsStatus.INTERRUPTED},
    InsatsStatus.COMPLETED: set(),
    InsatsStatus.INTERRUPTED: set(),
}

sip_organisations = Table(
    "care_plan_sip_organisations",
    db.metadata,
    Column("care_plan_id", ForeignKey("care_plans.id"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)


class CarePlan(AuthoredMixin, VersionedMixin, db.Model):
    """One vårdplan per individual; `is_sip` marks it as a samordnad individuell plan."""

    __tablename__ = "care_plans"
    __table_args__ = (
        CheckConstraint("follow_up_on IS NULL OR follow_up_on >= established_on", name="follow_up_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), unique=True)
    established_on: Mapped[date] = mapped_column(Date)
    goals: Mapped[str] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    is_sip: Mapped[bool] = mapped_column(Boolean, default=False)
    sip_meeting_on: Mapped[date | None] = mapped_column(Date)

    individual = relationship("Individual")
    sip_organisations = relationship("Organisation", secondary=sip_organisations, lazy="selectin")
    insatser: Mapped[list["Insats"]] = relationship(
        back_populates="plan", order_by="Insats.starts_on", lazy="selectin"
    )


class Insats(AuthoredMixin, VersionedMixin, db.Model):
    __tablename__ = "insatser"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plans.id"), index=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[InsatsStatus] = mapped_column(enum_column(InsatsStatus), default=InsatsStatus.PLANNED)
    interruption_reason: Mapped[str | None] = mapped_column(String(1000))

    plan: Mapped[CarePlan] = relationship(back_populates="insatser")
    organisation = relationship("Organisation", lazy="joined")


def _from_status_type():
    column_type = enum_column(InsatsStatus)
    column_type.name = "insatsstatus_from"
    return column_type


class InsatsStatusChange(AuthoredMixin, db.Model):
    """History: every status an insats has had, from its creation on."""

    __tablename__ = "insats_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insatser.id"), index=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    # Its own type name: two CHECK constraints named after one enum would clash on PostgreSQL.
    from_status: Mapped[InsatsStatus | None] = mapped_column(_from_status_type())
    to_status: Mapped[InsatsStatus] = mapped_column(enum_column(InsatsStatus))
    changed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(1000))

    insats = relationship("Insats")

"""Allocation keys, hourly costs, time entries and month locks."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import AuthoredMixin
from tracker.core.types import UTCDateTime, enum_column
from tracker.extensions import db


class AllocationKey(AuthoredMixin, db.Model):
    """The funding förbund's percent shares of a project, valid from a date until the next key."""

    __tablename__ = "allocation_keys"
    __table_args__ = (UniqueConstraint("project_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)

    shares: Mapped[list["AllocationShare"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AllocationShare.id"
    )


class AllocationShare(db.Model):
    __tablename__ = "allocation_shares"
    __table_args__ = (
        UniqueConstraint("key_id", "forbund_id"),
        CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("allocation_keys.id"), index=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    forbund = relationship("Organisation", lazy="joined")


class HourlyCost(AuthoredMixin, db.Model):
    """Cost per hour from a date: for one staff member, or (user empty) the project default."""

    __tablename__ = "hourly_costs"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "valid_from"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class TimeCategory(StrEnum):
    PATIENT_WORK = "patientarbete"
    INTERNAL_MEETING = "internt_mote"
    EXTERNAL_MEETING = "externt_mote"
    INFORMATION = "information"
    ADMINISTRATION = "administration"

    @property
    def label(self) -> str:
        return TIME_CATEGORY_LABELS[self]


TIME_CATEGORY_LABELS = {
    TimeCategory.PATIENT_WORK: "Patientarbete",
    TimeCategory.INTERNAL_MEETING: "Internt möte",
    TimeCategory.EXTERNAL_MEETING: "Externt möte",
    TimeCategory.INFORMATION: "Information till kollegor/externa",
    TimeCategory.ADMINISTRATION: "Administration",
}


class TimeEntry(AuthoredMixin, db.Model):
    """Hours one user worked on one day, project and category.

    `booked_on` is the date the hours count in invoicing and reports: the work
    date for ordinary rows, the correction date for adjustments to a locked month.
    """

    __tablename__ = "time_entries"
    __table_args__ = (
        Index("ix_time_entries_user_date", "user_id", "work_date"),
        Index("ix_time_entries_project_booked", "project_id", "booked_on"),
        CheckConstraint("hours >= -24 AND hours <= 24", name="hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    work_date: Mapped[date] = mapped_column(Date)
    booked_on: Mapped[date] = mapped_column(Date)
    category: Mapped[TimeCategory] = mapped_column(enum_column(TimeCategory))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    is_adjustment: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(500))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    project = relationship("Project", lazy="joined")
    clinic = relationship("Organisation", lazy="joined")


class MonthLock(db.Model):
    """A month of a project closed after invoicing; later changes are adjustments."""

    __tablename__ = "month_locks"
    __table_args__ = (UniqueConstraint("project_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

"""Läkarutlåtanden, FK decisions and bevakningar (FK follow-up watches)."""

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import AuthoredMixin, VersionedMixin
from tracker.core.types import enum_column
from tracker.extensions import db


class CertificateType(StrEnum):
    AE_REDUCED_CAPACITY = "ae_reduced_capacity"
    AE_EXTENDED_SCHOOLING = "ae_extended_schooling"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CERTIFICATE_TYPE_LABELS[self]


CERTIFICATE_TYPE_LABELS = {
    CertificateType.AE_REDUCED_CAPACITY: "AE vid nedsatt arbetsförmåga",
    CertificateType.AE_EXTENDED_SCHOOLING: "AE vid förlängd skolgång",
    CertificateType.OTHER: "Annat",
}


class Outcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.GRANTED: "Beviljad",
    Outcome.DENIED: "Avslag",
    Outcome.WITHDRAWN: "Indragen/återkallad",
    Outcome.PENDING: "Ej beslutad",
}


class Level(StrEnum):
    FULL = "full"
    THREE_QUARTERS = "three_quarters"
    HALF = "half"
    ONE_QUARTER = "one_quarter"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.FULL: "Hel",
    Level.THREE_QUARTERS: "Tre fjärdedels",
    Level.HALF: "Halv",
    Level.ONE_QUARTER: "En fjärdedels",
}


class FollowUpReason(StrEnum):
    PERIOD_ENDS = "period_ends"
    PLAN_FOLLOW_UP = "plan_follow_up"
    NEW_CERTIFICATE = "new_certificate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return FOLLOW_UP_REASON_LABELS[self]


FOLLOW_UP_REASON_LABELS = {
    FollowUpReason.PERIOD_ENDS: "Beslutsperioden tar slut",
    FollowUpReason.PLAN_FOLLOW_UP: "Uppföljning av plan",
    FollowUpReason.NEW_CERTIFICATE: "Nytt läkarutlåtande väntas",
    FollowUpReason.OTHER: "Annat",
}


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"open": "Öppen", "done": "Klar"}[self.value]


class Certificate(AuthoredMixin, VersionedMixin, db.Model):
    """A läkarutlåtande issued at a clinic for one individual."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_clinic_issued", "clinic_id", "issued_on"),
        CheckConstraint("sent_to_fk_on IS NULL OR sent_to_fk_on >= issued_on", name="sent_after_issued"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    doctor: Mapped[str | None] = mapped_column(String(200))
    certificate_type: Mapped[CertificateType] = mapped_column(enum_column(CertificateType))
    sent_to_fk_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    individual = relationship("Individual")
    clinic = relationship("Organisation", lazy="joined")

    def __str__(self) -> str:
        return f"Läkarutlåtande {self.issued_on.isoformat()}"


# The decision's derived figures, shared by FkDecision and the case page's plain rows.


def decision_period_days(period_start: date | None, period_end: date | None) -> int | None:
    """The decision period's length in days, both ends included."""
    if period_start and period_end:
        return (period_end - period_start).days + 1
    return None


def decision_lead_time_days(certificate_issued_on: date | None, decided_on: date | None) -> int | None:
    """Days from the certificate's issue to the decision."""
    if certificate_issued_on is not None and decided_on:
        return (decided_on - certificate_issued_on).days
    return None


def decision_days_left(outcome: Outcome, period_end: date | None, today: date) -> int | None:
    """Days left of the period after today (0 once it has ended)."""
    if period_end is None or outcome != Outcome.GRANTED:
        return None
    return max(0, (period_end - today).days)


class FkDecision(AuthoredMixin, VersionedMixin, db.Model):
    """FK's decision on aktivitetsersättning, optionally answering a certificate."""

    __tablename__ = "fk_decisions"
    __table_args__ = (
        CheckConstraint("period_end IS NULL OR period_end > period_start", name="period_end_after_start"),
        Index("ix_fk_decisions_outcome_end", "outcome", "period_end"),
        # The period report and its drill-down read the decisions of a period by outcome.
        Index("ix_fk_decisions_outcome_decided", "outcome", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    level: Mapped[Level | None] = mapped_column(enum_column(Level))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    note: Mapped[str | None] = mapped_column(Text)

    individual = relationship("Individual")
    officer = relationship("User", foreign_keys=[officer_id], lazy="joined")
    certificate = relationship("Certificate", lazy="joined")

    @property
    def period_days(self) -> int | None:
        return decision_period_days(self.period_start, self.period_end)

    @property
    def lead_time_days(self) -> int | None:
        issued_on = self.certificate.issued_on if self.certificate is not None else None
        return decision_lead_time_days(issued_on, self.decided_on)

    def days_left(self, today: date) -> int | None:
        return decision_days_left(self.outcome, self.period_end, today)


class FollowUp(AuthoredMixin, VersionedMixin, db.Model):
    """A bevakning: FK's watch with a due date on a case."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_owner_status_due", "owner_id", "status", "due_on"),
        Index("ix_follow_ups_clinic_status_due", "clinic_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[FollowUpReason] = mapped_column(enum_column(FollowUpReason))
    reason_text: Mapped[str | None] = mapped_column(String(500))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[FollowUpStatus] = mapped_column(enum_column(FollowUpStatus), default=FollowUpStatus.OPEN)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_note: Mapped[str | None] = mapped_column(String(1000))

    individual = relationship("Individual")
    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    clinic = relationship("Organisation", lazy="joined")
    coordinator = relationship("User", foreign_keys=[coordinator_id], lazy="joined")

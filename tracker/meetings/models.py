"""Meetings, series, invitations, agenda entries, minutes and calendar feed tokens.

A series is stored as its occurrences: every occurrence is a `Meeting` row
with its own random UID, so changing or cancelling one occurrence is an
ordinary change of that row and the calendar shows expanded events.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import AuthoredMixin, VersionedMixin
from tracker.core.types import UTCDateTime, enum_column, utcnow
from tracker.extensions import db


def new_uid() -> str:
    """A calendar UID: random, containing no host, user or person data."""
    return f"{uuid.uuid4()}@puls"


class MeetingKind(StrEnum):
    PULSMOTE = "pulsmote"
    UPPSTART = "uppstartsmote"
    STYRGRUPP = "styrgruppsmote"
    INFORMATION = "informationsmote"
    ARENDEGENOMGANG = "arendegenomgang"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    MeetingKind.PULSMOTE: "Pulsmöte",
    MeetingKind.UPPSTART: "Uppstartsmöte",
    MeetingKind.STYRGRUPP: "Styrgruppsmöte",
    MeetingKind.INFORMATION: "Informationsmöte",
    MeetingKind.ARENDEGENOMGANG: "Ärendegenomgång",
}


class MeetingMode(StrEnum):
    DIGITAL = "digital"
    ON_SITE = "on_site"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"digital": "Digitalt", "on_site": "På plats", "both": "På plats och digitalt"}[self.value]


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"planned": "Planerat", "held": "Genomfört", "cancelled": "Inställt"}[self.value]


class RepeatRule(StrEnum):
    MONTHLY_WEEKDAY = "monthly_weekday"  # e.g. first Thursday every other month
    WEEKLY = "weekly"  # every N weeks

    @property
    def label(self) -> str:
        return {"monthly_weekday": "Samma veckodag i månaden", "weekly": "Var N:e vecka"}[self.value]


class MeetingSeries(AuthoredMixin, db.Model):
    __tablename__ = "meeting_series"
    __table_args__ = (
        CheckConstraint("repeat_every >= 1 AND repeat_every <= 12", name="repeat_every_range"),
        CheckConstraint("(until_on IS NULL) <> (occurrence_count IS NULL)", name="until_or_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    rule: Mapped[RepeatRule] = mapped_column(enum_column(RepeatRule))
    repeat_every: Mapped[int] = mapped_column(Integer)
    first_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date | None] = mapped_column(Date)
    occurrence_count: Mapped[int | None] = mapped_column(Integer)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # When the series as a whole last changed (the series download's stamp).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organiser = relationship("User", foreign_keys=[organiser_id])
    meetings: Mapped[list["Meeting"]] = relationship(back_populates="series", order_by="Meeting.starts_at")


class Meeting(AuthoredMixin, VersionedMixin, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meetings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[MeetingMode] = mapped_column(enum_column(MeetingMode))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(300))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.PLANNED)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    # Calendar bookkeeping: SEQUENCE rises and calendar_changed_at moves on
    # every change a calendar client must see (time, place, title, status).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    calendar_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Minutes
    general_notes: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(Text)
    other_attendees: Mapped[str | None] = mapped_column(String(1000))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser = relationship("User", foreign_keys=[organiser_id], lazy="joined")
    series: Mapped[MeetingSeries | None] = relationship(back_populates="meetings")
    invitations: Mapped[list["MeetingInvitation"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="selectin"
    )
    agenda_points: Mapped[list["AgendaPoint"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaPoint.id"
    )
    agenda_cases: Mapped[list["AgendaCase"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaCase.id"
    )
    attendances: Mapped[list["MeetingAttendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def invited_org_ids(self) -> set[int]:
        return {i.organisation_id for i in self.invitations if i.organisation_id}

    @property
    def invited_user_ids(self) -> set[int]:
        return {i.user_id for i in self.invitations if i.user_id}


class MeetingInvitation(db.Model):
    """An invited organisation (all its users) or an invited user."""

    __tablename__ = "meeting_invitations"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (user_id IS NULL)", name="org_or_user"),
        Index("ix_meeting_invitations_org", "organisation_id"),
        Index("ix_meeting_invitations_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    organisation = relationship("Organisation", lazy="joined")
    user = relationship("User", lazy="joined")


class AgendaPoint(AuthoredMixin, db.Model):
    """A free agenda point (no personal data)."""

    __tablename__ = "agenda_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_points")


class AgendaCase(AuthoredMixin, db.Model):
    """An individual the rehabkoordinator put on the meeting's agenda."""

    __tablename__ = "agenda_cases"
    __table_args__ = (db.UniqueConstraint("meeting_id", "individual_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_cases")
    individual = relationship("Individual")


class MeetingAttendance(db.Model):
    __tablename__ = "meeting_attendances"
    __table_args__ = (db.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user = relationship("User", lazy="joined")


class MeetingCaseNote(AuthoredMixin, db.Model):
    """A case event from a meeting: notes and next steps (Category.MEETING_NOTES)."""

    __tablename__ = "meeting_case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(lazy="joined")
    individual = relationship("Individual")
    created_by = relationship("User", foreign_keys="MeetingCaseNote.created_by_id")


class CalendarFeedToken(db.Model):
    """One personal subscription link per user (split token: selector + hashed verifier)."""

    __tablename__ = "calendar_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    selector: Mapped[str] = mapped_column(String(32), unique=True)
    verifier_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Minutes before start for an optional VALARM the user opted into.
    alarm_minutes: Mapped[int | None] = mapped_column(Integer)
    # The feed's Last-Modified: when its bytes last differed from the previous
    # response. Meetings *leaving* a feed (uninvited, past, out of the window)
    # move no meeting timestamp, so this is tracked per feed.
    feed_etag: Mapped[str | None] = mapped_column(String(64))
    feed_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")

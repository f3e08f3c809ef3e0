"""Projects (insatser), referrals and queue, enrolment, consultations and activities."""

from datetime import date
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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import AuthoredMixin, VersionedMixin
from tracker.core.types import enum_column
from tracker.extensions import db


class ProjectKind(StrEnum):
    PLATFORM = "platform"
    AE = "ae"

    @property
    def label(self) -> str:
        return {"platform": "Plattformsprojekt", "ae": "AE-samordning"}[self.value]


class Project(AuthoredMixin, VersionedMixin, db.Model):
    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[ProjectKind] = mapped_column(enum_column(ProjectKind))
    # The project's own organisation (type `project`): its staff; enrolment connects it to the case.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The huvudman (owning organisation), e.g. a clinic or a kommun.
    principal_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    target_group: Mapped[str | None] = mapped_column(String(500))
    planned_participants: Mapped[int | None] = mapped_column(Integer)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")
    principal = relationship("Organisation", foreign_keys=[principal_id], lazy="joined")
    members: Mapped[list["ProjectMember"]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    budgets: Mapped[list["ProjectBudget"]] = relationship(cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class ProjectMember(db.Model):
    """A user working in the project; a lead sees everyone's hours and locks months."""

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="members")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class ProjectBudget(db.Model):
    """A förbund's yearly budget for the project (whole kronor)."""

    __tablename__ = "project_budgets"
    __table_args__ = (UniqueConstraint("project_id", "forbund_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    forbund = relationship("Organisation", lazy="joined")


class ReferrerType(StrEnum):
    FK = "fk"
    SOCIALTJANST = "socialtjanst"
    PSYKIATRI = "psykiatri"
    VARDCENTRAL = "vardcentral"
    AF = "af"
    SKOLA = "skola"
    EGEN = "egen"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REFERRER_LABELS[self]


REFERRER_LABELS = {
    ReferrerType.FK: "Försäkringskassan",
    ReferrerType.SOCIALTJANST: "Socialtjänst",
    ReferrerType.PSYKIATRI: "Psykiatri",
    ReferrerType.VARDCENTRAL: "Vårdcentral",
    ReferrerType.AF: "Arbetsförmedlingen",
    ReferrerType.SKOLA: "Skola",
    ReferrerType.EGEN: "Egen anmälan",
    ReferrerType.OTHER: "Annan",
}


class ReferralStatus(StrEnum):
    QUEUED = "queued"
    SIP_REQUESTED = "sip_requested"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return REFERRAL_STATUS_LABELS[self]


REFERRAL_STATUS_LABELS = {
    ReferralStatus.QUEUED: "I kö",
    ReferralStatus.SIP_REQUESTED: "SIP begärd",
    ReferralStatus.ACCEPTED: "Antagen",
    ReferralStatus.RETURNED: "Returnerad till remittent",
    ReferralStatus.WITHDRAWN: "Återtagen",
}
OPEN_STATUSES = (ReferralStatus.QUEUED, ReferralStatus.SIP_REQUESTED)


class Referral(AuthoredMixin, VersionedMixin, db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_project_status", "project_id", "status"),
        # The period report and its drill-down count a period's referrals.
        Index("ix_referrals_project_referred", "project_id", "referred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    referred_on: Mapped[date] = mapped_column(Date)
    referrer_type: Mapped[ReferrerType] = mapped_column(enum_column(ReferrerType))
    referrer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus), default=ReferralStatus.QUEUED)
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(1000))

    project = relationship("Project")
    individual = relationship("Individual", lazy="joined")
    referrer_org = relationship("Organisation", lazy="joined")


class Consultation(AuthoredMixin, db.Model):
    """Individual consultation given to another actor without enrolling anyone."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    actor_type: Mapped[ReferrerType] = mapped_column(enum_column(ReferrerType))
    actor: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(500))


class DischargeReason(StrEnum):
    WORK = "arbete"
    STUDIES = "studier"
    OTHER_ACTOR = "annan_aktor"
    MOVED = "flytt"
    DROPOUT = "avbrott"
    ILL_HEALTH = "ohalsa"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DISCHARGE_LABELS[self]


DISCHARGE_LABELS = {
    DischargeReason.WORK: "Arbete",
    DischargeReason.STUDIES: "Studier",
    DischargeReason.OTHER_ACTOR: "Annan aktör/insats",
    DischargeReason.MOVED: "Flytt",
    DischargeReason.DROPOUT: "Avbrott",
    DischargeReason.ILL_HEALTH: "Ohälsa",
    DischargeReason.OTHER: "Annat",
}


class IncomeSource(StrEnum):
    ECONOMIC_ASSISTANCE = "ekonomiskt_bistand"
    SICKNESS_BENEFIT = "sjukpenning"
    SICKNESS_SPECIAL = "sjukpenning_sarskilda_fall"
    ACTIVITY_COMPENSATION = "aktivitetsersattning"
    SICKNESS_COMPENSATION = "sjukersattning"
    ACTIVITY_SUPPORT = "aktivitetsstod"
    SALARY = "lon"
    NONE = "ingen"
    OTHER = "other"

    @property
    def label(self) -> str:
        return INCOME_LABELS[self]


INCOME_LABELS = {
    IncomeSource.ECONOMIC_ASSISTANCE: "Ekonomiskt bistånd",
    IncomeSource.SICKNESS_BENEFIT: "Sjukpenning",
    IncomeSource.SICKNESS_SPECIAL: "Sjukpenning i särskilda fall",
    IncomeSource.ACTIVITY_COMPENSATION: "Aktivitetsersättning",
    IncomeSource.SICKNESS_COMPENSATION: "Sjukersättning",
    IncomeSource.ACTIVITY_SUPPORT: "Aktivitetsstöd/a-kassa",
    IncomeSource.SALARY: "Lön",
    IncomeSource.NONE: "Ingen",
    IncomeSource.OTHER: "Annan",
}


class Occupation(StrEnum):
    NONE = "ingen"
    WORK = "arbete"
    SUBSIDISED_WORK = "subventionerat_arbete"
    STUDIES = "studier"
    LABOUR_MARKET_PROGRAMME = "arbetsmarknadsatgard"
    JOB_SEEKING = "arbetssokande"
    OTHER = "other"

    @property
    def label(self) -> str:
        return OCCUPATION_LABELS[self]


OCCUPATION_LABELS = {
    Occupation.NONE: "Ingen sysselsättning",
    Occupation.WORK: "Arbete",
    Occupation.SUBSIDISED_WORK: "Subventionerad anställning",
    Occupation.STUDIES: "Studier",
    Occupation.LABOUR_MARKET_PROGRAMME: "Arbetsmarknadsinsats",
    Occupation.JOB_SEEKING: "Arbetssökande",
    Occupation.OTHER: "Annan",
}


class EducationLevel(StrEnum):
    PRIMARY_INCOMPLETE = "grundskola_ej"
    PRIMARY = "grundskola"
    SECONDARY = "gymnasium"
    POST_SECONDARY = "eftergymnasial"
    UNKNOWN = "okand"

    @property
    def label(self) -> str:
        return EDUCATION_LABELS[self]


EDUCATION_LABELS = {
    EducationLevel.PRIMARY_INCOMPLETE: "Ej fullständig grundskola",
    EducationLevel.PRIMARY: "Grundskola",
    EducationLevel.SECONDARY: "Gymnasium",
    EducationLevel.POST_SECONDARY: "Eftergymnasial utbildning",
    EducationLevel.UNKNOWN: "Okänd",
}


class SupportDuration(StrEnum):
    """Time on public support before enrolment, in SUS-like bands."""

    NONE = "ingen"
    UNDER_1 = "under_1_ar"
    YEARS_1_3 = "1_3_ar"
    YEARS_3_PLUS = "over_3_ar"
    UNKNOWN = "okand"

    @property
    def label(self) -> str:
        return {
            "ingen": "Ingen tid",
            "under_1_ar": "Mindre än 1 år",
            "1_3_ar": "1–3 år",
            "over_3_ar": "Mer än 3 år",
            "okand": "Okänd",
        }[self.value]


def _named_enum(enum_cls, name: str):
    """An enum column whose CHECK constraint has its own name (two columns share one enum)."""
    column_type = enum_column(enum_cls)
    column_type.name = name
    return column_type


class Enrolment(AuthoredMixin, VersionedMixin, db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint(
            "discharged_on IS NULL OR discharged_on >= enrolled_on", name="discharged_after_enrolled"
        ),
        Index("ix_enrolments_project_dates", "project_id", "enrolled_on", "discharged_on"),
        # The period report and its drill-down count those discharged in a period.
        Index("ix_enrolments_project_discharged", "project_id", "discharged_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    enrolled_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[DischargeReason | None] = mapped_column(enum_column(DischargeReason))
    income_before: Mapped[IncomeSource | None] = mapped_column(_named_enum(IncomeSource, "income_before"))
    income_after: Mapped[IncomeSource | None] = mapped_column(_named_enum(IncomeSource, "income_after"))
    occupation_before: Mapped[Occupation | None] = mapped_column(_named_enum(Occupation, "occupation_before"))
    occupation_after: Mapped[Occupation | None] = mapped_column(_named_enum(Occupation, "occupation_after"))
    education_level: Mapped[EducationLevel | None] = mapped_column(enum_column(EducationLevel))
    support_before: Mapped[SupportDuration | None] = mapped_column(enum_column(SupportDuration))
    # Age on `enrolled_on` (SUS's age band), written by retention just before the personnummer it
    # comes from is removed; NULL until then. Kept instead of a birth date, which could re-identify.
    age_at_start: Mapped[int | None] = mapped_column(Integer)
    # The authorities involved with the person (derived at enrolment, editable).
    involves_fk: Mapped[bool] = mapped_column(Boolean, default=False)
    involves_region: Mapped[bool] = mapped_column(Boolean, default=False)
    involves_kommun: Mapped[bool] = mapped_column(Boolean, default=False)
    involves_af: Mapped[bool] = mapped_column(Boolean, default=False)

    project = relationship("Project")
    individual = relationship("Individual", lazy="joined")
    referral = relationship("Referral")

    @property
    def authority_combination(self) -> str:
        return authority_combination(
            self.involves_fk, self.involves_region, self.involves_kommun, self.involves_af
        )


def authority_combination(fk: bool, region: bool, kommun: bool, af: bool) -> str:
    parts = [name for name, flag in (("FK", fk), ("Region", region), ("Kommun", kommun), ("AF", af)) if flag]
    return " + ".join(parts) if parts else "Ingen myndighet"


class ActivityGroup(AuthoredMixin, db.Model):
    """A recurring group activity (e.g. a weekly group)."""

    __tablename__ = "activity_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))

    sessions: Mapped[list["GroupSession"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupSession.held_on"
    )


class GroupSession(AuthoredMixin, db.Model):
    __tablename__ = "group_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("activity_groups.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))

    group: Mapped[ActivityGroup] = relationship(back_populates="sessions")
    attendances: Mapped[list["GroupAttendance"]] = relationship(cascade="all, delete-orphan")


class GroupAttendance(db.Model):
    __tablename__ = "group_attendances"

    session_id: Mapped[int] = mapped_column(ForeignKey("group_sessions.id"), primary_key=True)
    individual_id: Mapped[int] = mapped_column(ForeignKey("individuals.id"), primary_key=True)


class InfoSession(AuthoredMixin, db.Model):
    """An information session the project held (no personal data)."""

    __tablename__ = "info_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[int] = mapped_column(Integer)

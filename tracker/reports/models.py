"""Free-text sections staff write for a project's report of one period."""

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.models import AuthoredMixin
from tracker.core.types import enum_column
from tracker.extensions import db


class TextSection(StrEnum):
    GOALS = "goals"
    DEVIATIONS = "deviations"
    OBSTACLES = "obstacles"
    SUCCESS_FACTORS = "success_factors"
    STEERING_GROUP = "steering_group"

    @property
    def label(self) -> str:
        return TEXT_SECTION_LABELS[self]


TEXT_SECTION_LABELS = {
    TextSection.GOALS: "Mål och måluppfyllelse",
    TextSection.DEVIATIONS: "Avvikelser och åtgärder",
    TextSection.OBSTACLES: "Hinder",
    TextSection.SUCCESS_FACTORS: "Framgångsfaktorer",
    TextSection.STEERING_GROUP: "Styrgruppens kommentarer",
}


class ReportText(AuthoredMixin, db.Model):
    __tablename__ = "report_texts"
    __table_args__ = (UniqueConstraint("project_id", "period_start", "period_end", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    section: Mapped[TextSection] = mapped_column(enum_column(TextSection))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

"""The audit log table. Rows are only ever inserted."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.types import UTCDateTime
from tracker.extensions import db


class AuditAction(StrEnum):
    VIEW = "view"
    LIST = "list"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    DENIED = "denied"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PASSWORD_CHANGE = "password_change"
    EMERGENCY_ACCESS = "emergency_access"
    CONSENT_CHECK = "consent_check"


ACTION_LABELS = {
    AuditAction.VIEW: "Visning",
    AuditAction.LIST: "Lista",
    AuditAction.SEARCH: "Sökning",
    AuditAction.CREATE: "Skapande",
    AuditAction.UPDATE: "Ändring",
    AuditAction.DELETE: "Borttagning",
    AuditAction.EXPORT: "Export",
    AuditAction.DENIED: "Nekad åtkomst",
    AuditAction.LOGIN: "Inloggning",
    AuditAction.LOGIN_FAILED: "Misslyckad inloggning",
    AuditAction.LOGOUT: "Utloggning",
    AuditAction.PASSWORD_CHANGE: "Lösenordsbyte",
    AuditAction.EMERGENCY_ACCESS: "Nödöppning",
    AuditAction.CONSENT_CHECK: "Samtyckeskontroll",
}


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_individual_at", "individual_id", "occurred_at"),
        Index("ix_audit_events_user_at", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Snapshots: the log must say who the user was *then*.
    user_label: Mapped[str | None] = mapped_column(String(254))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[int | None] = mapped_column()
    individual_id: Mapped[int | None] = mapped_column(ForeignKey("individuals.id"))
    reason: Mapped[str | None] = mapped_column(String(1000))
    details: Mapped[str | None] = mapped_column(String(1000))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)

    user = relationship("User", foreign_keys=[user_id])
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    individual = relationship("Individual", foreign_keys=[individual_id])

    @property
    def action_label(self) -> str:
        try:
            return ACTION_LABELS[AuditAction(self.action)]
        except ValueError:
            return self.action

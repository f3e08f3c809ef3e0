"""Organisations, users, their server-side sessions and login attempts."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, VersionedMixin
from tracker.core.types import UTCDateTime, enum_column
from tracker.extensions import db


class Authority(StrEnum):
    """The four Finsam parties plus the förbund/project side."""

    FK = "fk"
    REGION = "region"
    KOMMUN = "kommun"
    AF = "af"
    FORBUND = "forbund"


AUTHORITY_LABELS = {
    Authority.FK: "Försäkringskassan",
    Authority.REGION: "Region",
    Authority.KOMMUN: "Kommun",
    Authority.AF: "Arbetsförmedlingen",
    Authority.FORBUND: "Samordningsförbund/projekt",
}


class OrgType(StrEnum):
    REGION_CLINIC = "region_clinic"
    REGION_OTHER = "region_other"
    FK = "fk"
    KOMMUN = "kommun"
    AF = "af"
    FORBUND = "forbund"
    PROJECT = "project"

    @property
    def label(self) -> str:
        return ORG_TYPE_LABELS[self]

    @property
    def authority(self) -> Authority:
        return ORG_TYPE_AUTHORITY[self]


ORG_TYPE_LABELS = {
    OrgType.REGION_CLINIC: "Region – mottagning",
    OrgType.REGION_OTHER: "Region – övrig enhet",
    OrgType.FK: "Försäkringskassan",
    OrgType.KOMMUN: "Kommun – enhet",
    OrgType.AF: "Arbetsförmedlingen",
    OrgType.FORBUND: "Samordningsförbund",
    OrgType.PROJECT: "Projekt",
}

ORG_TYPE_AUTHORITY = {
    OrgType.REGION_CLINIC: Authority.REGION,
    OrgType.REGION_OTHER: Authority.REGION,
    OrgType.FK: Authority.FK,
    OrgType.KOMMUN: Authority.KOMMUN,
    OrgType.AF: Authority.AF,
    OrgType.FORBUND: Authority.FORBUND,
    OrgType.PROJECT: Authority.FORBUND,
}


class Role(StrEnum):
    ADMIN = "admin"
    REHABKOORDINATOR = "rehabkoordinator"
    HANDLAGGARE = "handlaggare"
    SAMORDNARE = "samordnare"
    LEDNING = "ledning"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administratör",
    Role.REHABKOORDINATOR: "Rehabkoordinator",
    Role.HANDLAGGARE: "Handläggare (FK)",
    Role.SAMORDNARE: "Samordnare",
    Role.LEDNING: "Projektledning/styrgrupp",
}

# Which organisation types a role may belong to.
ROLE_ORG_TYPES = {
    Role.ADMIN: set(OrgType),
    Role.REHABKOORDINATOR: {OrgType.REGION_CLINIC, OrgType.REGION_OTHER},
    Role.HANDLAGGARE: {OrgType.FK},
    Role.SAMORDNARE: {OrgType.PROJECT, OrgType.FORBUND, OrgType.KOMMUN, OrgType.AF},
    Role.LEDNING: set(OrgType),
}


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_type: Mapped[OrgType] = mapped_column(enum_column(OrgType))
    # e.g. an FK local office under Försäkringskassan, a unit under a kommun
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    municipality: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped["Organisation | None"] = relationship(remote_side=[id])

    @property
    def authority(self) -> Authority:
        return self.org_type.authority

    def __str__(self) -> str:
        return self.name


class User(UserMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP two-factor: the secret encrypted (tracker/auth/totp.py), never shown
    # again after enrolment; the last accepted time-step stops replays.
    totp_secret_enc: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    # Set by the user loader: the server-side session this request runs in.
    current_session_token = None

    @hybrid_property
    def is_active(self) -> bool:
        """Flask-Login's "may log in"; also a SQL expression (`User.is_active`), so a query
        that must agree with it (the calendar feed's token lookup) uses this one rule."""
        return self.is_active_account

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie: the session token, not the
        # user id, so ending the server-side session ends the cookie too.
        return self.current_session_token or ""

    @property
    def authority(self) -> Authority:
        return self.organisation.authority

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret_enc is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __str__(self) -> str:
        return self.full_name


class UserSession(db.Model):
    """A login. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the user last proved who they are (login or re-authentication).
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(db.Model):
    """Failed logins, counted per account and per address for lock-out."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_addr_at", "remote_addr", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)


__all__ = [
    "Authority",
    "LoginAttempt",
    "OrgType",
    "Organisation",
    "Role",
    "User",
    "UserSession",
]


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return {"read": "Endast läsning", "write": "Läsning och skrivning"}[self.value]


class ApiToken(db.Model):
    """A personal API token. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

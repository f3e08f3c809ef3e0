"""A pending import: the uploaded file kept between the dry run and the confirmation.

Kept in the database (not on one web server's disk) so any app process can
run the confirmation; deleted when confirmed and swept once expired.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.types import UTCDateTime, enum_column
from tracker.extensions import db


class ImportKind(StrEnum):
    INDIVIDUALS = "personer"
    CONSENTS = "samtycken"
    ENROLMENTS = "inskrivningar"
    TIME_ENTRIES = "tid"


class PendingImport(db.Model):
    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random; travels in the confirmation form, and only its owner may use it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

"""Settings classes. Every value can be overridden by an environment variable."""

import os
from datetime import timedelta


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "SQLite in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite only (WAL mode). FULL (default): every commit is on disk before the
    # answer, so a power cut loses no audit row, withdrawal or spärr. NORMAL
    # syncs the log only at checkpoints (SQLite's advice for WAL; saves a disk
    # sync per page, 0.5-4 ms, since every page view commits its audit row):
    # an app crash loses nothing, a power cut may lose the last commits.
    # PostgreSQL is unaffected (it always syncs).
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper()

    SESSION_COOKIE_NAME = "puls_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    # Server-side sessions end after this much inactivity.
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    # ... and after this long regardless of activity.
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)

    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_I18N_ENABLED = False  # use WTForms' own Swedish messages (PulsForm)

    LOGIN_LOCK_WINDOW_MINUTES = _env_int("LOGIN_LOCK_WINDOW_MINUTES", 15)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 12)
    # Two-factor (TOTP): optional for everyone, required for admins unless switched off.
    TOTP_REQUIRED_FOR_ADMIN = _env_bool("TOTP_REQUIRED_FOR_ADMIN", True)
    # A Fernet key for TOTP secrets at rest; derived from SECRET_KEY when unset
    # (then changing SECRET_KEY means every user must enrol again).
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY")
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Puls")
    # Minutes a password+code step may be left half done.
    TOTP_PENDING_MINUTES = 5
    # Sensitive actions (emergency access, API tokens) need a password within this many minutes.
    REAUTH_MINUTES = _env_int("REAUTH_MINUTES", 10)

    CONSENT_EXPIRING_DAYS = _env_int("CONSENT_EXPIRING_DAYS", 30)
    CONSENT_REVIEW_MONTHS = _env_int("CONSENT_REVIEW_MONTHS", 12)
    # Aktivitetsersättning: the "between the chairs" alarms and the FK worklist.
    ALARM_GRANTED_NO_PLAN_DAYS = _env_int("ALARM_GRANTED_NO_PLAN_DAYS", 30)
    ALARM_NO_ACTIVITY_DAYS = _env_int("ALARM_NO_ACTIVITY_DAYS", 90)
    ALARM_PERIOD_ENDING_DAYS = _env_int("ALARM_PERIOD_ENDING_DAYS", 120)
    ALARM_FOLLOW_UP_OVERDUE_DAYS = _env_int("ALARM_FOLLOW_UP_OVERDUE_DAYS", 0)
    WORKLIST_DUE_SOON_DAYS = _env_int("WORKLIST_DUE_SOON_DAYS", 7)
    # Pulsmöte agenda windows for a meeting without a previous/next meeting in its series.
    AGENDA_LOOKBACK_DAYS = _env_int("AGENDA_LOOKBACK_DAYS", 60)
    AGENDA_LOOKAHEAD_DAYS = _env_int("AGENDA_LOOKAHEAD_DAYS", 60)
    EMERGENCY_ACCESS_HOURS = _env_int("EMERGENCY_ACCESS_HOURS", 4)
    UPLOAD_MAX_BYTES = _env_int("UPLOAD_MAX_BYTES", 4 * 1024 * 1024)

    # Imports (CSV/XLSX): rows and bytes per file; minutes a checked file waits for confirmation.
    IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 5000)
    IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 4 * 1024 * 1024)
    IMPORT_PENDING_MINUTES = _env_int("IMPORT_PENDING_MINUTES", 30)

    # Closed cases are anonymised this many years after closing (`flask retention run`).
    RETENTION_YEARS_AFTER_DISCHARGE = _env_int("RETENTION_YEARS_AFTER_DISCHARGE", 5)

    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    PAGE_SIZE = _env_int("PAGE_SIZE", 25)
    # Counts below this are shown as "<N" in report exports that leave the organisation.
    REPORT_MASK_THRESHOLD = _env_int("REPORT_MASK_THRESHOLD", 5)
    TIMEZONE = "Europe/Stockholm"

    # E-mail: 'smtp' sends for real, 'outbox' stores mails for the outbox page.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "puls@localhost")
    # Meetings and calendar feeds
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    MEETING_REMINDER_DAYS = _env_int("MEETING_REMINDER_DAYS", 2)
    FEED_PAST_MONTHS = _env_int("FEED_PAST_MONTHS", 3)
    DIGEST_HOUR = _env_int("DIGEST_HOUR", 6)


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # The demo admin can look around without an authenticator app; production requires it.
    TOTP_REQUIRED_FOR_ADMIN = _env_bool("TOTP_REQUIRED_FOR_ADMIN", False)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False  # individual tests switch it back on
    PASSWORD_HASH_FAST = True
    MAIL_BACKEND = "outbox"
    PUBLIC_BASE_URL = "https://puls.test"


class ProductionConfig(Config):
    pass


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

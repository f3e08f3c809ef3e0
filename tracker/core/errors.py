"""Domain errors and the Swedish error pages."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError


class ValidationError(Exception):
    """Bad input: a mapping from field name to a Swedish message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


ERROR_TEXTS = {
    400: ("Felaktig förfrågan", "Förfrågan kunde inte tolkas. Gå tillbaka och försök igen."),
    401: ("Inloggning krävs", "Ange en giltig API-nyckel: Authorization: Bearer <nyckel>."),
    403: (
        "Åtkomst nekad",
        "Du har inte behörighet till den här sidan eller uppgiften. Försöket har loggats.",
    ),
    404: ("Sidan finns inte", "Sidan eller uppgiften du söker finns inte."),
    405: ("Otillåten metod", "Den här åtgärden kan inte göras så."),
    413: (
        "För stor förfrågan",
        "Det du skickade är för stort. Filer får vara högst några megabyte; försök med en mindre fil.",
    ),
    429: ("För många förfrågningar", "Vänta en stund och försök igen."),
    500: (
        "Något gick fel",
        "Ett oväntat fel inträffade. Inga ändringar sparades. "
        "Försök igen, och kontakta support om felet kvarstår.",
    ),
    503: (
        "Tjänsten är inte tillgänglig",
        "Databasen svarar inte just nu. Inga ändringar sparades. Försök igen om en stund.",
    ),
}


def render_error(status: int, message: str | None = None):
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    if request.path.startswith("/api/"):
        from tracker.api.core import problem

        return problem(status, title, message or text)
    return render_template("errors/error.html", title=title, text=message or text, status=status), status


def _forget_the_database() -> None:
    """After a lost connection: drop the broken transaction and render the page without the
    database (the signed-in user is not reloaded, so the page shows no personal menu)."""
    from flask import g

    from tracker.extensions import db, login_manager

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the connection is gone; the pool discards it)
        db.session.close()
    g._login_user = login_manager.anonymous_user()


def register_error_handlers(app) -> None:
    for status in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(status, lambda exc, status=status: render_error(status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400, "Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen."
        )

    from sqlalchemy.exc import OperationalError

    @app.errorhandler(OperationalError)
    def database_down(exc):
        app.logger.error("database error: %s", type(exc).__name__)
        _forget_the_database()
        return render_error(503)

    @app.errorhandler(500)
    def server_error(exc):
        # A connection lost at the request's commit (in after_request) arrives here.
        if isinstance(getattr(exc, "original_exception", None), OperationalError):
            return database_down(exc.original_exception)
        return render_error(500)

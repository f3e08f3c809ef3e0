"""Forms for uploading an import file and confirming a checked one."""

from flask_wtf.file import FileField
from wtforms import HiddenField

from tracker.core.forms import PulsForm, Required


class UploadForm(PulsForm):
    file = FileField(
        "Fil",
        validators=[Required("Välj en fil att importera.")],
        description="CSV (UTF-8 eller Windows-1252, semikolon eller komma) eller Excel (.xlsx).",
    )


class ConfirmImportForm(PulsForm):
    token = HiddenField(validators=[Required("Importen saknas. Ladda upp filen igen.")])

"""Importing consents for individuals already in Puls.

A consent is matched on (person, Gäller från, parties). An identical one is
left alone; a different one is corrected through the consent registry (a
new version supersedes the old). A withdrawn consent is never revived.
"""

import re

from sqlalchemy import select

from tracker.auth.models import AUTHORITY_LABELS, Authority, Role
from tracker.consent import services as consents
from tracker.consent.categories import CATEGORY_LABELS, Action, Category
from tracker.consent.models import PURPOSE_LABELS, Consent, ConsentForm, Purpose
from tracker.core.errors import ValidationError
from tracker.extensions import db
from tracker.imports import cells
from tracker.imports.kinds.base import (
    NOT_IN_PULS,
    Column,
    Context,
    KindSpec,
    RowErrors,
    RowParser,
    RowRefused,
    Status,
)
from tracker.imports.models import ImportKind

PARTIES = cells.labels_to_choices(
    AUTHORITY_LABELS,
    {
        "försäkringskassan": Authority.FK,
        "förbund": Authority.FORBUND,
        "forbund": Authority.FORBUND,
        "samordningsförbund": Authority.FORBUND,
        "projekt": Authority.FORBUND,
    },
)
# Party names are single words, so spaces separate them too ("FK Region").
PARTY_SEPARATORS = re.compile(r"[;,/+|\s]+|\s+och\s+")
PURPOSES = cells.labels_to_choices(
    PURPOSE_LABELS,
    {
        "rehabilitering": Purpose.REHAB_EXCHANGE,
        "informationsutbyte": Purpose.REHAB_EXCHANGE,
        "samordnad individuell plan": Purpose.SIP,
        "pulsmöte": Purpose.PULSMOTE_REVIEW,
        "pulsmöten": Purpose.PULSMOTE_REVIEW,
        "ärendegenomgång": Purpose.PULSMOTE_REVIEW,
        "annat": Purpose.OTHER,
    },
)
CATEGORIES = cells.labels_to_choices(
    CATEGORY_LABELS,
    {
        "alla": list(Category),
        "identitet": Category.IDENTITY,
        "läkarutlåtande": Category.CERTIFICATES,
        "fk-beslut": Category.FK_RECORDS,
        "beslut": Category.FK_RECORDS,
        "vårdplan": Category.PLAN,
        "plan": Category.PLAN,
        "anteckningar": Category.MEETING_NOTES,
    },
)
FORMS = cells.labels_to_choices(
    {f: f.label for f in ConsentForm},
    {"skriftlig": ConsentForm.WRITTEN, "muntlig": ConsentForm.ORAL, "digital": ConsentForm.DIGITAL},
)
EDITOR_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


class ConsentsSpec(KindSpec):
    kind = ImportKind.CONSENTS
    title = "Samtycken"
    description = (
        "Samtycken för personer som redan finns i Puls och som din enhet ansvarar för. "
        "Ett samtycke känns igen på personnummer, Gäller från och parter: är det likadant "
        "händer inget, skiljer det sig rättas det (en ny version ersätter den gamla)."
    )
    roles = EDITOR_ROLES
    columns = (
        Column("personnummer", "Personnummer", True, "ÅÅÅÅMMDD-NNNN.", "19121212-1212"),
        Column(
            "parties",
            "Parter",
            True,
            "En eller flera av FK, Region, Kommun, AF och Förbund, åtskilda med ; eller ,.",
            "FK;Region",
        ),
        Column(
            "purposes",
            "Ändamål",
            True,
            "Rehabilitering, SIP, Pulsmöte och/eller Annat (då även kolumnen Annat ändamål).",
            "Rehabilitering;Pulsmöte",
        ),
        Column("purpose_other", "Annat ändamål", False, "Krävs när Ändamål innehåller Annat.", ""),
        Column(
            "categories",
            "Uppgifter",
            True,
            "Identitet, Läkarutlåtanden, FK-beslut, Vårdplan, Mötesanteckningar – eller Alla.",
            "Alla",
            ("Uppgifter som får delas",),
        ),
        Column("form", "Form", True, "Skriftligt, Muntligt eller Digitalt.", "Skriftligt"),
        Column("given_on", "Gäller från", True, "ÅÅÅÅ-MM-DD.", "2026-01-15"),
        Column(
            "valid_until",
            "Gäller till",
            False,
            "ÅÅÅÅ-MM-DD; tom cell: inget slutdatum.",
            "2027-01-14",
            ("Gäller till och med",),
        ),
        Column("note", "Anteckning", False, "Högst 2000 tecken.", ""),
    )
    field_columns = {
        "authorities": "parties",
        "organisation_ids": "parties",
        "purposes": "purposes",
        "purpose_other": "purpose_other",
        "categories": "categories",
        "form": "form",
        "given_on": "given_on",
        "valid_until": "valid_until",
        "note": "note",
        "document": None,
        "_": None,
    }
    duplicate_message = "Samma person, Gäller från och parter finns redan på rad {row}"

    def parse(self, parser: RowParser, ctx: Context) -> dict:
        values = {
            "personnummer": parser.personnummer(),
            "parties": parser.get(
                "parties",
                cells.choices,
                PARTIES,
                "FK, Region, Kommun, AF eller Förbund",
                PARTY_SEPARATORS,
                required=True,
            ),
            "purposes": parser.get(
                "purposes",
                cells.choices,
                PURPOSES,
                "Rehabilitering, SIP, Pulsmöte eller Annat",
                required=True,
            ),
            "purpose_other": parser.get("purpose_other", cells.long_text, 500) or "",
            "categories": parser.get(
                "categories",
                cells.choices,
                CATEGORIES,
                "Identitet, Läkarutlåtanden, FK-beslut, Vårdplan, Mötesanteckningar eller Alla",
                required=True,
            ),
            "form": parser.get(
                "form", cells.choice, FORMS, "Skriftligt, Muntligt eller Digitalt", required=True
            ),
            "given_on": parser.get("given_on", cells.parse_date, required=True),
            "valid_until": parser.get("valid_until", cells.parse_date),
            "note": parser.get("note", cells.long_text, 2000) or "",
        }
        parser.done()
        return values

    def key(self, values: dict) -> tuple:
        return (values["personnummer"], values["given_on"], frozenset(values["parties"]))

    def apply(self, values: dict, ctx: Context) -> Status:
        individual = ctx.individual(values["personnummer"])
        if individual is None:
            raise RowErrors({"personnummer": NOT_IN_PULS})
        decision = ctx.may(Action.EDIT, individual, Category.IDENTITY)
        if not decision:
            raise RowRefused(
                "personnummer",
                "Du får inte registrera samtycken för personen (din enhet ansvarar inte för den).",
                decision.reason,
                individual.id,
            )
        data = consents.ConsentData(
            authorities=[a.value for a in values["parties"]],
            purposes=[p.value for p in values["purposes"]],
            purpose_other=values["purpose_other"],
            categories=[c.value for c in values["categories"]],
            form=values["form"].value,
            given_on=values["given_on"],
            valid_until=values["valid_until"],
            note=values["note"],
        )
        match = _matching_consent(individual.id, values)
        if match is None:
            consents.register_consent(individual, data, ctx.user)
            return Status.CREATE
        if match.withdrawn_on is not None:
            raise ValidationError(
                {
                    "_": "Samtycket är återkallat i Puls och importeras inte igen. Registrera ett nytt samtycke."
                }
            )
        if _same_content(match, values):
            return Status.UNCHANGED
        consents.correct_consent(match, data, ctx.user)
        return Status.UPDATE


def _matching_consent(individual_id: int, values: dict) -> Consent | None:
    candidates = db.session.scalars(
        select(Consent)
        .where(
            Consent.individual_id == individual_id,
            Consent.given_on == values["given_on"],
            Consent.superseded_at.is_(None),
        )
        .order_by(Consent.id.desc())
    )
    wanted = set(values["parties"])
    for consent in candidates:
        if (
            all(p.organisation_id is None for p in consent.parties)
            and {p.authority for p in consent.parties} == wanted
        ):
            return consent
    return None


def _same_content(consent: Consent, values: dict) -> bool:
    return (
        consent.purpose_set == set(values["purposes"])
        and consent.category_set == set(values["categories"])
        and consent.form == values["form"]
        and consent.valid_until == values["valid_until"]
        and (consent.purpose_other or "") == values["purpose_other"].strip()[:500]
        and (consent.note or "") == values["note"].strip()
    )

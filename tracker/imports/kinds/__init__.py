"""The import kinds, by their URL/CLI name."""

from tracker.imports.kinds.base import KindSpec
from tracker.imports.kinds.consents import ConsentsSpec
from tracker.imports.kinds.enrolments import EnrolmentsSpec
from tracker.imports.kinds.individuals import IndividualsSpec
from tracker.imports.kinds.time_entries import TimeEntriesSpec
from tracker.imports.models import ImportKind

SPECS: dict[ImportKind, KindSpec] = {
    spec.kind: spec for spec in (IndividualsSpec(), ConsentsSpec(), EnrolmentsSpec(), TimeEntriesSpec())
}
# The CLI also takes the English names from the issue.
ALIASES = {
    "individuals": ImportKind.INDIVIDUALS,
    "consents": ImportKind.CONSENTS,
    "enrolments": ImportKind.ENROLMENTS,
    "time-entries": ImportKind.TIME_ENTRIES,
    "time": ImportKind.TIME_ENTRIES,
}


def spec_for(name: str) -> KindSpec | None:
    try:
        kind = ImportKind(name)
    except ValueError:
        kind = ALIASES.get(name)
    return SPECS.get(kind) if kind else None

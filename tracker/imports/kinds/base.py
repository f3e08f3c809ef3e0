"""What every import kind declares: its columns, who may import it, and how a row is applied."""

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.consent.categories import Action, Category
from tracker.consent.policy import CaseFacts, Decision, load_facts, may
from tracker.core import personnummer
from tracker.extensions import db
from tracker.imports import cells
from tracker.imports.models import ImportKind
from tracker.people.models import Individual


class Status(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"

    def label(self, dry_run: bool) -> str:
        return (DRY_RUN_LABELS if dry_run else DONE_LABELS)[self]


DRY_RUN_LABELS = {
    Status.CREATE: "skapas",
    Status.UPDATE: "uppdateras",
    Status.UNCHANGED: "oförändrad",
    Status.ERROR: "fel",
}
DONE_LABELS = {
    Status.CREATE: "skapad",
    Status.UPDATE: "uppdaterad",
    Status.UNCHANGED: "oförändrad",
    Status.ERROR: "fel",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()  # other headers accepted for the column


class RowErrors(Exception):
    """Problems in one row: column key (None for the whole row) -> Swedish message."""

    def __init__(self, errors: dict[str | None, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class RowRefused(Exception):
    """The access policy refused this row's write (audited as a denial)."""

    def __init__(self, column: str | None, message: str, reason: str, individual_id: int | None = None):
        super().__init__(message)
        self.column, self.message, self.reason, self.individual_id = column, message, reason, individual_id


PRELOAD_CHUNK = 500


@dataclass
class Context:
    """The importing user and look-ups shared by the rows of one import.

    The file's individuals and the policy's facts about them are loaded once,
    in batches, before the rows run (a few queries instead of five per row).
    Rows of one import therefore never widen each other's access.
    """

    user: User
    memo: dict = field(default_factory=dict)
    individuals: dict[str, Individual] = field(default_factory=dict)
    facts: dict[int, CaseFacts] = field(default_factory=dict)
    preloaded: bool = False

    def cached(self, name: str, loader):
        if name not in self.memo:
            self.memo[name] = loader()
        return self.memo[name]

    def preload(self, personnummer_list) -> None:
        numbers = sorted({p for p in personnummer_list if p})
        for start in range(0, len(numbers), PRELOAD_CHUNK):
            chunk = numbers[start : start + PRELOAD_CHUNK]
            for individual in db.session.scalars(
                select(Individual).where(Individual.personnummer.in_(chunk))
            ):
                self.individuals[individual.personnummer] = individual
        ids = [i.id for i in self.individuals.values()]
        for start in range(0, len(ids), PRELOAD_CHUNK):
            chunk = ids[start : start + PRELOAD_CHUNK]
            facts = load_facts(self.user, chunk)
            self.facts.update({individual_id: facts[individual_id] for individual_id in chunk})
        self.preloaded = True

    def individual(self, pnr: str) -> Individual | None:
        if self.preloaded:
            return self.individuals.get(pnr)
        return db.session.scalar(select(Individual).where(Individual.personnummer == pnr))

    def may(self, action: Action, individual: Individual, category: Category) -> Decision:
        """The access policy, with this import's batched facts."""
        return may(self.user, action, individual, category, facts=self.facts.get(individual.id))


class RowParser:
    """Collects every cell's error so a row reports all its problems at once."""

    def __init__(self, raw: dict):
        self.raw = raw
        self.errors: dict[str | None, str] = {}

    def has(self, column: str) -> bool:
        return column in self.raw

    def get(self, column: str, parse, *args, required: bool = False):
        try:
            value = parse(self.raw.get(column), *args)
        except cells.CellError as error:
            self.errors[column] = str(error)
            return None
        if required and value in (None, "", []):
            self.errors[column] = "Fältet måste fyllas i."
        return value

    def personnummer(self, column: str = "personnummer") -> str | None:
        raw = cells.text(self.raw.get(column))
        if not raw:
            self.errors[column] = "Fältet måste fyllas i."
            return None
        try:
            return personnummer.normalise(raw)
        except personnummer.InvalidPersonnummer as error:
            self.errors[column] = str(error)
            return None

    def fail(self, column: str | None, message: str) -> None:
        self.errors.setdefault(column, message)

    def done(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


class KindSpec:
    kind: ImportKind
    title: str
    description: str
    roles: tuple[Role, ...]
    columns: tuple[Column, ...]
    # A service's ValidationError field -> the column it concerns (None: the whole row).
    field_columns: dict[str, str | None] = {}
    duplicate_message = "Raden upprepar en tidigare rad"

    def parse(self, parser: RowParser, ctx: Context) -> dict:
        raise NotImplementedError

    def prepare(self, parsed: list[dict], ctx: Context) -> None:
        """Batch look-ups before the rows run: the individuals the file names."""
        if any("personnummer" in values for values in parsed):
            ctx.preload(values.get("personnummer") for values in parsed)

    def key(self, values: dict) -> tuple:
        raise NotImplementedError

    def apply(self, values: dict, ctx: Context) -> Status:
        raise NotImplementedError

    def header(self, column_key: str | None) -> str:
        for column in self.columns:
            if column.key == column_key:
                return column.header
        return ""


NOT_IN_PULS = "Personen finns inte i Puls. Importera eller registrera personen först."

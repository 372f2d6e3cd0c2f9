"""The first pass of an import: every row of every file checked, nothing written.

Rows are read one at a time and checked by the batch. What later rows are checked against is kept on
disk (`bot.dataio.spill_index`), so memory stays flat whatever the size of the files: the keys seen
(duplicates), and the supplier of each product and order (an order line, invoice or stock level must
name things that exist, and an invoice or stock level must belong to the supplier it names). References
to records that are not in the import are looked up in the store at the end, by the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from bot.dataio.contract import Record
from bot.dataio.entities import Entity, key_column
from bot.dataio.readers import FileUnreadable, Opener, open_binary, open_table
from bot.dataio.spill_index import Key, Reference, SpillIndex

MAX_ERRORS = 1000
KEPT_REFERENCES = 5  # rows reported per unknown id; the rest are counted
BATCH = 4000  # rows checked against the rows before with one look-up
STORE_LOOKUPS = 500  # unresolved ids looked up in the store at a time


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    row: int  # 0: the file as a whole
    field: str
    reason: str


class Store(Protocol):
    def owners(self, entity: str, keys: Collection[str]) -> dict[str, str]:
        """The keys of `entity` that exist in the store, each with its supplier id ("" if it has none)."""
        ...


class Keeper(Protocol):
    def keep(self, path: Path, entity: Entity, record: Record) -> None:
        """A row that passed its own checks (its references are resolved at the end)."""
        ...


class EmptyStore:
    def owners(self, entity: str, keys: Collection[str]) -> dict[str, str]:
        return {}


@dataclass
class Validation:
    rows: dict[str, int] = field(default_factory=dict)  # valid rows per entity
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, file: str, row: int, field_name: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(file, row, field_name, reason))


def validate(
    files: Iterable[tuple[Path, Entity]],
    store: Store,
    *,
    opener: Opener = open_binary,
    on_file: Callable[[Path], Opener] | None = None,
    keeper: Keeper | None = None,
) -> Validation:
    """Check every row of `files` (in dependency order) and every reference; return what was found.

    `keeper` is given each row that passed its own checks while there is no error, so the apply pass
    need not read and check the files a second time.
    """
    result = Validation()
    index = SpillIndex()
    try:
        for path, entity in files:
            _validate_file(path, entity, result, index, on_file(path) if on_file else opener, keeper)
        _resolve(result, index, store)
    finally:
        index.close()
    return result


# a row of a batch: its number, and its checked record or the errors of its own fields
_Row = tuple[int, Record | list[tuple[str, str]]]


def _validate_file(
    path: Path,
    entity: Entity,
    result: Validation,
    index: SpillIndex,
    opener: Opener,
    keeper: Keeper | None,
) -> None:
    name = path.name
    result.files.append(name)
    try:
        table = open_table(path, opener)
    except FileUnreadable as exc:
        result.error(name, exc.row, "", exc.reason)
        return
    except OSError as exc:
        result.error(name, 0, "", f"cannot open: {exc.strerror or exc}")
        return
    batch: list[_Row] = []
    try:
        if table.header is not None and not _header_ok(name, table.header, entity.model, result):
            return
        for number, values in table.rows:
            if isinstance(values, str):
                batch.append((number, [("", values)]))
            else:
                try:
                    batch.append((number, entity.model.model_validate(values)))
                except ValidationError as exc:
                    errors = exc.errors(include_url=False, include_input=False)
                    batch.append((number, [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in errors]))
            if len(batch) >= BATCH:
                _check_batch(path, entity, batch, result, index, keeper)
                batch = []
    except FileUnreadable as exc:
        _check_batch(path, entity, batch, result, index, keeper)  # the rows before, in their order
        batch = []
        result.error(name, exc.row, "", exc.reason)
    finally:
        table.close()
    _check_batch(path, entity, batch, result, index, keeper)


def _keys(entity: Entity, records: list[tuple[int, Record]]) -> list[Key]:
    """The key of each record: its id, or a tuple of its key's fields (order lines, stock levels)."""
    key: Callable[[dict[str, Any]], Key] = itemgetter(*entity.key)
    return [key(record.__dict__) for _number, record in records]  # the checked values (attributes: slower)


def _check_batch(
    path: Path,
    entity: Entity,
    batch: list[_Row],
    result: Validation,
    index: SpillIndex,
    keeper: Keeper | None,
) -> None:
    """Check a batch of rows against the rows before and each other, in their order.

    What the rows before hold is looked up once per batch: the keys seen (duplicates), and the
    records the batch refers to (each entity refers only to entities checked before it).
    """
    if not batch:
        return
    name, file_no = path.name, len(result.files) - 1
    records = [(number, item) for number, item in batch if not isinstance(item, list)]
    keys = _keys(entity, records)
    next_key = iter(keys).__next__  # the keys of `records`, in their order
    seen = index.first_seen(entity.name, keys)
    known = {
        target: index.owners(target, [record.__dict__[field_name] for _number, record in records])
        for field_name, target in entity.refs
    }
    fresh: list[tuple[Key, int, str]] = []
    pending: list[Reference] = []
    for number, item in batch:
        if isinstance(item, list):
            for field_name, reason in item:
                result.error(name, number, field_name, reason)
            continue
        key = next_key()
        first = seen.get(key)
        if first is not None:
            result.error(name, number, "/".join(entity.key), _duplicate(key, first, name, result.files))
            continue
        seen[key] = file_no << 32 | number
        fresh.append((key, seen[key], _owned_by(entity, item)))
        _check_references(entity, item, file_no, number, result, known, pending)
        result.rows[entity.name] = result.rows.get(entity.name, 0) + 1
        if keeper is not None and result.error_count == 0:
            keeper.keep(path, entity, item)
    index.add(entity.name, fresh)
    index.refer(pending)


def _duplicate(key: object, first: int, name: str, files: list[str]) -> str:
    shown = "/".join(key) if isinstance(key, tuple) else str(key)
    file, row = files[first >> 32], first & 0xFFFFFFFF
    where = f"row {row}" if file == name else f"{file} row {row}"
    return f"duplicate {shown!r} (first at {where})"


def _header_ok(name: str, header: list[str], model: type[Record], result: Validation) -> bool:
    fields = model.model_fields
    before = result.error_count
    for column in header:
        if column not in fields:
            result.error(name, 1, column or "(blank)", "unknown column")
    for column in {c for c in header if header.count(c) > 1}:
        result.error(name, 1, column, "column given twice")
    for required in (f for f, info in fields.items() if info.is_required() and f not in header):
        result.error(name, 1, required, "required column missing")
    return result.error_count == before


def _owned_by(entity: Entity, record: Record) -> str:
    """The supplier a product or order belongs to ("" for the other entities)."""
    return str(record.__dict__.get("supplier_id", "")) if entity.name in ("products", "orders") else ""


def _check_references(
    entity: Entity,
    record: Record,
    file_no: int,
    row: int,
    result: Validation,
    known: dict[str, dict[str, str]],
    pending: list[Reference],
) -> None:
    fields = record.__dict__  # the checked values (attribute access is slower, and a miss slower still)
    supplier: str = fields.get("supplier_id", "")
    for field_name, target in entity.refs:
        value = fields[field_name]
        # an invoice's order and a stock level's SKU must be the supplier's own
        owner = supplier if (entity.name, target) in (("invoices", "orders"), ("stock", "products")) else None
        found = known[target].get(value)
        if found is not None:
            if owner is not None and found != owner:
                message = _foreign(target, key_column(target), value, found)
                result.error(result.files[file_no], row, field_name, message)
            continue
        pending.append(Reference(target, value, file_no, row, field_name, owner))


def _foreign(target: str, column: str, value: str, owner: str) -> str:
    return f"{_singular(target)} {column} {value!r} belongs to supplier {owner!r}"


def _singular(entity: str) -> str:
    return entity[:-1].replace("_", " ")


def _resolve(result: Validation, index: SpillIndex, store: Store) -> None:
    """Look up in the store what the import refers to but does not hold."""
    for target, chunk in index.unresolved(STORE_LOOKUPS):
        found = store.owners(target, [value for value, _count in chunk])
        first = index.first_references(target, [value for value, _count in chunk], KEPT_REFERENCES)
        for value, count in chunk:
            owner = found.get(value)
            refs = first[value]
            more = count - len(refs)
            for ref in refs:
                if owner is None:
                    reason = f"unknown {_singular(target)} {value!r} (in neither the import nor the store)"
                elif ref.owner is not None and owner != ref.owner:
                    reason = _foreign(target, key_column(target), value, owner)
                else:
                    continue
                result.error(result.files[ref.file], ref.row, ref.field, reason)
            if more > 0 and (owner is None or any(r.owner not in (None, owner) for r in refs)):
                last = refs[-1]
                result.error(
                    result.files[last.file], last.row, last.field, f"… and {more} more rows like this"
                )

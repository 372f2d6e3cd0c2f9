"""The first pass of an import: every row of every file checked, nothing written.

Rows are read one at a time; what is kept is what later rows are checked against: the keys seen
(duplicates), and the supplier of each product and order (an order line, invoice or stock level must
name things that exist, and an invoice or stock level must belong to the supplier it names). References
to records that are not in the import are looked up in the store once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from bot.dataio.contract import Record
from bot.dataio.entities import Entity, key_column
from bot.dataio.readers import FileUnreadable, Opener, open_binary, open_table

MAX_ERRORS = 1000
KEPT_REFERENCES = 5  # rows reported per unknown id; the rest are counted


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


@dataclass(slots=True)
class _Reference:
    file: str
    row: int
    field: str
    owner: str | None  # the supplier the referenced record must belong to


@dataclass
class Validation:
    rows: dict[str, int] = field(default_factory=dict)  # valid rows per entity
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    files: list[str] = field(default_factory=list)
    _seen: dict[str, dict[object, int]] = field(default_factory=dict)  # key -> file number << 32 | row
    _owner: dict[str, dict[str, str]] = field(default_factory=dict)  # entity -> key -> supplier id
    _pending: dict[str, dict[str, list[_Reference]]] = field(default_factory=dict)
    _pending_count: dict[tuple[str, str], int] = field(default_factory=dict)

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
    for path, entity in files:
        _validate_file(path, entity, result, on_file(path) if on_file else opener, keeper)
    _resolve(result, store)
    return result


def _validate_file(
    path: Path,
    entity: Entity,
    result: Validation,
    opener: Opener,
    keeper: Keeper | None,
) -> None:
    name = path.name
    file_no = len(result.files)
    result.files.append(name)
    try:
        table = open_table(path, opener)
    except FileUnreadable as exc:
        result.error(name, exc.row, "", exc.reason)
        return
    except OSError as exc:
        result.error(name, 0, "", f"cannot open: {exc.strerror or exc}")
        return
    try:
        if table.header is not None and not _header_ok(name, table.header, entity.model, result):
            return
        seen = result._seen.setdefault(entity.name, {})
        for number, values in table.rows:
            if isinstance(values, str):
                result.error(name, number, "", values)
                continue
            try:
                record = entity.model.model_validate(values)
            except ValidationError as exc:
                for e in exc.errors(include_url=False, include_input=False):
                    result.error(name, number, ".".join(str(p) for p in e["loc"]), e["msg"])
                continue
            fields = record.__dict__
            key: object = (
                fields[entity.key[0]] if len(entity.key) == 1 else tuple(fields[k] for k in entity.key)
            )
            first = seen.get(key)
            if first is not None:
                result.error(name, number, "/".join(entity.key), _duplicate(key, first, name, result.files))
                continue
            seen[key] = file_no << 32 | number
            _check_references(entity, record, name, number, result)
            result.rows[entity.name] = result.rows.get(entity.name, 0) + 1
            if keeper is not None and result.error_count == 0:
                keeper.keep(path, entity, record)
    except FileUnreadable as exc:
        result.error(name, exc.row, "", exc.reason)
    finally:
        table.close()


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


def _check_references(entity: Entity, record: Record, file: str, row: int, result: Validation) -> None:
    fields = record.__dict__  # the checked values (attribute access is slower, and a miss slower still)
    supplier: str = fields.get("supplier_id", "")
    if entity.name in ("suppliers", "customers", "products", "orders"):
        key = fields[entity.key[0]]
        owned = entity.name in ("products", "orders")
        result._owner.setdefault(entity.name, {})[key] = supplier if owned else ""
    for field_name, target in entity.refs:
        value = fields[field_name]
        # an invoice's order and a stock level's SKU must be the supplier's own
        owner = supplier if (entity.name, target) in (("invoices", "orders"), ("stock", "products")) else None
        known = result._owner.get(target, {}).get(value)
        if known is not None:
            if owner is not None and known != owner:
                result.error(file, row, field_name, _foreign(target, key_column(target), value, known))
            continue
        refs = result._pending.setdefault(target, {}).setdefault(value, [])
        count = result._pending_count.get((target, value), 0) + 1
        result._pending_count[(target, value)] = count
        if len(refs) < KEPT_REFERENCES:
            refs.append(_Reference(file, row, field_name, owner))


def _foreign(target: str, column: str, value: str, owner: str) -> str:
    return f"{_singular(target)} {column} {value!r} belongs to supplier {owner!r}"


def _singular(entity: str) -> str:
    return entity[:-1].replace("_", " ")


def _resolve(result: Validation, store: Store) -> None:
    """Look up in the store what the import refers to but does not hold."""
    for target, pending in result._pending.items():
        keys = list(pending)
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            found.update(store.owners(target, keys[start : start + 500]))
        for value, refs in pending.items():
            owner = found.get(value)
            more = result._pending_count[(target, value)] - len(refs)
            for ref in refs:
                if owner is None:
                    reason = f"unknown {_singular(target)} {value!r} (in neither the import nor the store)"
                elif ref.owner is not None and owner != ref.owner:
                    reason = _foreign(target, key_column(target), value, owner)
                else:
                    continue
                result.error(ref.file, ref.row, ref.field, reason)
            if more > 0 and (owner is None or any(r.owner not in (None, owner) for r in refs)):
                result.error(refs[-1].file, refs[-1].row, refs[-1].field, f"… and {more} more rows like this")

"""Rows of a CSV, JSON Lines or Excel file, one at a time (a file of any size streams).

Each reader yields `(row number, values)`, or `(row number, reason)` for a row it cannot read. Row
numbers are those a person sees: in CSV and Excel the header is row 1; in JSON Lines, the line number.
Empty cells and JSON nulls are left out, so the contract's defaults apply. A line is read up to
`MAX_LINE` characters at most: a file with no line breaks (a JSON array on one line, a binary file)
is refused without being read into memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import IO, Any

Values = dict[str, Any]
RowItem = tuple[int, Values | str]
Opener = Callable[[Path], IO[bytes]]

MAX_LINE = 1_000_000  # characters; no row of the contract comes near, and a longer line is not held


class FileUnreadable(Exception):
    """The file as a whole cannot be read (not UTF-8, not a workbook, no header)."""

    def __init__(self, reason: str, row: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


def open_binary(path: Path) -> IO[bytes]:
    return path.open("rb")


@dataclass
class Table:
    """An open file: its header (None for JSON Lines, whose rows name their fields) and its rows."""

    header: list[str] | None
    rows: Iterator[RowItem]
    close: Callable[[], None]


def open_table(path: Path, opener: Opener = open_binary) -> Table:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path, opener)
    handle = opener(path)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")  # a BOM or none
    if suffix == ".csv":
        return _csv(text)
    return Table(None, _jsonl(text), text.close)


def _cell_text(value: str) -> Any:
    return value if value.strip() else None


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The lines of `text`, each read up to `MAX_LINE` characters: a longer one ends the file's reading."""
    number = 0
    while line := text.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise FileUnreadable(_too_long(), number)
        yield line


def _too_long() -> str:
    return f"a line longer than {MAX_LINE:,} characters (is this a file of rows, one per line?)"


def _csv(text: io.TextIOWrapper) -> Table:
    reader = csv.reader(_lines(text), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        text.close()
        raise FileUnreadable("the file is empty (a CSV file starts with a header row)", 1) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        text.close()
        raise FileUnreadable(f"unreadable header: {exc}", 1) from None
    except FileUnreadable:
        text.close()
        raise
    return Table(header, _csv_rows(reader, header), text.close)


def _csv_rows(reader: Any, header: list[str]) -> Iterator[RowItem]:
    width = len(header)
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise FileUnreadable(f"not UTF-8 text: {exc.reason}", number) from None
        except csv.Error as exc:
            yield number, f"malformed CSV: {exc}"
            continue
        if not cells:
            continue
        if len(cells) != width:
            yield number, f"{len(cells)} values for {width} columns"
            continue
        yield number, {h: c for h, c in zip(header, cells, strict=True) if c and not c.isspace()}


def _jsonl(text: io.TextIOWrapper) -> Iterator[RowItem]:
    number = 0
    while True:
        number += 1
        try:
            line = text.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                while (rest := text.readline(MAX_LINE)) and not rest.endswith(("\n", "\r")):
                    pass  # the rest of the line, read and dropped piece by piece
                yield number, _too_long()
                continue
        except UnicodeDecodeError as exc:
            raise FileUnreadable(f"not UTF-8 text: {exc.reason}", number) from None
        if not line:
            return
        if not line.strip():
            continue
        try:
            value = json.loads(line, parse_float=str)  # "3.40" stays 3.40: amounts are decimals
        except json.JSONDecodeError as exc:
            yield number, f"not JSON: {exc.msg} at column {exc.colno}"
            continue
        if not isinstance(value, dict):
            yield number, f"a line must be a JSON object, not {type(value).__name__}"
            continue
        yield number, {k: v for k, v in value.items() if v is not None and not _blank(v)}


def _excel_value(value: Any) -> Any:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value  # a date cell: pydantic takes a midnight datetime for a date
    if isinstance(value, str):
        return _cell_text(value)
    return value


def _xlsx(path: Path, opener: Opener) -> Table:
    from openpyxl import load_workbook

    handle = opener(path)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: not a workbook
        handle.close()
        raise FileUnreadable(f"not an Excel workbook (.xlsx): {exc}") from None

    def close() -> None:
        book.close()
        handle.close()

    rows = book.worksheets[0].iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        close()
        raise FileUnreadable("the sheet is empty (its first row is the header)", 1)
    header = [str(h).strip() if h is not None else "" for h in first]
    while header and not header[-1]:
        header.pop()
    return Table(header, _xlsx_rows(rows, header), close)


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], header: list[str]) -> Iterator[RowItem]:
    width = len(header)
    for number, cells in enumerate(rows, start=2):
        if any(c is not None for c in cells[width:]):
            yield number, f"values past the last of the {width} columns"
            continue
        values = {h: _excel_value(c) for h, c in zip(header, cells[:width], strict=False) if c is not None}
        values = {k: v for k, v in values.items() if v is not None}
        if values:
            yield number, values

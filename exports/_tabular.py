"""Shared reading for every import: CSV or XLSX (told apart by content), header matching, and
the value parsers, so each import reports every bad row the same way.

Whatever a file says about itself, reading is bounded: at most MAX_FILE_BYTES read, an .xlsx
unzipped within MAX_UNZIPPED_BYTES (exports.archive) and holding at most MAX_CELLS cells, at
most MAX_ROWS rows and MAX_COLUMNS columns. A file past a bound is refused whole with a SpreadsheetRefused that says which.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, Iterable, Mapping, Union

from ._sheet import LONDON
from .archive import PackageDamaged, PackageTooLarge, check_package

Source = Union[str, "os.PathLike[str]", BinaryIO, bytes]

SECTORS = ("public", "private", "voluntary")
_ZIP_MAGIC = b"PK\x03\x04"
#: the header may sit below a title (our own exports put it on row 3)
HEADER_SEARCH_ROWS = 10
#: an import is a programme's applications or payments: thousands of rows at the very most
MAX_ROWS = 5_000
#: a file of candidates for `als select --input` may be a national programme's: 50,000 and more
MAX_CANDIDATE_ROWS = 100_000
#: columns read from each row; any after these are ignored (ours have fewer than 20)
MAX_COLUMNS = 100
#: cells in all the sheets of a workbook (filled or merely formatted): reading one costs ~10 µs
MAX_CELLS = 100_000
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
#: the largest whole number a database integer column holds (PostgreSQL's integer)
MAX_INTEGER = 2_147_483_647
# Control characters other than tab and newline, stray surrogates and non-characters that some
# pastes carry: the one rule, used by imports here and by app.text.clean_text for forms.
# Control characters, lone surrogates and non-characters; also the invisible bidirectional overrides,
# embeddings and isolates (which can make a name or reason read backwards on a page) and the zero-width
# space and word joiner. ZWJ and ZWNJ stay: some scripts (and emoji) need them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufffe\uffff\ufeff]")


class SpreadsheetRefused(ValueError):
    """The whole file cannot be read; the message says why, for people."""


@dataclass(frozen=True)
class RowError:
    """A problem with one row (``row`` is the row number a spreadsheet program shows)."""

    row: int
    message: str


def read_bytes(source: Source) -> bytes:
    """The file's bytes, refused past MAX_FILE_BYTES without reading further."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    else:
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetRefused(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: "
                                 "split it into smaller files")
    return data


def _too_many_rows(max_rows: int) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"The file has more than {max_rows:,} rows: split it into files of at most "
                              f"{max_rows:,} rows, or delete empty rows below the data")


class _CellCounter:
    """Counts the cells in a workbook's sheets as they are unzipped, stopping past `limit`."""

    _CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
    _OVERLAP = 40  # longer than any cell tag, so a tag split across two chunks is still seen

    def __init__(self, limit: int = MAX_CELLS) -> None:
        self.limit = limit
        self.cells = 0
        self.part = ""
        self.tail = b""

    def __call__(self, name: str, chunk: bytes) -> None:
        if not name.startswith("xl/worksheets/"):
            return
        if name != self.part:
            self.part, self.tail = name, b""
        data = self.tail + chunk
        # tags wholly inside the tail were counted with the previous chunk
        self.cells += sum(1 for m in self._CELL.finditer(data) if m.end() > len(self.tail))
        self.tail = data[-self._OVERLAP:]
        if self.cells > self.limit:
            raise SpreadsheetRefused(f"The workbook has more than {self.limit:,} cells: split it into smaller "
                                     "files, or delete unused sheets and formatting below the data")


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        # Inflate every part within the budget first: after this the sizes openpyxl trusts are true.
        # a bigger row bound allows proportionally more cells (20 a row: our files have fewer)
        check_package(data, MAX_UNZIPPED_BYTES, inspect=_CellCounter(max(MAX_CELLS, max_rows * 20)))
    except PackageTooLarge:
        raise SpreadsheetRefused(f"The workbook is larger than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB once "
                                 "unzipped: split it into smaller files") from None
    except PackageDamaged:
        raise SpreadsheetRefused("The workbook could not be opened: it may be damaged. Save it again as an "
                                 "Excel workbook (.xlsx) or a CSV file") from None
    try:
        with warnings.catch_warnings():
            # files from other tools trigger harmless openpyxl warnings (e.g. "no default style")
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            return _sheet_rows(wb, max_rows)
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a package that is not a workbook
        raise SpreadsheetRefused("The file could not be opened as an Excel workbook (.xlsx): save it again as "
                                 "an Excel workbook or a CSV file") from exc


def _sheet_rows(wb: Any, max_rows: int) -> list[tuple[int, list[Any]]]:
    try:
        ws = wb.worksheets[0]
        # The sheet's <dimension> is the file's own claim (it may say A1:XFD1048576): forget it, so
        # rows are not padded to it, and read at most MAX_COLUMNS columns of at most MAX_ROWS rows.
        ws.reset_dimensions()
        rows: list[tuple[int, list[Any]]] = []
        # read-only mode pads missing rows, so enumerate gives the row number Excel shows
        for number, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            if number > max_rows:
                raise _too_many_rows(max_rows)
            rows.append((number, list(values)))
        return rows
    finally:
        wb.close()


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first rows into the most columns.

    Only the delimiter is guessed. csv.Sniffer also guesses the quote character, and gets a
    properly quoted "=HYPERLINK(""http://x.test"",""y"")" wrong, splitting it apart; files from
    Excel and LibreOffice always quote with " and double a " inside a field.
    """
    sample = text[:8192].rsplit("\n", 1)[0] if "\n" in text[:8192] else text[:8192]
    best, best_columns = ",", 0
    for delimiter in (",", ";", "\t"):
        try:
            records = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:HEADER_SEARCH_ROWS]
        except csv.Error:
            continue
        columns = max((len(r) for r in records), default=0)
        if columns > best_columns:
            best, best_columns = delimiter, columns
    return best


def _csv_rows(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's plain "CSV" on Windows
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text), quotechar='"', doublequote=True)
    rows: list[tuple[int, list[Any]]] = []
    try:
        # record number (not physical line) = the row number Excel shows for quoted newlines
        for number, record in enumerate(reader, 1):
            if number > max_rows:
                raise _too_many_rows(max_rows)
            rows.append((number, record[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise SpreadsheetRefused(f"The file could not be read as CSV ({exc}): save it again as CSV UTF-8 "
                                 "or as an Excel workbook (.xlsx)") from None
    return rows


def load_rows(source: Source, max_rows: int = MAX_ROWS) -> list[tuple[int, list[Any]]]:
    """(row number, cell values) for every row of the first sheet, CSV or XLSX by content;
    a file of more than `max_rows` rows is refused."""
    data = read_bytes(source)
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_rows(data, max_rows)
    return _csv_rows(data, max_rows)


def clean_cell(value: str) -> str:
    """Text from a cell without control characters (tab and newline stay), NFC, trimmed."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).strip()


def normalise_header(value: Any) -> str:
    """'  Full Name ' / 'full-name' / 'FULL_NAME' all become 'full_name'."""
    return re.sub(r"[^0-9a-z]+", "_", str(value or "").casefold()).strip("_")


@dataclass
class Table:
    header_row: int
    #: canonical field -> column index
    columns: dict[str, int]
    #: other (unrecognised) columns: original header text -> column index
    extra: dict[str, int]
    rows: list[tuple[int, list[Any]]]


def find_table(
    rows: list[tuple[int, list[Any]]],
    aliases: Mapping[str, Iterable[str]],
    required: Iterable[Iterable[str]],
) -> Table | RowError:
    """Locate the header row and map its columns to canonical names.

    ``aliases``: canonical name -> accepted normalised headers. ``required``: groups of
    canonical names, each group satisfied by ANY one of its names (e.g. reference or email).
    """
    lookup = {alias: name for name, names in aliases.items() for alias in (name, *names)}
    required = [tuple(g) for g in required]
    best: tuple[int, int, dict[str, int], dict[str, int]] | None = None
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        extra: dict[str, int] = {}
        for i, cell in enumerate(cells):
            key = normalise_header(cell)
            if not key:
                continue
            name = lookup.get(key)
            if name is not None and name not in columns:
                columns[name] = i
            elif name is None:
                extra[str(cell).strip()] = i
        score = sum(any(n in columns for n in g) for g in required)
        if score == len(required):
            body = [r for r in rows if r[0] > number]
            return Table(number, columns, extra, body)
        if columns and (best is None or score > best[1]):
            best = (number, score, columns, extra)
    number = best[0] if best else 1
    found = best[2] if best else {}
    missing = [" or ".join(g) for g in required if not any(n in found for n in g)]
    return RowError(number, "missing required column(s): " + ", ".join(missing))


def text(cells: list[Any], index: int | None) -> str:
    """A cell as trimmed text; Excel's 12.0 for an id typed as 12 becomes '12'."""
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return clean_cell(str(value))


def raw(cells: list[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return None if isinstance(value, str) and not value.strip() else value


def is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# --- value parsers: each returns the value or raises ValueError with a message for people --

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"email {value!r} is not a valid email address" if value
                         else "email is missing")
    return value


def parse_sector(value: str) -> str:
    key = " ".join(value.split()).casefold()
    if key not in SECTORS:
        raise ValueError(f"sector {value!r} is not one of public, private, voluntary"
                         if value else "sector is missing")
    return key


def parse_list(value: str) -> list[str]:
    """'Newcastle Tue pm; Durham Fri am;' -> two entries, duplicates dropped, order kept."""
    return list(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))


def parse_number(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{field} {value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"{field} {value!r} is not a number") from None
    if not math.isfinite(number) or abs(number) > MAX_INTEGER:
        raise ValueError(f"{field} {value!r} is not a number between {-MAX_INTEGER:,} and {MAX_INTEGER:,}")
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y",
                 "%d %B %Y")
_TIME_FORMATS = ("%H:%M", "%H:%M:%S")


def parse_date(value: Any, field: str = "date") -> date:
    """A real date cell, or text as ISO or UK day-first (01/09/2024 is 1 September)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{field} {s!r} is not a date (use 2024-09-01 or 01/09/2024)" if s
                     else f"{field} is missing")


def parse_datetime(value: Any, field: str) -> datetime:
    """An aware UTC datetime. A time without a zone is UK time (what the sender saw)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        s = str(value or "").strip()
        try:
            moment = datetime.fromisoformat(s)
        except ValueError:
            moment = _parse_day_first(s, field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(timezone.utc)


def _parse_day_first(s: str, field: str) -> datetime:
    day, _, clock = s.partition(" ")
    d = parse_date(day if clock else s, field)
    if not clock:
        return datetime.combine(d, time())
    for fmt in _TIME_FORMATS:
        try:
            return datetime.combine(d, datetime.strptime(clock.strip(), fmt).time())
        except ValueError:
            continue
    raise ValueError(f"{field} {s!r} has a time that is not HH:MM")


_MONEY = re.compile(r"^(-)?£?(-)?([0-9][0-9,]*)(\.[0-9]+)?$")


def parse_pence(value: Any, field: str = "amount") -> int:
    """'£1,234.50', '300', '300.00', -50, 12.5 -> integer pence. Exact: no float rounding."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{field} is missing")
    if isinstance(value, bool):
        raise ValueError(f"{field} {value!r} is not an amount of money")
    if isinstance(value, (int, float)):
        # repr() of an Excel double is its shortest exact decimal, e.g. 12.35 not 12.3499...
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        s = "".join(str(value).split())
        if s.startswith("(") and s.endswith(")"):  # accountants' negative
            s = "-" + s[1:-1]
        m = _MONEY.match(s)
        if not m or (m.group(1) and m.group(2)) or not _good_commas(m.group(3)):
            raise ValueError(f"{field} {value!r} is not an amount of money (e.g. £1,234.50)")
        try:
            amount = Decimal(f"{'-' if m.group(1) or m.group(2) else ''}"
                             f"{m.group(3).replace(',', '')}{m.group(4) or ''}")
        except InvalidOperation:  # pragma: no cover - regex already guarantees digits
            raise ValueError(f"{field} {value!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{field} {value!r} is not an amount of money")
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise ValueError(f"{field} {value!r} has more than two decimal places")
    if abs(pence) > MAX_INTEGER:
        raise ValueError(f"{field} {value!r} is too large to be an amount of money")
    return int(pence)


def _good_commas(digits: str) -> bool:
    # '1,234' and '1234' are fine; '1,23' is probably a typo, so refuse it
    return "," not in digits or re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*", digits) is not None

"""The one place that knows how a cell is written: safe text, formats, widths, layout.

Every workbook uses the same layout so finance and organisers learn it once:
row 1 the sheet title, row 2 "Generated at ...", row 3 the header (frozen, filtered), data from
row 4. Workbooks are written in openpyxl's write-only mode (streamed, constant memory), which
is why column widths are estimated before the first row is appended. A workbook of many sheets
(a roster per set) is written as the same XML directly: see exports/_xlsx.py.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Literal, Sequence, Union
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

LONDON = ZoneInfo("Europe/London")

#: Excel refuses more characters than this in one cell.
MAX_CELL_CHARS = 32_767
TRUNCATION_MARKER = " [truncated: the full text is in the application]"

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
GBP_FORMAT = '"£"#,##0.00;-"£"#,##0.00'

TITLE_ROW, GENERATED_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1

MIN_WIDTH, MAX_WIDTH = 6, 60

# openpyxl's list of XML-illegal control characters, plus what else cannot be written as
# UTF-8 XML (lone surrogates, U+FFFE/U+FFFF): dropped, never an exception mid-export.
_ILLEGAL = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ud800-\udfff\ufffe\uffff]")

Target = Union[str, "os.PathLike[str]", BinaryIO]

Kind = Literal[
    "text", "date", "datetime", "time", "money", "money_formula", "formula", "int", "number",
    "bool",
]

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_BORDER = Border(bottom=Side(style="thin"))

# Width (in characters) a value of each kind needs; text is measured, these are fixed.
_FIXED_WIDTH = {"date": 11, "datetime": 17, "time": 6, "bool": 4}


def safe_text(value: Any) -> str:
    """User text as a string Excel will accept whole: no control characters, within the limit.

    Control characters (other than tab/newline) make the file unreadable, so they are dropped
    rather than raising; text past Excel's cell limit is cut with a visible marker so nobody
    mistakes a truncated note for the whole one.
    """
    if value is None:
        return ""
    text = _ILLEGAL.sub("", str(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return text


def to_london(moment: datetime) -> datetime:
    """A naive Europe/London datetime for a cell (Excel has no time zones). Naive input = UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LONDON).replace(tzinfo=None)


def pounds(pence: int) -> float:
    """Pence to a pounds number: integer pence / 100 is exact to the penny as a double."""
    return pence / 100


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    #: overrides the kind's default number format (e.g. "0.0" for scores)
    number_format: str | None = None
    #: fixed width; otherwise estimated from the header and the content
    width: float | None = None


def _display_len(kind: Kind, value: Any) -> int:
    if value is None:
        return 0
    if kind in _FIXED_WIDTH:
        return _FIXED_WIDTH[kind]
    if kind == "money":
        return len(f"£{pounds(value):,.2f}")
    if kind in ("money_formula", "formula"):
        return 12
    if kind == "text":
        # a long note is capped anyway; only its first line shows in an unwrapped cell
        return len(str(value)[:MAX_WIDTH * 2].split("\n", 1)[0])
    return len(str(value))


def estimate_widths(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> list[float]:
    """One width per column: the widest header or value, plus padding, capped."""
    widest = [len(c.header) + 2 for c in columns]  # + room for the filter button
    for row in rows:
        for i, (column, value) in enumerate(zip(columns, row, strict=True)):
            n = _display_len(column.kind, value)
            if n > widest[i]:
                widest[i] = n
    return [
        c.width if c.width is not None else float(max(MIN_WIDTH, min(MAX_WIDTH, w + 1)))
        for c, w in zip(columns, widest, strict=True)
    ]


class SheetWriter:
    """Turns plain Python values into cells of one write-only sheet, by column kind."""

    def __init__(self, ws: Any, columns: Sequence[Column]) -> None:
        self.ws = ws
        self.columns = list(columns)

    def text_cell(self, value: Any, font: Font | None = None) -> Any:
        text = safe_text(value)
        if text == "" and font is None:
            return None
        if font is None and text[:1] not in ("=", "#"):
            return text  # a plain string is stored as a string; no Cell object needed
        cell = WriteOnlyCell(self.ws, text)
        # openpyxl turns "=..." into a formula and "#N/A" into an error: user text is text.
        cell.data_type = "s"
        if font is not None:
            cell.font = font
        return cell

    def _styled(self, value: Any, fmt: str, font: Font | None) -> Any:
        cell = WriteOnlyCell(self.ws, value)
        cell.number_format = fmt
        if font is not None:
            cell.font = font
        return cell

    def cell(self, column: Column, value: Any, font: Font | None = None) -> Any:
        kind = column.kind
        if value is None or (value == "" and kind != "text"):
            return None
        if kind == "text":
            return self.text_cell(value, font)
        if kind == "date":
            if isinstance(value, datetime):
                value = to_london(value).date()
            return self._styled(value, column.number_format or DATE_FORMAT, font)
        if kind == "datetime":
            return self._styled(to_london(value), column.number_format or DATETIME_FORMAT, font)
        if kind == "time":
            return self._styled(value, column.number_format or TIME_FORMAT, font)
        if kind == "money_formula" or (kind == "money" and isinstance(value, str)):
            # our own formula (e.g. a totals row); never user text
            return self._styled(value, column.number_format or GBP_FORMAT, font)
        if kind == "money":
            return self._styled(pounds(value), column.number_format or GBP_FORMAT, font)
        if kind == "bool":
            return self.text_cell("Yes" if value else "No", font)
        if kind in ("int", "number", "formula"):
            if column.number_format or font is not None:
                return self._styled(value, column.number_format or "General", font)
            return value
        raise ValueError(f"unknown column kind {kind!r}")

    def row(self, values: Sequence[Any], font: Font | None = None) -> list[Any]:
        return [self.cell(c, v, font) for c, v in zip(self.columns, values, strict=True)]


def _header_cell(writer: SheetWriter, text: str) -> Any:
    cell = writer.text_cell(text, _BOLD)
    cell.fill = _HEADER_FILL
    cell.border = _HEADER_BORDER
    return cell


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def add_table_sheet(
    wb: Workbook,
    sheet_name: str,
    title: str,
    generated_at: datetime,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    totals: Sequence[Any] | None = None,
    before_rows: Callable[[Any], None] | None = None,
) -> Any:
    """Add a sheet in the standard layout and stream ``rows`` into it.

    ``totals`` (optional) is one extra bold row after the data, outside the filter range so
    sorting and filtering never move it. ``before_rows`` may configure the sheet (e.g.
    conditional formatting) before anything is written. Returns the worksheet.
    """
    ws = wb.create_sheet(title=sheet_name)
    widths = estimate_widths(columns, rows)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    # freeze below the header: title, generated line and header stay visible when scrolling
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    last_col = get_column_letter(len(columns))
    last_row = HEADER_ROW + len(rows)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    if before_rows is not None:
        before_rows(ws)

    writer = SheetWriter(ws, columns)
    ws.append([writer.text_cell(title, _TITLE_FONT)])
    stamp = to_london(generated_at).strftime("%d/%m/%Y %H:%M")
    ws.append([writer.text_cell(f"Generated at {stamp} (UK time)")])
    ws.append([_header_cell(writer, c.header) for c in columns])
    for values in rows:
        ws.append(writer.row(values))
    if totals is not None:
        ws.append(writer.row(totals, _BOLD))
    return ws


def save(wb: Workbook, out: Target) -> None:
    """Save to a path or a binary stream (e.g. io.BytesIO or a Flask response body)."""
    if isinstance(out, (str, os.PathLike)):
        wb.save(Path(out))
    else:
        wb.save(out)


_FORBIDDEN_IN_SHEET_NAME = str.maketrans({c: "-" for c in "[]:*?/\\"})


def unique_sheet_name(wanted: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, unique (case-insensitively) among ``taken``; adds it there.

    Excel: at most 31 characters, none of []:*?/\\, not starting or ending with an
    apostrophe, not empty, and "History" is reserved.
    """
    base = " ".join(safe_text(wanted).translate(_FORBIDDEN_IN_SHEET_NAME).split())
    base = base.strip("'").strip() or "Set"
    if base.casefold() == "history":
        base = "History set"
    name, n = base[:31].rstrip().rstrip("'"), 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
    taken.add(name.casefold())
    return name

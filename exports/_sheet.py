"""The one place that knows how a cell is written: safe text, formats, widths, layout.

Every workbook uses the same layout so finance and organisers learn it once:
row 1 the sheet title, row 2 "Generated at ...", row 3 the header (frozen, filtered), data from
row 4. Workbooks are written in openpyxl's write-only mode (streamed, constant memory), which
is why column widths are estimated before the first row is appended. A workbook of many sheets
(a roster per set) is written as the same XML directly: see write_table_sheets.
"""
from __future__ import annotations

import functools
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Literal, Sequence, Union
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.compat import safe_string
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.functions import tostring

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


# --- Workbooks of many sheets, written as XML directly ----------------------------------------
# openpyxl spends about 1 ms on each sheet (its objects, a temporary file, a title check against
# every earlier sheet) and 7 µs on each cell: 3 s for the rosters of 10,000 people in 1,250 sets.
# write_table_sheets writes the same parts as add_table_sheet + save (byte for byte with
# openpyxl 3.1.5, apart from the time stamps in docProps/core.xml), for the kinds such workbooks
# use; openpyxl still writes the parts that do not depend on the sheets (styles, theme, properties).

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_TYPE = "application/vnd.openxmlformats-officedocument"

_SHEET_HEAD = (
    f'<worksheet xmlns="{_MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
    '<pageSetUpPr/></sheetPr><sheetViews><sheetView workbookViewId="0">'
    f'<pane ySplit="{HEADER_ROW}" topLeftCell="A{FIRST_DATA_ROW}" activePane="bottomLeft" '
    'state="frozen"/><selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView>'
    '</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
)
_SHEET_TAIL = (
    '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
    "</worksheet>"
)
_ROOT_RELS = (
    f'<Relationships xmlns="{_PACKAGE_REL_NS}"><Relationship Type="{_REL_NS}/officeDocument" '
    'Target="xl/workbook.xml" Id="rId1"/><Relationship '
    f'Type="{_PACKAGE_REL_NS}/metadata/core-properties" Target="docProps/core.xml" Id="rId2"/>'
    f'<Relationship Type="{_REL_NS}/extended-properties" Target="docProps/app.xml" Id="rId3"/>'
    "</Relationships>"
)
_CONTENT_TYPES_HEAD = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE_TYPE}.spreadsheetml.styles+xml"/>'
    f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_OFFICE_TYPE}.theme+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{_OFFICE_TYPE}.extended-properties+xml"/>'
)
_WORKBOOK_HEAD = (
    f'<workbook xmlns="{_MAIN_NS}"><workbookPr/><workbookProtection/><bookViews><workbookView '
    'visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
    'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1"/>'
    "</bookViews>"
)

# Escaped as lxml escapes them. Beyond ASCII, openpyxl's sheets have &#n; references (that is
# how its streamed writer encodes them) and its other parts plain UTF-8.
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_NUMERIC_KINDS = ("int", "number", "formula")


@dataclass(frozen=True)
class TableSheet:
    """One sheet in the standard layout, as add_table_sheet takes it."""

    #: valid and unique in the workbook already (see unique_sheet_name)
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    totals: Sequence[Any] | None = None


@dataclass(frozen=True)
class _Styles:
    """styles.xml and the style ids of the title, header and bold (totals) cells, registered in
    the order add_table_sheet first uses them, so the ids and the file match its own."""

    title: str
    header: str
    bold: str
    without_bold: bytes
    with_bold: bytes


@functools.cache
def _styles() -> _Styles:
    wb = new_workbook()
    writer = SheetWriter(wb.create_sheet(), [])
    title = writer.text_cell("", _TITLE_FONT).style_id
    header = _header_cell(writer, "").style_id
    without_bold = tostring(write_stylesheet(wb))
    bold = writer.text_cell("", _BOLD).style_id
    return _Styles(f' s="{title}"', f' s="{header}"', f' s="{bold}"', without_bold,
                   tostring(write_stylesheet(wb)))


def _cell_xml(ref: str, kind: Kind, value: Any, style: str) -> str | None:
    """The <c> element SheetWriter.cell's cell becomes (None: no cell)."""
    if value is None or (value == "" and kind != "text"):
        return None
    if kind == "bool":
        kind, value = "text", "Yes" if value else "No"
    if kind == "text":
        text = safe_text(value)
        if not text:
            return f'<c r="{ref}"{style} t="inlineStr"></c>' if style else None
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return (f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>'
                f"{text.translate(_XML_TEXT)}</t></is></c>")
    if isinstance(value, str) and len(value) > 1 and value.startswith("="):
        # our own formula (a totals row); user text is always a text column
        return f'<c r="{ref}"{style}><f>{value[1:].translate(_XML_TEXT)}</f><v></v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"{style} t="n"><v>{safe_string(value)}</v></c>'
    raise ValueError(f"not a number or a formula for a {kind} column: {value!r}")


def _row_xml(row: int, cells: Iterable[str | None]) -> str:
    return f'<row r="{row}">{"".join(c for c in cells if c is not None)}</row>'


def _sheet_xml(sheet: TableSheet, stamp: str, styles: _Styles) -> tuple[bytes, bool]:
    """The worksheet part, and whether it used the bold (totals) style."""
    for column in sheet.columns:
        if column.kind != "text" and (column.kind not in _NUMERIC_KINDS + ("bool",)
                                      or column.number_format is not None):
            raise ValueError(f"column {column.header!r}: number formats need add_table_sheet")
    kinds = [c.kind for c in sheet.columns]
    letters = [get_column_letter(i) for i in range(1, len(kinds) + 1)]
    widths = estimate_widths(sheet.columns, sheet.rows)
    parts = [_SHEET_HEAD, "<cols>"]
    parts += [f'<col width="{safe_string(w)}" customWidth="1" min="{i}" max="{i}"/>'
              for i, w in enumerate(widths, 1)]
    parts.append("</cols><sheetData>")
    parts.append(_row_xml(TITLE_ROW, [_cell_xml(f"A{TITLE_ROW}", "text", sheet.title,
                                                 styles.title)]))
    parts.append(_row_xml(GENERATED_ROW, [_cell_xml(f"A{GENERATED_ROW}", "text", stamp, "")]))
    parts.append(_row_xml(HEADER_ROW, [_cell_xml(f"{x}{HEADER_ROW}", "text", c.header,
                                                  styles.header)
                                       for x, c in zip(letters, sheet.columns, strict=True)]))
    row = HEADER_ROW
    for row, values in enumerate(sheet.rows, FIRST_DATA_ROW):
        parts.append(_row_xml(row, [_cell_xml(f"{x}{row}", kind, v, "")
                                    for x, kind, v in zip(letters, kinds, values, strict=True)]))
    bold_used = False
    if sheet.totals is not None:
        row += 1
        cells = [_cell_xml(f"{x}{row}", kind, v, styles.bold)
                 for x, kind, v in zip(letters, kinds, sheet.totals, strict=True)]
        bold_used = any(c is not None for c in cells)
        parts.append(_row_xml(row, cells))
    parts.append(f'</sheetData><autoFilter ref="{_filter_ref(sheet)}"/>{_SHEET_TAIL}')
    return "".join(parts).encode("ascii", "xmlcharrefreplace"), bold_used


def _filter_ref(sheet: TableSheet) -> str:
    return f"A{HEADER_ROW}:{get_column_letter(len(sheet.columns))}{HEADER_ROW + len(sheet.rows)}"


def _workbook_xml(sheets: list[TableSheet]) -> bytes:
    listed = "".join(
        f'<sheet xmlns:r="{_REL_NS}" name="{s.name.translate(_XML_ATTRIBUTE)}" sheetId="{i}" '
        f'state="visible" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{quote_sheetname(s.name).translate(_XML_TEXT)}!{absolute_coordinate(_filter_ref(s))}"
        "</definedName>" for i, s in enumerate(sheets))
    return (f"{_WORKBOOK_HEAD}<sheets>{listed}</sheets><definedNames>{filters}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>').encode("utf-8")


def _workbook_rels(n_sheets: int) -> bytes:
    sheets = "".join(f'<Relationship Type="{_REL_NS}/worksheet" '
                     f'Target="/xl/worksheets/sheet{i}.xml" Id="rId{i}"/>'
                     for i in range(1, n_sheets + 1))
    return (f'<Relationships xmlns="{_PACKAGE_REL_NS}">{sheets}'
            f'<Relationship Type="{_REL_NS}/styles" Target="styles.xml" Id="rId{n_sheets + 1}"/>'
            f'<Relationship Type="{_REL_NS}/theme" Target="theme/theme1.xml" '
            f'Id="rId{n_sheets + 2}"/></Relationships>').encode("ascii")


def _content_types(n_sheets: int) -> bytes:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                     f'ContentType="{_OFFICE_TYPE}.spreadsheetml.worksheet+xml"/>'
                     for i in range(1, n_sheets + 1))
    return (f'{_CONTENT_TYPES_HEAD}{sheets}<Override PartName="/xl/workbook.xml" '
            f'ContentType="{_OFFICE_TYPE}.spreadsheetml.sheet.main+xml"/></Types>'
            ).encode("ascii")


def write_table_sheets(sheets: Iterable[TableSheet], out: Target, generated_at: datetime) -> None:
    """Write a workbook of standard-layout sheets, as add_table_sheet for each and save would.

    Columns hold text, whole or decimal numbers, yes/no, or our own formulas (a totals row);
    kinds that need a number format (dates, money) are refused: use add_table_sheet. Each
    sheet name must already be valid and unique (unique_sheet_name); nothing is written if
    one is not.
    """
    styles = _styles()
    stamp = f"Generated at {to_london(generated_at).strftime('%d/%m/%Y %H:%M')} (UK time)"
    listed: list[TableSheet] = []
    taken: set[str] = set()
    parts: list[bytes] = []
    bold_used = False
    for sheet in sheets:
        if (not sheet.name or sheet.name != safe_text(sheet.name) or len(sheet.name) > 31
                or any(c < " " for c in sheet.name)
                or sheet.name.translate(_FORBIDDEN_IN_SHEET_NAME) != sheet.name
                or sheet.name.casefold() in taken):
            raise ValueError(f"not a valid, unique sheet name: {sheet.name!r}")
        taken.add(sheet.name.casefold())
        listed.append(sheet)
        xml, bold = _sheet_xml(sheet, stamp, styles)
        parts.append(xml)
        bold_used = bold_used or bold
    if not listed:
        raise ValueError("a workbook needs at least one sheet")

    # the parts in the order openpyxl writes them
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.writestr("docProps/app.xml", tostring(ExtendedProperties().to_tree()))
        archive.writestr("docProps/core.xml", tostring(DocumentProperties().to_tree()))
        archive.writestr("xl/theme/theme1.xml", theme_xml)
        for i, xml in enumerate(parts, 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        archive.writestr("xl/styles.xml", styles.with_bold if bold_used else styles.without_bold)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml(listed))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(listed)))
        archive.writestr("[Content_Types].xml", _content_types(len(listed)))

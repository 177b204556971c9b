"""Workbooks of many sheets (a roster per set), written as XML directly: openpyxl spends about
a millisecond a sheet on checks and temporary files, seconds for a national programme. The
bytes are the ones openpyxl writes (tests/exports/test_exports_many_sets.py compares them)."""
from __future__ import annotations

import functools
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from openpyxl.compat import safe_string
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.functions import tostring

from ._sheet import (
    _BOLD,
    _FORBIDDEN_IN_SHEET_NAME,
    _TITLE_FONT,
    FIRST_DATA_ROW,
    GENERATED_ROW,
    HEADER_ROW,
    TITLE_ROW,
    Column,
    Kind,
    SheetWriter,
    Target,
    _header_cell,
    estimate_widths,
    new_workbook,
    safe_text,
    to_london,
)

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

"""sets.xlsx: a Summary sheet (one row per set, sector balance, live totals), then one
roster sheet per set."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from openpyxl.utils import get_column_letter

from ._sheet import (
    FIRST_DATA_ROW,
    Column,
    Target,
    safe_text,
    unique_sheet_name,
)
from ._xlsx import TableSheet, write_table_sheets
from .records import MemberRecord, SetRecord

#: always shown, in this order, even when a sector has nobody (a zero is the point)
SECTORS = ("public", "private", "voluntary")
SUMMARY_SHEET = "Summary"


def _sector(value: str) -> str:
    """'private', 'Private sector' and ' PRIVATE ' are one sector."""
    key = " ".join(value.split()).casefold()
    return key.removesuffix(" sector") if key.removesuffix(" sector") in SECTORS else key


def sector_label(value: str) -> str:
    """'private' -> 'Private sector', as the application form says it; anything else as given."""
    key = _sector(value)
    return f"{key.capitalize()} sector" if key in SECTORS else value


def _summary(sets: list[SetRecord], sheet_names: list[str]) -> tuple[list[Column], list[list]]:
    extra = sorted({_sector(m.sector) for s in sets for m in s.members} - set(SECTORS) - {""})
    sectors = [*SECTORS, *extra]
    columns = [
        Column("Set"), Column("Sheet"), Column("Slot"), Column("Size", "int"),
        *[Column(sector_label(sec) if sec in SECTORS else sec.capitalize(), "int") for sec in sectors],
        # max minus min over public/private/voluntary: 0 is an even mix
        Column("Sector spread", "int"),
        Column("All sectors", "bool"),
        Column("Organisations", "int"),
        Column("Organisations distinct", "bool"),
    ]
    rows = []
    for s, sheet in zip(sets, sheet_names, strict=True):
        counts = {sec: 0 for sec in sectors}
        for m in s.members:
            key = _sector(m.sector)
            if key:
                counts[key] += 1
        orgs = [" ".join(m.organisation.split()).casefold() for m in s.members]
        core = [counts[sec] for sec in SECTORS]
        rows.append([
            s.name, sheet, s.slot, len(s.members), *counts.values(),
            max(core) - min(core), all(core), len(set(orgs)), len(set(orgs)) == len(orgs),
        ])
    return columns, rows


def _roster(members: list[MemberRecord]) -> tuple[list[Column], list[list]]:
    keys: dict[str, None] = {}  # attribute columns in first-seen order, stable across runs
    for m in members:
        keys.update(dict.fromkeys(m.attributes))
    columns = [
        Column("Reference"), Column("Full name"), Column("Email"), Column("Organisation"),
        Column("Sector"), Column("Job title"), *[Column(safe_text(k)) for k in keys],
    ]
    rows = [
        [m.reference, m.full_name, m.email, m.organisation, sector_label(m.sector), m.job_title,
         *[m.attributes.get(k, "") for k in keys]]
        for m in members
    ]
    return columns, rows


def write_sets(
    sets: Iterable[SetRecord],
    out: Target,
    *,
    generated_at: datetime,
    title: str = "Sets",
) -> None:
    """Write sets.xlsx: "Summary" first, then one roster sheet per set (names made valid and
    unique; the Summary's "Sheet" column says which sheet holds which set)."""
    write_table_sheets(_sheets(list(sets), title), out, generated_at)


def _sheets(sets: list[SetRecord], title: str) -> Iterator[TableSheet]:
    """The Summary, then one roster per set."""
    taken = {SUMMARY_SHEET.casefold()}
    sheet_names = [unique_sheet_name(s.name, taken) for s in sets]
    columns, rows = _summary(sets, sheet_names)

    # Totals are live SUMs so a hand-edited count still adds up (the totals row is ours, so
    # its formulas go through the number columns; user text never reaches a formula).
    last = FIRST_DATA_ROW + len(rows) - 1
    totals: list[object] = ["Total", None, None]
    for i in range(3, len(columns) - 4):
        col = get_column_letter(i + 1)
        totals.append(f"=SUM({col}{FIRST_DATA_ROW}:{col}{last})" if rows else 0)
    totals += [None, None, None, None]
    yield TableSheet(SUMMARY_SHEET, title, columns, rows, totals)
    # 1,250 sets are 1,250 sheets: written as XML directly, openpyxl took 3 s for them
    for s, sheet in zip(sets, sheet_names, strict=True):
        r_columns, r_rows = _roster(s.members)
        heading = f"{s.name} ({s.slot})" if s.slot else s.name
        yield TableSheet(sheet, heading, r_columns, r_rows)

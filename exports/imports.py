"""Reading people from a spreadsheet: the optimiser's candidate file, and applications that
arrived by email before the online form. Both share one person parser; every bad row is
reported (row number and reason) instead of stopping at the first."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Sequence

from ._tabular import (
    MAX_CANDIDATE_ROWS,
    MAX_ROWS,
    RowError,
    Source,
    Table,
    find_table,
    is_blank,
    load_rows,
    parse_datetime,
    parse_email,
    parse_list,
    parse_number,
    parse_sector,
    raw,
    text,
)

_PERSON_ALIASES = {
    "name": ("full_name", "fullname", "applicant", "applicant_name"),
    "email": ("e_mail", "email_address"),
    "organisation": ("organization", "org", "employer", "company"),
    "sector": (),
    "availability": ("availabilities", "slots", "places_and_times", "can_attend", "times"),
}


@dataclass(frozen=True)
class CandidateRow:
    row: int
    id: str
    name: str
    email: str
    organisation: str
    #: "public", "private" or "voluntary" (lower case whatever the file said)
    sector: str
    #: place/time labels, from the ';'-separated cell
    availability: list[str]
    #: higher goes first when oversubscribed; None when the column is absent or blank
    priority: float | None = None
    previous_set: str | None = None
    #: every column the reader does not know, by its header text as written
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CandidateSheet:
    rows: list[CandidateRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ApplicationImportRow:
    row: int
    full_name: str
    email: str
    organisation: str
    sector: str
    phone: str = ""
    job_title: str = ""
    offer: str = ""
    expectations: str = ""
    availability: list[str] = field(default_factory=list)
    #: the note typed or pasted into the spreadsheet
    note: str = ""
    #: aware UTC; None when the file has no date (a time without a zone is UK time)
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class ApplicationSheet:
    rows: list[ApplicationImportRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Row:
    """One data row plus the error list it reports into (all problems, not just the first)."""

    def __init__(self, number: int, cells: list[Any], table: Table, errors: list[RowError]):
        self.number, self.cells, self.table, self.errors = number, cells, table, errors
        self.failed = False

    def text(self, name: str) -> str:
        return text(self.cells, self.table.columns.get(name))

    def raw(self, name: str) -> Any:
        return raw(self.cells, self.table.columns.get(name))

    def fail(self, message: str) -> None:
        self.failed = True
        self.errors.append(RowError(self.number, message))

    def parse(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except ValueError as e:
            self.fail(str(e))
            return None

    def required(self, name: str, label: str) -> str:
        value = self.text(name)
        if not value:
            self.fail(f"{label} is missing")
        return value


def _person(r: _Row, need_availability: bool) -> dict[str, Any]:
    """The fields both imports share, validated into ``r``'s error list."""
    person = {
        "name": r.required("name", "name"),
        "email": r.parse(parse_email, r.text("email")),
        "organisation": r.required("organisation", "organisation"),
        "sector": r.parse(parse_sector, r.text("sector")),
        "availability": parse_list(r.text("availability")),
    }
    if need_availability and not person["availability"]:
        r.fail("availability is missing (places/times separated by ';')")
    return person


def _rows(
    source: Source,
    aliases: dict[str, tuple[str, ...]],
    required: Sequence[tuple[str, ...]],
    errors: list[RowError],
    max_rows: int = MAX_ROWS,
) -> tuple[Table | None, list[_Row]]:
    table = find_table(load_rows(source, max_rows), aliases, required)
    if isinstance(table, RowError):
        errors.append(table)
        return None, []
    return table, [_Row(n, cells, table, errors) for n, cells in table.rows
                   if not is_blank(cells)]


def read_candidates(source: Source) -> CandidateSheet:
    """The optimiser's input: id, name, email, organisation, sector, availability, optional
    priority and previous_set; any other column becomes an attribute. Duplicate ids are
    errors (on the later row). Up to MAX_CANDIDATE_ROWS rows: a whole national programme."""
    aliases = {
        **_PERSON_ALIASES,
        "id": ("ref", "reference", "candidate_id", "applicant_id"),
        "priority": ("rank",),
        "previous_set": ("previous", "prior_set", "last_set"),
    }
    required = [("id",), ("name",), ("email",), ("organisation",), ("sector",),
                ("availability",)]
    errors: list[RowError] = []
    table, rows = _rows(source, aliases, required, errors, MAX_CANDIDATE_ROWS)
    out: list[CandidateRow] = []
    first_seen: dict[str, int] = {}
    for r in rows:
        ident = r.required("id", "id")
        if ident:
            key = ident.casefold()
            if key in first_seen:
                r.fail(f"id {ident!r} is also used on row {first_seen[key]}")
            else:
                first_seen[key] = r.number
        person = _person(r, need_availability=True)
        priority = r.parse(parse_number, r.raw("priority"), "priority")
        if r.failed:
            continue
        assert table is not None
        out.append(CandidateRow(
            row=r.number, id=ident, priority=priority,
            previous_set=r.text("previous_set") or None,
            attributes={k: text(r.cells, i) for k, i in table.extra.items()},
            **person,
        ))
    return CandidateSheet(out, errors)


def read_applications(source: Source) -> ApplicationSheet:
    """Applications received by email, typed into a spreadsheet. Required columns: name (or
    full_name), email, organisation, sector; the rest optional. The same email twice is an
    error on the later row (one application per person)."""
    aliases = {
        **_PERSON_ALIASES,
        "phone": ("telephone", "phone_number", "tel", "mobile"),
        "job_title": ("role", "position", "job"),
        "offer": ("what_you_offer", "offers", "what_they_offer"),
        "expectations": ("expect", "what_you_expect", "what_they_expect", "expectation"),
        "note": ("notes", "application_note", "statement"),
        "submitted_at": ("submitted", "received", "received_at", "date", "date_received"),
    }
    required = [("name",), ("email",), ("organisation",), ("sector",)]
    errors: list[RowError] = []
    _, rows = _rows(source, aliases, required, errors)
    out: list[ApplicationImportRow] = []
    first_seen: dict[str, int] = {}
    for r in rows:
        person = _person(r, need_availability=False)
        email = person["email"]
        if email:
            if email.casefold() in first_seen:
                r.fail(f"email {email!r} already applied on row {first_seen[email.casefold()]}")
            else:
                first_seen[email.casefold()] = r.number
        submitted = r.raw("submitted_at")
        submitted_at = (r.parse(parse_datetime, submitted, "submitted_at")
                        if submitted is not None else None)
        if r.failed:
            continue
        out.append(ApplicationImportRow(
            row=r.number, full_name=person["name"], email=email,
            organisation=person["organisation"], sector=person["sector"],
            availability=person["availability"], phone=r.text("phone"),
            job_title=r.text("job_title"), offer=r.text("offer"),
            expectations=r.text("expectations"), note=r.text("note"),
            submitted_at=submitted_at,
        ))
    return ApplicationSheet(out, errors)

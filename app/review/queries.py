"""Queries behind the review pages: counts by GROUP BY, one filtered page at a time.

With 2,000 applications the list must not load every row to count or filter, so counts are
aggregate queries and a page loads 50 applications with their slots and reviews in two extra
SELECT ... IN queries (selectinload), never one query per row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Application, ApplicationStatus, AuditEvent, Programme, Review, Sector, Slot
from app.models.application import application_slot
from app.text import clean_text, fold

PER_PAGE = 50

SORTS = {
    "newest": ("Submitted, newest first", (Application.submitted_at.desc(), Application.id.desc())),
    "oldest": ("Submitted, oldest first", (Application.submitted_at.asc(), Application.id.asc())),
    "name": ("Name, A to Z", (Application.full_name.asc(), Application.id.asc())),
    "organisation": ("Organisation, A to Z", (Application.organisation.asc(), Application.full_name.asc())),
}
DEFAULT_SORT = "newest"


def _search(term: str):  # type: ignore[no-untyped-def]
    """A condition matching name or organisation, ignoring case and accents, on every database."""
    wanted = fold(clean_text(term))
    # Escape LIKE wildcards so a search for "100%" means the characters, not "anything".
    pattern = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return Application.search_key.like(pattern, escape="\\")


@dataclass
class Filters:
    statuses: list[ApplicationStatus] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    slot_ids: list[int] = field(default_factory=list)
    search: str = ""
    sort: str = DEFAULT_SORT

    @property
    def active(self) -> bool:
        return bool(self.statuses or self.sectors or self.slot_ids or self.search)


def _filtered(programme: Programme, filters: Filters) -> Select:
    query = select(Application).where(Application.programme_id == programme.id)
    if filters.statuses:
        query = query.where(Application.status.in_(filters.statuses))
    if filters.sectors:
        query = query.where(Application.sector.in_(filters.sectors))
    if filters.slot_ids:
        # EXISTS rather than a join: an applicant free at two chosen slots still appears once.
        chosen = select(application_slot.c.application_id).where(
            application_slot.c.application_id == Application.id, application_slot.c.slot_id.in_(filters.slot_ids)
        )
        query = query.where(chosen.exists())
    if filters.search:
        query = query.where(_search(filters.search))
    return query


@dataclass
class Page:
    items: list[Application]
    total: int
    page: int
    pages: int

    @property
    def first_number(self) -> int:
        return 0 if not self.total else (self.page - 1) * PER_PAGE + 1

    @property
    def last_number(self) -> int:
        return min(self.page * PER_PAGE, self.total)


def page_of_applications(programme: Programme, filters: Filters, page: int) -> Page:
    """One page of the filtered list: a COUNT, then 50 rows with their slots and reviews."""
    query = _filtered(programme, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]
    rows = db.session.scalars(
        query.options(selectinload(Application.slots), selectinload(Application.reviews))
        .order_by(*order)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return Page(items=list(rows), total=total, page=page, pages=pages)


@dataclass
class Counts:
    total: int
    by_status: dict[ApplicationStatus, int]
    by_sector: dict[Sector, int]
    by_slot: list[tuple[Slot, int]]


def counts(programme: Programme) -> Counts:
    """Counts for the whole programme, three GROUP BY queries whatever the number of applications."""
    status_rows = db.session.execute(
        select(Application.status, func.count()).where(Application.programme_id == programme.id).group_by(Application.status)
    ).all()
    by_status = {status: 0 for status in ApplicationStatus}
    by_status.update({status: number for status, number in status_rows})
    sector_rows = db.session.execute(
        select(Application.sector, func.count()).where(Application.programme_id == programme.id).group_by(Application.sector)
    ).all()
    by_sector = {sector: 0 for sector in Sector}
    by_sector.update({sector: number for sector, number in sector_rows})
    slot_rows = dict(
        db.session.execute(
            select(application_slot.c.slot_id, func.count())
            .join(Application, Application.id == application_slot.c.application_id)
            .where(Application.programme_id == programme.id)
            .group_by(application_slot.c.slot_id)
        ).all()
    )
    by_slot = [(slot, slot_rows.get(slot.id, 0)) for slot in programme.slots]
    return Counts(total=sum(by_status.values()), by_status=by_status, by_sector=by_sector, by_slot=by_slot)


def find_application(programme_id: int | None, reference: str) -> Application | None:
    query = select(Application).where(Application.reference == reference)
    if programme_id is not None:
        query = query.where(Application.programme_id == programme_id)
    return db.session.scalars(
        query.options(selectinload(Application.slots), selectinload(Application.reviews).selectinload(Review.reviewer))
    ).first()


def applications_by_reference(programme: Programme, references: list[str]) -> list[Application]:
    if not references:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.programme_id == programme.id, Application.reference.in_(references))
            .order_by(Application.id)
        )
    )


def history(reference: str) -> list[AuditEvent]:
    """What staff and the applicant did to this application, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.target == f"application:{reference}").order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


def possible_duplicates(programme: Programme, shown: list[Application]) -> set[str]:
    """References on this page whose name and organisation (folded) another application shares:
    the same person may have applied under two email addresses. One GROUP BY, whatever the page."""
    keys = {application.search_key for application in shown}
    if not keys:
        return set()
    shared = set(db.session.scalars(
        select(Application.search_key)
        .where(Application.programme_id == programme.id, Application.search_key.in_(keys))
        .group_by(Application.search_key)
        .having(func.count() > 1)
    ))
    return {application.reference for application in shown if application.search_key in shared}

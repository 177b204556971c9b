"""`als purge`: keeping personal data only as long as the privacy notice promises.

- applications that did not lead to a place: deleted 12 months after their programme's deadline
  (what is left is a count per sector and status, and a pseudonymised audit log);
- unfinished application forms (drafts): deleted 7 days after they were last saved;
- the text of sent emails: removed 30 days after sending;
- private links: stop working 30 days after they were sent, and never before 30 days after the
  deadline (applicants can use them to look at their application until then).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, select, update

from app import audit
from app.clock import as_utc
from app.extensions import db
from app.models import (
    Application,
    ApplicationDraft,
    ApplicationStatus,
    FeeAccount,
    OutboxEmail,
    Presenter,
    Programme,
    PurgedApplicationCount,
    SetMember,
)
from app.privacy.erasure import forget_drafts_and_emails
from app.privacy.pseudonyms import (
    UNUSABLE_TOKEN_PREFIX,
    pseudonym,
    scrub_audit,
    scrub_selection_runs,
    unusable_token_hash,
)

APPLICATIONS_KEPT_MONTHS = 12
DRAFTS_KEPT = timedelta(days=7)
EMAIL_BODIES_KEPT = timedelta(days=30)
PRIVATE_LINKS_KEPT = timedelta(days=30)
# Emails that carry the person's private link (since offers, every email to them about their place).
LINK_TEMPLATES = ("application_received", "private_link", "offer", "waiting_list", "regret", "place_accepted",
                  "place_declined", "set_changed", "respond_reminder", "schedule_published", "schedule_changed",
                  "application_changed", "application_reinstated", "email_changed_new_address", "fee_reminder")
# People still waiting for, or holding, a place keep their link: it is their page for the programme.
LINK_KEPT_STATUSES = (ApplicationStatus.SELECTED, ApplicationStatus.WAITING_LIST)


def months_later(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the 29th–31st fall back to the month's last day."""
    month_index = moment.month - 1 + months
    year, month, day = moment.year + month_index // 12, month_index % 12 + 1, moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def led_to_a_place() -> ColumnElement[bool]:
    """An application led to a place if it was selected or ever had a fee account, a set or a rota
    slot (someone who paid and then withdrew stays, with the fee records)."""
    return (
        (Application.status == ApplicationStatus.SELECTED)
        | exists().where(FeeAccount.application_id == Application.id)
        | exists().where(SetMember.application_id == Application.id)
        | exists().where(Presenter.application_id == Application.id)
    )


@dataclass
class PurgePlan:
    now: datetime
    applications: list[Application] = field(default_factory=list)
    drafts: int = 0
    email_bodies: int = 0
    private_links: list[Application] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.applications or self.drafts or self.email_bodies or self.private_links)

    def describe(self, dry_run: bool) -> str:
        verb = "Would delete" if dry_run else "Deleted"
        by_programme = Counter(application.programme.name for application in self.applications)
        lines = [f"{verb} {len(self.applications)} application(s) that did not lead to a place, "
                 f"{APPLICATIONS_KEPT_MONTHS} months after the deadline"]
        lines += [f"  {name}: {count}" for name, count in sorted(by_programme.items())]
        lines.append(f"{verb} {self.drafts} unfinished application form(s) older than {DRAFTS_KEPT.days} days")
        lines.append(f"{'Would remove' if dry_run else 'Removed'} the text of {self.email_bodies} email(s) "
                     f"sent more than {EMAIL_BODIES_KEPT.days} days ago")
        lines.append(f"{'Would stop' if dry_run else 'Stopped'} {len(self.private_links)} private link(s) "
                     f"sent more than {PRIVATE_LINKS_KEPT.days} days ago")
        if dry_run:
            lines.append("Dry run: nothing changed.")
        return "\n".join(lines)


def _expired_applications(now: datetime) -> list[Application]:
    programmes = [p for p in db.session.scalars(select(Programme))
                  if months_later(p.deadline, APPLICATIONS_KEPT_MONTHS) <= now]
    if not programmes:
        return []
    return list(db.session.scalars(
        select(Application)
        .where(Application.programme_id.in_([p.id for p in programmes]), ~led_to_a_place())
        .order_by(Application.id)
    ))


def _expired_links(now: datetime, leaving: set[int]) -> list[Application]:
    cutoff = now - PRIVATE_LINKS_KEPT
    candidates = db.session.scalars(
        select(Application).join(Programme)
        .where(Programme.deadline <= cutoff, Application.submitted_at <= cutoff,
               Application.access_token_hash.not_like(f"{UNUSABLE_TOKEN_PREFIX}%"),
               Application.status.not_in(LINK_KEPT_STATUSES))
    ).all()
    if not candidates:
        return []
    # When each address was last sent a link (the link itself is only stored as a hash).
    # An aggregate skips the column's type, so SQLite's values come back naive: as_utc below.
    last_sent: dict[str, datetime] = dict(db.session.execute(
        select(func.lower(OutboxEmail.to_address), func.max(OutboxEmail.created_at))
        .where(OutboxEmail.template.in_(LINK_TEMPLATES))
        .group_by(func.lower(OutboxEmail.to_address))
    ).all())
    expired = []
    for application in candidates:
        sent = last_sent.get(application.email_key)
        if application.id not in leaving and (sent is None or as_utc(sent) <= cutoff):
            expired.append(application)
    return expired


def plan_purge(now: datetime) -> PurgePlan:
    """What `als purge` would do at `now`; changes nothing."""
    plan = PurgePlan(now=now)
    plan.applications = _expired_applications(now)
    plan.drafts = db.session.scalar(
        select(func.count()).select_from(ApplicationDraft).where(ApplicationDraft.updated_at < now - DRAFTS_KEPT)
    ) or 0
    plan.email_bodies = db.session.scalar(
        select(func.count()).select_from(OutboxEmail)
        .where(OutboxEmail.sent_at < now - EMAIL_BODIES_KEPT, OutboxEmail.body != "")
    ) or 0
    plan.private_links = _expired_links(now, {a.id for a in plan.applications})
    return plan


def purge(plan: PurgePlan, by: str) -> None:
    """Carry out a plan made by plan_purge, in the caller's transaction."""
    now = plan.now
    counts: Counter[tuple[int, str, str]] = Counter()
    # The reference goes too: it is in the emails the person has, so it would name them.
    replacements = {application.reference: pseudonym(application.reference) for application in plan.applications}
    for application in plan.applications:
        counts[(application.programme_id, application.sector.value, application.status.value)] += 1
        forget_drafts_and_emails(application, replacements[application.reference])
        db.session.delete(application)
    scrub_selection_runs(replacements)
    scrub_audit(replacements)
    for (programme_id, sector, status), count in sorted(counts.items()):
        row = db.session.scalars(select(PurgedApplicationCount).filter_by(
            programme_id=programme_id, sector=sector, status=status)).first()
        if row is None:
            row = PurgedApplicationCount(programme_id=programme_id, sector=sector, status=status, count=0)
            db.session.add(row)
        row.count += count
        row.updated_at = now
    db.session.execute(delete(ApplicationDraft).where(ApplicationDraft.updated_at < now - DRAFTS_KEPT))
    db.session.execute(update(OutboxEmail).where(OutboxEmail.sent_at < now - EMAIL_BODIES_KEPT, OutboxEmail.body != "")
                       .values(body=""))
    for application in plan.private_links:
        application.access_token_hash = unusable_token_hash()
        application.link_salt = None  # no later email can carry a link that stopped working
    if not plan.is_empty:
        audit.record(by, "retention.purged", "retention", after={
            "applications": len(plan.applications), "drafts": plan.drafts, "email_bodies": plan.email_bodies,
            "private_links": len(plan.private_links),
        })


def purged_counts(programme: Programme) -> dict[tuple[str, str], int]:
    """(sector, status) -> how many applications of the programme were deleted by retention."""
    rows = db.session.scalars(select(PurgedApplicationCount).where(PurgedApplicationCount.programme_id == programme.id))
    return {(row.sector, row.status): row.count for row in rows}

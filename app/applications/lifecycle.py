"""An application's life: every status change goes through `change_status`, which refuses a move the
transition table (app.models.application.ALLOWED_TRANSITIONS) does not allow and brings the derived
records with it: set membership, the presenter rota, the fee account and the person's emails.

Each function records what it did in the audit log and leaves the commit to the caller.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app import audit
from app.clock import london
from app.extensions import db
from app.finance.accounts import account_of, due_date_for, first_session_of
from app.models import Application, ApplicationStatus, LearningSet, SetMember

Status = ApplicationStatus

# Moves that are decisions about places: only once the programme's sets exist (confirming them
# makes the first decisions for everyone at once).
DECISIONS = frozenset({Status.SELECTED, Status.WAITING_LIST, Status.NOT_SELECTED})
# The email each status sends when an application enters it (None: no email).
EMAIL_ON_ENTRY = {
    Status.SELECTED: "offer",
    Status.WAITING_LIST: "waiting_list",
    Status.NOT_SELECTED: "regret",
    Status.DECLINED: "place_declined",
    Status.WITHDRAWN: "application_withdrawn",
}


class TransitionRefused(ValueError):
    """A status change that is not allowed, with a sentence saying why."""


def membership(application: Application) -> SetMember | None:
    return db.session.scalars(select(SetMember).where(SetMember.application_id == application.id)).first()


def set_of(application: Application) -> LearningSet | None:
    member = membership(application)
    return member.learning_set if member is not None else None


def same_person(application: Application) -> list[Application]:
    """Other applications to the same programme with the same name and organisation (any email)."""
    return list(db.session.scalars(
        select(Application).where(Application.programme_id == application.programme_id,
                                  Application.id != application.id,
                                  Application.search_key == application.search_key)
        .order_by(Application.submitted_at, Application.id)))


def refusal(application: Application, status: Status, *, learning_set: LearningSet | None = None,
            decision: bool = False) -> str | None:
    """Why `application` may not move to `status` now, or None if it may."""
    current = application.status
    if not current.can_become(status):
        return f"{application.reference} is {current.label.lower()}: it cannot be marked {status.label.lower()}"
    if status in (Status.SELECTED, Status.WAITING_LIST):
        twin = next((a for a in same_person(application) if a.status is Status.SELECTED), None)
        if twin is not None:
            return (f"{application.reference} looks like the same person as {twin.reference}, who already has a "
                    "place: one person is never placed twice (mark this application withdrawn)")
    if status is Status.SELECTED:
        if learning_set is None:
            return f"Offer {application.reference} a place in a set (from the sets or the refill page) to select them"
        if learning_set.programme_id != application.programme_id:
            return "That set belongs to another programme"
        maximum = application.programme.max_set_size
        if sum(1 for m in learning_set.members if m.application_id != application.id) >= maximum:
            return f"{learning_set.name} is full: it has {maximum} members, the most a set may have"
    if status in DECISIONS and not decision and not _sets_exist(application):
        return ("Places are decided when you confirm the sets: mark them eligible and confirm a selection run")
    return None


def _sets_exist(application: Application) -> bool:
    return bool(db.session.scalar(select(func.count(LearningSet.id))
                                  .where(LearningSet.programme_id == application.programme_id)))


def change_status(application: Application, status: Status, by: str, now: datetime, *, reason: str | None = None,
                  learning_set: LearningSet | None = None, decision: bool = False, notify: bool = True) -> bool:
    """Move the application to `status` with everything that follows from it.

    Returns False (nothing recorded) when it already had that status; raises TransitionRefused for a
    move that is not allowed. `learning_set` is the set a Selected person joins; `decision` marks a
    move made by confirming a selection run; `notify=False` keeps the email (erasure, tests of the table).
    """
    if application.status is status and not (status is Status.SELECTED and learning_set is not None
                                             and set_of(application) is not learning_set):
        return False
    problem = refusal(application, status, learning_set=learning_set, decision=decision)
    if problem:
        raise TransitionRefused(problem)
    before = application.status
    left = _leave_set(application, by, now, reason or f"Now {status.label.lower()}") if before is Status.SELECTED else None
    application.status = status
    application.updated_at = now
    if status is Status.WITHDRAWN:
        application.withdrawn_at = now
    if status is Status.DECLINED:
        application.declined_at = now
        application.decline_reason = reason or None
    if status is Status.SELECTED:
        assert learning_set is not None
        _join_set(application, learning_set, by, now)
    after: dict[str, object] = {"status": status.value}
    if reason:
        after["reason"] = reason
    if learning_set is not None:
        after["set"] = learning_set.name
    if left is not None:
        after["left_set"] = left.name
    audit.record(by, "application.status_changed", f"application:{application.reference}",
                 before={"status": before.value}, after=after)
    template = EMAIL_ON_ENTRY.get(status)
    if before is Status.WITHDRAWN and status is Status.SUBMITTED:
        template = "application_reinstated"  # they were told they had withdrawn: tell them it is back
    if notify and template is not None:
        _email(application, template, learning_set=learning_set or left, left_set=left)
    return True


def respond_by_for(offered_on: date, days: int, first_session: date | None) -> date:
    """The programme's days to answer, but an answer before the first session (never before the offer)."""
    respond_by = offered_on + timedelta(days=days)
    if first_session is not None:
        respond_by = min(respond_by, first_session - timedelta(days=1))
    return max(respond_by, offered_on)


def _join_set(application: Application, learning_set: LearningSet, by: str, now: datetime) -> None:
    from app.finance.accounts import open_account
    from app.schedule.service import member_joined

    existing = membership(application)
    if existing is not None:  # a move between sets keeps one membership
        existing.learning_set = learning_set
    else:
        db.session.add(SetMember(learning_set=learning_set, application=application))
    db.session.flush()
    application.offered_at = now
    application.respond_by = respond_by_for(london(now).date(), application.programme.respond_days,
                                            first_session_of(learning_set))
    application.accepted_at = None
    application.declined_at = None
    application.decline_reason = None
    application.response_reminded_at = None
    open_account(application, learning_set, application.programme, now, by)
    member_joined(learning_set, application, by, london(now).date())


def _leave_set(application: Application, by: str, now: datetime, reason: str) -> LearningSet | None:
    from app.finance.accounts import close_account
    from app.schedule.service import member_left

    member = membership(application)
    learning_set = member.learning_set if member is not None else None
    if member is not None:
        assert learning_set is not None
        learning_set.members.remove(member)
        db.session.delete(member)
        db.session.flush()
        member_left(learning_set, application, by, london(now).date())
    close_account(application, reason, by, now)
    return learning_set


def move_to_set(application: Application, learning_set: LearningSet, by: str, now: datetime) -> None:
    """Move a member to another set (a refill's move): membership, fee account and rota follow; their
    answer to the offer stands, because the programme and fee are the same."""
    from app.schedule.service import member_joined, member_left

    member = membership(application)
    if member is None or application.status is not Status.SELECTED:
        raise TransitionRefused(f"{application.reference} is not in a set")
    old = member.learning_set
    if old is learning_set:
        return
    maximum = application.programme.max_set_size
    if len(learning_set.members) >= maximum:
        raise TransitionRefused(f"{learning_set.name} is full: it has {maximum} members, the most a set may have")
    old.members.remove(member)
    member.learning_set = learning_set
    db.session.flush()
    member_left(old, application, by, london(now).date())
    member_joined(learning_set, application, by, london(now).date())
    account = account_of(application)
    if account is not None:
        account.learning_set = learning_set
        # The new set may start sooner: the due date follows its first session.
        account.due_date = min(account.due_date, due_date_for(london(account.created_at).date(),
                                                              first_session_of(learning_set)))
    audit.record(by, "application.moved_set", f"application:{application.reference}",
                 before={"set": old.name}, after={"set": learning_set.name})
    _email(application, "set_changed", learning_set=learning_set, left_set=old)


def accept_place(application: Application, now: datetime) -> bool:
    """The person accepts their offered place. False if they had already accepted."""
    if application.status is not Status.SELECTED:
        raise TransitionRefused("Only an offered place can be accepted")
    if application.accepted_at is not None:
        return False
    application.accepted_at = now
    application.updated_at = now
    audit.record("applicant", "application.place_accepted", f"application:{application.reference}",
                 after={"set": (s.name if (s := set_of(application)) else None)})
    _email(application, "place_accepted", learning_set=set_of(application))
    return True


def decline_place(application: Application, reason: str, now: datetime) -> None:
    """The person declines their place: they leave the set at once (see change_status)."""
    if application.status is not Status.SELECTED:
        raise TransitionRefused("Only an offered place can be declined")
    change_status(application, Status.DECLINED, "applicant", now, reason=reason.strip() or None)


def _email(application: Application, template: str, **context: object) -> None:
    """Every email about a place carries the person's link, their fee account and balance, and
    their set's dates once published (the placeholders the organiser's wording may use)."""
    from app.applications.member import fee_balance_of, published_meeting_lines
    from app.applications.service import private_link_for
    from app.outbox import queue_email
    from app.schedule.service import calendar_attachment

    account = account_of(application)
    learning_set = context.get("learning_set")
    joined = learning_set if isinstance(learning_set, LearningSet) and template in ("offer", "set_changed") else None
    # Someone joining a set whose dates are published gets its calendar with the offer.
    calendar = calendar_attachment(joined) if joined is not None and joined.schedule_published_at else None
    queue_email(application.email, template, attachment=calendar, application=application,
                programme=application.programme, link=private_link_for(application), account=account,
                balance=fee_balance_of(account),
                meetings=published_meeting_lines(learning_set if isinstance(learning_set, LearningSet) else None),
                **context)


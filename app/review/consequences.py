"""What a status change would do to people, said before it is done.

Withdrawing 50 members at once emails 50 people, breaks sets and leaves refunds to pay: the review
pages show this and ask "Yes, change them" first. A move that emails nobody, takes nobody out of a
set and leaves no refund (Submitted to Eligible, say) needs no confirmation.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.applications.lifecycle import EMAIL_ON_ENTRY, refusal, set_of
from app.finance.accounts import account_of
from app.models import Application, ApplicationStatus, EntryKind, FeeAccount
from app.web import format_money

# Ledger entries that are money received from, or paid back to, the person.
MONEY_MOVED = (EntryKind.PAYMENT, EntryKind.REFUND)


def paid_pence(account: FeeAccount | None) -> int:
    """What the person has paid and not been refunded: due back to them if their place ends."""
    if account is None:
        return 0
    total = 0
    for entry in account.entries:
        kind = entry.reverses.kind if entry.kind is EntryKind.REVERSAL and entry.reverses else entry.kind
        if kind in MONEY_MOVED:
            total += entry.amount_pence
    return max(0, -total)


def emails_on_move(application: Application, status: ApplicationStatus) -> bool:
    """Whether moving `application` to `status` sends them an email (see lifecycle.change_status)."""
    if application.status is ApplicationStatus.WITHDRAWN and status is ApplicationStatus.SUBMITTED:
        return True
    return status in EMAIL_ON_ENTRY


@dataclass
class Affected:
    """One person a change would reach, and how."""

    application: Application
    emailed: bool
    left_set: str | None
    refund_pence: int

    @property
    def effects(self) -> str:
        """"Emailed; leaves Set 3; £300 due for refund"."""
        parts = ["emailed"] if self.emailed else []
        if self.left_set:
            parts.append(f"leaves {self.left_set}")
        if self.refund_pence:
            parts.append(f"{format_money(self.refund_pence)} due for refund")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] if text else "Nothing else changes"


@dataclass
class Consequences:
    """What moving some applications to one status would do."""

    status: ApplicationStatus
    changing: list[Affected] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def emailed(self) -> list[Affected]:
        return [person for person in self.changing if person.emailed]

    @property
    def leaving(self) -> list[Affected]:
        return [person for person in self.changing if person.left_set]

    @property
    def refunds(self) -> list[Affected]:
        return [person for person in self.changing if person.refund_pence]

    @property
    def sets_broken(self) -> list[str]:
        names = {person.left_set for person in self.leaving if person.left_set}
        return sorted(names, key=lambda name: (len(name), name))  # Set 2 before Set 10

    @property
    def need_confirming(self) -> bool:
        """Anyone emailed, taken out of a set or owed a refund: ask first."""
        return bool(self.emailed or self.leaving or self.refunds)

    def sentences(self) -> list[str]:
        """"3 people will be emailed", "2 will leave their sets (Set 3, Set 7)", …"""
        lines = []
        if self.emailed:
            lines.append(f"{_people(len(self.emailed))} will be emailed")
        if self.leaving:
            sets = ", ".join(self.sets_broken)
            lines.append(f"{_people(len(self.leaving))} will leave {'their sets' if len(self.leaving) > 1 else 'their set'}"
                         f" ({sets})")
        if self.refunds:
            total = format_money(sum(person.refund_pence for person in self.refunds))
            lines.append(f"{_people(len(self.refunds))} paid fees that will be due for refund ({total} in all)")
        return lines


def _people(number: int) -> str:
    return f"{number:,} {'person' if number == 1 else 'people'}"


def of_change(found: Iterable[Application], status: ApplicationStatus) -> Consequences:
    """What moving each of `found` to `status` would do; those that may not move are listed as refused."""
    outcome = Consequences(status)
    for application in found:
        if application.status is status:
            continue
        problem = refusal(application, status)
        if problem is not None:
            outcome.refused.append(problem)
            continue
        holds_place = application.status is ApplicationStatus.SELECTED
        learning_set = set_of(application) if holds_place else None
        outcome.changing.append(Affected(
            application=application,
            emailed=emails_on_move(application, status),
            left_set=learning_set.name if learning_set is not None else None,
            refund_pence=paid_pence(account_of(application)) if holds_place else 0,
        ))
    return outcome

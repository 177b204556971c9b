"""Finance test helpers: sets confirmed through the real selection service, and reading the ledger."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.finance.ledger import balance_of
from app.models import Application, ApplicationStatus, AuditEvent, FeeAccount, LedgerEntry, OutboxEmail
from app.programmes import current_programme


def confirm_sets(applicants: int = 40, seed: int = 3) -> dict[str, int]:
    """Demo applicants, all eligible, one selection run, confirmed: the path an organiser takes."""
    from app.demo import add_demo_applications
    from app.sets import service

    programme = current_programme()
    add_demo_applications(programme, applicants, seed)
    for application in db.session.scalars(select(Application)):
        if application.status is ApplicationStatus.SUBMITTED:
            application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    run = service.start_run(programme, service.default_rules(programme), by="organiser@example.org")
    db.session.commit()
    service.execute_run(run.id)
    counts = service.confirm(run, by="organiser@example.org", before_deadline=True).counts
    db.session.commit()
    return counts


@dataclass
class Ledger:
    """Read what finance would see, outside any request."""

    app: object

    def references(self) -> list[str]:
        with self.app.app_context():  # type: ignore[attr-defined]
            return sorted(a.reference for a in db.session.scalars(select(FeeAccount)))

    def outstanding(self, reference: str) -> int:
        with self.app.app_context():  # type: ignore[attr-defined]
            return balance_of(self._account(reference)).outstanding_pence

    def balance(self, reference: str):  # type: ignore[no-untyped-def]
        with self.app.app_context():  # type: ignore[attr-defined]
            return balance_of(self._account(reference))

    def entries(self, reference: str) -> list[tuple[int, str, int, str, int | None]]:
        """(id, kind, amount, recorded_by, reverses_id) for every entry, oldest first."""
        with self.app.app_context():  # type: ignore[attr-defined]
            return [(e.id, e.kind.value, e.amount_pence, e.recorded_by, e.reverses_id)
                    for e in self._account(reference).entries]

    def entry_count(self) -> int:
        with self.app.app_context():  # type: ignore[attr-defined]
            return db.session.query(LedgerEntry).count()

    def audit(self, action: str) -> list[AuditEvent]:
        with self.app.app_context():  # type: ignore[attr-defined]
            events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                        .order_by(AuditEvent.id)).all()
            db.session.expunge_all()
            return list(events)

    def emails(self, template: str) -> list[OutboxEmail]:
        with self.app.app_context():  # type: ignore[attr-defined]
            emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)
                                        .order_by(OutboxEmail.id)).all()
            db.session.expunge_all()
            return list(emails)

    def account_row(self, reference: str) -> FeeAccount:
        with self.app.app_context():  # type: ignore[attr-defined]
            account = self._account(reference)
            _ = account.application, account.learning_set
            db.session.expunge_all()
            return account

    @staticmethod
    def _account(reference: str) -> FeeAccount:
        account = db.session.scalars(select(FeeAccount).join(Application, FeeAccount.application_id == Application.id)
                                     .where(Application.reference == reference)).one()
        return account

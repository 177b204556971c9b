"""Finance test helpers: sets confirmed through the real selection service, and reading the ledger."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.finance.ledger import balance_of
from app.models import Application, AuditEvent, FeeAccount, LedgerEntry, OutboxEmail
from tests.factories import confirm_sets  # noqa: F401  (re-exported for the finance tests)


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

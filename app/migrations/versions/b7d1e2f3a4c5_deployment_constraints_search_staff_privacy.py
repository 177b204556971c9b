"""deployment: CHECK constraints, foreign-key indexes, folded search key, sign-in throttle,
retention records and stable Message-IDs

Revision ID: b7d1e2f3a4c5
Revises: a44c8573eb75
Create Date: 2026-11-25 14:20:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d1e2f3a4c5"
down_revision = "a44c8573eb75"
branch_labels = None
depends_on = None

# Enum values as they were when this migration was written (a migration never imports models).
ENUM_CHECKS = {
    "application": [
        ("ck_applicationstatus_values", "status", ["submitted", "eligible", "ineligible", "selected", "waiting_list",
                                                   "not_selected", "withdrawn", "late"]),
        ("ck_sector_values", "sector", ["public", "private", "voluntary"]),
        ("ck_payer_values", "payer", ["self", "organisation"]),
    ],
    "user": [("ck_role_values", "role", ["organiser", "finance"])],
    "selection_run": [("ck_runstate_values", "state", ["queued", "running", "finished", "failed"])],
    "fee_account": [("ck_payerkind_values", "payer_kind", ["person", "organisation"])],
    "ledger_entry": [("ck_entrykind_values", "kind", ["charge", "payment", "refund", "waiver", "reversal"])],
    "scheduled_session": [("ck_sessionkind_values", "kind", ["session", "training"])],
}
OTHER_CHECKS = {
    "review": [("ck_review_score_range", "score BETWEEN 1 AND 5")],
    "programme": [
        ("ck_programme_sessions", "sessions >= 1"),
        ("ck_programme_fee", "fee_per_session_pence >= 0"),
        ("ck_programme_set_size", "min_set_size >= 2 AND max_set_size >= min_set_size"),
        ("ck_programme_word_limit", "note_word_limit >= 1"),
    ],
    "ledger_entry": [(
        "ck_ledger_entry_sign",
        "(kind = 'charge' AND amount_pence >= 0) OR (kind IN ('payment', 'waiver') AND amount_pence < 0)"
        " OR (kind = 'refund' AND amount_pence > 0) OR (kind = 'reversal' AND amount_pence <> 0)",
    )],
    "scheduled_session": [("ck_scheduled_session_number", "number >= 1")],
}
INDEXES = [
    ("ix_application_draft_programme_id", "application_draft", "programme_id"),
    ("ix_application_slot_slot_id", "application_slot", "slot_id"),
    ("ix_learning_set_run_id", "learning_set", "run_id"),
    ("ix_presenter_application_id", "presenter", "application_id"),
    ("ix_review_reviewer_id", "review", "reviewer_id"),
    ("ix_slot_programme_id", "slot", "programme_id"),
]


def _fold(text):
    # As app.text.fold on the day of this migration: lower case, accents removed.
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _checks_by_table():
    tables = {}
    for table, checks in ENUM_CHECKS.items():
        for name, column, values in checks:
            allowed = ", ".join(f"'{value}'" for value in values)
            tables.setdefault(table, []).append((name, f"{column} IN ({allowed})"))
    for table, checks in OTHER_CHECKS.items():
        tables.setdefault(table, []).extend(checks)
    return tables


def upgrade():
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "client", name="uq_login_throttle_email_client"),
    )
    op.create_table(
        "purged_application_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "sector", "status", name="uq_purged_count_group"),
    )
    op.create_index("ix_purged_application_count_programme_id", "purged_application_count", ["programme_id"])
    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("erased_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )

    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.String(length=402), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, full_name, organisation FROM application")).fetchall()
    for ident, full_name, organisation in rows:
        connection.execute(sa.text("UPDATE application SET search_key = :key WHERE id = :id"),
                           {"key": f"{_fold(full_name)}\n{_fold(organisation)}", "id": ident})

    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint("uq_outbox_email_message_id", ["message_id"])

    for name, table, column in INDEXES:
        op.create_index(name, table, [column])

    for table, checks in _checks_by_table().items():
        with op.batch_alter_table(table) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(name, condition)


def downgrade():
    for table, checks in _checks_by_table().items():
        with op.batch_alter_table(table) as batch_op:
            for name, _condition in checks:
                batch_op.drop_constraint(name, type_="check")
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_constraint("uq_outbox_email_message_id", type_="unique")
        batch_op.drop_column("message_id")
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("search_key")
    op.drop_table("erasure")
    op.drop_index("ix_purged_application_count_programme_id", table_name="purged_application_count")
    op.drop_table("purged_application_count")
    op.drop_table("login_throttle")

"""after the offer: responses, private-link salt, closed fee accounts, published schedules, email
attachments and the organiser's email wording

Revision ID: c5e8a1d2f9b3
Revises: b7d1e2f3a4c5
Create Date: 2026-11-25 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c5e8a1d2f9b3"
down_revision = "b7d1e2f3a4c5"
branch_labels = None
depends_on = None

OLD_STATUSES = ["submitted", "eligible", "ineligible", "selected", "waiting_list", "not_selected", "withdrawn", "late"]
NEW_STATUSES = [*OLD_STATUSES, "declined"]


def _status_check(values):
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with op.batch_alter_table("application") as batch:
        batch.drop_constraint("ck_applicationstatus_values", type_="check")
        batch.create_check_constraint("ck_applicationstatus_values", _status_check(NEW_STATUSES))
        batch.add_column(sa.Column("link_salt", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("offered_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("respond_by", sa.Date(), nullable=True))
        batch.add_column(sa.Column("accepted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("declined_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("decline_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("response_reminded_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("payment_instructions", sa.Text(), nullable=True))
        batch.add_column(sa.Column("respond_days", sa.Integer(), nullable=False, server_default="14"))
        batch.create_check_constraint("ck_programme_respond_days", "respond_days >= 1")
    with op.batch_alter_table("fee_account") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("learning_set") as batch:
        batch.add_column(sa.Column("schedule_published_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("outbox_email") as batch:
        batch.add_column(sa.Column("attachment_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("attachment_type", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("attachment_text", sa.Text(), nullable=True))
    op.create_table(
        "email_template",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade():
    op.drop_table("email_template")
    with op.batch_alter_table("outbox_email") as batch:
        batch.drop_column("attachment_text")
        batch.drop_column("attachment_type")
        batch.drop_column("attachment_name")
    with op.batch_alter_table("learning_set") as batch:
        batch.drop_column("schedule_published_at")
    with op.batch_alter_table("fee_account") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("closed_at")
    with op.batch_alter_table("programme") as batch:
        batch.drop_constraint("ck_programme_respond_days", type_="check")
        batch.drop_column("respond_days")
        batch.drop_column("payment_instructions")
    op.execute("UPDATE application SET status = 'withdrawn' WHERE status = 'declined'")
    with op.batch_alter_table("application") as batch:
        for column in ("response_reminded_at", "decline_reason", "declined_at", "accepted_at", "respond_by",
                       "offered_at", "link_salt"):
            batch.drop_column(column)
        batch.drop_constraint("ck_applicationstatus_values", type_="check")
        batch.create_check_constraint("ck_applicationstatus_values", _status_check(OLD_STATUSES))

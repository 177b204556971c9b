"""running the sets: facilitators, session records, attendance, presenters' titles and the action log

Revision ID: d2a7c4e6b8f1
Revises: c5e8a1d2f9b3
Create Date: 2026-11-25 18:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d2a7c4e6b8f1"
down_revision = "c5e8a1d2f9b3"
branch_labels = None
depends_on = None

OLD_ROLES = ["organiser", "finance"]
NEW_ROLES = [*OLD_ROLES, "facilitator"]


def _check(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint("ck_role_values", type_="check")
        batch.create_check_constraint("ck_role_values", _check("role", NEW_ROLES))
        batch.add_column(sa.Column("full_name", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("organisation", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("can_attend", sa.JSON(), nullable=True))
    with op.batch_alter_table("learning_set") as batch:
        batch.add_column(sa.Column("facilitator_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_learning_set_facilitator_id_user", "user", ["facilitator_id"], ["id"])
        batch.create_index("ix_learning_set_facilitator_id", ["facilitator_id"])
    with op.batch_alter_table("presenter") as batch:
        batch.add_column(sa.Column("issue_title", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("presented", sa.Boolean(), nullable=True))
    op.create_table(
        "session_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=320), nullable=False),
        sa.Column("ground_rules", sa.Text(), nullable=True),
        sa.Column("issues", sa.Text(), nullable=True),
        sa.Column("agreed_interval", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["scheduled_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id"),
    )
    op.create_table(
        "attendance_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("present", "apologies", "absent", name="ck_attendance_values",
                                    native_enum=False, length=20, create_constraint=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["scheduled_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "application_id"),
    )
    op.create_index("ix_attendance_mark_session_id", "attendance_mark", ["session_id"])
    op.create_index("ix_attendance_mark_application_id", "attendance_mark", ["application_id"])
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["scheduled_session.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_id"], ["learning_set.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_set_id", "action", ["set_id"])
    op.create_index("ix_action_session_id", "action", ["session_id"])
    op.create_index("ix_action_application_id", "action", ["application_id"])
    op.create_table(
        "action_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Enum("done", "partly", "not_done", "dropped", name="ck_actionoutcome_values",
                                     native_enum=False, length=20, create_constraint=True), nullable=False),
        sa.Column("learning", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["scheduled_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("action_id", "session_id"),
    )
    op.create_index("ix_action_review_action_id", "action_review", ["action_id"])
    op.create_index("ix_action_review_session_id", "action_review", ["session_id"])


def downgrade():
    op.drop_table("action_review")
    op.drop_table("action")
    op.drop_table("attendance_mark")
    op.drop_table("session_record")
    with op.batch_alter_table("presenter") as batch:
        batch.drop_column("presented")
        batch.drop_column("issue_title")
    with op.batch_alter_table("learning_set") as batch:
        batch.drop_index("ix_learning_set_facilitator_id")
        batch.drop_constraint("fk_learning_set_facilitator_id_user", type_="foreignkey")
        batch.drop_column("facilitator_id")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("can_attend")
        batch.drop_column("organisation")
        batch.drop_column("full_name")
        batch.drop_constraint("ck_role_values", type_="check")
        batch.create_check_constraint("ck_role_values", _check("role", OLD_ROLES))

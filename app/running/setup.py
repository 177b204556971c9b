"""Taking a confirmed set to its first session in one step: plan, publish, give it a facilitator.
Used by `als demo --through` and by the tests' factories (the organiser's pages do it by hand)."""
from __future__ import annotations

from datetime import date, datetime

from app.models import LearningSet, User
from app.running import service
from app.schedule import service as schedule
from app.schedule.planner import Interval, WinterBreak, plan_sessions

MONTHLY = Interval("monthly")


def plan_and_publish(learning_set: LearningSet, first: date, by: str, now: datetime,
                     interval: Interval = MONTHLY) -> None:
    """Plan six sessions from `first` (with the usual training and winter break) and publish them."""
    winter = WinterBreak()
    plan = plan_sessions(first, interval, learning_set.slot_label, winter, training_after=3)
    schedule.save_plan(learning_set, plan, by, interval=interval.describe(), winter=winter, training_after=3)
    schedule.publish(learning_set, by, now)


def start_running(learning_set: LearningSet, first: date, facilitator: User, by: str, now: datetime) -> None:
    plan_and_publish(learning_set, first, by, now)
    service.assign_facilitator(learning_set, facilitator, by)

"""Chatham House: the words a set shares are read only by its members and its facilitator.

Issue titles, the set's ground rules and issues, actions and learning are read through
`private_view`, which checks who is asking before it queries anything. Organisers and finance
officers never get a Viewer that passes, so no page or download of theirs can hold the words:
they see service.counts_of and attendance instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Action, Application, ApplicationStatus, LearningSet, ScheduledSession, SessionRecord, User
from app.running import service


class PrivateToTheSet(PermissionError):
    """The viewer is neither a member of this set nor its facilitator."""


@dataclass(frozen=True)
class Viewer:
    """Who is reading: a staff user (only a set's own facilitator passes) or a member, by the
    application their private link opened."""

    user: User | None = None
    application: Application | None = None


def may_read(viewer: Viewer, learning_set: LearningSet) -> bool:
    if viewer.user is not None:
        return service.facilitates(viewer.user, learning_set)
    application = viewer.application
    return (application is not None and application.status is ApplicationStatus.SELECTED
            and service.is_member(application, learning_set))


@dataclass
class SessionView:
    session: ScheduledSession
    record: SessionRecord | None
    #: application id -> the presenter's title (None when they gave none)
    titles: dict[int, str | None] = field(default_factory=dict)
    #: actions set at this session
    actions: list[Action] = field(default_factory=list)


@dataclass
class SetView:
    learning_set: LearningSet
    sessions: list[SessionView]
    open_actions: list[Action]
    closed_actions: list[Action]

    def session(self, number: int) -> SessionView | None:
        return next((s for s in self.sessions if s.session.number == number), None)

    @property
    def agreements(self) -> SessionRecord | None:
        """Session 1's record: ground rules, issues and the agreed interval."""
        first = self.session(1)
        return first.record if first else None


def private_view(learning_set: LearningSet, viewer: Viewer) -> SetView:
    """Everything private to the set, for its members and its facilitator only."""
    if not may_read(viewer, learning_set):
        raise PrivateToTheSet(f"Only members of {learning_set.name} and its facilitator can read this")
    actions = service.actions_of(learning_set)
    by_session: dict[int, list[Action]] = {}
    for action in actions:
        by_session.setdefault(action.session_id, []).append(action)
    sessions = [
        SessionView(session=s, record=service.record_of(s),
                    titles={p.application_id: p.issue_title for p in s.presenters},
                    actions=by_session.get(s.id, []))
        for s in service.sessions_of(learning_set)
    ]
    return SetView(learning_set=learning_set, sessions=sessions,
                   open_actions=[a for a in actions if a.is_open],
                   closed_actions=[a for a in actions if not a.is_open])

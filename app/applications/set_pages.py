"""A member's set, from their private link: who is in it, the dates and who presents, what the set
agreed, and the action log; presenters name their issue and write down their own actions.

Everything private to the set is read through app.running.privacy.private_view, which lets in
only a Selected member of this set (the application the link opened). A link only ever opens its
own application's set: no address here names a set.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput, GovTextInput
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

from app.applications import bp
from app.applications.lifecycle import set_of
from app.applications.member import published_meetings
from app.applications.service import find_by_token
from app.extensions import db
from app.models import Action, Application, LearningSet, ScheduledSession
from app.running import service
from app.running.privacy import PrivateToTheSet, SessionView, SetView, Viewer, private_view
from app.schedule import service as schedule
from app.schedule.forms import DateParts, error_list, example_date
from app.schedule.planner import uk_date
from app.text import paragraphs, single_line


class IssueTitleForm(FlaskForm):
    title = StringField("Title of your issue (optional)", widget=GovTextInput(), filters=[single_line],
                        description=f"A few words the set will know it by, up to {service.TITLE_LIMIT} "
                                    f"characters. Leave it empty for no title")
    submit = SubmitField("Save the title", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    what = TextAreaField("What will you do?", widget=GovCharacterCount(), filters=[paragraphs],
                         description="One action at a time: you can add another after saving this one",
                         validators=[DataRequired("Enter what you will do")])
    due_on = DateParts("By when? (optional)", noun="The date for the action")
    submit = SubmitField("Add this action", widget=GovSubmitInput())


@dataclass(frozen=True)
class Presenting:
    name: str
    title: str | None
    is_you: bool


@dataclass
class Member:
    """The member whose link opened the page, with their set as they may read it."""

    application: Application
    learning_set: LearningSet
    view: SetView
    token: str
    today: date = field(default_factory=schedule.today)

    @property
    def published(self) -> bool:
        return self.learning_set.schedule_published_at is not None

    def session(self, number: int) -> SessionView:
        """One of the set's own sessions (once its dates are published), or 404."""
        found = self.view.session(number) if self.published else None
        if found is None:
            abort(404)
        return found

    def next_session(self) -> ScheduledSession | None:
        """The next session to come: today's until it is recorded, then the one after."""
        return next((found.session for found in self.view.sessions
                     if found.session.on > self.today or (found.session.on == self.today and found.record is None)),
                    None)

    def presents_at(self, session: ScheduledSession) -> bool:
        """On the rota (or recorded as presenting), and not recorded as having missed their turn."""
        row = service.presenter_row(session, self.application)
        return row is not None and row.presented is not False

    def may_title(self, session: SessionView) -> bool:
        """A presenter names their issue until the session is recorded."""
        return self.presents_at(session.session) and session.record is None

    def may_add_actions(self, session: ScheduledSession) -> bool:
        """A presenter writes down their own actions once the session has happened."""
        return self.presents_at(session) and service.has_happened(session, self.today)

    def presenters(self, found: SessionView) -> list[Presenting]:
        """Who presents (or, once recorded, presented) at a session, with their titles, by name."""
        return [Presenting(row.application.full_name, found.titles.get(row.application_id),
                           row.application_id == self.application.id)
                for row in service.presenters_of(found.session) if row.presented is not False]

    def own_actions(self, session: ScheduledSession | None = None) -> list[Action]:
        actions = [*self.view.open_actions, *self.view.closed_actions]
        return [a for a in actions if a.application_id == self.application.id
                and (session is None or a.session_id == session.id)]


def _member(token: str) -> Member:
    """The set of the application this link opens; 404 unless it is a Selected member's (the
    privacy check decides that, so the rule lives in one place)."""
    application = find_by_token(token)
    learning_set = set_of(application) if application is not None else None
    if application is None or learning_set is None:
        abort(404)
    try:
        view = private_view(learning_set, Viewer(application=application))
    except PrivateToTheSet:
        abort(404)
    return Member(application, learning_set, view, token)


@bp.route("/application/<token>/set")
def set_page(token: str) -> str:
    """The member's set: the next session and what to do before it first, then the dates and who
    presents, open actions, what the set agreed, the members and finished actions."""
    member = _member(token)
    sessions = [s.session for s in member.view.sessions] if member.published else []
    upcoming = member.next_session() if member.published else None
    presented_at = [s for s in sessions if member.may_add_actions(s)]
    return render_template(
        "applications/set.html", member=member, application=member.application, token=token,
        learning_set=member.learning_set, view=member.view, meetings=published_meetings(member.learning_set),
        upcoming=upcoming, presented_at=presented_at, members=service.members_of(member.learning_set),
        my_open_actions=[a for a in member.view.open_actions if a.application_id == member.application.id],
    )


@bp.route("/application/<token>/set/sessions/<int:number>/title", methods=["GET", "POST"])
def set_title(token: str, number: int) -> Response | str | tuple[str, int]:
    """A presenter gives their issue a short title before the session (optional, private to the set)."""
    member = _member(token)
    found = member.session(number)
    session = found.session
    if not member.may_title(found):
        return _refused(member, session, "Only the people presenting at this session can give their issue a "
                                         "title, until the session has been recorded."), 403
    form = IssueTitleForm()
    if not form.is_submitted():
        form.title.data = found.titles.get(member.application.id) or ""
    if form.validate_on_submit():
        try:
            service.set_issue_title(session, member.application, form.title.data or "", member.today)
        except service.RecordRefused as refused:
            form.title.errors = [*form.title.errors, str(refused)]
        else:
            db.session.commit()
            flash("Your title has been saved" if form.title.data else "Your issue has no title now", "success")
            return redirect(url_for("applications.set_page", token=token))
    return render_template("applications/set_title.html", member=member, session=session, form=form,
                           token=token, learning_set=member.learning_set, errors=error_list(form),
                           title_limit=service.TITLE_LIMIT)


@bp.route("/application/<token>/set/sessions/<int:number>/actions", methods=["GET", "POST"])
def set_actions(token: str, number: int) -> Response | str | tuple[str, int]:
    """A presenter writes down their own actions from a session they presented at, one at a time."""
    member = _member(token)
    session = member.session(number).session
    if not member.may_add_actions(session):
        return _refused(member, session, _why_no_actions(member, session)), 403
    form = ActionForm()
    if form.validate_on_submit():
        try:
            due_on = form.due_on.data if isinstance(form.due_on.data, date) else None
            service.add_action(session, member.application, form.what.data or "", due_on, by="member",
                               today=member.today)
        except service.RecordRefused as refused:
            # The service words each refusal; only the one about the date belongs to the date boxes.
            target = form.due_on if str(refused).startswith("The date") else form.what
            target.errors = [*target.errors, str(refused)]
        else:
            db.session.commit()
            flash("Your action has been added", "success")
            return redirect(url_for("applications.set_actions", token=token, number=number))
    later = next((s.session for s in member.view.sessions if s.session.number > number), None)
    hint_from = later.on if later is not None else session.on + timedelta(weeks=4)
    return render_template("applications/set_actions.html", member=member, session=session, form=form,
                           token=token, learning_set=member.learning_set, errors=error_list(form),
                           actions=member.own_actions(session), action_limit=service.ACTION_LIMIT,
                           date_hint=example_date(max(hint_from, member.today)), next_session=later)


def _why_no_actions(member: Member, session: ScheduledSession) -> str:
    label = schedule.meeting_label(session)
    if not member.presents_at(session):
        return (f"You did not present at {label.lower()}, so you cannot write down actions for it. "
                f"Each presenter writes down their own actions.")
    return (f"{label} has not happened yet. Once it has, on {uk_date(session.on)}, you can write down "
            f"your actions from it here.")


def _refused(member: Member, session: ScheduledSession, message: str) -> str:
    return render_template("applications/set_refused.html", member=member, session=session, message=message,
                           token=member.token, learning_set=member.learning_set)

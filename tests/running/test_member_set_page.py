"""The member's set page, reached from their private link: the set, its dates and rota, what it
agreed and its action log; presenters name their issue and write down their own actions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from html import unescape
from urllib.parse import urlparse

from sqlalchemy import select

from app.applications.lifecycle import decline_place
from app.applications.service import private_link_for
from app.clock import utcnow
from app.extensions import db
from app.models import Action, ActionOutcome, Application, Attendance, LearningSet
from app.running import service
from app.running.service import SessionEntry
from app.schedule.planner import uk_date
from tests.helpers import link_from, outbox

AFTER_SESSION_1 = datetime(2026, 12, 8, 15, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    path: str   # the private link's path: /application/<token>


def _person(application: Application) -> Person:
    return Person(application.full_name, application.email, urlparse(private_link_for(application)).path)


def _presenter_and_other(app, set_id: int, number: int = 1) -> tuple[Person, Person]:
    """A member presenting at this session, and a member who is not."""
    with app.app_context():
        session = service.sessions_of(db.session.get(LearningSet, set_id))[number - 1]
        presenting = {p.application_id for p in session.presenters}
        members = service.members_of(session.learning_set)
        presenter = next(m for m in members if m.id in presenting)
        other = next(m for m in members if m.id not in presenting)
        people = _person(presenter), _person(other)
        db.session.commit()
        return people


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _record_session(app, set_id: int, number: int, presenter: Person) -> None:
    """The facilitator's record: everyone present, the presenter presented; session 1 also what
    the set agreed."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, set_id)
        session = service.sessions_of(learning_set)[number - 1]
        members = service.members_of(learning_set)
        presented = [m.id for m in members if m.full_name == presenter.name]
        entry = SessionEntry(attendance={m.id: Attendance.PRESENT for m in members}, presented=presented,
                             ground_rules="Phones away\nWhat is said here stays here" if number == 1 else None,
                             issues="Leading through a merger" if number == 1 else None)
        service.record_session(session, entry, by="facilitator@example.org", today=utcnow().date())
        db.session.commit()


def test_a_member_sees_their_set_its_dates_and_who_presents(app, client, running):
    presenter, member = _presenter_and_other(app, running.set_id)
    response = client.get(member.path + "/set")
    page = _text(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Everything on this page is under Chatham House rules" in page
    with app.app_context():
        learning_set = db.session.get(LearningSet, running.set_id)
        for fellow in service.members_of(learning_set):
            assert fellow.full_name in page and fellow.job_title in page and fellow.organisation in page
            assert fellow.email not in page
            if fellow.phone:
                assert fellow.phone not in page
        other_set = db.session.get(LearningSet, running.other_set_id)
        assert all(m.full_name not in page for m in service.members_of(other_set))
        sessions = service.sessions_of(learning_set)
        for session in sessions:
            assert uk_date(session.on) in page
        later_presenter = sessions[3].presenters[0].application.full_name
    assert "Fran Facil" in page
    # The next session, and who presents at it, come first.
    next_session = page.split('id="next-session"')[1].split("Dates and who presents")[0]
    assert "Tuesday 8 December 2026" in next_session and presenter.name in next_session
    assert later_presenter in page.split("Dates and who presents")[1]
    # The member's own page links to it.
    assert "Your set's page" in client.get(member.path).get_data(as_text=True)


def test_a_presenter_gives_their_issue_a_title_before_the_session_and_the_set_sees_it(app, client, running):
    presenter, member = _presenter_and_other(app, running.set_id)
    form = _text(client.get(presenter.path + "/set/sessions/1/title"))
    assert f"up to {service.TITLE_LIMIT} characters" in form

    too_long = client.post(presenter.path + "/set/sessions/1/title", data={"title": "x" * (service.TITLE_LIMIT + 1)})
    assert f"must be {service.TITLE_LIMIT} characters or fewer" in _text(too_long)

    saved = client.post(presenter.path + "/set/sessions/1/title", data={"title": "Keeping a team together"})
    assert saved.status_code == 302
    assert "Your title has been saved" in _text(client.get(presenter.path + "/set"))
    assert "“Keeping a team together”" in _text(client.get(member.path + "/set"))

    # Someone not presenting at the session cannot give it a title.
    refused = client.post(member.path + "/set/sessions/1/title", data={"title": "Mine"})
    assert refused.status_code == 403
    assert "Mine" not in _text(client.get(presenter.path + "/set")).split('id="next-session"')[1]


def test_after_session_1_the_presenter_writes_down_two_actions_and_sees_them(app, client, clock, running):
    presenter, member = _presenter_and_other(app, running.set_id)
    before = client.get(presenter.path + "/set/sessions/1/actions")
    assert before.status_code == 403 and "has not happened yet" in _text(before)

    clock.now = AFTER_SESSION_1
    _record_session(app, running.set_id, 1, presenter)
    page = _text(client.get(presenter.path + "/set"))
    assert "Write down your actions from session 1" in page
    assert "Phones away" in page and "Leading through a merger" in page

    first = client.post(presenter.path + "/set/sessions/1/actions",
                        data={"what": "Talk to the finance director", "due_on": ["5", "1", "2027"]})
    assert first.status_code == 302
    second = client.post(presenter.path + "/set/sessions/1/actions", data={"what": "Draft a new rota"})
    assert second.status_code == 302
    actions_page = _text(client.get(presenter.path + "/set/sessions/1/actions"))
    assert "Talk to the finance director" in actions_page and "Tuesday 5 January 2027" in actions_page
    assert "Draft a new rota" in actions_page

    # The whole set sees them, open, with the presenter's name.
    open_actions = _text(client.get(member.path + "/set")).split('id="open-actions"')[1].split("What the set agreed")[0]
    assert "Talk to the finance director" in open_actions and "Draft a new rota" in open_actions
    assert presenter.name in open_actions
    with app.app_context():
        rows = db.session.scalars(select(Action)).all()
        assert [(a.what, a.created_by) for a in rows] == [("Talk to the finance director", "member"),
                                                          ("Draft a new rota", "member")]

    # A recorded session's title can no longer change.
    assert client.post(presenter.path + "/set/sessions/1/title", data={"title": "Late"}).status_code == 403


def test_an_action_dated_before_its_session_is_refused_on_the_date(app, client, clock, running):
    presenter, _member = _presenter_and_other(app, running.set_id)
    clock.now = AFTER_SESSION_1
    _record_session(app, running.set_id, 1, presenter)
    response = client.post(presenter.path + "/set/sessions/1/actions",
                           data={"what": "Something", "due_on": ["1", "12", "2026"]})
    page = _text(response)
    assert response.status_code == 200
    assert "The date for an action must be on or after the session" in page and 'href="#due_on-day"' in page
    with app.app_context():
        assert db.session.scalars(select(Action)).all() == []


def test_a_member_who_did_not_present_cannot_write_down_actions(app, client, clock, running):
    presenter, member = _presenter_and_other(app, running.set_id)
    clock.now = AFTER_SESSION_1
    _record_session(app, running.set_id, 1, presenter)
    assert "Write down your actions from session 1" not in _text(client.get(member.path + "/set"))

    page = client.get(member.path + "/set/sessions/1/actions")
    assert page.status_code == 403
    assert "You did not present at session 1, so you cannot write down actions for it" in _text(page)
    posted = client.post(member.path + "/set/sessions/1/actions", data={"what": "An action for someone else"})
    assert posted.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Action)).all() == []


def test_reviewed_actions_show_their_outcome_and_learning(app, client, clock, running):
    presenter, member = _presenter_and_other(app, running.set_id)
    clock.now = AFTER_SESSION_1
    _record_session(app, running.set_id, 1, presenter)
    for what in ("Talk to the finance director", "Draft a new rota"):
        client.post(presenter.path + "/set/sessions/1/actions", data={"what": what})
    with app.app_context():
        session_2 = service.sessions_of(db.session.get(LearningSet, running.set_id))[1]
        clock.now = datetime.combine(session_2.on, AFTER_SESSION_1.timetz())
        talk, rota = db.session.scalars(select(Action).order_by(Action.id)).all()
        service.review_action(talk, session_2, ActionOutcome.DONE, "Ask early", "facilitator@example.org",
                              utcnow().date())
        service.review_action(rota, session_2, ActionOutcome.PARTLY, "Share the draft first",
                              "facilitator@example.org", utcnow().date())
        db.session.commit()
    page = _text(client.get(member.path + "/set"))
    open_actions = page.split('id="open-actions"')[1].split("What the set agreed")[0]
    finished = page.split('id="finished-actions"')[1]
    assert "Draft a new rota" in open_actions and "Session 2: Partly done. Learning: Share the draft first" in open_actions
    assert "Talk to the finance director" in finished and "Session 2: Done. Learning: Ask early" in finished
    assert "Talk to the finance director" not in open_actions


def test_each_link_opens_only_its_own_set(app, client, running):
    presenter, _member = _presenter_and_other(app, running.set_id)
    other_presenter, _ = _presenter_and_other(app, running.other_set_id)
    client.post(presenter.path + "/set/sessions/1/title", data={"title": "A private matter"})

    other_page = _text(client.get(other_presenter.path + "/set"))
    with app.app_context():
        other_name = db.session.get(LearningSet, running.other_set_id).name
        first_set = db.session.get(LearningSet, running.set_id)
        first_names = [m.full_name for m in service.members_of(first_set)]
    assert other_name in other_page and "Olu Other" in other_page and "Fran Facil" not in other_page
    assert "A private matter" not in other_page
    assert all(name not in other_page for name in first_names)
    # Session 1 on the other member's link is their own set's session 1.
    other_form = _text(client.get(other_presenter.path + "/set/sessions/1/title"))
    assert other_name in other_form and "A private matter" not in other_form
    assert client.get(presenter.path + "/set/sessions/9/actions").status_code == 404


def test_no_set_page_for_someone_not_selected_or_no_longer_in_the_set(app, client, apply, running):
    presenter, member = _presenter_and_other(app, running.set_id)
    apply(email="late.applicant@example.org")
    outsider_path = link_from([e for e in outbox(app) if e.to_address == "late.applicant@example.org"][-1])
    assert client.get(outsider_path).status_code == 200
    for suffix in ("/set", "/set/sessions/1/title", "/set/sessions/1/actions"):
        assert client.get(outsider_path + suffix).status_code == 404

    with app.app_context():
        leaving = db.session.scalars(select(Application).where(Application.full_name == presenter.name)).one()
        decline_place(leaving, "", utcnow())
        db.session.commit()
    assert client.get(presenter.path + "/set").status_code == 404
    assert "Your set's page" not in client.get(presenter.path).get_data(as_text=True)
    assert client.get(member.path + "/set").status_code == 200


def test_a_fresh_link_from_find_your_application_replaces_the_old_one(app, client, running):
    _presenter, member = _presenter_and_other(app, running.set_id)
    assert client.get(member.path + "/set").status_code == 200
    sent = client.post("/application/find", data={"email": member.email})
    assert sent.status_code == 200
    new_path = link_from([e for e in outbox(app) if e.template == "private_link" and e.to_address == member.email][-1])
    assert new_path != member.path
    assert client.get(member.path + "/set").status_code == 404
    assert client.get(member.path).status_code == 404
    new_page = client.get(new_path + "/set")
    assert new_page.status_code == 200 and "Chatham House rules" in _text(new_page)


def test_between_sessions_3_and_4_the_training_comes_first(app, client, clock, running):
    _presenter, member = _presenter_and_other(app, running.set_id)
    clock.now = datetime(2027, 2, 10, 10, 0, tzinfo=timezone.utc)
    next_session = _text(client.get(member.path + "/set")).split('id="next-session"')[1].split("Dates and who")[0]
    assert "4 of 6" in next_session and "Tuesday 9 March 2027" in next_session
    assert "Before it, the facilitation training: Tuesday 23 February 2027" in next_session


def test_before_the_dates_are_published_the_page_says_so(app, client, running):
    presenter, _member = _presenter_and_other(app, running.set_id)
    with app.app_context():
        db.session.get(LearningSet, running.set_id).schedule_published_at = None
        db.session.commit()
    page = _text(client.get(presenter.path + "/set"))
    assert "The organiser has not published your set's dates yet" in page
    assert "Tuesday 8 December 2026" not in page and "Fran Facil" in page
    assert client.get(presenter.path + "/set/sessions/1/title").status_code == 404

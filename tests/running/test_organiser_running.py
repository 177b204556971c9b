"""The organiser's running pages: choosing each set's facilitator (with warnings they can
overrule) and the overview of every set in counts and attendance, never the set's words."""
from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import ActionOutcome, Attendance, AuditEvent, LearningSet
from app.running import service
from tests.running.conftest import facilitator_user

# Words only the set may read: none of them may reach an organiser's page.
TITLE = "Zebra crossing dilemma"
GROUND_RULES = "Quokka rules apply here"
ISSUES = "Narwhal budgets and marmots"
ACTION = "Phone the marmoset board"
LEARNING = "Axolotl learning noted"


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def test_the_organiser_is_warned_about_a_colleague_and_a_place_then_confirms(app, client, auth, running):
    with app.app_context():
        learning_set = db.session.get(LearningSet, running.set_id)
        member = service.members_of(learning_set)[0]
        user = facilitator_user("pat@example.org", "Pat Colleague", organisation=member.organisation, can_attend=[])
        db.session.commit()
        pat, member_name, organisation, place = str(user.id), member.full_name, member.organisation, learning_set.slot_label
    colleague = f"Pat Colleague works for {organisation}, as "
    cannot_attend = f"Pat Colleague has not said they can attend {place}"
    url = f"/manage/running/sets/{running.set_id}/facilitator"
    auth.login()

    page = _page(client, url)
    assert "Now: Fran Facil (facilitator@example.org)" in page
    assert colleague in page and cannot_attend in page  # shown beside Pat's name before choosing

    warned = client.post(url, data={"facilitator": pat})
    assert warned.status_code == 200
    warnings = html.unescape(warned.get_data(as_text=True)).split('id="warnings"')[1].split("You can still choose")[0]
    assert colleague in warnings and member_name in warnings and cannot_attend in warnings
    assert "Assign Pat Colleague anyway" in warned.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LearningSet, running.set_id).facilitator.email == running.facilitator

    confirmed = client.post(url, data={"facilitator": pat, "confirmed": pat})
    assert confirmed.headers["Location"] == "/manage/running/"
    assert "Pat Colleague will facilitate" in _page(client, "/manage/running/")
    with app.app_context():
        assert db.session.get(LearningSet, running.set_id).facilitator.email == "pat@example.org"
        event = db.session.query(AuditEvent).filter_by(action="set.facilitator_assigned",
                                                       target=f"learning_set:{running.set_id}").all()[-1]
        assert (event.actor, event.before, event.after) == (
            "organiser@example.org", {"facilitator": running.facilitator}, {"facilitator": "pat@example.org"})


def test_a_facilitator_without_warnings_is_assigned_at_once_and_can_be_removed(app, client, auth, running):
    url = f"/manage/running/sets/{running.set_id}/facilitator"
    auth.login()
    assert client.post(f"{url}/remove").headers["Location"] == "/manage/running/"
    page = _page(client, "/manage/running/")
    assert "Fran Facil no longer facilitates" in page
    row = page.split('id="sets"')[1].split(f"/sets/{running.set_id}/facilitator")[0].rsplit("<tr", 1)[1]
    assert "No facilitator yet" in row
    assert "Choose a facilitator" in page
    assert "Facilitator: none yet" in _page(client, f"/manage/schedule/sets/{running.set_id}")

    with app.app_context():
        fran = service.facilitators()[0]
        assert fran.email == running.facilitator
        fran_id = str(fran.id)
    assert client.post(url, data={"facilitator": fran_id}).headers["Location"] == "/manage/running/"
    with app.app_context():
        assert db.session.get(LearningSet, running.set_id).facilitator.email == running.facilitator


def test_choosing_nobody_asks_for_a_choice(client, auth, running):
    auth.login()
    response = client.post(f"/manage/running/sets/{running.set_id}/facilitator", data={})
    assert response.status_code == 200
    assert "Select who will facilitate this set" in response.get_data(as_text=True)


def _record_two_sessions(running) -> tuple[str, str, int]:
    """Session 1 with apologies from one member, session 2 with them absent; a presenter's title,
    session 1's agreements, an action and its review, all in words the organiser must never see.
    Returns the set's name, the missing member's name and the set's size."""
    learning_set = db.session.get(LearningSet, running.set_id)
    members = service.members_of(learning_set)
    first, second = service.sessions_of(learning_set)[:2]
    presenter = service.presenters_of(first)[0].application
    second_presenter = service.presenters_of(second)[0].application
    missing = next(m for m in members if m.id not in {presenter.id, second_presenter.id})
    service.set_issue_title(first, presenter, TITLE, today=first.on)

    def marks(status: Attendance) -> dict[int, Attendance]:
        return {m.id: status if m.id == missing.id else Attendance.PRESENT for m in members}

    service.record_session(first, service.SessionEntry(marks(Attendance.APOLOGIES), [presenter.id],
                                                       ground_rules=GROUND_RULES, issues=ISSUES),
                           by=running.facilitator, today=first.on)
    action = service.add_action(first, presenter, ACTION, None, by=running.facilitator, today=first.on)
    service.record_session(second, service.SessionEntry(marks(Attendance.ABSENT), [second_presenter.id]),
                           by=running.facilitator, today=second.on)
    service.review_action(action, second, ActionOutcome.DONE, LEARNING, by=running.facilitator, today=second.on)
    db.session.commit()
    return learning_set.name, missing.full_name, len(members)


def test_the_overview_shows_counts_attendance_and_who_missed_twice_but_never_the_words(app, client, auth,
                                                                                      running, clock):
    with app.app_context():
        name, missing, size = _record_two_sessions(running)
        other = db.session.get(LearningSet, running.other_set_id).name
    clock.advance(days=80)
    auth.login()
    page = _page(client, "/manage/running/")

    flags = page.split('id="missed-list"')[1].split("</ul>")[0]
    assert f"{missing}</a>, {name}: missed sessions 1 and 2" in flags
    assert "1 member has missed 2 or more sessions in a row" in page

    sets = page.split('id="sets"')[1].split("</table>")[0]
    row = sets.split(f'data-set="{name}"')[1].split("</tr>")[0]
    assert "Fran Facil" in row and "2 of 6" in row
    assert [cell.split(">")[-1] for cell in row.split("</td>")[2:5]] == ["1", "1", "1"]  # set, reviewed, done
    assert "0 of 6" in sets.split(f'data-set="{other}"')[1].split("</tr>")[0]

    attendance = page.split('id="attendance"')[1].split(f'data-set="{name}"')[1].split("</tr>")[0]
    assert f'data-session="1">{size - 1} present, 1 sent apologies, 0 absent<' in attendance
    assert f'data-session="2">{size - 1} present, 0 sent apologies, 1 absent<' in attendance
    assert 'data-session="3">Not recorded yet<' in attendance

    for path in ("/manage/running/", f"/manage/running/sets/{running.set_id}/facilitator",
                 f"/manage/schedule/sets/{running.set_id}", "/manage/staff/"):
        page = _page(client, path)
        for words in (TITLE, GROUND_RULES, ISSUES, ACTION, LEARNING):
            assert words not in page, (path, words)


@pytest.mark.parametrize("role", ["finance", "facilitator"])
def test_only_organisers_reach_the_running_pages(app, client, auth, running, role):
    auth.login(role)
    url = f"/manage/running/sets/{running.set_id}/facilitator"
    # finance sees the counts (the issue: "organisers and finance see counts and attendance")
    overview = client.get("/manage/running/")
    assert overview.status_code == (200 if role == "finance" else 403)
    assert url not in overview.get_data(as_text=True)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"facilitator": "1", "confirmed": "1"}).status_code == 403
    assert client.post(f"{url}/remove").status_code == 403
    with app.app_context():
        assert db.session.get(LearningSet, running.set_id).facilitator.email == running.facilitator


def test_signed_out_visitors_are_sent_to_sign_in(client, running):
    assert client.get("/manage/running/").headers["Location"].startswith("/staff/login")

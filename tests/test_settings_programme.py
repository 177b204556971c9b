"""The organiser's programme settings page and `als programme`: one set of rules, every change audited."""
from __future__ import annotations

import html
from datetime import datetime, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, LearningSet, Programme

PAGE = "/manage/settings/programme"


def form(**changes: str) -> dict[str, str]:
    values = {
        "name": "Action Learning Sets 2026–27", "opens": "", "deadline": "2026-12-04 17:00", "sessions": "6",
        "fee": "50", "min_size": "6", "max_size": "8", "word_limit": "1000", "respond_days": "14",
        "payment_instructions": "",
    }
    return {**values, **changes}


def programme(app) -> Programme:
    with app.app_context():
        found = db.session.scalars(select(Programme)).one()
        _ = found.slots  # loaded before the session closes
        db.session.expunge_all()
        return found


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return found


def test_the_page_shows_the_settings_in_uk_time(client, auth):
    auth.login()
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert 'value="2026-12-04 17:00"' in page  # 5pm UK time (GMT in December)
    assert 'value="50"' in page and "Newcastle City Centre, Tuesday mornings" in page


def test_saving_changes_every_setting_and_records_before_and_after(client, auth, app):
    auth.login()
    response = client.post(PAGE, data=form(
        name="Sets 2027", opens="2026-11-01 09:00", deadline="2027-01-15 12:00", sessions="8", fee="47.50",
        min_size="5", max_size="9", word_limit="800", respond_days="10",
        payment_instructions="Bank: Northern Bank\nSort code 00-00-00\nAccount 12345678"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Programme settings saved" in page
    saved = programme(app)
    assert saved.name == "Sets 2027"
    assert saved.deadline.replace(tzinfo=timezone.utc) == datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc)
    assert (saved.sessions, saved.fee_per_session_pence, saved.min_set_size, saved.max_set_size) == (8, 4750, 5, 9)
    assert (saved.note_word_limit, saved.respond_days) == (800, 10)
    assert saved.payment_instructions == "Bank: Northern Bank\nSort code 00-00-00\nAccount 12345678"
    [event] = events(app, "programme.changed")
    assert event.actor == "organiser@example.org"
    assert event.before["respond_days"] == 14 and event.after["respond_days"] == 10
    assert "slots" not in event.after  # only what changed
    # The history at the bottom of the page says it in words.
    history = page[page.index('id="history"'):]
    assert "Fee per session: £50 → £47.50" in history
    assert "Days to respond to an offer: 14 → 10" in history
    assert "Deadline: 5pm on Friday 4 December 2026 (UK time, GMT) → midday on Friday 15 January 2027" in history
    assert "fee_per_session_pence" not in history and "respond_days" not in history


def test_saving_nothing_new_records_nothing(client, auth, app):
    auth.login()
    page = client.post(PAGE, data=form(), follow_redirects=True).get_data(as_text=True)
    assert "You did not change any settings" in page
    assert events(app, "programme.changed") == []


def test_impossible_settings_are_refused_with_clear_messages(client, auth, app):
    auth.login()
    cases = [
        (form(min_size="9", max_size="7"), "The smallest set size (9) must not be larger than the largest (7)"),
        (form(opens="2026-12-05 09:00"), "The deadline must be after the opening time"),
        (form(sessions="0"), "The number of sessions must be between 1 and 24"),
        (form(sessions="six"), "The number of sessions must be a whole number"),
        (form(respond_days="120"), "The number of days to respond to an offer must be between 1 and 90"),
        (form(fee="-5"), "The fee per session must be £0 or more"),
        (form(fee="12.345"), "whole pence"),
        (form(deadline="next friday"), "Enter the deadline as a date and time in UK time"),
        (form(name=""), "Enter the programme's name"),
        (form(word_limit="10"), "The note word limit must be between 50 and 5,000"),
    ]
    for data, message in cases:
        response = client.post(PAGE, data=data)
        assert response.status_code == 400, message
        page = html.unescape(response.get_data(as_text=True))
        assert message in page, message
        assert "There is a problem" in page
    assert programme(app).min_set_size == 6 and events(app, "programme.changed") == []


def test_places_and_times_can_be_added_renamed_reordered_and_removed(client, auth, app):
    auth.login()
    page = client.post(f"{PAGE}/places", data={"label": "Hexham, Monday evenings"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Added “Hexham, Monday evenings”" in page
    slots = {slot.label: slot.id for slot in programme(app).slots}
    assert list(slots) == ["Newcastle City Centre, Tuesday mornings", "Durham, Wednesday mornings",
                           "Hexham, Monday evenings"]
    duplicate = client.post(f"{PAGE}/places", data={"label": "durham, wednesday mornings"})
    assert duplicate.status_code == 400 and "is already one of the places and times" in duplicate.get_data(as_text=True)

    client.post(f"{PAGE}/places/{slots['Hexham, Monday evenings']}/move", data={"direction": "up"})
    assert [s.label for s in programme(app).slots][1] == "Hexham, Monday evenings"

    client.post(f"{PAGE}/places/{slots['Hexham, Monday evenings']}", data={"label": "Hexham, Monday afternoons"})
    assert "Hexham, Monday afternoons" in [s.label for s in programme(app).slots]

    page = client.post(f"{PAGE}/places/{slots['Hexham, Monday evenings']}/remove",
                       follow_redirects=True).get_data(as_text=True)
    assert "Removed “Hexham, Monday afternoons”" in page
    assert len(programme(app).slots) == 2
    assert len(events(app, "programme.changed")) == 4


def test_a_place_applicants_chose_cannot_be_removed(client, auth, app, apply):
    apply()  # chose Newcastle City Centre, Tuesday mornings
    auth.login()
    slot = programme(app).slots[0]
    page = client.post(f"{PAGE}/places/{slot.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert f"“{slot.label}” cannot be removed: 1 application chose it." in page
    assert len(programme(app).slots) == 2


def test_renaming_a_place_renames_the_sets_that_meet_there(client, auth, app):
    from tests.factories import confirm_sets

    with app.app_context():
        confirm_sets(24, seed=2)
        used = db.session.scalars(select(LearningSet.slot_label)).first()
        slot_id = next(s.id for s in db.session.scalars(select(Programme)).one().slots if s.label == used)
    auth.login()
    page = client.post(f"{PAGE}/places/{slot_id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "cannot be removed" in page and "meet" in page
    client.post(f"{PAGE}/places/{slot_id}", data={"label": "Renamed venue, Tuesday mornings"})
    with app.app_context():
        assert "Renamed venue, Tuesday mornings" in set(db.session.scalars(select(LearningSet.slot_label)))
        assert used not in set(db.session.scalars(select(LearningSet.slot_label)))


def test_only_organisers_may_change_settings(client, auth):
    auth.login("finance")
    response = client.get(PAGE)
    assert response.status_code == 403
    assert client.post(PAGE, data=form(name="Hacked")).status_code == 403
    assert client.get("/manage/settings/emails").status_code == 403


def test_organisers_see_settings_and_offers_in_the_navigation(client, auth):
    auth.login()
    page = client.get(PAGE).get_data(as_text=True)
    nav = page[page.index('aria-label="Staff"'):page.index("</nav>", page.index('aria-label="Staff"'))]
    assert ">Settings</a>" in nav
    if "offers.index" in client.application.view_functions:
        assert ">Offers</a>" in nav


def test_cli_sets_payment_instructions_and_days_to_respond(runner, app):
    result = runner.invoke(args=["programme", "--payment-instructions", r"Bank: Northern Bank\nSort code 00-00-00",
                                 "--respond-days", "21"])
    assert result.exit_code == 0, result.output
    assert "Days to respond:  21 days after the offer" in result.output
    assert "Sort code 00-00-00" in result.output
    saved = programme(app)
    assert saved.respond_days == 21 and saved.payment_instructions == "Bank: Northern Bank\nSort code 00-00-00"
    [event] = events(app, "programme.changed")
    assert event.actor == "cli" and event.after == {
        "payment_instructions": "Bank: Northern Bank\nSort code 00-00-00", "respond_days": 21}


def test_cli_refuses_what_the_page_refuses(runner, app):
    result = runner.invoke(args=["programme", "--respond-days", "0"])
    assert result.exit_code != 0 and "--respond-days" in result.output
    result = runner.invoke(args=["programme", "--opens", "2026-12-10 09:00"])
    assert result.exit_code != 0
    assert "The deadline must be after the opening time (--deadline)" in result.output
    result = runner.invoke(args=["programme", "--payment-instructions", "x" * 5001])
    assert "Payment instructions must be 5,000 characters or fewer" in result.output
    assert programme(app).opens_at is None and events(app, "programme.changed") == []


def test_the_fee_accepts_plain_money_only(client, auth, app):
    auth.login()
    for typed in ("1e3", "50p", "fifty", "5O", "Infinity", "0x32"):
        response = client.post(PAGE, data=form(fee=typed))
        assert response.status_code == 400, typed
        assert "Enter the fee per session in pounds, for example 50 or 47.50" in html.unescape(
            response.get_data(as_text=True)), typed
    assert programme(app).fee_per_session_pence == 5000
    for typed, pence in (("£45", 4500), ("45.00", 4500), ("1,200", 120000), ("47.5", 4750), ("0", 0)):
        assert client.post(PAGE, data=form(fee=typed)).status_code == 302, typed
        assert programme(app).fee_per_session_pence == pence, typed


def test_changing_the_fee_after_offers_warns_and_needs_a_tick(client, auth, app):
    from tests.factories import confirm_sets

    with app.app_context():
        confirm_sets(applicants=20, seed=1)
        from app.models import FeeAccount
        accounts = db.session.query(FeeAccount).count()
    assert accounts
    auth.login()
    response = client.post(PAGE, data=form(fee="60"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert (f"{accounts} people already have fee accounts at £300; their charges do not change — change them on "
            "the finance page") in page
    assert "Change the settings anyway" in page
    assert programme(app).fee_per_session_pence == 5000 and events(app, "programme.changed") == []
    response = client.post(PAGE, data={**form(fee="60"), "accept_change": "y"})
    assert response.status_code == 302 and programme(app).fee_per_session_pence == 6000
    # Other settings save without the tick.
    assert client.post(PAGE, data=form(fee="60", respond_days="10")).status_code == 302


def test_changing_the_sessions_warns_about_published_schedules(client, auth, app):
    from app.clock import utcnow
    from tests.factories import confirm_sets

    with app.app_context():
        confirm_sets(applicants=20, seed=1)
        db.session.scalars(select(LearningSet)).first().schedule_published_at = utcnow()
        db.session.commit()
    auth.login()
    page = html.unescape(client.post(PAGE, data=form(sessions="8")).get_data(as_text=True))
    assert ("1 set has published schedules of 6 sessions; their sessions do not change — change them on each "
            "set's schedule page") in page
    assert programme(app).sessions == 6
    assert client.post(PAGE, data={**form(sessions="8"), "accept_change": "y"}).status_code == 302
    assert programme(app).sessions == 8


def test_the_settings_history_lists_only_changes_to_the_settings(client, auth, app):
    from app import audit

    auth.login()
    client.post(PAGE, data=form(respond_days="10"))
    with app.app_context():
        audit.record("organiser@example.org", "sets.refilled", f"programme:{programme(app).id}", after={"offers": 1})
        db.session.commit()
    page = client.get(PAGE).get_data(as_text=True)
    history = page[page.index("Changes to the settings"):]
    assert "Programme settings changed" in history and "Days to respond to an offer: 14 → 10" in history
    assert "refilled" not in history.lower()

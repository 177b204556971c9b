"""Running a set, in the browser: the organiser gives a set its facilitator; the presenter names
their issue; after session 1 the facilitator records attendance, who presented, what the set agreed
and two actions; the presenter sees the actions on their set's page; after session 2 the
facilitator reviews them and the presenter sees how each went. Every new page has no axe
violations at desktop width and at a 375 px phone width, where nothing scrolls sideways."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.applications.service import private_link_for
from app.auth.accounts import create_user
from app.extensions import db
from app.models import LearningSet, Role
from app.running import service
from app.running.setup import plan_and_publish
from app.schedule.planner import uk_date
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_staff_phone import PASSWORD, sign_in
from tests.browser.test_staff_phone import accessible_at_both_widths as _check
from tests.factories import confirm_sets
from tests.running.conftest import facilitator_user

FIRST = date(2026, 12, 8)
FACILITATOR = "facilitator@example.org"
TITLE = "Keeping a team together through a merger"
GROUND_RULES = "Phones away. What is said here stays here."
ISSUES = "Leading through change; difficult conversations"
FIRST_ACTION = "Talk to the finance director about the budget"
SECOND_ACTION = "Draft a new rota with the team"
FIRST_LEARNING = "Ask early, before the numbers are fixed"
SECOND_LEARNING = "Share a draft first, then ask"


@dataclass(frozen=True)
class RunningSet:
    """The set as the browser needs it: its name, members, and the presenter at session 1 with
    their private link."""

    id: int
    name: str
    members: list[str]
    presenter: str
    presenter_path: str


def _evening(day: date) -> datetime:
    # After the session (UK time is UTC in winter): it can be recorded.
    return datetime.combine(day, time(18, 0), tzinfo=timezone.utc)


def _session_date(live_server, set_id: int, number: int) -> date:
    """A session's date as saved now (re-planning moves sessions 2 to 6)."""
    with live_server.app.app_context():
        return service.sessions_of(db.session.get(LearningSet, set_id))[number - 1].on


@pytest.fixture
def running_set(live_server) -> RunningSet:
    """Confirmed sets; the first planned monthly from Tuesday 8 December 2026 and published, with no
    facilitator yet; an organiser, and a facilitator who has not said they can attend its place."""
    with live_server.app.app_context():
        confirm_sets(40, seed=3, sets=3)
        now = live_server.clock()
        create_user("organiser@example.org", PASSWORD, Role.ORGANISER, now, by="test")
        create_user(FACILITATOR, PASSWORD, Role.FACILITATOR, now, by="test")
        facilitator_user(FACILITATOR, "Fran Facil", can_attend=[])
        learning_set = db.session.scalars(select(LearningSet).order_by(LearningSet.id)).first()
        plan_and_publish(learning_set, FIRST, "organiser@example.org", now)
        db.session.commit()
        presenter = service.presenters_of(service.sessions_of(learning_set)[0])[0].application
        return RunningSet(
            id=learning_set.id, name=learning_set.name,
            members=[m.full_name for m in service.members_of(learning_set)],
            presenter=presenter.full_name, presenter_path=urlsplit(private_link_for(presenter)).path)




def test_a_facilitator_records_two_sessions_and_the_presenter_follows_their_actions(
        page: Page, phone_page: Page, live_server, running_set: RunningSet) -> None:
    url, phone, the_set = live_server.url, phone_page, running_set
    member_set_page = url + the_set.presenter_path + "/set"

    # The organiser gives the set its facilitator, warned that she has not said she can attend it.
    sign_in(page, url, "organiser@example.org")
    sign_in(phone, url, "organiser@example.org")
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Running").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Running the sets")
    row = page.locator("#sets tr", has_text=the_set.name)
    expect(row).to_contain_text("No facilitator yet")
    _check(page, phone, "the running overview")

    row.get_by_role("link", name=re.compile("Choose a facilitator")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Facilitator for {the_set.name}")
    _check(page, phone, "the assign-facilitator page")
    page.get_by_label("Fran Facil").check()
    page.get_by_role("button", name="Assign facilitator").click()
    expect(page.locator("#warnings")).to_contain_text("Fran Facil has not said they can attend")
    assert_accessible(page, "the assign-facilitator page with a warning")
    page.get_by_role("button", name="Assign Fran Facil anyway").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Fran Facil will facilitate {the_set.name}")
    expect(page.locator("#sets tr", has_text=the_set.name)).to_contain_text("Fran Facil")
    _check(page, phone, "the running overview after assigning")

    # Before session 1, the presenter names their issue from their set's page.
    page.context.clear_cookies()
    phone.context.clear_cookies()
    page.goto(member_set_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your set")
    expect(page.locator("#next-session")).to_contain_text(f"{the_set.presenter} (you)")
    expect(page.locator("#facilitator")).to_contain_text("Fran Facil")
    _check(page, phone, "the member's set page")
    page.get_by_role("link", name="Give it a title (optional)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Title of your issue")
    _check(page, phone, "the issue title page")
    page.get_by_label("Title of your issue (optional)").fill(TITLE)
    page.get_by_role("button", name="Save the title").click()
    expect(page.locator("#next-session")).to_contain_text(f"{the_set.presenter} (you): “{TITLE}”")

    # The evening of session 1: the facilitator's sets say what to do next.
    live_server.clock.now = _evening(FIRST)
    sign_in(page, url, FACILITATOR)
    sign_in(phone, url, FACILITATOR)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sets")
    expect(page.locator("main")).to_contain_text("To do: Record session 1")
    _check(page, phone, "the facilitator's sets")
    page.get_by_role("link", name=the_set.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(the_set.name)
    expect(page.locator("#schedule")).to_contain_text(f"{the_set.presenter} (“{TITLE}”)")
    _check(page, phone, "the facilitator's set page")

    # Recording session 1: a question left unanswered is an error, then attendance for everyone.
    page.get_by_role("button", name="Record session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record session 1")
    _check(page, phone, "the record page")
    page.get_by_role("button", name="Save the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Select whether {the_set.members[0]} was present, sent apologies or was absent")
    assert_accessible(page, "the record page with errors")
    absent = next(name for name in the_set.members if name != the_set.presenter)
    for name in the_set.members:
        page.get_by_role("group", name=name, exact=True).get_by_label(
            "Apologies" if name == absent else "Present", exact=True).check()
    presented = page.get_by_role("group", name="Who presented?")
    for name in the_set.members:
        presented.get_by_label(name, exact=True).set_checked(name == the_set.presenter)
    page.get_by_label("Ground rules the set agreed (optional)").fill(GROUND_RULES)
    page.get_by_label("Issues the set wants to work on (optional)").fill(ISSUES)
    page.get_by_label("Every number of weeks").check()
    page.get_by_label("Number of weeks between sessions").fill("4")
    page.get_by_role("button", name="Save the record").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session 1 recorded")
    schedule = page.locator("#schedule")
    expect(schedule).to_contain_text(f"{len(the_set.members) - 1} present, 1 apologies, 0 absent")
    expect(schedule).to_contain_text(f"Apologies: {absent}")
    expect(page.locator("#agreed")).to_be_visible()
    expect(page.locator("main")).to_contain_text(GROUND_RULES)
    assert_accessible(page, "the facilitator's set page after recording")

    # The members agreed every 4 weeks: the facilitator re-plans sessions 2 to 6 from session 1.
    monthly_session_2 = _session_date(live_server, the_set.id, 2)
    page.get_by_role("button", name="Re-plan the remaining dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Re-plan the remaining dates")
    expect(page.locator("#new-dates")).to_contain_text(f"{uk_date(monthly_session_2)}")
    _check(page, phone, "the re-plan page")
    page.get_by_role("button", name="Save the new dates and email the members").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The dates are re-planned every 4 weeks: every member has been emailed the new dates")
    session_2 = _session_date(live_server, the_set.id, 2)
    assert session_2 != monthly_session_2
    expect(page.locator("#schedule")).to_contain_text(uk_date(session_2))

    # Two actions for the presenter.
    page.get_by_role("button", name="Add the presenters' actions from session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions from session 1")
    _check(page, phone, "the actions page")
    page.get_by_label(the_set.presenter, exact=True).check()
    page.get_by_label("What will they do?").fill(FIRST_ACTION)
    page.locator("#due_on-day").fill("5")
    page.locator("#due_on-month").fill("1")
    page.locator("#due_on-year").fill("2027")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Action added for {the_set.presenter}")
    page.get_by_label(the_set.presenter, exact=True).check()
    page.get_by_label("What will they do?").fill(SECOND_ACTION)
    page.get_by_role("button", name="Add the action").click()
    actions_set = page.locator("#actions-set")
    expect(actions_set).to_contain_text(f"{FIRST_ACTION} (by Tuesday 5 January 2027)")
    expect(actions_set).to_contain_text(SECOND_ACTION)
    _check(page, phone, "the actions page with two actions")

    # The presenter opens their link and sees both actions, open, and what the set agreed.
    page.goto(url + the_set.presenter_path)
    page.get_by_role("link", name="Your set's page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your set")
    open_actions = page.locator("#open-actions")
    expect(open_actions).to_contain_text(FIRST_ACTION)
    expect(open_actions).to_contain_text(SECOND_ACTION)
    expect(open_actions).to_contain_text(f"{the_set.presenter} (you)")
    expect(page.locator("#agreements")).to_contain_text(GROUND_RULES)
    expect(page.locator("#agreements")).to_contain_text(ISSUES)
    expect(page.locator("#before-it")).to_contain_text("Be ready to say how your 2 actions went")
    expect(page.locator("#next-session")).to_contain_text(uk_date(session_2))
    _check(page, phone, "the member's set page with actions")
    page.get_by_role("link", name="Add to your actions from session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions from session 1")
    expect(page.locator("#your-actions")).to_contain_text(FIRST_ACTION)
    expect(page.locator("#your-actions")).to_contain_text(SECOND_ACTION)
    _check(page, phone, "the member's actions page")

    # The evening of session 2: the facilitator reviews both actions.
    live_server.clock.now = _evening(session_2)
    page.goto(url + "/facilitate/")
    page.get_by_role("link", name=the_set.name, exact=True).click()
    page.get_by_role("link", name="Review 2 open actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review actions at session 2")
    expect(page.locator("main")).to_contain_text(uk_date(session_2))
    _check(page, phone, "the review page")
    # Each question names the action's presenter for screen readers (hidden text).
    outcomes = page.get_by_role("group", name=re.compile(f"What happened to {the_set.presenter}’s action"))
    expect(outcomes).to_have_count(2)
    learning = page.get_by_label(re.compile(f"Learning shared from {the_set.presenter}’s action"))
    outcomes.nth(0).get_by_label("Done", exact=True).check()
    learning.nth(0).fill(FIRST_LEARNING)
    outcomes.nth(1).get_by_label("Partly done", exact=True).check()
    learning.nth(1).fill(SECOND_LEARNING)
    page.get_by_role("button", name="Save the reviews").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "2 actions reviewed at session 2: 1 carries to session 3")
    expect(page.locator("#actions")).to_be_visible()
    _check(page, phone, "the facilitator's set page after the review")

    # The presenter sees how each went: one finished, one carried to session 3.
    page.goto(member_set_page)
    expect(page.locator("#open-actions")).to_contain_text(f"Session 2: Partly done. Learning: {SECOND_LEARNING}")
    expect(page.locator("#open-actions")).not_to_contain_text(FIRST_ACTION)
    expect(page.locator("#finished-actions")).to_contain_text(f"Session 2: Done. Learning: {FIRST_LEARNING}")
    _check(page, phone, "the member's set page after the review")

"""Status changes from the review pages go through the lifecycle: only allowed moves are offered,
a refused move says why, and the set, fee account and emails follow."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import Application, AuditEvent, FeeAccount, SetMember
from tests.helpers import outbox
from tests.review.review_helpers import LIST, audit_rows, confirmed, references, set_status, status_of, three_applicants


def options(page: str) -> list[str]:
    form = page[page.index('id="status-status"'):]
    values = re.findall(r'<option value="([^"]*)"', form[:form.index("</select>")])
    assert values[0] == "", "nothing is chosen until the organiser picks a status"
    return values[1:]


def test_the_form_offers_only_the_moves_the_status_allows_and_never_selected(client, auth, app, apply):
    apply()
    ref = next(iter(references(app).values()))
    auth.login("organiser")
    assert options(client.get(f"{LIST}{ref}").get_data(as_text=True)) == ["eligible", "ineligible", "withdrawn"]
    set_status(app, ref, "eligible")
    assert options(client.get(f"{LIST}{ref}").get_data(as_text=True)) == [
        "submitted", "ineligible", "waiting_list", "not_selected", "withdrawn"]
    set_status(app, ref, "withdrawn")
    assert options(client.get(f"{LIST}{ref}").get_data(as_text=True)) == ["submitted"]
    # Posting a status the form did not offer changes nothing.
    page = client.post(f"{LIST}{ref}/status", data={"status-status": "selected"}).get_data(as_text=True)
    assert "Choose a status from the list" in page and "<title>Error: " in page
    assert status_of(app, ref) == "withdrawn"
    page = client.post(f"{LIST}{ref}/status", data={"status-status": ""}).get_data(as_text=True)
    assert "Choose a status" in page and status_of(app, ref) == "withdrawn"


def test_a_refused_move_shows_the_reason_as_a_form_error(client, auth, app, apply):
    apply()
    ref = next(iter(references(app).values()))
    set_status(app, ref, "eligible")
    auth.login("organiser")
    response = client.post(f"{LIST}{ref}/status", data={"status-status": "waiting_list"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Places are decided when you confirm the sets: mark them eligible and confirm a selection run" in page
    assert 'href="#status-status"' in page, "the error summary links to the field"
    assert status_of(app, ref) == "eligible"
    assert [row.after for row in audit_rows(app, "application.status_changed")] == [{"status": "eligible"}]


def test_withdrawing_a_member_from_the_page_frees_their_place_closes_the_account_and_tells_them(client, auth, app):
    confirmed(app)
    with app.app_context():
        member = db.session.query(SetMember).order_by(SetMember.id).first()
        ref, email = member.application.reference, member.application.email
    auth.login("organiser")
    page = client.get(f"{LIST}{ref}").get_data(as_text=True)
    assert "In <strong>Set 1</strong>" in page
    assert options(page) == ["withdrawn", "declined"]
    response = client.post(f"{LIST}{ref}/status", data={"status-status": "withdrawn", "status-reason": "Moved abroad",
                                                          "status-confirmed": "yes"},
                           follow_redirects=True)
    assert "Status changed to withdrawn" in response.get_data(as_text=True)
    with app.app_context():
        application = db.session.query(Application).filter_by(reference=ref).one()
        assert db.session.query(SetMember).filter_by(application_id=application.id).count() == 0
        account = db.session.query(FeeAccount).filter_by(application_id=application.id).one()
        assert account.closed_at is not None
        event = db.session.query(AuditEvent).filter_by(action="application.status_changed",
                                                        target=f"application:{ref}").order_by(AuditEvent.id.desc()).first()
        assert event.after["reason"] == "Moved abroad" and event.after["left_set"] == "Set 1"
    assert [e.template for e in outbox(app) if e.to_address == email][-1] == "application_withdrawn"


def test_bulk_change_changes_those_it_may_and_names_the_others(client, auth, app, apply):
    refs = three_applicants(app, apply)
    set_status(app, refs["Ben Brown"], "withdrawn")
    set_status(app, refs["Émile Dubois"], "withdrawn")
    auth.login("organiser")
    response = client.post(f"{LIST}status", data={"bulk-selected": list(refs.values()), "bulk-status": "eligible"},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    first, second = refs["Ben Brown"], refs["Émile Dubois"]  # in the order they applied
    assert (f"1 application marked eligible; 2 could not be changed: {first} is withdrawn: it cannot be marked "
            f"eligible; {second} is withdrawn: it cannot be marked eligible") in text
    assert status_of(app, refs["Zoë Adeyemi"]) == "eligible"
    assert status_of(app, refs["Ben Brown"]) == "withdrawn"


def test_bulk_status_list_has_no_selected_or_late(client, auth, app, apply):
    apply()
    auth.login("organiser")
    page = client.get(LIST).get_data(as_text=True)
    form = page[page.index('id="bulk-status"'):]
    values = re.findall(r'<option value="([^"]*)"', form[:form.index("</select>")])
    assert "selected" not in values and "late" not in values and "eligible" in values


def test_select_all_is_there_for_scripts_and_hidden_without_them(client, auth, app, apply):
    three_applicants(app, apply)
    auth.login("organiser")
    response = client.get(LIST)
    page = response.get_data(as_text=True)
    assert re.search(r'<div class="govuk-checkboxes govuk-checkboxes--small" id="select-all-item" hidden>', page)
    assert '<input class="govuk-checkboxes__input" id="select-all" type="checkbox" aria-controls="applications">' in page
    assert "Select all on this page" in page
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(rf'<script nonce="{re.escape(nonce)}">(.*?)</script>', page, re.S)
    [script] = [text for text in scripts if "select-all" in text]  # the nonce lets it run under the policy
    assert 'querySelectorAll(\'#applications input[name="bulk-selected"]\')' in script
    assert 'getElementById("select-all-item").hidden = false' in script
    # Without JavaScript each row still has its own box.
    assert page.count('name="bulk-selected" type="checkbox"') == 3


def test_all_checks_yes_marks_a_new_application_eligible(client, auth, app, apply):
    apply()
    ref = next(iter(references(app).values()))
    auth.login("organiser")
    yes = {"eligibility-senior_role": "yes", "eligibility-commitment": "yes", "eligibility-fee": "yes"}
    page = client.post(f"{LIST}{ref}/eligibility", data=yes, follow_redirects=True).get_data(as_text=True)
    assert "Eligibility checks saved and marked eligible" in page
    assert status_of(app, ref) == "eligible"
    [row] = audit_rows(app, "application.status_changed")
    assert row.after == {"status": "eligible", "reason": "All eligibility checks passed"}

    # A No afterwards leaves the status for the organiser to decide, and says so.
    page = client.post(f"{LIST}{ref}/eligibility", data={**yes, "eligibility-fee": "no"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The application is still eligible: change its status below if it should not be" in page
    assert status_of(app, ref) == "eligible"


def test_a_no_or_an_unanswered_check_leaves_a_new_application_as_it_is(client, auth, app, apply):
    apply()
    ref = next(iter(references(app).values()))
    auth.login("organiser")
    for fee in ("no", "unknown"):
        page = client.post(f"{LIST}{ref}/eligibility", data={
            "eligibility-senior_role": "yes", "eligibility-commitment": "yes", "eligibility-fee": fee,
        }, follow_redirects=True).get_data(as_text=True)
        assert "marked eligible" not in page
        assert status_of(app, ref) == "submitted"
    assert audit_rows(app, "application.status_changed") == []

"""The same person under two email addresses is flagged; the organiser changes answers for someone,
with their set's rules checked again."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Application
from tests.helpers import slot_ids
from tests.review.review_helpers import LIST, audit_rows, confirmed, references, set_named, three_applicants


def rows_tagged(page: str) -> list[str]:
    """References of list rows that carry the "Possible duplicate" tag."""
    rows = re.findall(r'<tr class="govuk-table__row" data-reference="([^"]+)">(.*?)</tr>', page, re.S)
    return [reference for reference, html in rows if "Possible duplicate" in html]


def test_the_same_name_and_organisation_under_another_email_is_flagged(client, auth, app, apply):
    refs = three_applicants(app, apply)
    apply(full_name="ZOE ADEYEMI", email="zoe.adeyemi@gmail.example", organisation="gateshead  council",
          sector="public", slots=slot_ids(app)[:1])
    second = references(app)["ZOE ADEYEMI"]
    first = refs["Zoë Adeyemi"]
    auth.login("organiser")
    assert sorted(rows_tagged(client.get(LIST).get_data(as_text=True))) == sorted([first, second])

    page = client.get(f"{LIST}{first}").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert f"Same name and organisation as {second} (zoe.adeyemi@gmail.example)" in text
    assert f'href="/manage/applications/{second}"' in page
    other = client.get(f"{LIST}{refs['Ben Brown']}").get_data(as_text=True)
    assert "Same name and organisation" not in other and "Possible duplicate" not in other


def edit(client, ref: str, **changes):
    """Post the answers form with the current answers and these changes."""
    page = client.get(f"{LIST}{ref}/answers").get_data(as_text=True)
    data = {name: html.unescape(value) for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page)
            if name in {"full_name", "email", "phone", "organisation", "job_title"}}
    data["sector"] = re.search(r'name="sector" type="radio" value="([a-z]+)" checked', page).group(1)
    data["payer"] = re.search(r'name="payer" type="radio" value="([a-z]+)" checked', page).group(1)
    data["slots"] = re.findall(r'name="slots" type="checkbox" value="(\d+)" checked', page)
    data.update(changes)
    return client.post(f"{LIST}{ref}/answers", data=data)


def test_the_organiser_changes_answers_and_the_change_is_recorded(client, auth, app, apply):
    refs = three_applicants(app, apply)
    ben = refs["Ben Brown"]
    auth.login("organiser")
    detail = client.get(f"{LIST}{ben}").get_data(as_text=True)
    assert f'href="/manage/applications/{ben}/answers"' in detail
    response = edit(client, ben, job_title="Chief Executive", phone="0191 000 1111")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Answers changed" in page and "Chief Executive" in page
    [row] = audit_rows(app, "application.changed_by_organiser")
    assert row.actor == "organiser@example.org" and row.target == f"application:{ben}"
    assert row.after == {"phone": "0191 000 1111", "job_title": "Chief Executive"}
    assert row.before == {"phone": "0191 498 0000", "job_title": "Director of Operations"}
    # Saving the same answers again records nothing.
    again = edit(client, ben)
    assert again.status_code == 302
    assert len(audit_rows(app, "application.changed_by_organiser")) == 1


def test_an_email_address_another_application_uses_is_refused_clearly(client, auth, app, apply):
    refs = three_applicants(app, apply)
    auth.login("organiser")
    response = edit(client, refs["Ben Brown"], email="ZOE@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: " in page
    assert f"{refs['Zoë Adeyemi']} already uses this email address" in page
    with app.app_context():
        assert db.session.query(Application).filter_by(reference=refs["Ben Brown"]).one().email == "ben@example.org"
    assert audit_rows(app, "application.changed_by_organiser") == []


def test_a_members_change_that_breaks_their_sets_rules_needs_save_anyway(client, auth, app):
    confirmed(app)
    set_six = set_named(app, "Set 6")
    [only_voluntary] = [m.application for m in set_six.members if m.application.sector.value == "voluntary"]
    ref = only_voluntary.reference
    newcastle = slot_ids(app)[0]
    auth.login("organiser")
    assert "Saving checks the set's rules again" in client.get(f"{LIST}{ref}/answers").get_data(as_text=True)

    response = edit(client, ref, sector="private", slots=[newcastle])
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200 and "<title>Error: " in page
    assert "With these answers Set 6 would break 2 rules" in page
    assert "Set 6 has no voluntary-sector member" in page
    assert f"{only_voluntary.full_name} cannot attend Durham, Wednesday mornings" in page
    assert "tick ‘Save anyway’ to save them" in page
    with app.app_context():
        assert db.session.query(Application).filter_by(reference=ref).one().sector.value == "voluntary"

    saved = edit(client, ref, sector="private", slots=[newcastle], save_anyway="y")
    assert saved.status_code == 302
    assert "Answers changed; their set now breaks a rule" in client.get(saved.headers["Location"]).get_data(as_text=True)
    [row] = audit_rows(app, "application.changed_by_organiser")
    assert row.before == {"sector": "voluntary", "slots": ["Durham, Wednesday mornings"]}
    assert row.after == {"sector": "private", "slots": ["Newcastle City Centre, Tuesday mornings"]}


def test_a_members_change_that_keeps_the_rules_saves_at_once(client, auth, app):
    confirmed(app)
    member = set_named(app, "Set 6").members[0].application
    auth.login("organiser")
    response = edit(client, member.reference, job_title="Director of Strategy", slots=slot_ids(app))
    assert response.status_code == 302
    assert [row.after for row in audit_rows(app, "application.changed_by_organiser")] == [{
        "job_title": "Director of Strategy",
        "slots": ["Newcastle City Centre, Tuesday mornings", "Durham, Wednesday mornings"]}]


def test_an_email_change_by_the_organiser_says_so_and_sends_the_new_address_the_link(client, auth, app, apply):
    from tests.helpers import link_from, outbox

    refs = three_applicants(app, apply)
    ben = refs["Ben Brown"]
    auth.login("organiser")
    assert edit(client, ben, email="ben.brown@sage.example.org").status_code == 302
    emails = [e for e in outbox(app) if e.template in {"email_changed", "email_changed_new_address"}]
    [old] = [e for e in emails if e.to_address == "ben@example.org"]
    assert "The organiser of" in old.body and "has changed the email address" in old.body
    assert "If this was not you" not in old.body and "/application/" not in old.body
    [new] = [e for e in emails if e.to_address == "ben.brown@sage.example.org"]
    assert "now uses this email address" in new.subject
    assert client.get(link_from(new)).status_code == 200, "the new address is sent a link that works"


def test_fee_emails_follow_a_members_new_address_but_not_an_organisations_contact(client, auth, app):
    from app.finance.accounts import account_of
    from app.models import Payer

    confirmed(app)
    with app.app_context():
        from app.models import LearningSet

        members = [m.application for m in db.session.query(LearningSet).filter_by(name="Set 6").one().members]
        own, organisation = members[0], members[1]
        account_of(organisation).finance_email = "accounts@employer.example.org"
        own.payer = Payer.SELF
        db.session.commit()
        own_ref, org_ref = own.reference, organisation.reference
    auth.login("organiser")
    assert edit(client, own_ref, email="new.self@example.org").status_code == 302
    assert edit(client, org_ref, email="new.org@example.org").status_code == 302
    with app.app_context():
        by_reference = {a.reference: a for a in db.session.scalars(select(Application))}
        assert account_of(by_reference[own_ref]).finance_email == "new.self@example.org"
        assert account_of(by_reference[org_ref]).finance_email == "accounts@employer.example.org"

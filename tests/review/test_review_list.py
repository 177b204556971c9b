"""The applications list: counts, filters, search, pagination and bulk status changes."""
from __future__ import annotations

import re

from sqlalchemy import event

from app.extensions import db
from tests.helpers import outbox, slot_ids
from tests.review.review_helpers import LIST, audit_rows, count_cell, listed, references, status_of, three_applicants


def test_counts_by_status_sector_and_place(client, auth, app, apply):
    refs = three_applicants(app, apply)
    auth.login("organiser")
    client.post(f"{LIST}{refs['Ben Brown']}/status", data={"status-status": "eligible"})
    page = client.get(LIST)
    first, second = slot_ids(app)
    assert count_cell(page, "status-submitted") == 2
    assert count_cell(page, "status-eligible") == 1
    assert count_cell(page, "status-withdrawn") == 0
    assert (count_cell(page, "sector-public"), count_cell(page, "sector-private"), count_cell(page, "sector-voluntary")) == (1, 1, 1)
    # Émile can attend both, so is counted under each place and time.
    assert count_cell(page, f"slot-{first}") == 2
    assert count_cell(page, f"slot-{second}") == 2
    assert "3 applications in this programme" in page.get_data(as_text=True)


def test_rows_show_the_applicant_and_link_to_the_application(client, auth, app, apply):
    refs = three_applicants(app, apply)
    auth.login("organiser")
    page = client.get(LIST).get_data(as_text=True)
    assert f'href="/manage/applications/{refs["Ben Brown"]}"' in page
    for text in ("Ben Brown", "Sage Group plc", "Director of Operations", "Durham, Wednesday mornings", "Submitted"):
        assert text in page


def test_each_filter_and_their_combination(client, auth, app, apply):
    refs = three_applicants(app, apply)
    zoe, ben, emile = refs["Zoë Adeyemi"], refs["Ben Brown"], refs["Émile Dubois"]
    first, second = slot_ids(app)
    auth.login("organiser")
    client.post(f"{LIST}{zoe}/status", data={"status-status": "eligible"})
    assert set(listed(client.get(LIST))) == {zoe, ben, emile}
    assert set(listed(client.get(LIST, query_string={"status": "eligible"}))) == {zoe}
    assert set(listed(client.get(LIST, query_string={"status": ["eligible", "submitted"]}))) == {zoe, ben, emile}
    assert set(listed(client.get(LIST, query_string={"sector": "private"}))) == {ben}
    assert set(listed(client.get(LIST, query_string={"sector": ["private", "voluntary"]}))) == {ben, emile}
    assert set(listed(client.get(LIST, query_string={"slot": first}))) == {zoe, emile}
    assert set(listed(client.get(LIST, query_string={"slot": second, "sector": "voluntary"}))) == {emile}
    assert listed(client.get(LIST, query_string={"slot": second, "status": "eligible"})) == []
    # Nonsense in the query string is ignored, not an error.
    assert set(listed(client.get(LIST, query_string={"status": "bogus", "slot": "x"}))) == {zoe, ben, emile}


def test_filters_stay_ticked_after_filtering(client, auth, app, apply):
    three_applicants(app, apply)
    auth.login("organiser")
    page = client.get(LIST, query_string={"sector": "private", "q": "sage"}).get_data(as_text=True)
    assert re.search(r'value="private"\s+checked', page)
    assert 'value="sage"' in page


def test_search_by_name_or_organisation_ignores_case_and_accents(client, auth, app, apply):
    refs = three_applicants(app, apply)
    zoe, ben, emile = refs["Zoë Adeyemi"], refs["Ben Brown"], refs["Émile Dubois"]
    auth.login("organiser")
    for term in ("Zoë", "zoë", "ZOË", "zoe", "adeyemi"):
        assert listed(client.get(LIST, query_string={"q": term})) == [zoe], term
    for term in ("émile", "ÉMILE", "Emile"):
        assert listed(client.get(LIST, query_string={"q": term})) == [emile], term
    assert listed(client.get(LIST, query_string={"q": "SAGE group"})) == [ben]
    assert set(listed(client.get(LIST, query_string={"q": "council", "sector": "public"}))) == {zoe}
    assert listed(client.get(LIST, query_string={"q": "%"})) == []
    page = client.get(LIST, query_string={"q": "nobody"})
    assert listed(page) == [] and "No applications match" in page.get_data(as_text=True)


def test_sorting_by_submitted_date_and_name(client, auth, app, apply, clock):
    slots = slot_ids(app)
    apply(full_name="Ann First", email="ann@example.org", slots=slots[:1])
    clock.advance(hours=1)
    apply(full_name="Cat Second", email="cat@example.org", slots=slots[:1])
    clock.advance(hours=1)
    apply(full_name="Bob Third", email="bob@example.org", slots=slots[:1])
    refs = references(app)
    ann, cat, bob = refs["Ann First"], refs["Cat Second"], refs["Bob Third"]
    auth.login("organiser")
    assert listed(client.get(LIST)) == [bob, cat, ann]
    assert listed(client.get(LIST, query_string={"sort": "oldest"})) == [ann, cat, bob]
    assert listed(client.get(LIST, query_string={"sort": "name"})) == [ann, bob, cat]


def test_pagination_shows_fifty_a_page_and_keeps_the_filters(client, auth, app, runner):
    assert runner.invoke(args=["demo", "--applicants", "120", "--seed", "1"]).exit_code == 0
    auth.login("organiser")
    first = client.get(LIST)
    page1 = listed(first)
    assert len(page1) == 50
    text = first.get_data(as_text=True)
    assert "Showing 1 to 50 of 120 applications" in text
    assert "govuk-pagination" in text and 'href="/manage/applications/?page=2"' in text
    page3 = listed(client.get(LIST, query_string={"page": 3}))
    assert len(page3) == 20
    everyone = page1 + listed(client.get(LIST, query_string={"page": 2})) + page3
    assert len(set(everyone)) == 120
    # A page past the end shows the last page rather than nothing.
    assert listed(client.get(LIST, query_string={"page": 99})) == page3
    public = client.get(LIST, query_string={"sector": "public"})
    total = count_cell(public, "sector-public")
    assert f"of {total} applications" in public.get_data(as_text=True)
    if total > 50:
        assert "sector=public" in re.search(r'govuk-pagination__next.*?href="([^"]+)"', public.get_data(as_text=True), re.S).group(1)


def test_bulk_status_change_records_each_change_and_sends_no_email(client, auth, app, apply):
    refs = three_applicants(app, apply)
    emails_before = len(outbox(app))
    auth.login("organiser")
    response = client.post(f"{LIST}status", data={"bulk-selected": list(refs.values()), "bulk-status": "eligible"},
                           follow_redirects=True)
    assert "3 applications marked eligible" in response.get_data(as_text=True)
    assert "&lt;p" not in response.get_data(as_text=True), "the banner is HTML, not escaped text"
    assert {status_of(app, ref) for ref in refs.values()} == {"eligible"}
    rows = audit_rows(app, "application.status_changed")
    assert {row.target for row in rows} == {f"application:{ref}" for ref in refs.values()}
    assert all(row.actor == "organiser@example.org" and row.before == {"status": "submitted"}
               and row.after == {"status": "eligible"} for row in rows)
    assert len(outbox(app)) == emails_before


def test_bulk_change_returns_to_the_same_filtered_list(client, auth, app, apply):
    refs = three_applicants(app, apply)
    auth.login("organiser")
    response = client.post(f"{LIST}status?sector=private&page=1",
                           data={"bulk-selected": [refs["Ben Brown"], refs["Zoë Adeyemi"]], "bulk-status": "ineligible"})
    assert response.status_code == 302
    assert "sector=private" in response.headers["Location"]
    again = client.post(f"{LIST}status", data={"bulk-selected": [refs["Ben Brown"]], "bulk-status": "ineligible"},
                        follow_redirects=True)
    assert "0 applications marked ineligible; 1 already was ineligible" in again.get_data(as_text=True)
    assert len(audit_rows(app, "application.status_changed")) == 2


def test_bulk_change_without_a_choice_shows_errors(client, auth, app, apply):
    refs = three_applicants(app, apply)
    auth.login("organiser")
    page = client.post(f"{LIST}status", data={"bulk-status": ""}).get_data(as_text=True)
    assert "There is a problem" in page and "<title>Error: " in page
    assert "Select at least one application" in page
    assert "Choose the status to give the selected applications" in page
    assert {status_of(app, ref) for ref in refs.values()} == {"submitted"}
    assert audit_rows(app, "application.status_changed") == []


def test_two_thousand_applications_list_and_filter_with_few_queries(client, auth, app, runner):
    assert runner.invoke(args=["demo", "--applicants", "2000", "--seed", "3"]).exit_code == 0
    auth.login("organiser")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(LIST)
        whole = len(statements)
        statements.clear()
        filtered = client.get(LIST, query_string={"sector": "voluntary", "status": "submitted", "q": "son", "page": 2})
        narrowed = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(listed(page)) == 50
    assert "of 2,000 applications" in page.get_data(as_text=True)
    total = sum(count_cell(page, f"sector-{s}") for s in ("public", "private", "voluntary"))
    assert total == 2000
    rows = listed(filtered)
    assert 0 < len(rows) <= 50
    # The number of queries does not grow with the number of rows: no query per application.
    assert whole < 20, whole
    assert narrowed < 20, narrowed


def test_late_applications_are_flagged_in_the_list(client, auth, app, apply):
    refs = three_applicants(app, apply)
    from app.models import Application

    with app.app_context():
        ben = db.session.query(Application).filter_by(reference=refs["Ben Brown"]).one()
        ben.late = True
        db.session.commit()
    auth.login("organiser")
    page = client.get(LIST).get_data(as_text=True)
    rows = {ref: page[page.index(f'data-reference="{ref}"'):] for ref in refs.values()}
    row_text = {ref: text[:text.index("</tr>")] for ref, text in rows.items()}
    assert "Late" in row_text[refs["Ben Brown"]]
    assert "Late" not in row_text[refs["Zoë Adeyemi"]]

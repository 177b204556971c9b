"""One application: answers, the note, eligibility, scores from several reviewers, status, history."""
from __future__ import annotations

import io

from tests.helpers import pdf_bytes
from tests.review.review_helpers import LIST, audit_rows, references, status_of


def only_ref(app) -> str:
    return next(iter(references(app).values()))


def test_shows_every_answer_and_escapes_what_the_applicant_typed(client, auth, app, apply):
    apply(full_name="<script>alert(1)</script>", organisation="Acme & <b>Sons</b>",
          note_text="First line <img src=x onerror=alert(2)>\nSecond line")
    ref = only_ref(app)
    auth.login("organiser")
    page = client.get(f"{LIST}{ref}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Sons</b>" not in page and "Acme &amp; &lt;b&gt;Sons&lt;/b&gt;" in page
    assert "<img src=x" not in page and "First line &lt;img src=x onerror=alert(2)&gt;\nSecond line" in page
    for text in ("siobhan@example.org", "0191 498 0000", "Public sector", "Director of Operations",
                 "Twenty years of leading change.", "Space to think with peers.",
                 "Newcastle City Centre, Tuesday mornings", "My organisation will pay"):
        assert text in page, text
    assert "Application submitted" in page and "applicant" in page


def test_uploaded_note_is_only_ever_a_download(client, auth, app, apply):
    content = pdf_bytes(1)
    apply(note_text="", note_file=(io.BytesIO(content), "my note.pdf", "application/pdf"))
    ref = only_ref(app)
    auth.login("organiser")
    page = client.get(f"{LIST}{ref}").get_data(as_text=True)
    assert f'href="/manage/applications/{ref}/note"' in page
    response = client.get(f"{LIST}{ref}/note")
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ref}-note.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"


def test_no_download_when_the_note_was_typed(client, auth, app, apply):
    apply()
    ref = only_ref(app)
    auth.login("organiser")
    assert client.get(f"{LIST}{ref}/note").status_code == 404


def test_eligibility_checklist_is_saved_and_recorded(client, auth, app, apply):
    apply()
    ref = only_ref(app)
    auth.login("organiser")
    response = client.post(f"{LIST}{ref}/eligibility", data={
        "eligibility-senior_role": "yes", "eligibility-commitment": "no", "eligibility-fee": "unknown",
        "eligibility-notes": "Called on 3 Nov: <can't> do Tuesdays",
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Eligibility checks saved" in page
    assert "Called on 3 Nov: &lt;can&#39;t&gt; do Tuesdays" in page
    assert 'id="eligibility-senior_role" name="eligibility-senior_role" type="radio" value="yes" checked' in page
    [row] = audit_rows(app, "application.eligibility_changed")
    assert row.actor == "organiser@example.org" and row.target == f"application:{ref}"
    assert row.before == {"eligible_senior_role": None, "eligible_commitment": None, "organiser_notes": ""}
    assert row.after == {"eligible_senior_role": True, "eligible_commitment": False,
                         "organiser_notes": "Called on 3 Nov: <can't> do Tuesdays"}
    assert "Senior leadership role: Not checked → Yes" in page
    # Saving the same answers again changes nothing and records nothing.
    client.post(f"{LIST}{ref}/eligibility", data={
        "eligibility-senior_role": "yes", "eligibility-commitment": "no", "eligibility-fee": "unknown",
        "eligibility-notes": "Called on 3 Nov: <can't> do Tuesdays",
    })
    assert len(audit_rows(app, "application.eligibility_changed")) == 1


def test_eligibility_needs_an_answer_for_each_check(client, auth, app, apply):
    apply()
    ref = only_ref(app)
    auth.login("organiser")
    page = client.post(f"{LIST}{ref}/eligibility", data={"eligibility-senior_role": "yes"}).get_data(as_text=True)
    assert "<title>Error: " in page
    assert "Select whether they can commit to all six sessions" in page
    assert 'href="#eligibility-commitment"' in page
    assert audit_rows(app, "application.eligibility_changed") == []


def score(client, ref: str, value: str, comment: str = ""):
    return client.post(f"{LIST}{ref}/score", data={"score-score": value, "score-comment": comment}, follow_redirects=True)


def test_others_scores_are_hidden_until_you_have_scored(client, auth, app, apply):
    apply()
    ref = only_ref(app)
    auth.login("organiser", email="a@example.org")
    assert "Your score has been saved" in score(client, ref, "2", "Thin on what they offer").get_data(as_text=True)
    auth.logout()

    auth.login("organiser", email="b@example.org")
    before = client.get(f"{LIST}{ref}").get_data(as_text=True)
    assert "1 other reviewer scored this application" in before
    assert "Thin on what they offer" not in before
    scores = before[before.index('id="scores"'):before.index('id="status"')]
    assert "a@example.org" not in scores and "2 out of 5" not in scores
    assert "Average score" not in before
    assert "Hidden until you have scored this application" in before  # the history does not give it away
    listing = client.get(LIST).get_data(as_text=True)
    assert "Score it to see (1)" in listing and "2.0" not in listing

    after = score(client, ref, "5", "Strong").get_data(as_text=True)
    assert "a@example.org" in after and "2 out of 5" in after and "Thin on what they offer" in after
    assert "Average score: <strong>3.5</strong> from 2 reviewers" in after
    assert "Score: 2" in after  # the history now shows the other score too
    assert "3.5" in client.get(LIST).get_data(as_text=True)


def test_a_reviewer_has_one_score_which_they_can_change(client, auth, app, apply):
    apply()
    ref = only_ref(app)
    auth.login("organiser", email="a@example.org")
    score(client, ref, "3")
    page = score(client, ref, "4", "Changed my mind").get_data(as_text=True)
    assert "Average score: <strong>4.0</strong> from 1 reviewer." in page
    rows = audit_rows(app, "application.scored")
    assert [(r.before, r.after) for r in rows] == [
        ({"score": None}, {"score": 3}),
        ({"score": 3, "comment": ""}, {"score": 4, "comment": "Changed my mind"}),
    ]


def test_score_must_be_one_to_five(client, auth, app, apply):
    apply()
    ref = only_ref(app)
    auth.login("organiser")
    for bad in ("0", "6", "", "3.5", "five"):
        page = score(client, ref, bad).get_data(as_text=True)
        assert "Select a score from 1 to 5" in page, bad
        assert "<title>Error: " in page
    assert audit_rows(app, "application.scored") == []
    assert "Nobody has scored this application yet" in client.get(f"{LIST}{ref}").get_data(as_text=True)


def test_status_change_is_recorded_and_shown_in_the_history(client, auth, app, apply, clock):
    apply()
    ref = only_ref(app)
    auth.login("organiser")
    clock.advance(days=1)
    page = client.post(f"{LIST}{ref}/status", data={"status-status": "ineligible"}, follow_redirects=True).get_data(as_text=True)
    assert "Status changed to ineligible" in page
    assert status_of(app, ref) == "ineligible"
    [row] = audit_rows(app, "application.status_changed")
    assert (row.before, row.after, row.actor) == ({"status": "submitted"}, {"status": "ineligible"}, "organiser@example.org")
    history = page[page.index('id="history"'):]
    assert "Status: Submitted → Ineligible" in history
    assert "10am on Tuesday 3 November 2026 (UK time, GMT)" in history
    # Newest first.
    assert history.index("Status changed") < history.index("Application submitted")
    bad = client.post(f"{LIST}{ref}/status", data={"status-status": "approved"}).get_data(as_text=True)
    assert "Choose a status from the list" in bad
    assert status_of(app, ref) == "ineligible"

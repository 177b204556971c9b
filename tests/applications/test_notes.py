"""Uploaded notes are judged by their content, not by their name or declared type."""
from __future__ import annotations

import gc
import io
import zipfile

import pytest

from tests.helpers import answers, applications, docx_bytes, pdf_bytes


def upload(client, app, content: bytes, filename: str, mimetype: str = "application/pdf", **overrides):
    client.get("/apply")
    data = answers(app, note_text="", **overrides)
    data["note_file"] = (io.BytesIO(content), filename, mimetype)
    return client.post("/apply", data=data, content_type="multipart/form-data")


def refusal(response) -> str:
    assert response.status_code == 200, "the form should be shown again with the reason"
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    return page


def test_a_two_page_pdf_is_accepted_and_stored_with_its_checksum(client, app):
    content = pdf_bytes(2)
    response = upload(client, app, content, "my note.pdf")
    assert response.status_code == 302
    assert "my note.pdf (2 pages)" in client.get("/apply/check").get_data(as_text=True)
    client.post("/apply/check")
    [application] = applications(app)
    import hashlib

    assert application.note_file.kind == "pdf"
    assert application.note_file.pages == 2
    assert application.note_file.sha256 == hashlib.sha256(content).hexdigest()


def test_a_word_document_within_the_word_limit_is_accepted(client, app):
    response = upload(client, app, docx_bytes(900), "note.docx", "application/octet-stream")
    assert response.status_code == 302
    client.post("/apply/check")
    [application] = applications(app)
    assert application.note_file.kind == "docx" and application.note_file.words == 900


@pytest.mark.parametrize(
    ("content", "filename", "mimetype", "message"),
    [
        (pdf_bytes(3), "note.pdf", "application/pdf", "no more than 2 pages of A4: the selected PDF has 3"),
        (pdf_bytes(1, password="secret"), "note.pdf", "application/pdf", "password-protected"),
        (b"%PDF-1.7\n this is not really a pdf", "note.pdf", "application/pdf", "could not be opened"),
        (b"", "note.pdf", "application/pdf", "The selected file is empty"),
        (b"MZ\x90\x00\x03" + b"\x00" * 500, "note.pdf", "application/pdf", "must be a PDF or a Word document"),
        (b"<html><body><script>alert(1)</script></body></html>", "note.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "must be a PDF or a Word document"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "note.pdf", "image/png", "must be a PDF or a Word document"),
        (docx_bytes(1001), "note.docx", "application/msword", "1,000 words or fewer (two sides of A4): the selected document has 1,001"),
        (b"PK\x03\x04 broken zip", "note.docx", "application/msword", "could not be opened"),
    ],
    ids=["3-page-pdf", "encrypted-pdf", "corrupt-pdf", "zero-bytes", "renamed-exe", "html", "image", "long-docx", "corrupt-docx"],
)
def test_bad_uploads_are_refused_with_the_rule_they_broke(client, app, content, filename, mimetype, message):
    page = refusal(upload(client, app, content, filename, mimetype))
    assert message in page
    assert 'href="#note_file"' in page


def test_a_zip_that_is_not_a_word_document_is_refused(client, app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "must be a PDF or a Word document" in refusal(upload(client, app, buffer.getvalue(), "note.docx"))


# The test client spools a large upload to a temporary file it never closes; not the app's file.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_over_5_mb_is_refused_and_other_answers_are_kept(client, app):
    big = pdf_bytes(1) + b"%" + b"0" * (5 * 1024 * 1024)
    page = refusal(upload(client, app, big, "note.pdf", job_title="Chief Executive"))
    assert "The selected file must be smaller than 5 MB" in page
    assert 'value="Chief Executive"' in page
    gc.collect()  # surface the test client's warning here, where it is ignored


def test_a_request_beyond_the_size_cap_gets_a_page_not_an_error(client):
    # A body built in memory: the test client would otherwise spool it to a temporary file.
    boundary = "als-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"note_file\"; filename=\"note.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + b"0" * (13 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/apply", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_a_good_upload_is_kept_while_other_answers_are_fixed(client, app):
    page = refusal(upload(client, app, pdf_bytes(1), "kept.pdf", email="bad"))
    assert "You have uploaded <strong>kept.pdf</strong> (1 page)" in page
    response = client.post("/apply", data=answers(app, note_text=""), content_type="multipart/form-data")
    assert response.status_code == 302
    client.post("/apply/check")
    [application] = applications(app)
    assert application.note_file.original_name == "kept.pdf"

"""Checking an uploaded note by its content, never by its name or declared type.

A note is at most two sides of A4 (call for applications §1.10): a PDF of at most 2 pages or a
Word document within the word limit. Everything else is refused with the rule it broke.
"""
from __future__ import annotations

import hashlib
import io
import logging
import warnings
import zipfile
from dataclasses import dataclass

from app.text import count_words

MAX_PAGES = 2


class NoteRejected(ValueError):
    """The upload broke a rule; the message is shown next to the field as it is."""


@dataclass(frozen=True)
class CheckedNote:
    kind: str  # "pdf" or "docx"
    content: bytes
    sha256: str
    pages: int | None
    words: int | None


def check_note(content: bytes, max_bytes: int, word_limit: int) -> CheckedNote:
    if not content:
        raise NoteRejected("The selected file is empty")
    if len(content) > max_bytes:
        raise NoteRejected(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB")
    if content.startswith(b"%PDF-"):
        return _check_pdf(content)
    if content.startswith(b"PK\x03\x04"):
        return _check_docx(content, word_limit)
    raise NoteRejected("The selected file must be a PDF or a Word document (.docx)")


def _check_pdf(content: bytes) -> CheckedNote:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf reports recoverable damage through logging and warnings; a note that needs
    # repairs is still readable, and nothing should reach the applicant as an error page.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise NoteRejected("The selected PDF is password-protected: upload a PDF without a password")
            pages = len(reader.pages)
    except NoteRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise NoteRejected("The selected PDF could not be opened: it may be damaged. Save it again and upload it") from exc
    if pages == 0:
        raise NoteRejected("The selected PDF has no pages")
    if pages > MAX_PAGES:
        raise NoteRejected(f"The note must be no more than {MAX_PAGES} pages of A4: the selected PDF has {pages}")
    return CheckedNote("pdf", content, hashlib.sha256(content).hexdigest(), pages, None)


def _check_docx(content: bytes, word_limit: int) -> CheckedNote:
    from docx import Document

    not_word = "The selected file must be a PDF or a Word document (.docx)"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise NoteRejected(not_word)
            # A zip bomb would expand far beyond any two-page note.
            if sum(info.file_size for info in archive.infolist()) > 100 * 1024 * 1024:
                raise NoteRejected("The selected Word document could not be opened: it may be damaged")
        document = Document(io.BytesIO(content))
    except NoteRejected:
        raise
    except Exception as exc:  # python-docx raises many kinds on malformed XML or packages
        raise NoteRejected("The selected Word document could not be opened: it may be damaged. Save it again and upload it") from exc
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    words = count_words("\n".join(texts))
    if words == 0:
        raise NoteRejected("The selected Word document has no text in it")
    if words > word_limit:
        raise NoteRejected(
            f"The note must be {word_limit:,} words or fewer (two sides of A4): the selected document has {words:,}"
        )
    return CheckedNote("docx", content, hashlib.sha256(content).hexdigest(), None, words)

"""Checking an uploaded note by its content, never by its name or declared type.

A note is at most two sides of A4 (call for applications §1.10): a PDF of at most 2 pages, each no
larger than A4 or US Letter, or a Word document within the word limit. Everything else is refused
with the rule it broke.

A Word document is a zip package, so it is unzipped within a byte budget first (exports.archive:
the sizes its directory states are never trusted), and its words are counted from the XML itself:
every piece of text in the body, tables within tables, content controls, text boxes, headers,
footers and footnotes, so no layout trick hides words from the limit.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from app.text import clean_text, count_words
from exports.archive import PackageDamaged, PackageTooLarge, check_package

MAX_PAGES = 2
#: what a genuine two-page note can unzip to (text, styles and a few pictures), with room to spare
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
#: the XML read for words (body, headers, footers, footnotes) is held in memory: two pages take well under 1 MB
MAX_TEXT_XML_BYTES = 10 * 1024 * 1024
MAX_PACKAGE_PARTS = 1000
MAX_FILE_NAME = 200

# Page sizes in points (1/72 inch), either orientation, with a few millimetres of tolerance for
# rounding by the program that wrote the PDF.
PAGE_SIZES = {"A4": (595.28, 841.89), "US Letter": (612.0, 792.0)}
PAGE_TOLERANCE = 10.0

_NOT_WORD = "The selected file must be a PDF or a Word document (.docx)"
_DAMAGED_WORD = "The selected Word document could not be opened: it may be damaged. Save it again and upload it"

# WordprocessingML as Word writes it, and in the "Strict" flavour of the standard
_WORD_NAMESPACES = ("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}",
                    "{http://purl.oclc.org/ooxml/wordprocessingml/main}")
_TEXT = {namespace + "t" for namespace in _WORD_NAMESPACES}
_SPACE = {namespace + name for namespace in _WORD_NAMESPACES for name in ("tab", "br", "cr")}
_PARAGRAPH = {namespace + "p" for namespace in _WORD_NAMESPACES}
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Parts whose text is printed on the page: the body, headers, footers, footnotes and endnotes.
_TEXT_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_MACRO_PART = re.compile(r"(^|/)vba[^/]*\.(bin|xml)$", re.IGNORECASE)
_MACRO_TYPE = re.compile(rb"macroEnabled|vbaProject", re.IGNORECASE)


class NoteRejected(ValueError):
    """The upload broke a rule; the message is shown next to the field as it is."""


@dataclass(frozen=True)
class CheckedNote:
    kind: str  # "pdf" or "docx"
    content: bytes
    sha256: str
    pages: int | None
    words: int | None


def note_file_name(raw: str | None) -> str:
    """The name an uploaded note is shown and stored under: its last path part, printable, capped."""
    name = clean_text((raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    return name[:MAX_FILE_NAME].strip() or "note"


def check_note(content: bytes, max_bytes: int, word_limit: int) -> CheckedNote:
    if not content:
        raise NoteRejected("The selected file is empty")
    if len(content) > max_bytes:
        raise NoteRejected(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB")
    if content.startswith(b"%PDF-"):
        return _check_pdf(content)
    if content.startswith(b"PK\x03\x04"):
        return _check_docx(content, word_limit)
    raise NoteRejected(_NOT_WORD)


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
            if 0 < pages <= MAX_PAGES:
                for number, page in enumerate(reader.pages, 1):
                    _check_page_size(page, number)
    except NoteRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise NoteRejected("The selected PDF could not be opened: it may be damaged. Save it again and upload it") from exc
    if pages == 0:
        raise NoteRejected("The selected PDF has no pages")
    if pages > MAX_PAGES:
        raise NoteRejected(f"The note must be no more than {MAX_PAGES} pages of A4: the selected PDF has {pages}")
    return CheckedNote("pdf", content, hashlib.sha256(content).hexdigest(), pages, None)


def _check_page_size(page, number: int) -> None:  # type: ignore[no-untyped-def]
    """A page must fit on A4 or US Letter, either way round: a bigger page holds more than its share."""
    # What a reader sees is the crop box within the media box, scaled by the page's user unit.
    scale = float(page.user_unit or 1)
    width = min(abs(float(page.cropbox.width)), abs(float(page.mediabox.width))) * scale
    height = min(abs(float(page.cropbox.height)), abs(float(page.mediabox.height))) * scale
    for short, long in PAGE_SIZES.values():
        for fits_width, fits_height in ((short, long), (long, short)):
            if width <= fits_width + PAGE_TOLERANCE and height <= fits_height + PAGE_TOLERANCE:
                return
    millimetres = f"{width * 25.4 / 72:.0f} × {height * 25.4 / 72:.0f} mm"
    raise NoteRejected(
        f"Each page of the note must be A4 or US Letter size: page {number} of the selected PDF is {millimetres}"
    )


def _keep_part(name: str) -> bool:
    return (name == "[Content_Types].xml" or name.endswith(".rels") or _TEXT_PART.match(name) is not None
            or _MACRO_PART.search(name) is not None)


def _check_docx(content: bytes, word_limit: int) -> CheckedNote:
    try:
        parts = check_package(content, MAX_UNZIPPED_BYTES, MAX_PACKAGE_PARTS, keep=_keep_part,
                              keep_budget=MAX_TEXT_XML_BYTES)
    except PackageTooLarge as exc:
        raise NoteRejected(
            "The selected Word document is too large once unzipped for a two-page note: save it again without "
            "large pictures or embedded files and upload it"
        ) from exc
    except PackageDamaged as exc:
        raise NoteRejected(_DAMAGED_WORD) from exc
    if "word/document.xml" not in parts:
        raise NoteRejected(_NOT_WORD)
    _refuse_active_content(parts)
    try:
        text = "\n".join(_part_text(parts[name]) for name in sorted(parts) if _TEXT_PART.match(name))
    except ElementTree.ParseError as exc:
        raise NoteRejected(_DAMAGED_WORD) from exc
    words = count_words(unicodedata.normalize("NFC", text))
    if words == 0:
        raise NoteRejected("The selected Word document has no text in it")
    if words > word_limit:
        raise NoteRejected(
            f"The note must be {word_limit:,} words or fewer (two sides of A4): the selected document has {words:,}"
        )
    return CheckedNote("docx", content, hashlib.sha256(content).hexdigest(), None, words)


def _refuse_active_content(parts: dict[str, bytes]) -> None:
    """Macros run code, and a remote template makes Word fetch a file from someone else's computer."""
    if any(_MACRO_PART.search(name) for name in parts) or _MACRO_TYPE.search(parts.get("[Content_Types].xml", b"")):
        raise NoteRejected(
            "The selected Word document contains macros: save it as a Word Document (.docx) without macros and upload it"
        )
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        try:
            relationships = _xml_root(data).iter(_RELATIONSHIP)
        except ElementTree.ParseError as exc:
            raise NoteRejected(_DAMAGED_WORD) from exc
        for relationship in relationships:
            if relationship.get("TargetMode", "").casefold() != "external":
                continue
            kind = relationship.get("Type", "").rsplit("/", 1)[-1]
            if kind == "attachedTemplate":
                raise NoteRejected(
                    "The selected Word document uses a template stored on another computer: save it as a new "
                    "Word Document (.docx) based on the Normal template and upload it"
                )
            if kind != "hyperlink":  # links to web pages are fine; linked pictures or objects are not
                raise NoteRejected(
                    "The selected Word document links to pictures or files on another computer: insert them "
                    "into the document instead of linking to them, save it and upload it"
                )


def _refuse_doctype(data: bytes) -> None:
    # Word never writes a DOCTYPE; refusing it rules out entity expansion tricks entirely.
    if re.search(rb"<!DOCTYPE", data, re.IGNORECASE):
        raise ElementTree.ParseError("a DOCTYPE in a package part")


def _xml_root(data: bytes) -> ElementTree.Element:
    _refuse_doctype(data)
    return ElementTree.fromstring(data)


def _part_text(data: bytes) -> str:
    """Every run of text in a part, paragraphs on their own lines.

    Text in a content control, a text box or a nested table is text all the same. A text box is
    stored twice (a drawing and a fallback copy for old versions of Word): only the first counts.
    """
    _refuse_doctype(data)
    pieces: list[str] = []
    in_fallback = 0
    stack: list[ElementTree.Element] = []
    for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
        if event == "start":
            stack.append(element)
            if element.tag == _FALLBACK:
                in_fallback += 1
            continue
        stack.pop()
        if element.tag == _FALLBACK:
            in_fallback -= 1
        elif not in_fallback:
            if element.tag in _TEXT:
                pieces.append(element.text or "")
            elif element.tag in _SPACE:
                pieces.append(" ")
            elif element.tag in _PARAGRAPH:
                pieces.append("\n")
        # Done with this element: drop it, so memory stays flat however large the part.
        element.clear()
        if stack:
            stack[-1].remove(element)
    return "".join(pieces)

"""Cleaning text typed or pasted by people: any script is welcome, control characters are not."""
from __future__ import annotations

import re
import unicodedata

from exports import clean_cell

_WORD = re.compile(r"\S+")


def clean_text(value: str | None, multiline: bool = False) -> str:
    """NFC-normalised text without control characters; single-line values lose tabs/newlines too."""
    if value is None:
        return ""
    # One rule for forms and imports: it lives in exports/, which cannot import the app.
    text = clean_cell(value)
    return text if multiline else " ".join(text.split())


def single_line(value: str | None) -> str:
    """WTForms filter for one-line answers (names, titles)."""
    return clean_text(value)


def paragraphs(value: str | None) -> str:
    """WTForms filter for answers that may run to several paragraphs."""
    return clean_text(value, multiline=True)


def count_words(text: str) -> int:
    """Words as GOV.UK's word count counts them: runs of non-space characters."""
    return len(_WORD.findall(text))


def fold(text: str | None) -> str:
    """Case- and accent-insensitive form, so "zoe", "ZOË" and "Zoë" all find Zoë."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

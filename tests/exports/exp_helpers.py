"""Small builders and readers shared by the exports tests."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timezone
from typing import Any, Callable

import openpyxl

from exports import (
    ApplicationRecord,
    FeeAccountRecord,
    LedgerEntryRecord,
    MemberRecord,
    SessionRecord,
    SetRecord,
)

NOW = datetime(2025, 7, 1, 11, 30, tzinfo=timezone.utc)  # 12:30 in London (BST)
GBP = '"£"#,##0.00'


def application(**over: Any) -> ApplicationRecord:
    base: dict[str, Any] = dict(
        reference="ALS-0001", submitted_at=datetime(2025, 6, 30, 23, 15, tzinfo=timezone.utc),
        status="submitted", full_name="Ada Lovelace", email="ada@example.org",
        organisation="Analytical Ltd", sector="private", phone="0191 496 0000",
        job_title="Director", offer="Maths", expectations="Peers",
        slots=["Newcastle Tue am", "Durham Fri pm"], late=False, note_words=512,
        note_kind="upload", payer="organisation", score_average=3.75,
    )
    base.update(over)
    return ApplicationRecord(**base)


def member(i: int, sector: str = "public", org: str | None = None, **attrs: str) -> MemberRecord:
    return MemberRecord(f"ALS-{i:04d}", f"Person {i}", f"p{i}@example.org",
                        org or f"Org {i}", sector, "Director", dict(attrs))


def account(ref: str, due: date | None = date(2025, 9, 1), fee: int = 30_000,
            **over: Any) -> FeeAccountRecord:
    base: dict[str, Any] = dict(
        account_ref=ref, set_name="Set 1", participant_name=f"Participant {ref}",
        payer_kind="person", invoice_name="", purchase_order="", finance_email="",
        due_date=due, charged_pence=fee, application_reference=f"APP-{ref}")
    base.update(over)
    return FeeAccountRecord(**base)


def entry(ref: str, kind: str, pence: int, on: date = date(2025, 7, 1),
          **over: Any) -> LedgerEntryRecord:
    return LedgerEntryRecord(ref, on, kind, pence, **over)  # type: ignore[arg-type]


def written(writer: Callable[..., None], *args: Any, **kw: Any) -> bytes:
    buf = io.BytesIO()
    writer(*args, buf, generated_at=NOW, **kw)
    return buf.getvalue()


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes, index: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def header(ws: Any) -> list[Any]:
    return [c.value for c in ws[3]]


def data_rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]


def set_record(name: str, members: list[MemberRecord], slot: str = "Newcastle Tue am") -> SetRecord:
    return SetRecord(name, slot, members)


def session(set_name: str, n: int | None, on: date, kind: str = "session",
            **over: Any) -> SessionRecord:
    return SessionRecord(set_name, on, n, kind, **over)  # type: ignore[arg-type]

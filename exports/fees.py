"""fees.xlsx: an Accounts sheet whose Charged / Paid / Outstanding are LIVE formulas over the
Ledger sheet, so finance can add a ledger row in Excel and see the balance move.

Ledger amounts follow the sign convention in ``records.LedgerEntryRecord`` (signed change to
what the account owes). The Ledger's "Counts towards" column says whether an entry moves the
Charged or the Paid total; the Accounts formulas are SUMIFS over whole columns so rows added
at the bottom of the Ledger are included.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill

from ._sheet import FIRST_DATA_ROW, Column, Target, add_table_sheet, new_workbook, save
from .records import FeeAccountRecord, LedgerEntryRecord

ACCOUNTS_SHEET, LEDGER_SHEET = "Accounts", "Ledger"
CHARGED, PAID = "Charged", "Paid"

_SIDE = {"charge": CHARGED, "waiver": CHARGED, "payment": PAID, "refund": PAID}
# A closed account (the person left their set) owes nothing; what it holds is a refund due.
NOTHING_TO_REFUND = "Closed – nothing to refund"

ACCOUNT_COLUMNS = [
    Column("Account"),            # A
    Column("Set"),                # B
    Column("Participant"),        # C
    Column("Payer"),              # D
    Column("Invoice name"),       # E
    Column("Purchase order"),     # F
    Column("Finance email"),      # G
    Column("Due date", "date"),   # H
    Column("Fee", "money"),       # I  the app's expected fee (static)
    Column("Charged", "money_formula"),      # J
    Column("Paid", "money_formula"),         # K
    Column("Outstanding", "money_formula"),  # L
    Column("Status", "formula", width=13),   # M
]

LEDGER_COLUMNS = [
    Column("Account"),                 # A
    Column("Participant"),             # B
    Column("Date", "date"),            # C
    Column("Kind"),                    # D
    Column("Counts towards"),          # E  Charged | Paid
    Column("Amount", "money"),         # F  signed: + owes more, - owes less
    Column("Method"),
    Column("Reference"),
    Column("Reason"),
    Column("Recorded by"),
]

_AMBER = PatternFill("solid", fgColor="FFEB9C")
_RED = PatternFill("solid", fgColor="FFC7CE")
_DARK_RED = Font(color="9C0006")


# The ledger's kinds of entry as a reader says them: "Payment", "Reversal of a charge".
KIND_WORDS = {"charge": "Charge", "payment": "Payment", "refund": "Refund", "waiver": "Waiver"}
REVERSED_WORDS = {"charge": "a charge", "payment": "a payment", "refund": "a refund", "waiver": "a waiver"}


def kind_words(entry: Any) -> str:
    """The Kind column: "Charge", "Payment", …, "Reversal of a payment"."""
    if entry.kind == "reversal":
        return f"Reversal of {REVERSED_WORDS.get(entry.reverses_kind, 'an entry')}"
    return KIND_WORDS.get(entry.kind, str(entry.kind).capitalize())


def side_of(entry: LedgerEntryRecord) -> str:
    """Which Accounts total an entry moves: "Charged" or "Paid"."""
    kind = entry.reverses_kind if entry.kind == "reversal" else entry.kind
    if kind not in _SIDE:
        raise ValueError(
            f"ledger entry for {entry.account_ref!r}: a reversal needs reverses_kind "
            f"(charge, waiver, payment or refund), got {kind!r}"
        )
    return _SIDE[kind]


def _check_ref(ref: str) -> None:
    # The ref is used as a SUMIFS criterion: wildcards or a leading operator would make it
    # match other accounts. App references never contain these, so refuse rather than guess.
    if not ref or any(c in ref for c in "*?~") or ref[0] in "<>=":
        raise ValueError(f"account reference {ref!r} cannot be used in a spreadsheet formula")


def _account_row(a: FeeAccountRecord, r: int) -> list[object]:
    ledger_amount, ledger_acct, ledger_side = (
        f"{LEDGER_SHEET}!$F:$F", f"{LEDGER_SHEET}!$A:$A", f"{LEDGER_SHEET}!$E:$E")
    charged = f'=SUMIFS({ledger_amount},{ledger_acct},$A{r},{ledger_side},"{CHARGED}")'
    # payments are negative in the ledger; finance reads "Paid" as a positive sum
    paid = f'=-SUMIFS({ledger_amount},{ledger_acct},$A{r},{ledger_side},"{PAID}")'
    # ROUND: pounds are binary floats; 300 - 299.9999999 must not show as outstanding
    outstanding = f"=ROUND(J{r}-K{r},2)"
    status = (f'=IF(L{r}>0,IF(AND(H{r}<>"",H{r}<TODAY()),"Overdue","Outstanding"),'
              f'IF(L{r}<0,"In credit","Settled"))')
    if a.closed:
        # Nothing is owed and nothing is overdue; any credit is the refund due, in words.
        outstanding = f"=MAX(0,ROUND(J{r}-K{r},2))"
        status = (f'=IF(ROUND(K{r}-J{r},2)>0,"Refund due "&TEXT(ROUND(K{r}-J{r},2),"£#,##0.00"),'
                  f'"{NOTHING_TO_REFUND}")')
    payer = "Organisation" if a.payer_kind == "organisation" else "Person"
    return [a.account_ref, a.set_name, a.participant_name, payer, a.invoice_name,
            a.purchase_order, a.finance_email, a.due_date, a.charged_pence, charged, paid,
            outstanding, status]


def write_fees(
    accounts: Iterable[FeeAccountRecord],
    entries: Iterable[LedgerEntryRecord],
    out: Target,
    *,
    generated_at: datetime,
    title: str = "Fees",
) -> None:
    """Write fees.xlsx: "Accounts" (live balances, totals, highlighting) and "Ledger".

    A closed account (the person left their set) owes nothing, and its Status says "Refund due £X"
    or "Closed – nothing to refund"."""
    accounts, entries = list(accounts), list(entries)
    for a in accounts:
        _check_ref(a.account_ref)
    names = {a.account_ref: a.participant_name for a in accounts}

    account_rows = [_account_row(a, FIRST_DATA_ROW + i) for i, a in enumerate(accounts)]
    last = FIRST_DATA_ROW + len(accounts) - 1
    totals: list[object]
    if accounts:
        totals = ["Total", *[None] * 7,
                  *[f"=SUM({c}{FIRST_DATA_ROW}:{c}{last})" for c in "IJKL"], None]
    else:
        totals = ["Total", *[None] * 7, 0, 0, 0, 0, None]

    def highlight(ws: Any) -> None:
        if not accounts:
            return
        rows = f"A{FIRST_DATA_ROW}:M{last}"
        r = FIRST_DATA_ROW
        # added first = higher priority: an overdue row is red even though it is also > 0
        ws.conditional_formatting.add(rows, FormulaRule(
            formula=[f'AND($H{r}<>"",$H{r}<TODAY(),$L{r}>0)'], fill=_RED, font=_DARK_RED))
        ws.conditional_formatting.add(f"L{FIRST_DATA_ROW}:L{last}", CellIsRule(
            operator="greaterThan", formula=["0"], fill=_AMBER))

    ledger_rows = [
        [e.account_ref, names.get(e.account_ref, ""), e.on, kind_words(e),
         side_of(e), e.amount_pence, e.method, e.reference, e.reason, e.recorded_by]
        for e in entries
    ]
    wb = new_workbook()
    add_table_sheet(wb, ACCOUNTS_SHEET, title, generated_at, ACCOUNT_COLUMNS, account_rows,
                    totals=totals, before_rows=highlight)
    add_table_sheet(wb, LEDGER_SHEET, f"{title}: ledger", generated_at, LEDGER_COLUMNS,
                    ledger_rows)
    save(wb, out)

"""Forming balanced Action Learning Sets: pure Python + PuLP, no Flask, no database.

Entry point: form_sets(candidates, rules) -> SelectionResult.
check_set(...) scores one set (for the app's manual moves and swaps).
refill(sets, people, waiting, rules) -> RefillPlan proposes waiting-list replacements for vacancies.
"""
from .core import draw_lottery, form_sets
from .generate import generate_instance
from .refill import ExistingSet, Merge, Move, Proposal, RefillPlan, refill
from .scorecard import check_set
from .types import SECTORS, Candidate, FormedSet, Rules, Scorecard, SelectionResult, Unplaced

__all__ = [
    "SECTORS", "Candidate", "FormedSet", "Rules", "Scorecard", "SelectionResult", "Unplaced",
    "check_set", "draw_lottery", "form_sets", "generate_instance",
    "ExistingSet", "Merge", "Move", "Proposal", "RefillPlan", "refill",
]

"""A solver that crashes, hangs or overruns never reaches the organiser as a traceback.

Each test makes the real failure happen (a CBC that dies of SIGSEGV, a HiGHS child that
crashes or hangs) rather than faking the outcome, and checks what the organiser is told.
"""
from __future__ import annotations

import faulthandler
import os
import signal
import stat
import time

import pytest

import selection.solver as solver_module
from selection import Rules, form_sets

from .sel_helpers import pool


@pytest.fixture
def crashing_cbc(tmp_path, monkeypatch):
    """Point CBC at a program that dies of a segmentation fault, as the bundled CBC can."""
    fake = tmp_path / "cbc"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    real = solver_module._cbc_command

    def command(*args, **kwargs):
        cmd = real(*args, **kwargs)
        cmd.path = str(fake)
        return cmd

    monkeypatch.setattr(solver_module, "_cbc_command", command)


def test_a_cbc_crash_falls_back_to_highs_and_says_so(crashing_cbc):
    people = pool(14)
    result = form_sets(people, Rules(solver="cbc", time_limit=20))
    assert result.status == "optimal"
    assert result.placed == 14
    said = " ".join(result.explanation)
    assert "CBC failed" in said and "signal 11" in said and "HiGHS was used instead" in said


def test_a_highs_crash_in_its_child_process_falls_back_to_cbc(monkeypatch):
    def segfault(*args, **kwargs):
        faulthandler.disable()   # pytest's fault handler would print the child's stack
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(solver_module, "_highs_in_process", segfault)
    result = form_sets(pool(14), Rules(solver="highs", time_limit=20))
    assert result.status == "optimal" and result.placed == 14
    assert any("HiGHS failed" in line and "CBC was used instead" in line for line in result.explanation)


def test_both_solvers_failing_gives_words_and_no_sets(crashing_cbc, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("HiGHS lost its licence")

    monkeypatch.setattr(solver_module, "_highs_in_process", broken)
    result = form_sets(pool(14), Rules(solver="cbc", time_limit=20))
    assert result.status == "timed_out"
    assert result.sets == [] and len(result.unplaced) == 14
    assert any("CBC failed" in line and "HiGHS failed too" in line for line in result.explanation)


def test_an_impossible_set_count_is_diagnosed_even_when_cbc_crashes(crashing_cbc):
    result = form_sets(pool(30), Rules(solver="cbc", sets=6, time_limit=20))
    assert result.status == "infeasible"
    assert any("at most 5" in line for line in result.explanation)


def test_a_hanging_highs_is_stopped_at_the_deadline(monkeypatch):
    def hang(*args, **kwargs):
        time.sleep(600)

    monkeypatch.setattr(solver_module, "_highs_in_process", hang)
    result = form_sets(pool(14), Rules(solver="highs", time_limit=2))
    # no answer in the time: honest, and the hung child did not hold the call for ten minutes
    assert result.status == "timed_out"
    assert result.seconds < 60
    assert any("does not prove that none exists" in line for line in result.explanation)


def test_the_time_limit_counts_work_before_the_call(monkeypatch):
    calls: list[str] = []
    real = solver_module.solve

    def spy(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr("selection.master.solve", spy)
    # the caller has already spent the whole limit reading the input
    result = form_sets(pool(30), Rules(time_limit=5), started=time.monotonic() - 5)
    assert result.status == "timed_out" and result.sets == []
    assert calls == []
    assert "time limit of 5 s ran out" in result.explanation[0]
    assert "--time-limit" in result.explanation[0]


def test_a_place_not_split_in_time_is_not_called_placed_with_a_tiny_gap(monkeypatch):
    """Issue case 2: people at a place/time whose split did not finish were dropped, told they broke
    a rule, and the run called "feasible, gap 0.02 %"."""
    import selection.core as core_module
    from selection.decompose import SplitOutcome

    real = core_module.split_slots

    def durham_runs_out_of_time(jobs, *args, **kwargs):
        outcomes = real(jobs, *args, **kwargs)
        outcomes["Durham"] = SplitOutcome([], "unknown", cut_short=True)
        return outcomes

    monkeypatch.setattr(core_module, "split_slots", durham_runs_out_of_time)
    people = pool(14, slots=("Durham",), prefix="d") + pool(14, slots=("Newcastle",), prefix="n")
    result = form_sets(people, Rules(time_limit=20))
    assert result.status == "feasible"
    assert result.unfinished == ["Durham"]
    assert result.placed == 14 and result.bound == 28 and result.gap == 0.5
    durham = [u for u in result.unplaced if u.id.startswith("d")]
    assert len(durham) == 14
    for u in durham:
        assert "time limit of 20 s ran out before the people who can attend Durham were split into sets" in u.reason
        assert "breaking a rule" not in u.reason
    assert any("Durham" in line and "--time-limit 40" in line for line in result.explanation)

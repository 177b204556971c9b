"""Splitting every place/time into its sets, in worker processes when that pays.

The splits are independent, and each is deterministic (seeded, bounded by work: see
decompose.py), so running them side by side gives exactly the sets the serial loop gives.
One process per place/time, at most one per CPU: a worker that crashes or raises costs only
its own place/time, which comes back as "unknown" with the reason in `error`; the caller
never sees a traceback.

Workers are forked, so they inherit the data without copying it (and, like solver.py's HiGHS
processes, need no importable main module). Where fork is missing or unsafe (Windows, macOS)
the places/times are split one after another in this process, with the same results.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from .decompose import SplitOutcome, split_slot
from .types import Candidate, Rules
from .units import Unit

#: below this many people in all, worker processes cost more than they save
PARALLEL_MIN_PEOPLE = 1_500
#: how long past the deadline a worker may take before it is stopped (each one watches the
#: deadline itself; this only catches a stuck one)
GRACE_SECONDS = 2.0

Job = tuple[str, list[int], int]   # (place/time, unit indices there, number of sets)

log = logging.getLogger(__name__)


def split_slots(jobs: Sequence[Job], units: Sequence[Unit], by_id: Mapping[str, Candidate], rules: Rules,
                deadline: float, given: Mapping[str, list[list[int]]] | None = None,
                workers: int | None = None) -> dict[str, SplitOutcome]:
    """split_slot for every job, keyed by place/time in the order of `jobs`.

    given: sets per place/time that already keep every hard rule (the full model's); those
    are only polished. workers: how many processes at most; None decides (none below
    PARALLEL_MIN_PEOPLE people, with one job, or with one CPU). The outcomes never depend on it."""
    given = given or {}
    if workers is None:
        people = sum(units[ui].size for _, uids, _ in jobs for ui in uids)
        workers = usable_cpus() if people > PARALLEL_MIN_PEOPLE else 1
    workers = min(workers, len(jobs))
    if workers <= 1 or not can_fork():
        return {slot: _split(slot, uids, n, units, by_id, rules, deadline, given.get(slot))
                for slot, uids, n in jobs}
    outcomes = _in_processes(jobs, units, by_id, rules, deadline, given, workers)
    return {slot: outcomes[slot] for slot, _, _ in jobs}


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    # macOS has fork, but its system libraries may crash a forked child (hence spawn by default)
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _split(slot: str, uids: list[int], n: int, units: Sequence[Unit], by_id: Mapping[str, Candidate],
           rules: Rules, deadline: float, given: list[list[int]] | None) -> SplitOutcome:
    try:
        return split_slot(uids, units, n, by_id, rules, deadline, given)
    except Exception as error:  # noqa: BLE001 - one place/time failing must not stop the others
        log.warning("Splitting %s into sets failed", slot, exc_info=True)
        return SplitOutcome([], "unknown", error=f"{type(error).__name__}: {error}")


def _worker(conn: Connection, slot: str, uids: list[int], n: int, units: Sequence[Unit],
            by_id: Mapping[str, Candidate], rules: Rules, deadline: float, given: list[list[int]] | None) -> None:
    try:
        conn.send(_split(slot, uids, n, units, by_id, rules, deadline, given))
    finally:
        conn.close()


def _start(process: BaseProcess) -> None:
    with warnings.catch_warnings():
        # Python 3.12+ warns on any fork beside other threads; ours are idle library threads
        # (numpy's), and the worker runs only this package's code and solver processes
        warnings.filterwarnings("ignore", message=r".*multi-threaded.*fork", category=DeprecationWarning)
        process.start()


def _in_processes(jobs: Sequence[Job], units: Sequence[Unit], by_id: Mapping[str, Candidate], rules: Rules,
                  deadline: float, given: Mapping[str, list[list[int]]], workers: int) -> dict[str, SplitOutcome]:
    context = multiprocessing.get_context("fork")
    # largest first, so the last one to finish is a small one
    waiting = sorted(jobs, key=lambda job: -sum(units[ui].size for ui in job[1]))
    running: dict[Connection, tuple[str, BaseProcess]] = {}
    outcomes: dict[str, SplitOutcome] = {}
    gc.freeze()   # forked workers then share the parent's memory instead of copying it
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                slot, uids, n = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                # not daemonic: a worker may start a solver process of its own (solver.py)
                process = context.Process(target=_worker, name=f"split {slot}", daemon=False,
                                          args=(send, slot, uids, n, units, by_id, rules, deadline, given.get(slot)))
                try:
                    _start(process)
                except Exception:  # noqa: BLE001 - say, out of processes: split it here instead
                    log.warning("No worker process for %s; splitting it in this process", slot, exc_info=True)
                    send.close()
                    receive.close()
                    outcomes[slot] = _split(slot, uids, n, units, by_id, rules, deadline, given.get(slot))
                    continue
                send.close()   # the worker holds the only writing end: its exit reads as end of file
                running[receive] = (slot, process)
            if not running:
                continue
            ready = wait(list(running), timeout=max(0.0, deadline + GRACE_SECONDS - time.monotonic()))
            if not ready:
                stuck = [slot for slot, _ in running.values()] + [slot for slot, _, _ in waiting]
                for slot in stuck:
                    outcomes[slot] = SplitOutcome([], "unknown", cut_short=True,
                                                  error="still running after the time limit; stopped")
                break
            for done in ready:
                assert isinstance(done, Connection)
                slot, worker = running.pop(done)
                try:
                    outcomes[slot] = done.recv()
                except (EOFError, OSError):
                    worker.join()
                    log.warning("The worker splitting %s stopped with exit code %s", slot, worker.exitcode)
                    outcomes[slot] = SplitOutcome(
                        [], "unknown", error=f"the worker process stopped unexpectedly (exit code {worker.exitcode})")
                done.close()
                worker.join()
    finally:
        gc.unfreeze()
        for receive, (_, worker) in running.items():   # left over only when stopped early
            worker.kill()
            worker.join(1)
            receive.close()
    return outcomes

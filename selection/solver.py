"""Running CBC or HiGHS through PuLP and reading the status honestly.

PuLP traps this module avoids:
- after a time limit, `LpStatus` still says "Optimal"; `prob.sol_status` (CBC) or
  HiGHS's own model status tells proven-optimal (1) from merely feasible (2);
- HiGHS stopped without a solution can come back as "Optimal" with every variable 0,
  so we ask highspy for its model status and primal solution status directly.
"""
from __future__ import annotations

import os
import re
import tempfile
import warnings
from dataclasses import dataclass

import pulp


@dataclass
class Outcome:
    proven: bool          # proven optimal (gap 0)
    has_solution: bool    # variables hold an integer-feasible solution
    infeasible: bool      # proven infeasible
    gap: float | None     # relative gap when a solution exists but is not proven


def _seed(seed: int) -> int:
    # Both solvers want a positive 31-bit seed; 0 means "pick one" in CBC, which
    # would make runs unrepeatable.
    return seed % 2_000_000_000 + 1


def solve(prob: pulp.LpProblem, solver: str, time_limit: float, seed: int,
          warm_start: bool = False) -> Outcome:
    time_limit = max(0.5, float(time_limit))
    if solver == "highs":
        return _solve_highs(prob, time_limit, seed)
    if solver == "cbc":
        return _solve_cbc(prob, time_limit, seed, warm_start)
    raise ValueError(f"unknown solver {solver!r} (use 'cbc' or 'highs')")


def _solve_cbc(prob: pulp.LpProblem, time_limit: float, seed: int, warm_start: bool) -> Outcome:
    fd, log_path = tempfile.mkstemp(suffix=".log", prefix="selection-cbc-")
    os.close(fd)
    try:
        # No threads option at all: CBC's parallel search is not repeatable, and the result must
        # be. Not `threads=1` either: the bundled CBC 2.10 then still starts one worker thread
        # and that start intermittently stalls for 10 s of wall clock on tiny models
        # ("Cbc0030I Thread 0 ... waiting to start 10.0"), which can eat the whole time limit
        # and turn a proven optimum into "feasible". Without the option CBC runs serially.
        with warnings.catch_warnings():
            # PuLP 3.x deprecates PULP_CBC_CMD in favour of a separately installed CBC, but
            # the bundled binary is what ships with `pip install pulp`; silence only that.
            warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated",
                                    category=DeprecationWarning)
            cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=0, threads=None,
                                    warmStart=warm_start, logPath=log_path,
                                    options=[f"randomCbcSeed {_seed(seed)}"])
        prob.solve(cmd)
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
    finally:
        os.unlink(log_path)
    sol = prob.sol_status
    if sol == pulp.LpSolutionOptimal:
        return Outcome(True, True, False, 0.0)
    if sol == pulp.LpSolutionIntegerFeasible:
        return Outcome(False, True, False, _cbc_gap(log, prob))
    if sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return Outcome(False, False, True, None)
    return Outcome(False, False, False, None)


def _cbc_gap(log: str, prob: pulp.LpProblem) -> float | None:
    # CBC's summary has "Objective value:" and "Lower bound:" (for a minimisation).
    obj = re.search(r"Objective value:\s+(-?[\d.eE+]+)", log)
    bound = re.search(r"Lower bound:\s+(-?[\d.eE+]+)", log)
    if not (obj and bound):
        return None
    o, b = float(obj.group(1)), float(bound.group(1))
    return abs(o - b) / max(1e-9, abs(o))


def _solve_highs(prob: pulp.LpProblem, time_limit: float, seed: int) -> Outcome:
    import highspy

    cmd = pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=0, threads=1,
                     random_seed=_seed(seed))
    prob.solve(cmd)
    h = prob.solverModel
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status == highspy.HighsModelStatus.kOptimal:
        return Outcome(True, True, False, 0.0)
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Outcome(False, False, True, None)
    if has_solution:
        gap = info.mip_gap if info.mip_gap < 1e30 else None
        return Outcome(False, True, False, gap)
    return Outcome(False, False, False, None)


def new_var(prob: pulp.LpProblem, name: str, low: float | None = None, up: float | None = None,
            cat: str = pulp.LpContinuous) -> pulp.LpVariable:
    """PuLP 3.x warns when LpVariable is built directly (its 4.0 API is prob.add_variable);
    PuLP 2.8 has only LpVariable. Tests turn warnings into errors, so pick what exists."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, low, up, cat=cat)
    return pulp.LpVariable(name, low, up, cat)

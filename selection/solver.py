"""Running CBC or HiGHS through PuLP: honest statuses, a hard time limit, and no crash reaching the caller.

PuLP traps this module avoids:
- after a time limit, `LpStatus` still says "Optimal"; `prob.sol_status` (CBC) or
  HiGHS's own model status tells proven-optimal (1) from merely feasible (2);
- HiGHS stopped without a solution can come back as "Optimal" with every variable 0,
  so we ask highspy for its model status and primal solution status directly.

What else can go wrong, and what happens then:
- the bundled CBC can segfault on some models, and PuLP then raises; HiGHS can overrun its own
  time limit by many seconds (its limit is not checked in every phase). Each solver therefore
  runs in a child process that is killed at the caller's hard deadline: CBC is its own program,
  HiGHS runs in a forked copy of this process, so a crash there cannot take down a web worker.
- a solver that fails (crash, error) is replaced by the other one for the time that is left;
  the Outcome says what happened in `failure`. Nothing here raises for a solver failure.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import re
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from typing import Any

import pulp

#: seconds granted beyond a solver's own limit before its process is killed
GRACE = 0.5


@dataclass
class Outcome:
    proven: bool          # proven optimal (gap 0)
    has_solution: bool    # variables hold an integer-feasible solution
    infeasible: bool      # proven infeasible
    gap: float | None     # relative gap when a solution exists but is not proven
    #: the solver's proven bound on the objective (None when it did not give one)
    bound: float | None = None
    #: which solver gave this answer
    solver: str = ""
    #: plain words for a solver that crashed or was stopped, and what was done about it
    failure: str | None = None


class SolverFailed(Exception):
    """A solver crashed or errored: its answer cannot be used, the other solver may do better."""


class SolverStopped(Exception):
    """A solver ran past its time limit and was stopped: no answer in the time given."""


def _seed(seed: int) -> int:
    # Both solvers want a positive 31-bit seed; 0 means "pick one" in CBC, which
    # would make runs unrepeatable.
    return seed % 2_000_000_000 + 1


def solve(prob: pulp.LpProblem, solver: str, time_limit: float, seed: int,
          warm_start: bool = False, deadline: float | None = None) -> Outcome:
    """Solve `prob` with `solver`, falling back to the other solver if it fails.

    `time_limit` is the solver's own limit; `deadline` (a time.monotonic() reading) is when its
    process is killed whatever it is doing (default: the time limit plus a grace)."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r} (use 'cbc' or 'highs')")
    time_limit = max(0.05, float(time_limit))
    hard = deadline if deadline is not None else time.monotonic() + time_limit + GRACE
    try:
        return SOLVERS[solver](prob, time_limit, seed, warm_start, hard)
    except SolverStopped:
        return Outcome(False, False, False, None, solver=solver)
    except SolverFailed as failed:
        first = f"{NAMES[solver]} failed ({failed})"
    other = "highs" if solver == "cbc" else "cbc"
    remaining = min(time_limit, hard - time.monotonic() - GRACE)
    if remaining <= 0.05 or not available(other):
        return Outcome(False, False, False, None, solver=solver, failure=f"{first}; no time was left to try another solver")
    try:
        out = SOLVERS[other](prob, remaining, seed, warm_start, hard)
    except SolverStopped:
        return Outcome(False, False, False, None, solver=other,
                       failure=f"{first}; {NAMES[other]} found no answer in the time left")
    except SolverFailed as failed:
        return Outcome(False, False, False, None, solver=other,
                       failure=f"{first}, and {NAMES[other]} failed too ({failed})")
    out.failure = f"{first}; {NAMES[other]} was used instead"
    return out


def available(solver: str) -> bool:
    if solver == "highs":
        try:
            import highspy  # noqa: F401
        except ImportError:
            return False
        return True
    return solver == "cbc"


# ---- CBC ---------------------------------------------------------------------------------
def _cbc_command(time_limit: float, seed: int, warm_start: bool, log_path: str) -> pulp.PULP_CBC_CMD:
    with warnings.catch_warnings():
        # PuLP 3.x deprecates PULP_CBC_CMD in favour of a separately installed CBC, but the
        # bundled binary is what ships with `pip install pulp`; silence only that.
        warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning)
        # No threads option at all: CBC's parallel search is not repeatable, and the result must
        # be. Not `threads=1` either: the bundled CBC 2.10 then still starts one worker thread
        # and that start intermittently stalls for 10 s of wall clock on tiny models
        # ("Cbc0030I Thread 0 ... waiting to start 10.0"). Without the option CBC runs serially.
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=0, threads=None, timeMode="elapsed",
                                 warmStart=warm_start, logPath=log_path,
                                 options=[f"randomCbcSeed {_seed(seed)}"])


def _solve_cbc(prob: pulp.LpProblem, time_limit: float, seed: int, warm_start: bool, hard: float) -> Outcome:
    """PuLP's own CBC run (COIN_CMD.solve_CBC), but the process is killed at `hard`: PuLP waits
    for it without a limit, and a CBC that hangs must not hold the caller past its deadline."""
    folder = tempfile.mkdtemp(prefix="selection-cbc-")
    mps, sol, mst, log_path = (os.path.join(folder, name) for name in ("model.mps", "model.sol", "start.mst", "cbc.log"))
    cmd = _cbc_command(time_limit, seed, warm_start, log_path)
    try:
        variables, variable_names, constraint_names, _ = prob.writeMPS(mps, rename=1)
        # CBC reads the model before its clock starts: leave it the time that is really left
        limit = max(0.05, min(time_limit, hard - time.monotonic() - GRACE))
        args = [cmd.path, mps] + (["-max"] if prob.sense == pulp.LpMaximize else [])
        if warm_start:
            cmd.writesol(mst, prob, variables, variable_names, constraint_names)
            args += ["-mips", mst]
        args += ["-sec", f"{limit:.2f}"]
        for option in cmd.options + cmd.getOptions():
            args += ("-" + option).split()
        args += ["-solve", "-printingOptions", "all", "-solution", sol]
        with open(log_path, "w") as log:
            process = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
            try:
                code = process.wait(timeout=max(0.1, hard - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise SolverStopped() from None
        if code != 0:
            raise SolverFailed(f"CBC stopped with {_exit_words(code)}")
        if not os.path.exists(sol):
            raise SolverFailed("CBC wrote no solution file")
        status, values, _, _, _, sol_status = cmd.readsol_MPS(sol, prob, variables, variable_names, constraint_names)
        prob.assignVarsVals(values)
        prob.assignStatus(status, sol_status)
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log_text = fh.read()
    except (OSError, pulp.PulpSolverError, ValueError, IndexError) as error:
        raise SolverFailed(str(error) or type(error).__name__) from error
    finally:
        for path in (mps, sol, mst, log_path):
            if os.path.exists(path):
                os.unlink(path)
        os.rmdir(folder)
    bound = _cbc_bound(log_text)
    if sol_status == pulp.LpSolutionOptimal:
        return Outcome(True, True, False, 0.0, bound=pulp.value(prob.objective), solver="cbc")
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return Outcome(False, True, False, _gap(pulp.value(prob.objective), bound), bound=bound, solver="cbc")
    if sol_status == pulp.LpSolutionInfeasible or status == pulp.LpStatusInfeasible:
        return Outcome(False, False, True, None, solver="cbc")
    return Outcome(False, False, False, None, bound=bound, solver="cbc")


def _exit_words(code: int) -> str:
    if code < 0:
        return f"signal {-code}" + (" (a crash)" if -code in (6, 11) else "")
    return f"exit code {code}"


def _cbc_bound(log: str) -> float | None:
    # CBC minimises internally; its summary's "Lower bound:" is the bound on the objective as
    # it solved it (negated for a maximisation). Our objectives are never negative.
    found = re.search(r"(?:Lower|Upper) bound:\s+(-?[\d.eE+]+)", log)
    if not found:
        return None
    value = abs(float(found.group(1)))
    return value if math.isfinite(value) else None


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(1e-9, abs(bound))


# ---- HiGHS -------------------------------------------------------------------------------
def _solve_highs(prob: pulp.LpProblem, time_limit: float, seed: int, warm_start: bool, hard: float) -> Outcome:
    """HiGHS in a forked child process, killed at `hard`; the child sends back the outcome and
    the variable values. Where fork does not exist it runs here, without the hard stop."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return _highs_in_process(prob, time_limit, seed, warm_start)[0]
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_highs_child, args=(prob, time_limit, seed, warm_start, sender))
    with warnings.catch_warnings():
        # Python 3.12+ warns on any fork beside other threads; ours are idle library threads
        # (numpy's, a web server's), and the child runs only HiGHS and sends back its answer
        warnings.filterwarnings("ignore", message=r".*multi-threaded.*fork", category=DeprecationWarning)
        child.start()
    sender.close()
    try:
        if not receiver.poll(max(0.05, hard - time.monotonic())):
            raise SolverStopped()
        message = receiver.recv()
    except EOFError:
        child.join(1)
        raise SolverFailed(f"HiGHS stopped with {_exit_words(child.exitcode or 0)}") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(1)
        receiver.close()
    if message[0] == "error":
        raise SolverFailed(message[1])
    _, outcome, values = message
    if values is not None:
        # by name: PuLP may add a dummy variable to the child's copy of the problem
        for variable in prob.variables():
            variable.varValue = values.get(variable.name)
    return outcome


def _highs_child(prob: pulp.LpProblem, time_limit: float, seed: int, warm_start: bool, sender: Any) -> None:
    try:
        outcome, values = _highs_in_process(prob, time_limit, seed, warm_start)
        sender.send(("ok", outcome, values))
    except BaseException as error:  # noqa: BLE001 - anything at all goes back as words
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
        # leave at once: the parent's atexit handlers, open files and threads are not ours
        os._exit(0)


def _highs_in_process(prob: pulp.LpProblem, time_limit: float, seed: int,
                      warm_start: bool) -> tuple[Outcome, dict[str, float | None] | None]:
    import highspy

    cmd = _GuardedHiGHS(msg=False, timeLimit=time_limit, gapRel=0, threads=1, random_seed=_seed(seed),
                        warm_start=warm_start)
    prob.solve(cmd)
    h = prob.solverModel
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = {v.name: v.varValue for v in prob.variables()} if has_solution else None
    dual = info.mip_dual_bound
    bound = abs(dual) if math.isfinite(dual) and abs(dual) < 1e30 else None
    if status == highspy.HighsModelStatus.kOptimal:
        return Outcome(True, True, False, 0.0, bound=pulp.value(prob.objective), solver="highs"), values
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Outcome(False, False, True, None, solver="highs"), None
    if has_solution:
        gap = info.mip_gap if info.mip_gap < 1e30 else None
        return Outcome(False, True, False, gap, bound=bound, solver="highs"), values
    return Outcome(False, False, False, None, bound=bound, solver="highs"), None


class _GuardedHiGHS(pulp.HiGHS):
    """PuLP's HiGHS plus two things it lacks: the previous phase's answer as a starting
    solution (PuLP's HiGHS ignores warm starts, so a later phase could end with nothing), and an
    interrupt at the time limit in the phases where HiGHS does not check its own clock."""

    def __init__(self, *args: Any, warm_start: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warm_start = warm_start
        self.stop_at = time.monotonic() + float(kwargs.get("timeLimit") or 1e9)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        super().buildSolverModel(lp)
        import highspy

        h = lp.solverModel
        stop_at = self.stop_at

        def interrupt(event: Any) -> None:
            if time.monotonic() > stop_at:
                event.interrupt()

        for callback in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
            callback.subscribe(interrupt)
        if self.warm_start:
            values = [v.varValue for v in lp.variables()]
            if all(value is not None for value in values):
                start = highspy.HighsSolution()
                start.col_value = values
                start.value_valid = True
                h.setSolution(start)


SOLVERS = {"cbc": _solve_cbc, "highs": _solve_highs}
NAMES = {"cbc": "CBC", "highs": "HiGHS"}


def new_var(prob: pulp.LpProblem, name: str, low: float | None = None, up: float | None = None,
            cat: str = pulp.LpContinuous) -> pulp.LpVariable:
    """PuLP 3.x warns when LpVariable is built directly (its 4.0 API is prob.add_variable);
    PuLP 2.8 has only LpVariable. Tests turn warnings into errors, so pick what exists."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, low, up, cat=cat)
    return pulp.LpVariable(name, low, up, cat)

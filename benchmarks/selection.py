"""Benchmark: selection.form_sets, by scenario. Each scenario runs alone and prints a Markdown table.

    python benchmarks/selection.py --scenario oversubscribed [--sizes 50 100 400 1000 2000]
                                   [--naive-timeout 60] [--solvers cbc highs] [--no-naive]
    python benchmarks/selection.py --scenario fit --no-naive
    python benchmarks/selection.py --scenario planted [--sizes 5000 10000 20000 50000] [--solvers cbc]
                                   [--time-limit 300] [--large-organisations 0]
    python benchmarks/selection.py --scenario scarce [--sizes 1000 10000] [--solvers cbc] [--time-limit 300]
    python benchmarks/selection.py --scenario time-limit [--sizes 10000 20000] [--limits 1 5 10]
                                   [--solvers cbc] [--family planted|scarce]

oversubscribed / fit: instances from selection.generate_instance (sectors ~40/35/25, organisations
of 2-5 applicants, 4 places/times, priorities 0-3); sets of 6-8, every sector, separate
organisations, and exactly n // 10 sets (oversubscribed: at most 80 % fit, so the priority and
lottery levels are exercised) or as many as fit. The naive x[person,set] model is compared.

planted / scarce: instances from selection.generate.planted, built around a hidden valid
arrangement at 12 places/times, so the most people any answer can place is known
("optimum"). planted: everyone has a place. scarce: 60 % of the applicants are extra public- and
private-sector people and each hidden set has exactly one voluntary member, so about 5 % are
voluntary and they decide how many sets there can be. Each run is one form_sets call in its own
process: "seconds" is that call; "peak MB" is the largest single process (Python or a solver)
and the sampled sum over the whole process tree (solver children included). "rules kept" is
the independent checker of tests/selection/independent_checker.py.

time-limit: writes a planted (or scarce) CSV and times the whole command
`als select --input FILE --json --time-limit L`, start to exit (reading, solving, writing the
JSON), against the limit the organiser gave.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import pulp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from selection import Candidate, FormedSet, Rules, SelectionResult, Unplaced, form_sets, generate_instance  # noqa: E402
from selection.generate import PlantedInstance, planted  # noqa: E402
from selection.scorecard import org_key  # noqa: E402
from selection.solver import new_var, solve  # noqa: E402
from tests.selection.independent_checker import breaches  # noqa: E402

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def naive(candidates, rules: Rules, timeout: float):
    """x[p,j]: person p in set j; w[j,s]: set j meets at slot s. Only the first objective
    (most placed); sets are interchangeable, which is what makes it slow."""
    slots = sorted({s for c in candidates for s in c.slots})
    J = rules.sets
    assert J is not None, "the naive model needs a fixed number of sets"
    prob = pulp.LpProblem("naive", pulp.LpMaximize)
    x = {(i, j): new_var(prob, f"x_{i}_{j}", cat=pulp.LpBinary)
         for i in range(len(candidates)) for j in range(J)}
    w = {(j, k): new_var(prob, f"w_{j}_{k}", cat=pulp.LpBinary) for j in range(J) for k in range(len(slots))}
    prob += pulp.lpSum(x.values())
    for i in range(len(candidates)):
        prob += pulp.lpSum(x[i, j] for j in range(J)) <= 1
    orgs = defaultdict(list)
    for i, c in enumerate(candidates):
        orgs[org_key(c.organisation)].append(i)
    for j in range(J):
        prob += pulp.lpSum(w[j, k] for k in range(len(slots))) == 1
        prob += pulp.lpSum(x[i, j] for i in range(len(candidates))) >= rules.min_size
        prob += pulp.lpSum(x[i, j] for i in range(len(candidates))) <= rules.max_size
        for sector in rules.sectors:
            prob += pulp.lpSum(x[i, j] for i, c in enumerate(candidates) if c.sector == sector) >= 1
        for members in orgs.values():
            if len(members) > 1:
                prob += pulp.lpSum(x[i, j] for i in members) <= 1
        for i, c in enumerate(candidates):
            prob += x[i, j] <= pulp.lpSum(w[j, k] for k, s in enumerate(slots) if s in c.slots)
    t = time.monotonic()
    out = solve(prob, rules.solver, timeout, rules.seed)
    secs = time.monotonic() - t
    placed = int(round(sum(v.varValue or 0 for v in x.values()))) if out.has_solution else None
    if out.proven:
        status = "optimal"
    elif out.has_solution:
        status = f"feasible, not proven in {timeout:g} s" + (f" (gap {out.gap:.1%})" if out.gap else "")
    elif out.infeasible:
        status = "infeasible"
    else:
        status = f"not solved in {timeout:g} s"
    return status, placed, J if placed else None, secs


def oversubscribed(args: argparse.Namespace) -> None:
    print("| applicants | solver | model | status | placed | sets | seconds |")
    print("|---:|---|---|---|---:|---:|---:|")
    for n in args.sizes or [50, 100, 400, 1000, 2000]:
        cands = generate_instance(n, args.seed)
        for solver in args.solvers or ["cbc", "highs"]:
            sets = n // 10 if args.scenario == "oversubscribed" else None
            rules = Rules(solver=solver, sets=sets, time_limit=60, seed=args.seed)
            r = form_sets(cands, rules)
            gap = f" (gap {r.gap:.1%})" if r.status == "feasible" and r.gap else ""
            print(f"| {n} | {solver} | slot (ours) | {r.status}{gap} | {r.placed} | {len(r.sets)} | "
                  f"{r.seconds:.2f} |", flush=True)
            if not args.no_naive and sets is not None:
                status, placed, sets, secs = naive(cands, rules, args.naive_timeout)
                print(f"| {n} | {solver} | naive x[person,set] | {status} | {placed if placed is not None else '-'} "
                      f"| {sets if sets is not None else '-'} | {secs:.2f} |", flush=True)


# ---- planted and scarce: one form_sets call per process ----------------------------------------

#: share of a scarce instance's applicants who are extra (public/private) people: about 5 % voluntary
SCARCE_SURPLUS = 0.6


def instance(spec: dict) -> PlantedInstance:
    surplus = int(SCARCE_SURPLUS * spec["n"]) if spec["family"] == "scarce" else 0
    return planted(spec["n"], spec["seed"], surplus=surplus, large_organisations=spec.get("large_organisations", 0))


def worker(spec: dict, out_path: str) -> None:
    """Run one form_sets call (the instance is built first, untimed) and write what it gave."""
    made = instance(spec)
    rules = Rules(solver=spec["solver"], time_limit=spec["time_limit"], seed=spec["seed"])
    started = time.monotonic()
    r = form_sets(made.candidates, rules)
    wall = time.monotonic() - started
    broken = breaches(r, made.candidates, rules)
    largest_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                     resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump({"status": r.status, "gap": r.gap, "bound": r.bound, "placed": r.placed, "sets": len(r.sets),
                   "optimum": made.optimum, "unfinished": len(r.unfinished), "seconds": r.seconds, "wall": wall,
                   "broken": broken[:3], "largest_mb": largest_kb / 1024}, out)


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants now (Linux /proc; 0 elsewhere)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return 0.0
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue   # the process ended meanwhile
        parent[int(entry)], rss[int(entry)] = int(fields[1]), int(fields[21])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parent.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in tree) * PAGE_BYTES / 2**20


def run_watched(command: list[str]) -> tuple[float, float, int, str, str]:
    """Run `command`; return its wall seconds, peak sampled tree memory (MB), exit code, stdout
    and the last line of stderr (where a refusal or a traceback ends)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, tree_rss_mb(child.pid))
            time.sleep(0.1)
        wall = time.monotonic() - started
        stdout.seek(0)
        stderr.seek(0)
        errors = stderr.read().decode("utf-8", "replace").strip().splitlines()
        return wall, peak, child.returncode, stdout.read().decode("utf-8", "replace"), errors[-1] if errors else ""


def cell(text: str, width: int = 120) -> str:
    """Text fit for one Markdown table cell."""
    text = text.replace("|", "/")
    return text if len(text) <= width else text[:width - 1] + "…"


def status_text(status: str, gap: float | None, unfinished: int) -> str:
    text = status + (f" (gap {gap:.2%})" if status == "feasible" and gap else "")
    return text + (f", {unfinished} places unfinished" if unfinished else "")


def planted_runs(args: argparse.Namespace) -> None:
    family = args.scenario
    print(f"Family: {family}; time limit {args.time_limit:g} s; seed {args.seed}"
          + (f"; {args.large_organisations} large organisations" if args.large_organisations else "") + "\n")
    print("| applicants | solver | status | placed | optimum | sets | rules kept | seconds | "
          "peak MB (largest process) | peak MB (all processes) |")
    print("|---:|---|---|---:|---:|---:|---|---:|---:|---:|")
    default = [5000, 10000, 20000, 50000] if family == "planted" else [1000, 10000]
    for n in args.sizes or default:
        for solver in args.solvers or ["cbc"]:
            spec = {"n": n, "seed": args.seed, "family": family, "solver": solver, "time_limit": args.time_limit,
                    "large_organisations": args.large_organisations}
            with tempfile.TemporaryDirectory() as scratch:
                out_path = os.path.join(scratch, "result.json")
                wall, peak, code, _, error = run_watched([sys.executable, os.path.abspath(__file__), "--worker",
                                                   json.dumps(spec), out_path])
                if code != 0 or not os.path.exists(out_path):
                    print(f"| {n} | {solver} | crashed (exit {code}) after {wall:.1f} s: {cell(error)} | - | - | - | - | - | - "
                          f"| {peak:.0f} |", flush=True)
                    continue
                with open(out_path, encoding="utf-8") as result_file:
                    got = json.load(result_file)
            kept = "yes" if not got["broken"] else "NO: " + "; ".join(got["broken"])
            print(f"| {n} | {solver} | {status_text(got['status'], got['gap'], got['unfinished'])} | {got['placed']} "
                  f"| {got['optimum']} | {got['sets']} | {kept} | {got['seconds']:.2f} | {got['largest_mb']:.0f} "
                  f"| {peak:.0f} |", flush=True)


# ---- time limit: the whole `als select` command ---------------------------------------------------

CSV_COLUMNS = ("id", "name", "email", "organisation", "sector", "availability", "priority", "previous_set",
               "region", "organisation_size")


def write_candidates_csv(candidates: list[Candidate], path: str) -> None:
    """The columns `als select --input` reads (exports.read_candidates); places/times joined by ';'."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(CSV_COLUMNS)
        for c in candidates:
            rows.writerow([c.id, c.name, f"{c.id.lower()}@example.org", c.organisation, c.sector,
                           "; ".join(sorted(c.slots)), c.priority, c.previous_set or "",
                           c.attributes.get("region", ""), c.attributes.get("organisation_size", "")])


def als_command() -> list[str]:
    """The installed `als` script beside this Python, else the same entry point through Python."""
    script = os.path.join(os.path.dirname(sys.executable), "als")
    return [script] if os.path.exists(script) else [sys.executable, "-c", "from app.cli import main; main()"]


def from_json(payload: dict) -> SelectionResult:
    """The CLI's JSON as a SelectionResult, for the independent checker (scorecards are not needed)."""
    return SelectionResult(
        status=payload["status"], gap=payload["gap"], seconds=payload["seconds"], seed=0, solver="",
        sets=[FormedSet(s["name"], s["slot"], s["members"], scorecard=None)  # type: ignore[arg-type]
              for s in payload["sets"]],
        unplaced=[Unplaced(u["id"], u["reason"]) for u in payload["unplaced"]])


def time_limit_runs(args: argparse.Namespace) -> None:
    print(f"Family: {args.family}; seed {args.seed}; command: als select --input FILE --json --time-limit L "
          f"--solver S\n")
    print("| applicants | solver | limit (s) | wall (s) | over the limit (s) | exit | status | placed | optimum "
          "| rules kept | peak MB (all processes) |")
    print("|---:|---|---:|---:|---:|---:|---|---:|---:|---|---:|")
    for n in args.sizes or [10000, 20000]:
        made = instance({"n": n, "seed": args.seed, "family": args.family})
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "candidates.csv")
            write_candidates_csv(made.candidates, path)
            for solver in args.solvers or ["cbc"]:
                for limit in args.limits:
                    wall, peak, code, out, error = run_watched(als_command() + [
                        "select", "--input", path, "--json", "--time-limit", f"{limit:g}", "--solver", solver])
                    try:
                        payload = json.loads(out)
                    except ValueError:
                        print(f"| {n} | {solver} | {limit:g} | {wall:.1f} | {wall - limit:+.1f} | {code} "
                              f"| no JSON: {cell(error.replace(path, 'FILE'))} | - | {made.optimum} | - | {peak:.0f} |", flush=True)
                        continue
                    result = from_json(payload)
                    broken = breaches(result, made.candidates, Rules(time_limit=limit))
                    kept = "yes" if not broken else "NO: " + "; ".join(broken[:3])
                    print(f"| {n} | {solver} | {limit:g} | {wall:.1f} | {wall - limit:+.1f} | {code} "
                          f"| {status_text(result.status, result.gap, 0)} | {result.placed} | {made.optimum} "
                          f"| {kept} | {peak:.0f} |", flush=True)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]), sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=["oversubscribed", "fit", "planted", "scarce", "time-limit"],
                    default="oversubscribed",
                    help="oversubscribed: exactly n // 10 sets; fit: as many sets as fit (ours only; the naive "
                         "model needs a fixed number of sets); planted, scarce: known optimum; time-limit: the "
                         "whole `als select` command against --time-limit")
    ap.add_argument("--sizes", type=int, nargs="+", help="applicants (default depends on the scenario)")
    ap.add_argument("--solvers", nargs="+", choices=["cbc", "highs"],
                    help="default: both for oversubscribed/fit, cbc otherwise")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--naive-timeout", type=float, default=60.0)
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--time-limit", type=float, default=300.0, help="planted/scarce: form_sets time limit")
    ap.add_argument("--large-organisations", type=int, default=0,
                    help="planted/scarce: employers supplying about 30 %% of the applicants")
    ap.add_argument("--limits", type=float, nargs="+", default=[1, 5, 10], help="time-limit: --time-limit values")
    ap.add_argument("--family", choices=["planted", "scarce"], default="planted", help="time-limit: instances")
    args = ap.parse_args()
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M')}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, PuLP {pulp.__version__}\n")
    if args.scenario in ("oversubscribed", "fit"):
        oversubscribed(args)
    elif args.scenario == "time-limit":
        time_limit_runs(args)
    else:
        planted_runs(args)


if __name__ == "__main__":
    main()

"""Benchmark: the slot model (selection.form_sets) against a naive x[person,set] model.

    python benchmarks/selection.py [--sizes 50 100 400 1000 2000] [--naive-timeout 60]
                                   [--solvers cbc highs] [--no-naive]

Instances come from selection.generate_instance (sectors ~40/35/25, organisations of 2-5
applicants, 4 places/times, priorities 0-3). Rules: sets of 6-8, every sector, separate
organisations, and exactly n // 10 sets, so that places (80 % of applicants at most) are
oversubscribed and the priority and lottery levels are really exercised.
Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import defaultdict

import pulp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from selection import Rules, form_sets, generate_instance  # noqa: E402
from selection.scorecard import org_key  # noqa: E402
from selection.solver import new_var, solve  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 400, 1000, 2000])
    ap.add_argument("--solvers", nargs="+", default=["cbc", "highs"])
    ap.add_argument("--naive-timeout", type=float, default=60.0)
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", choices=["oversubscribed", "fit"], default="oversubscribed",
                    help="oversubscribed: exactly n // 10 sets; fit: as many sets as fit (ours only; "
                         "the naive model needs a fixed number of sets)")
    args = ap.parse_args()
    print(f"Date: {time.strftime('%Y-%m-%d')}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, PuLP {pulp.__version__}\n")
    print("| applicants | solver | model | status | placed | sets | seconds |")
    print("|---:|---|---|---|---:|---:|---:|")
    for n in args.sizes:
        cands = generate_instance(n, args.seed)
        for solver in args.solvers:
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


if __name__ == "__main__":
    main()

"""Benchmark: refilling 25 vacancies in 250 confirmed sets from a waiting list (selection.refill).

    python benchmarks/refill.py [--seed 1] [--solvers cbc highs] [--repeat 3]

2,000 applicants from selection.generate_instance; selection.form_sets forms exactly 250 sets
of 6-7 (every sector, no two colleagues), so about 250 people are left on the waiting list. Then
25 places fall vacant, a realistic mix: 15 sets lose one member, 3 sets lose their only member
of a sector, 2 sets lose two and 1 set loses three (both leave it below the minimum).
Three waiting lists: everyone left out ("direct"); the same without voluntary-sector people
("moves"), so the sets that lost their voluntary member can only be refilled by moving a member;
and the same without anyone who can attend the place/time of the set that lost three ("none at
one place"), so its places stay empty and a merge is proposed for it.
Prints a Markdown table; "seconds" is the whole refill call.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import Counter

import pulp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from selection import ExistingSet, Rules, form_sets, generate_instance, refill  # noqa: E402

APPLICANTS, SETS = 2000, 250


def confirmed(seed: int):
    people = {c.id: c for c in generate_instance(APPLICANTS, seed)}
    rules = Rules(min_size=6, max_size=7, sets=SETS, seed=seed, time_limit=120)
    result = form_sets(list(people.values()), rules)
    assert len(result.sets) == SETS, result.explanation
    sets = [ExistingSet(s.name, s.slot, list(s.members), len(s.members)) for s in result.sets]
    return people, rules, sets, [u.id for u in result.unplaced]


def make_vacancies(people, sets: list[ExistingSet], seed: int) -> int:
    rng = random.Random(seed)
    chosen = rng.sample(sets, 21)
    for s in chosen[:15]:
        s.members.remove(rng.choice(s.members))
    for s in chosen[15:18]:
        counts = Counter(people[q].sector for q in s.members)
        lone = [q for q in s.members if counts[people[q].sector] == 1 and people[q].sector == "voluntary"]
        lone = lone or [q for q in s.members if counts[people[q].sector] == 1]
        s.members.remove(lone[0] if lone else rng.choice(s.members))
    for s, k in zip(chosen[18:], (2, 2, 3), strict=True):
        for q in rng.sample(s.members, k):
            s.members.remove(q)
    return sum(s.places - len(s.members) for s in sets)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--solvers", nargs="+", default=["cbc", "highs"])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M')}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, PuLP {pulp.__version__}\n")
    people, rules, sets, waiting = confirmed(args.seed)
    vacant = make_vacancies(people, sets, args.seed)
    emptied = next(s for s in sets if s.places - len(s.members) == 3)
    lists = {"direct": waiting, "moves": [p for p in waiting if people[p].sector != "voluntary"],
             "none at one place": [p for p in waiting if emptied.slot not in people[p].slots]}
    print(f"{APPLICANTS} applicants, {len(sets)} sets, {vacant} vacancies in "
          f"{sum(1 for s in sets if len(s.members) < s.places)} sets, waiting list {len(waiting)}\n")
    print("| waiting list | solver | status | offered | moves | merges | unfilled | seconds (best of runs) |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for label, ids in lists.items():
        for solver in args.solvers:
            times = []
            for _ in range(args.repeat):
                t = time.monotonic()
                plan = refill(sets, people, ids, Rules(min_size=6, max_size=7, seed=args.seed, solver=solver))
                times.append(time.monotonic() - t)
            offered = sum(len(p.add) for p in plan.proposals)
            moves = sum(len(p.moves) for p in plan.proposals)
            unfilled = sum(n for _, n in plan.unfilled)
            print(f"| {label} ({len(ids)}) | {solver} | {plan.status} | {offered} | {moves} | {len(plan.merges)} "
                  f"| {unfilled} | {min(times):.2f} ({', '.join(f'{t:.2f}' for t in times)}) |", flush=True)
    for label in ("moves", "none at one place"):
        print(f"\nExplanation ({label}, cbc):\n")
        plan = refill(sets, people, lists[label], Rules(min_size=6, max_size=7, seed=args.seed))
        for line in plan.explanation:
            if "offer" not in line:
                print(f"- {line}")


if __name__ == "__main__":
    main()

"""Time and peak memory of every export at the target size.

    python benchmarks/exports.py              # prints and writes benchmarks/RESULTS-exports.md
    python benchmarks/exports.py --repeat 5   # best of 5 timed runs per workbook (default 3)

Target: 2,000 applications, 250 sets (of 8), 12,000 ledger entries; each workbook within
2 s and 200 MB peak. Rosters at scale: sets.xlsx for 10,000 people in 1,250 sets (one sheet
each) within 1 s, because `als select --out` writes it inside the run's time limit.

Each workbook is written in a fresh child process so the peak RSS of one does not hide
another's; tracemalloc measures Python allocations during the write.
The time is the best of several fresh processes because this machine's cores are shared:
one run beside busy processes can take twice as long.
"""
from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exports import (  # noqa: E402
    ApplicationRecord,
    FeeAccountRecord,
    LedgerEntryRecord,
    MemberRecord,
    SessionRecord,
    SetRecord,
    write_applications,
    write_fees,
    write_schedule,
    write_sets,
)

N_APPLICATIONS, N_SETS, SET_SIZE, N_LEDGER = 2_000, 250, 8, 12_000
N_ROSTER_SETS = 1_250  # 10,000 people in sets of 8: a national programme's sets.xlsx
TARGET_SECONDS = {"rosters": 1.0}  # the others: 2 s
LABELS = {"rosters": f"sets.xlsx, {N_ROSTER_SETS * SET_SIZE:,} people in {N_ROSTER_SETS:,} sets"}
SECTORS = ("public", "private", "voluntary")
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


def applications(rng: random.Random) -> list[ApplicationRecord]:
    return [
        ApplicationRecord(
            reference=f"ALS-{i:05d}", submitted_at=NOW - timedelta(minutes=rng.randint(0, 90_000)),
            status=rng.choice(["submitted", "eligible", "offered", "waiting"]),
            full_name=f"Applicant {i}", email=f"person{i}@example.org", phone="0191 000 0000",
            organisation=f"Organisation {i % 700}", sector=SECTORS[i % 3],
            job_title="Director of Services",
            offer="Twenty years of leading change in public services. " * 8,
            expectations="Peer support and new perspectives on hard problems. " * 8,
            slots=["Newcastle Tue am", "Newcastle Thu pm"], late=i % 50 == 0,
            note_words=rng.randint(300, 900), note_kind="upload", payer="organisation",
            score_average=rng.choice([None, 3.5, 4.0]),
        )
        for i in range(N_APPLICATIONS)
    ]


def sets(n_sets: int = N_SETS) -> list[SetRecord]:
    return [
        SetRecord(f"Set {s + 1}", "Newcastle Tue am", [
            MemberRecord(f"ALS-{s * SET_SIZE + m:05d}", f"Member {s}-{m}", f"m{s}-{m}@ex.org",
                         f"Org {s}-{m}", SECTORS[m % 3], "Chief Executive",
                         {"region": "North East", "size": "large"})
            for m in range(SET_SIZE)
        ])
        for s in range(n_sets)
    ]


def fees(rng: random.Random) -> tuple[list[FeeAccountRecord], list[LedgerEntryRecord]]:
    accounts = [
        FeeAccountRecord(f"FEE-{i:05d}", f"Set {i // SET_SIZE + 1}", f"Member {i}",
                         "organisation" if i % 2 else "person", f"Org {i}", f"PO{i}",
                         f"finance{i}@ex.org", date(2025, 9, 1), 30_000, f"ALS-{i:05d}")
        for i in range(N_SETS * SET_SIZE)
    ]
    entries = []
    for i in range(N_LEDGER):
        acct = accounts[i % len(accounts)].account_ref
        kind = ("charge", "payment", "payment", "refund", "waiver")[i // len(accounts) % 5]
        amount = {"charge": 30_000, "payment": -10_000, "refund": 2_500, "waiver": -5_000}[kind]
        entries.append(LedgerEntryRecord(acct, date(2025, 7, 1) + timedelta(days=i % 90), kind,
                                         amount, "BACS", f"TX{i}", "", "finance@ex.org"))
    return accounts, entries


def schedule() -> list[SessionRecord]:
    return [
        SessionRecord(f"Set {s + 1}", date(2025, 10, 1) + timedelta(days=30 * n), n + 1,
                      "session", clock(10), clock(13), "Newcastle Civic Centre",
                      [f"Member {s}-{n}"], "Actions from last session")
        for s in range(N_SETS) for n in range(6)
    ]


def _job(name: str) -> tuple[Any, tuple[Any, ...]]:
    """The writer for ``name`` and its arguments, built from the same seeded data every time."""
    rng = random.Random(1)
    return {
        "applications": lambda: (write_applications, (applications(rng),)),
        "sets": lambda: (write_sets, (sets(),)),
        "rosters": lambda: (write_sets, (sets(N_ROSTER_SETS),)),
        "fees": lambda: (write_fees, fees(rng)),
        "schedule": lambda: (write_schedule, (schedule(),)),
    }[name]()


def _write(name: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    fn, args = _job(name)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    buf = io.BytesIO()
    tracemalloc.start()
    fn(*args, buf, generated_at=NOW)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((traced_peak / 2**20, rss / 1024, rss_before / 1024, len(buf.getvalue()) / 1024))


def _write_untraced_time(name: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """Wall time without tracemalloc (which slows allocation-heavy code a lot: fees.xlsx takes
    about 6 s traced against 1.4 s untraced, so a traced run's time is not reported)."""
    fn, args = _job(name)
    start = time.perf_counter()
    fn(*args, io.BytesIO(), generated_at=NOW)
    queue.put(time.perf_counter() - start)


def _in_child(target: Any, name: str) -> Any:
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=target, args=(name, q))
    p.start()
    result = q.get()
    p.join()
    return result


def _notes(results: Path) -> str:
    """The written notes below the table (each a "## " section): a new run keeps them."""
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    start = old.find("\n## ")
    return old[start:] if start >= 0 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per workbook, each in a fresh process; the best counts")
    repeat = max(1, parser.parse_args().repeat)
    load = os.getloadavg()[0]
    lines = [
        "# Export benchmarks",
        "",
        f"Run {datetime.now().strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, "
        f"{os.cpu_count()} cores (load average {load:.1f} at the start), "
        f"Python {platform.python_version()}, {platform.system()}, "
        f"openpyxl {openpyxl.__version__} ({'with' if openpyxl.LXML else 'without'} lxml; "
        "lxml comes with python-docx, a project dependency; without it fees.xlsx took 1.6 s here).",
        f"Data: {N_APPLICATIONS:,} applications; {N_SETS} sets of {SET_SIZE}; "
        f"{N_SETS * SET_SIZE:,} fee accounts with {N_LEDGER:,} ledger entries; "
        f"{N_SETS * 6:,} sessions. Target: each workbook < 2 s and < 200 MB peak. Rosters at scale: "
        f"sets.xlsx for {N_ROSTER_SETS * SET_SIZE:,} people in {N_ROSTER_SETS:,} sets of {SET_SIZE} "
        "(one sheet each) < 1 s, as `als select --out` writes it within the run's time limit.",
        "",
        f"Each workbook is written to memory in its own fresh process. *Time* is the best of {repeat} "
        "runs without tracemalloc (*runs* lists them all; other work shares the cores); *traced peak* "
        "is Python allocations during the write, in MB (not seconds); *max RSS* is the whole process "
        "(interpreter + openpyxl + test data + workbook).",
        "",
        "| workbook | time (s) | runs (s) | traced peak (MB) | max RSS (MB) | RSS before write (MB) "
        "| size (KB) | within target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in ("applications", "sets", "fees", "schedule", "rosters"):
        runs = [_in_child(_write_untraced_time, name) for _ in range(repeat)]
        traced, rss, rss_before, size = _in_child(_write, name)
        seconds = min(runs)
        ok = "yes" if seconds < TARGET_SECONDS.get(name, 2) and rss < 200 else "NO"
        lines.append(f"| {LABELS.get(name, f'{name}.xlsx')} | {seconds:.2f} | {' / '.join(f'{r:.2f}' for r in runs)} | "
                     f"{traced:.1f} | {rss:.0f} | {rss_before:.0f} | {size:,.0f} | {ok} |")
        print(lines[-1], flush=True)
    out = Path(__file__).with_name("RESULTS-exports.md")
    out.write_text("\n".join(lines) + "\n" + _notes(out), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

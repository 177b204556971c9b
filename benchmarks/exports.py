"""Time and peak memory of every export at the target size.

    python benchmarks/exports.py            # prints and writes benchmarks/RESULTS-exports.md

Target: 2,000 applications, 250 sets (of 8), 12,000 ledger entries; each workbook within
2 s and 200 MB peak. Each workbook is written in a fresh child process so the peak RSS of
one does not hide another's; tracemalloc measures Python allocations during the write.
"""
from __future__ import annotations

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


def sets() -> list[SetRecord]:
    return [
        SetRecord(f"Set {s + 1}", "Newcastle Tue am", [
            MemberRecord(f"ALS-{s * SET_SIZE + m:05d}", f"Member {s}-{m}", f"m{s}-{m}@ex.org",
                         f"Org {s}-{m}", SECTORS[m % 3], "Chief Executive",
                         {"region": "North East", "size": "large"})
            for m in range(SET_SIZE)
        ])
        for s in range(N_SETS)
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


def _write(name: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    rng = random.Random(1)
    build = {
        "applications": lambda: (write_applications, (applications(rng),)),
        "sets": lambda: (write_sets, (sets(),)),
        "fees": lambda: (write_fees, fees(rng)),
        "schedule": lambda: (write_schedule, (schedule(),)),
    }[name]
    fn, args = build()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    buf = io.BytesIO()
    tracemalloc.start()
    start = time.perf_counter()
    fn(*args, buf, generated_at=NOW)
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((name, seconds, traced_peak / 2**20, rss / 1024, rss_before / 1024,
               len(buf.getvalue()) / 1024))


def _write_untraced_time(name: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """Wall time without tracemalloc (which slows allocation-heavy code a lot)."""
    rng = random.Random(1)
    fn, args = {
        "applications": lambda: (write_applications, (applications(rng),)),
        "sets": lambda: (write_sets, (sets(),)),
        "fees": lambda: (write_fees, fees(rng)),
        "schedule": lambda: (write_schedule, (schedule(),)),
    }[name]()
    start = time.perf_counter()
    fn(*args, io.BytesIO(), generated_at=NOW)
    queue.put(time.perf_counter() - start)


def main() -> None:
    ctx = mp.get_context("spawn")
    lines = [
        "# Export benchmarks",
        "",
        f"Run {datetime.now().strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}, "
        f"openpyxl {openpyxl.__version__} ({'with' if openpyxl.LXML else 'without'} lxml; "
        "lxml comes with python-docx, a project dependency; without it fees.xlsx took 1.6 s here).",
        f"Data: {N_APPLICATIONS:,} applications; {N_SETS} sets of {SET_SIZE}; "
        f"{N_SETS * SET_SIZE:,} fee accounts with {N_LEDGER:,} ledger entries; "
        f"{N_SETS * 6:,} sessions. Target: each workbook < 2 s and < 200 MB peak.",
        "",
        "Each workbook is written to memory in its own fresh process. *Time* is without "
        "tracemalloc; *traced peak* is Python allocations during the write; *max RSS* is the "
        "whole process (interpreter + openpyxl + test data + workbook).",
        "",
        "| workbook | time (s) | traced peak (MB) | max RSS (MB) | RSS before write (MB) "
        "| size (KB) | within target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in ("applications", "sets", "fees", "schedule"):
        q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        p = ctx.Process(target=_write_untraced_time, args=(name, q))
        p.start()
        seconds = q.get()
        p.join()
        p = ctx.Process(target=_write, args=(name, q))
        p.start()
        _, _, traced, rss, rss_before, size = q.get()
        p.join()
        ok = "yes" if seconds < 2 and rss < 200 else "NO"
        lines.append(f"| {name}.xlsx | {seconds:.2f} | {traced:.1f} | {rss:.0f} | "
                     f"{rss_before:.0f} | {size:,.0f} | {ok} |")
        print(lines[-1], flush=True)
    out = Path(__file__).with_name("RESULTS-exports.md")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

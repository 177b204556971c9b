"""Time and memory of refusing (or safely reading) hostile files.

    python benchmarks/hostile_files.py      # prints and writes benchmarks/RESULTS-hostile.md

The files are generated (tests/exports/hostile.py): a .docx and an .xlsx of 2.5 MB whose zip
directory says a part is 1 KB while it inflates to 2.5 GB; a 5 KB .xlsx whose <dimension> claims
A1:XFD1048576; the densest workbook still under the cell limit, and one just over it. Before this
work the .docx bomb cost 2.3 GB and 6.6 s (three at once 4.2 GB) and the dimension bomb 49.6 s and
2.7 GB. Target: each ends (a clear refusal, or the rows it really has) within 2 s, with less than
100 MB of memory beyond the interpreter's. Each case runs in a fresh process, twice: once for the
time (without tracemalloc, which slows allocation-heavy code) and once for the memory.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import sys
import threading
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_SECONDS, TARGET_MB = 2.0, 100.0


def _cases() -> dict[str, tuple[Callable[[], bytes], Callable[[bytes], str]]]:
    from app.applications.notes import NoteRejected, check_note
    from exports import SpreadsheetRefused, read_applications, read_payments
    from exports._tabular import MAX_CELLS
    from tests.exports.hostile import docx_bomb, xlsx_bomb, xlsx_with_dimension, xlsx_with_rows

    def note(data: bytes) -> str:
        try:
            check_note(data, 5 * 1024 * 1024, 1000)
        except NoteRejected as refused:
            return str(refused)
        return "accepted"

    def three_notes_at_once(data: bytes) -> str:
        answers: list[str] = []
        threads = [threading.Thread(target=lambda: answers.append(note(data))) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return answers[0]

    def sheet(reader: Callable[[bytes], Any]) -> Callable[[bytes], str]:
        def read(data: bytes) -> str:
            try:
                result = reader(data)
            except SpreadsheetRefused as refused:
                return str(refused)
            return f"read {len(result.rows)} row(s), {len(result.errors)} error(s)"
        return read

    payments_header = ["date", "reference", "amount"]
    wide_rows = MAX_CELLS // 16_384
    return {
        ".docx zip bomb (note upload)": (lambda: docx_bomb(2500), note),
        "three .docx zip bombs at once": (lambda: docx_bomb(2500), three_notes_at_once),
        ".xlsx zip bomb (payments import)": (lambda: xlsx_bomb(2500), sheet(read_payments)),
        ".xlsx claiming A1:XFD1048576 (payments import)": (
            lambda: xlsx_with_dimension([payments_header, ["30/10/2026", "ALS-0001", 300]]), sheet(read_payments)),
        ".xlsx claiming A1:XFD1048576 (applications import)": (
            lambda: xlsx_with_dimension([["name", "email", "organisation", "sector"],
                                         ["Ada", "ada@example.org", "Acme", "private"]]), sheet(read_applications)),
        f".xlsx {wide_rows} rows × 16,384 cells (just under the cell limit)": (
            lambda: xlsx_with_rows(wide_rows - 1, payments_header, [1] * 16_384), sheet(read_payments)),
        f".xlsx {wide_rows + 1} rows × 16,384 cells (over the cell limit)": (
            lambda: xlsx_with_rows(wide_rows + 1, payments_header, [1] * 16_384), sheet(read_payments)),
    }


def _run(name: str, traced: bool, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    build, check = _cases()[name]
    data = build()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    outcome = check(data)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    if traced:
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((seconds, peak, rss / 1024, rss_before / 1024, len(data) / 1024, outcome))


def _measure(ctx: Any, name: str, traced: bool) -> tuple[float, float, float, float, float, str]:
    queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    process = ctx.Process(target=_run, args=(name, traced, queue))
    process.start()
    result = queue.get()
    process.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    ctx = mp.get_context("spawn")
    lines = [
        "# Hostile files",
        "",
        f"Run {datetime.now().strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Target: each within {TARGET_SECONDS:.0f} s and "
        f"{TARGET_MB:.0f} MB beyond the interpreter. *Time* is without tracemalloc; *traced peak* is Python "
        "allocations while checking; *RSS growth* is the process's peak RSS minus its RSS before checking "
        "(the file itself is built before).",
        "",
        "| file | size (KB) | time (s) | traced peak (MB) | RSS growth (MB) | outcome | within target |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for name in _cases():
        seconds, _, _, _, size, outcome = _measure(ctx, name, traced=False)
        _, peak, rss, rss_before, _, _ = _measure(ctx, name, traced=True)
        growth = rss - rss_before
        ok = "yes" if seconds < TARGET_SECONDS and max(peak, growth) < TARGET_MB else "NO"
        outcome = outcome.split(":")[0]  # the message up to its advice
        lines.append(f"| {name} | {size:,.0f} | {seconds:.2f} | {peak:.1f} | {growth:.0f} | {outcome} | {ok} |")
        print(lines[-1], flush=True)
    out = Path(__file__).with_name("RESULTS-hostile.md")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

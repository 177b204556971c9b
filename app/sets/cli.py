"""`als select` and `als import-applications`.

`als select --input FILE` runs without a server or database (and without a SECRET_KEY): it reads
the file, forms sets and prints or writes the result. Without --input it uses the eligible
applications in the database and saves the run as the selection page does.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import click
from flask.cli import ScriptInfo

from exports import MemberRecord, SetRecord, SpreadsheetRefused, read_applications, read_candidates, write_sets
from app.sets.service import form_sets_safely
from app.sets.wording import counted, is_are
from selection.advice import MAX_TIME_LIMIT
from selection import Candidate, Rules, SelectionResult
from selection.serialise import as_written


STILL_OPEN = ("Applications are still open: add --before-deadline to offer places now, knowing that people who "
              "apply later will not be in these sets.")


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Solvers print banners straight to file descriptor 1; keep --json output clean."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


#: the most start-up time counted against --time-limit
STARTUP_SECONDS = 3.0


def process_started() -> float:
    """When this process started, as a time.monotonic() reading: the time limit then covers
    starting Python and loading the app too (about a second), not only the solving. Linux tells
    it in /proc; elsewhere (or if the answer looks wrong) it is now."""
    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            # the command name (field 2) may hold spaces: count fields after its closing ")"
            fields = fh.read().rsplit(")", 1)[1].split()
        ticks = int(fields[19])   # field 22: start time in clock ticks after boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, AttributeError):
        return now
    # Start-up takes a second or two; an older process is not a fresh `als` (a test runner, a
    # shell that imported the app long ago): then only this command's own time counts.
    return now - age if 0 <= age < STARTUP_SECONDS else now


def writing_reserve(people: int, workbook: bool, time_limit: float) -> float:
    """Seconds of the time limit kept back from the optimiser for writing the answer, so that
    `als select` ends within its limit: the rosters workbook (a sheet per set) takes 0.36 s for
    10,000 people on a 2-core machine (benchmarks/exports.py); this keeps twice that. Never more
    than half the limit: without sets there is little to write."""
    seconds = 0.2 + (0.00007 * people if workbook else 0.0)
    return min(seconds, time_limit / 2)


def candidates_from_file(path: str, balance: tuple[str, ...]) -> tuple[list[Candidate], dict[str, MemberRecord]]:
    try:
        sheet = read_candidates(path)
    except SpreadsheetRefused as refused:
        raise click.ClickException(f"{path}: {refused}") from refused
    errors = [f"row {error.row}: {error.message}" for error in sheet.errors]
    known = set().union(*(row.attributes.keys() for row in sheet.rows)) if sheet.rows else set()
    errors += [f"--balance {column}: no such column in {path}" for column in balance if column not in known]
    if errors:
        raise click.ClickException(f"{path} has {len(errors)} problem(s):\n  " + "\n  ".join(errors))
    candidates = [
        Candidate(id=row.id, organisation=row.organisation, sector=row.sector, slots=tuple(row.availability),
                  priority=as_written(row.priority), previous_set=row.previous_set,
                  attributes={k: v for k, v in row.attributes.items() if k in balance}, name=row.name)
        for row in sheet.rows
    ]
    members = {row.id: MemberRecord(reference=row.id, full_name=row.name, email=row.email, organisation=row.organisation,
                                    sector=row.sector, attributes=dict(row.attributes)) for row in sheet.rows}
    return candidates, members


def describe(result: SelectionResult, names: dict[str, str]) -> str:
    status = {"optimal": "proven optimal", "feasible": "feasible, not proven optimal",
              "infeasible": "infeasible: the rules cannot all hold", "timed_out": "no solution within the time limit"}
    lines = [f"Status: {status[result.status]}" + (f" (gap {result.gap:.1%})" if result.gap else ""),
             f"Placed {result.placed} of {result.placed + len(result.unplaced)} in {len(result.sets)} sets "
             f"in {result.seconds:.2f} s ({result.solver}, seed {result.seed})"]
    if result.bound is not None and result.bound > result.placed:
        lines.append(f"No arrangement places more than {result.bound}.")
    for formed in result.sets:
        lines.append(f"\n{formed.name}: {formed.slot} ({len(formed.members)})")
        lines += [f"  {member}  {names.get(member, '')}" for member in formed.members]
        lines += [f"  ! {problem}" for problem in formed.scorecard.broken]
    if result.unplaced:
        lines.append("\nLeft out:")
        lines += [f"  {u.id}  {names.get(u.id, '')}: {u.reason}" for u in result.unplaced]
    if result.explanation:
        lines.append("\nWhy:")
        lines += [f"  - {line}" for line in result.explanation]
    return "\n".join(lines)


@click.command("select")
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False),
              help="CSV or XLSX of candidates; without it, the eligible applications in the database")
@click.option("--sets", type=click.IntRange(min=1), help="exact number of sets (default: as many as fit)")
@click.option("--min-size", type=click.IntRange(2, 50), help="smallest set (default 6, or the programme's)")
@click.option("--max-size", type=click.IntRange(2, 50), help="largest set (default 8, or the programme's)")
@click.option("--allow-missing-sectors", is_flag=True,
              help="allow sets without a member from each of the public, private and voluntary sectors")
@click.option("--allow-colleagues", is_flag=True, help="allow two members of a set from the same organisation")
@click.option("--time-limit", type=click.FloatRange(0.5, MAX_TIME_LIMIT), default=30.0, show_default=True,
              help="seconds for the whole command, from reading the input to writing the answer")
@click.option("--solver", type=click.Choice(["cbc", "highs"]), default="cbc", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the lottery that breaks ties")
@click.option("--balance", multiple=True, help="an input column to balance across sets; repeatable")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), help="write the rosters workbook")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--confirm", is_flag=True, help="confirm the run (database only), as the page's button does")
@click.option("--before-deadline", is_flag=True,
              help="with --confirm: offer places although applications are still open")
@click.pass_context
def select_command(ctx: click.Context, input_path, sets, min_size, max_size, allow_missing_sectors,  # type: ignore[no-untyped-def]
                   allow_colleagues, time_limit, solver, seed, balance, out_path, as_json, confirm,
                   before_deadline) -> None:
    """Form balanced sets from a file or from the database."""
    started = process_started()   # the time limit covers the whole command, start-up included
    if input_path and confirm:
        raise click.UsageError("--confirm works on the database; leave out --input")
    rules = Rules(min_size=min_size or 6, max_size=max_size or 8, sets=sets, time_limit=time_limit, seed=seed,
                  solver=solver, balance={column: 1.0 for column in balance},
                  require_all_sectors=not allow_missing_sectors, separate_organisations=not allow_colleagues)
    if rules.min_size > rules.max_size:
        raise click.UsageError("--min-size must not be larger than --max-size")
    if input_path:
        candidates, members = candidates_from_file(input_path, balance)
        with stdout_to_stderr():
            result, error = form_sets_safely(candidates, rules, started=started,
                                             reserve=writing_reserve(len(candidates), bool(out_path), time_limit))
        if error is not None:   # the full text is for a bug report; the JSON and the explanation come out anyway
            click.echo(f"The optimiser stopped with an error: {error.splitlines()[0]}", err=True)
        records = [SetRecord(name=s.name, slot=s.slot, members=[members[m] for m in s.members]) for s in result.sets]
        names = {key: member.full_name for key, member in members.items()}
        _report(result, records, names, out_path, as_json)
        return
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        _select_from_database(rules, min_size, max_size, out_path, as_json, confirm, before_deadline, started)


def _select_from_database(rules: Rules, min_size, max_size, out_path, as_json, confirm,  # type: ignore[no-untyped-def]
                          before_deadline, started: float) -> None:
    from app.extensions import db
    from app.programmes import current_programme
    from app.sets.export import set_records
    from app.sets.service import ConfirmRefused, StillOpen, confirm as confirm_run, default_rules, execute_run, pool, start_run

    from app.clock import utcnow
    from app.models import LearningSet
    from sqlalchemy import select

    programme = current_programme()
    if programme is None:
        raise click.ClickException("There is no programme yet: run `als programme` first.")
    if db.session.scalars(select(LearningSet.id).where(LearningSet.programme_id == programme.id)).first():
        raise click.ClickException("The sets are confirmed already, so no new run is formed: to offer places "
                                   "that fall free to people on the waiting list, run `als sets refill`.")
    if confirm and not before_deadline and programme.is_open(utcnow()):
        raise click.ClickException(STILL_OPEN)
    if confirm and not pool(programme):
        raise click.ClickException("There are no eligible applications, so there is nothing to confirm: mark "
                                   "applications eligible first, then run the selection again.")
    defaults = default_rules(programme)
    rules.min_size, rules.max_size = min_size or defaults.min_size, max_size or defaults.max_size
    rules.slots = defaults.slots
    run = start_run(programme, rules, by="cli")
    db.session.commit()
    with stdout_to_stderr():
        execute_run(run.id, started=started,
                    reserve=writing_reserve(len(run.candidates), bool(out_path), rules.time_limit))
    db.session.refresh(run)
    if run.result is None:
        # not the optimiser (that still gives an answer) but the app: the full error is kept on the run
        raise click.ClickException(f"Run {run.id} failed: {(run.error or 'unknown error').splitlines()[0]}")
    result = _result_from(run)
    records = set_records(run)
    names = {c["id"]: c.get("name", "") for c in run.candidates}
    _report(result, records, names, out_path, as_json, run_id=run.id)
    if confirm:
        try:
            confirmation = confirm_run(run, by="cli", before_deadline=before_deadline)
        except StillOpen as refused:
            db.session.rollback()
            raise click.ClickException(STILL_OPEN) from refused
        except ConfirmRefused as refused:
            db.session.rollback()
            raise click.ClickException(f"{refused}.") from refused
        db.session.commit()
        counts = confirmation.counts
        click.echo(f"Confirmed run {run.id}: {counts['selected']} selected, {counts['waiting_list']} on the waiting "
                   f"list, {counts['not_selected']} not selected; emails queued.", err=as_json)
        if confirmation.left_out:
            left = len(confirmation.left_out)
            click.echo(f"{counted(left, 'applicant')} {is_are(left)} left out and sent nothing:", err=as_json)
            for person in confirmation.left_out:
                click.echo(f"  {person.reference}  {person.name}: {person.why}", err=as_json)


def _result_from(run) -> SelectionResult:  # type: ignore[no-untyped-def]
    from selection.types import FormedSet, Scorecard, Unplaced

    data = run.result
    sets = [FormedSet(s["name"], s["slot"], list(s["members"]), Scorecard(**s["scorecard"])) for s in data["sets"]]
    return SelectionResult(status=data["status"], gap=data["gap"], seconds=data["seconds"], seed=data["seed"],
                           solver=data["solver"], sets=sets,
                           unplaced=[Unplaced(u["id"], u["reason"]) for u in data["unplaced"]],
                           explanation=list(data["explanation"]), lottery=dict(data["lottery"]),
                           bound=data.get("bound"), unfinished=list(data.get("unfinished") or []))


def _report(result: SelectionResult, records: list[SetRecord], names: dict[str, str], out_path: str | None,
            as_json: bool, run_id: int | None = None) -> None:
    if out_path:
        write_sets(records, Path(out_path), generated_at=datetime.now(timezone.utc), title="Sets")
    if as_json:
        data = result.to_dict()
        payload = {
            "status": data["status"], "gap": data["gap"], "seconds": data["seconds"],
            "sets": [{"name": s["name"], "slot": s["slot"], "members": s["members"]} for s in data["sets"]],
            "unplaced": data["unplaced"], "explanation": data["explanation"],
            "bound": data["bound"], "unfinished": data["unfinished"],
        }
        if run_id is not None:
            payload["run"] = run_id
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    if run_id is not None:
        click.echo(f"Saved as run {run_id}.")
    click.echo(describe(result, names))
    if out_path:
        click.echo(f"\nWrote {out_path}")


@click.command("import-applications")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="check the file and report, but save nothing")
@click.pass_context
def import_applications_command(ctx: click.Context, path: str, dry_run: bool) -> None:
    """Load applications received outside the form (CSV or XLSX). All rows or none are saved."""
    try:
        sheet = read_applications(path)
    except SpreadsheetRefused as refused:
        raise click.ClickException(f"{path}: {refused}") from refused
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        from app.applications.importing import import_rows

        report = import_rows(sheet.rows, sheet.errors, dry_run=dry_run)
    for line in report.problems:
        click.echo(line, err=True)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {path}; nothing was imported.")
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {report.imported} application(s); {len(report.skipped)} already in the database.")
    for line in report.skipped:
        click.echo(f"  skipped {line}")


@click.group("sets")
def sets_group() -> None:
    """The confirmed sets."""


@sets_group.command("refill")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--confirm", is_flag=True, help="apply the proposal: offer the places and make the moves")
@click.pass_context
def refill_command(ctx: click.Context, as_json: bool, confirm: bool) -> None:
    """Propose replacements from the waiting list for every vacancy (and --confirm them)."""
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        _refill(as_json, confirm)


def _refill(as_json: bool, confirm: bool) -> None:
    from app.clock import utcnow
    from app.extensions import db
    from app.programmes import current_programme
    from app.sets.refill import apply_plan, nothing_to_do, propose, sets_of

    programme = current_programme()
    refused = ("There is no programme yet: run `als programme` first." if programme is None else
               "No sets are confirmed yet, so there is nothing to refill." if not sets_of(programme) else None)
    if refused is not None:
        if as_json:
            click.echo(json.dumps({"error": refused, "vacancies": [], "proposals": [], "explanation": [refused]},
                                  ensure_ascii=False))
            raise SystemExit(1)
        raise click.ClickException(refused)
    assert programme is not None
    with stdout_to_stderr():
        plan, applications = propose(programme)
    data = plan.to_dict()
    mentioned = {r for p in data["proposals"] for r in p["add"] + [m["person"] for m in p["moves"]]}
    mentioned |= {m["person"] for merge in data["merges"] for m in merge["moves"]}
    payload: dict = {**data, "names": {r: applications[r].full_name for r in sorted(mentioned) if r in applications}}
    applied = None
    if confirm and not nothing_to_do(plan):
        applied = apply_plan(programme, data, "cli", utcnow())
        db.session.commit()
        payload["applied"] = {"offered": applied.offered, "moved": applied.moved,
                              "removed_sets": applied.removed_sets, "skipped": applied.skipped}
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        click.echo(_describe_plan(plan, applications))
        if applied is not None:
            click.echo("\nDone:")
            for line in applied.offered + applied.moved + [f"Deleted {name}, emptied by the merge"
                                                           for name in applied.removed_sets]:
                click.echo(f"  {line}")
            for line in applied.skipped:
                click.echo(f"  not done: {line}")
        elif not nothing_to_do(plan):
            click.echo("\nNothing has been sent. Add --confirm to offer these places.")
    if applied is not None and applied.skipped:
        # A script must notice that the sets are not as the plan said.
        raise click.ClickException(f"{counted(len(applied.skipped), 'change')} in the plan could not be made "
                                   "(listed above); run `als sets refill` again to see what is left.")


def _describe_plan(plan, applications) -> str:  # type: ignore[no-untyped-def]
    from app.sets.refill import nothing_to_do

    def who(reference: str) -> str:
        application = applications.get(reference)
        if application is None:
            return reference
        return f"{reference}  {application.full_name} ({application.organisation}, {application.sector.label})"

    if nothing_to_do(plan):
        return "\n".join(plan.explanation) or "There is nothing to refill."
    lines = ["Vacancies:"] + [f"  {name}: {counted(n, 'place')}" for name, n in plan.vacancies]
    for proposal in plan.proposals:
        lines.append(f"\n{proposal.set}:")
        lines += [f"  offer  {who(r)}" for r in proposal.add]
        lines += [f"  move in from {m.from_set}  {who(m.person)}" for m in proposal.moves]
    for merge in plan.merges:
        lines.append(f"\nMerge: {merge.reason}")
        lines += [f"  {who(m.person)}: {m.from_set} to {m.to_set}" for m in merge.moves]
    if plan.explanation:
        lines.append("\nWhy:")
        lines += [f"  - {line}" for line in plan.explanation]
    return "\n".join(lines)


def init_cli(group: click.Group) -> None:
    group.add_command(select_command)
    group.add_command(import_applications_command)
    group.add_command(sets_group)

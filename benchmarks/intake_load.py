"""Load at the deadline: complete applications arriving at a fixed rate, through gunicorn.

For each database (SQLite, PostgreSQL) and each rate (applicants per second) this script

1. prepares a fresh database as the README does (`als db upgrade`, then `als programme`, which
   creates a programme open for applications with its places and times);
2. starts gunicorn exactly as "Running it for real" does
   (`gunicorn --workers 3 --bind 127.0.0.1:PORT "app:create_app()"`) with SECRET_KEY, PUBLIC_URL,
   DATABASE_URL and ALS_INSTANCE_PATH (a temporary directory) set, no mail server (emails wait in
   the outbox) and RATELIMIT_ENABLED=false: all the load comes from one address, and this measures
   the app, not the per-address limiter;
3. starts a new applicant every 1/rate seconds for --seconds, whether or not earlier ones have
   finished (open loop: a slow server does not slow the arrivals down, as at a real deadline).
   Each applicant has its own cookie jar and goes through the whole form as a browser would:
     GET  /apply               the form (CSRF token and the places and times are read from it)
     POST /apply               every answer, typed note, 1-3 places and times, the agreements -> 302
     GET  /apply/check         "Check your answers"
     POST /apply/check         submit -> 302
     GET  /apply/confirmation  the reference number
   Every step is timed on its own. An error is a response that is not 2xx/3xx, an unexpected page
   (the form shown again, a redirect elsewhere, no reference) or an exception (timeout, reset);
4. afterwards checks the database: one application per completed submission (none lost, none
   duplicated, unique references, each applicant's email once) and one confirmation email in the
   outbox per application; and collects any tracebacks from gunicorn's log.

It prints a markdown table (and writes it to --out if given).

Run from the repository, with the project's virtualenv (which has gunicorn and psycopg):

    .venv/bin/python benchmarks/intake_load.py                       # 2, 5, 10 /s, 120 s each, both databases
    .venv/bin/python benchmarks/intake_load.py --database sqlite --rates 5 --seconds 30
    .venv/bin/python benchmarks/intake_load.py --database postgresql --pg-url postgresql+psycopg://u:p@127.0.0.1/als

PostgreSQL: by default a throwaway cluster is created with initdb (trust authentication, a spare
port, the socket in a temporary directory; as root it runs as the `postgres` user via su) and is
stopped and removed at the end. With --pg-url the server given is used instead: each rate gets a new
database created beside the URL's database (the role needs CREATEDB), dropped at the end unless
--keep. Only 127.0.0.1 is contacted. No dependencies beyond the project's own.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
STEPS = (
    ("form", "GET /apply"),
    ("answers", "POST /apply"),
    ("check", "GET /apply/check"),
    ("submit", "POST /apply/check"),
    ("confirmation", "GET /apply/confirmation"),
)
TARGET_RATE = 5.0
TARGET_P95_MS = 300.0

CSRF_RE = re.compile(r'<input\b[^>]*\bname="csrf_token"[^>]*>')
VALUE_RE = re.compile(r'\bvalue="([^"]*)"')
SLOT_RE = re.compile(r'<input\b[^>]*\bname="slots"[^>]*>')
REFERENCE_RE = re.compile(r"\bALS-[2-9A-HJKMNP-Z]{5}\b")
ERROR_SUMMARY_RE = re.compile(r'class="govuk-error-summary__list".*?</ul>', re.S)
TAG_RE = re.compile(r"<[^>]+>")
TITLE_RE = re.compile(r"<title>.*?</title>", re.S)

FIRST_NAMES = ["Siobhán", "Amara", "Tomasz", "Priya", "Kwame", "Eilidh", "Zoë", "Mohammed", "Grace", "Li Wei",
               "Oluwaseun", "Anna-Maria", "Rhys", "Fatima", "Jürgen", "Chidi", "Niamh", "Arjun", "Sofía", "Ewan"]
LAST_NAMES = ["Ní Bhriain", "Okafor", "Kowalski", "Patel", "Mensah", "MacLeod", "Ward", "Hussain", "O'Neill",
              "Chen", "Adeyemi", "Schmidt", "Evans", "Khan", "Müller", "Obi", "Byrne", "Sharma", "García", "Reid"]
ORGANISATIONS = {
    "public": ["Gateshead Council", "Northumbria Healthcare NHS Trust", "Durham County Council", "Sunderland College"],
    "private": ["Sage Group", "Northern Rail Ltd", "Tyne Engineering", "Quayside Legal LLP"],
    "voluntary": ["Age UK North Tyneside", "The Toby Henderson Trust", "Groundwork North East", "Shelter Newcastle"],
}
JOB_TITLES = ["Chief Executive", "Director of Operations", "Head of Service", "Managing Director",
              "Director of Finance", "Senior Manager, Transformation"]
WORDS = ("lead team change people service community budget partnership strategy culture listen "
         "challenge support decision trust growth learning colleagues board resilience").split()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def venv_bin() -> Path:
    here = Path(sys.executable).parent
    return here if (here / "gunicorn").exists() else ROOT / ".venv" / "bin"


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------

class SQLiteDatabases:
    name = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def fresh(self, label: str) -> str:
        return f"sqlite:///{self.workdir / (label + '.sqlite3')}"

    def describe(self) -> str:
        return "SQLite (WAL) in a temporary directory"

    def close(self) -> None:
        pass


class PostgresDatabases:
    """A database per rate, on a throwaway cluster (default) or on the server of --pg-url."""

    name = "postgresql"

    def __init__(self, workdir: Path, pg_url: str | None, keep: bool) -> None:
        self.keep = keep
        self.created: list[str] = []
        self.cluster: Path | None = None
        self.as_postgres = os.geteuid() == 0
        if pg_url:
            self.base_url = _psycopg_url(pg_url)
            self.version = self._server_version()
            return
        self.cluster = workdir / "pgcluster"
        self.sockets = workdir / "pgsock"
        self.cluster.mkdir()
        self.sockets.mkdir()
        if self.as_postgres:
            shutil.chown(workdir, "postgres")  # the postgres user must reach its data directory
            shutil.chown(self.cluster, "postgres")
            shutil.chown(self.sockets, "postgres")
        self.port = spare_port()
        self._pg("initdb", "-D", str(self.cluster), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale",
                 "--no-sync")
        self._pg("pg_ctl", "-D", str(self.cluster), "-l", str(workdir / "postgres.log"), "-w", "-t", "60",
                 "-o", f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1", "start")
        self.base_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.version = self._server_version()

    def _pg(self, program: str, *args: str) -> None:
        command = [str(PG_BIN / program), *args]
        if self.as_postgres:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", subprocess.list2cmdline(command)]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{result.stdout}\n{result.stderr}")

    def _connect(self, url: str):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=10)

    def _server_version(self) -> str:
        with self._connect(self.base_url) as conn:
            return conn.execute("show server_version").fetchone()[0]

    def fresh(self, label: str) -> str:
        name = f"als_load_{label}_{secrets.token_hex(3)}".lower()
        with self._connect(self.base_url) as conn:
            conn.execute(f'create database "{name}"')
        self.created.append(name)
        parts = urllib.parse.urlsplit(self.base_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))

    def describe(self) -> str:
        where = "a throwaway cluster (initdb, trust, fsync on)" if self.cluster else "the server of --pg-url"
        return f"PostgreSQL {self.version} on {where}"

    def close(self) -> None:
        if self.cluster is not None:
            try:
                self._pg("pg_ctl", "-D", str(self.cluster), "-m", "fast", "-w", "stop")
            except RuntimeError as exc:
                log(f"stopping the cluster: {exc}")
            return
        if self.keep:
            return
        for name in self.created:
            try:
                with self._connect(self.base_url) as conn:
                    conn.execute(f'drop database if exists "{name}"')
            except Exception as exc:  # noqa: BLE001 - cleanup only; say so and go on
                log(f"could not drop {name}: {exc}")


def _psycopg_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

class Server:
    def __init__(self, database_url: str, instance: Path, workers: int) -> None:
        self.port = spare_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance / "gunicorn.log"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("MAIL_", "RATELIMIT_", "ALS_")) and key.lower() not in
               {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "database_url", "public_url", "secret_key",
                "trusted_proxies"}}
        env.update(
            SECRET_KEY=secrets.token_hex(32),
            PUBLIC_URL=self.url,
            DATABASE_URL=database_url,
            ALS_INSTANCE_PATH=str(instance),
            RATELIMIT_ENABLED="false",
        )
        self.env = env
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def prepare(self) -> str:
        """`als db upgrade` then `als programme`; returns what went wrong, or ''."""
        als = str(venv_bin() / "als")
        for command in ([als, "db", "upgrade"], [als, "programme"]):
            result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                return f"`{' '.join(command[1:])}` failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        return ""

    def start(self) -> None:
        self.log_file = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [str(venv_bin() / "gunicorn"), "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "app:create_app()"],
            cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                with _opener(CookieJar()).open(self.url + "/apply", timeout=5) as response:
                    if response.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log_path.read_text()}")
        # Let every worker import the app and open its first connection before the clock starts.
        for _ in range(self.workers * 3):
            try:
                with _opener(CookieJar()).open(self.url + "/apply", timeout=10) as response:
                    response.read()
            except (OSError, urllib.error.URLError):
                pass

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown, this process only
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()

    def problems(self) -> list[str]:
        """Tracebacks and worker trouble from gunicorn's log (emails printed to the log are skipped)."""
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        found: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("Traceback"):
                block = [line]
                i += 1
                while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i].strip()
                                          or lines[i].startswith(("Traceback", "During handling", "The above"))):
                    block.append(lines[i])
                    i += 1
                if i < len(lines):
                    block.append(lines[i])  # the exception line itself
                found.append("\n".join(block))
            elif re.search(r"\[(CRITICAL|ERROR)\]", line) or "WORKER TIMEOUT" in line:
                found.append(line)
            i += 1
        return found


# --------------------------------------------------------------------------------------------
# Applicants
# --------------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Each step is timed on its own, so redirects are followed by the applicant, not by urllib."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def _opener(jar: CookieJar) -> urllib.request.OpenerDirector:
    # An empty ProxyHandler: never send 127.0.0.1 traffic through a proxy from the environment.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar),
                                       _NoRedirect())


class StepFailed(Exception):
    pass


@dataclass
class Outcome:
    index: int
    email: str
    scheduled: float
    started: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # step -> seconds
    failed_step: str | None = None
    error: str | None = None
    submitted: bool = False  # the submit POST was answered with the redirect to the confirmation
    reference: str | None = None
    double: bool = False  # pressed submit twice (--double-submit)
    second: str | None = None  # what the second press got: "confirmation", "already applied" or an error


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _answers(rng: random.Random, email: str, csrf: str, slot_ids: list[str]) -> list[tuple[str, str]]:
    sector = rng.choice(list(ORGANISATIONS))
    note = "\n\n".join(_words(rng, rng.randint(60, 120)).capitalize() + "." for _ in range(rng.randint(2, 4)))
    fields = [
        ("csrf_token", csrf),
        ("full_name", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"),
        ("email", email),
        ("phone", f"0191 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"),
        ("organisation", rng.choice(ORGANISATIONS[sector])),
        ("sector", sector),
        ("job_title", rng.choice(JOB_TITLES)),
        ("offer", _words(rng, rng.randint(20, 80)).capitalize() + "."),
        ("expectations", _words(rng, rng.randint(20, 80)).capitalize() + "."),
        ("note_text", note),
        ("payer", rng.choice(["organisation", "self"])),
        ("agree_commitment", "y"),
        ("agree_fee", "y"),
        ("agree_chatham_house", "y"),
        ("agree_privacy", "y"),
    ]
    for slot in rng.sample(slot_ids, k=rng.randint(1, min(3, len(slot_ids)))):
        fields.append(("slots", slot))
    return fields


def _form_errors(html: str) -> str:
    """What a page says went wrong: its error summary, else its title."""
    match = ERROR_SUMMARY_RE.search(html) or TITLE_RE.search(html)
    text = TAG_RE.sub(" ", match.group(0)) if match else html[:200]
    return " ".join(text.split())[:300]


class Applicant:
    def __init__(self, base: str, outcome: Outcome, seed: int, timeout: float, double_submit: float = 0.0) -> None:
        self.base = base
        self.outcome = outcome
        self.rng = random.Random(seed)
        outcome.double = self.rng.random() < double_submit
        self.timeout = timeout
        self.opener = _opener(CookieJar())

    def _request(self, step: str, path: str, referer: str | None = None,
                 data: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """One timed request; returns (status, Location, body). Raises StepFailed on errors."""
        headers = {"User-Agent": "als-intake-load/1", "Accept": "text/html"}
        if referer:
            headers["Referer"] = self.base + referer  # same origin, as a browser sends it
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.base
        request = urllib.request.Request(self.base + path, data=body, headers=headers,
                                         method="POST" if body is not None else "GET")
        started = time.perf_counter()
        try:
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    status, location, text = response.status, "", response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as error:
                status = error.code
                location = error.headers.get("Location", "")
                text = error.read().decode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001 - timeouts, resets: all count as errors of this step
            self.outcome.timings[step] = time.perf_counter() - started
            raise StepFailed(f"{type(exc).__name__}: {exc}") from None
        self.outcome.timings[step] = time.perf_counter() - started
        if not 200 <= status < 400:
            raise StepFailed(f"HTTP {status}: {_form_errors(text)!r}")
        return status, location, text

    def _expect_redirect(self, status: int, location: str, text: str, to: str) -> None:
        if status not in (301, 302, 303) or urllib.parse.urlsplit(location).path != to:
            if status == 200:
                raise StepFailed(f"a page instead of the redirect to {to}: {_form_errors(text)}")
            raise StepFailed(f"HTTP {status} to {location!r}, expected a redirect to {to}")

    def _second_press(self, csrf: str) -> None:
        try:
            status, location, text = self._request(
                "submit_again", "/apply/check", referer="/apply/check", data=[("csrf_token", csrf)])
            if status in (302, 303) and urllib.parse.urlsplit(location).path == "/apply/confirmation":
                self.outcome.second = "confirmation"
            elif status == 200 and "already" in text.lower():
                self.outcome.second = "already applied"
            else:
                self.outcome.second = f"HTTP {status} {location}"
        except StepFailed as failure:
            self.outcome.second = f"error: {failure}"

    def run(self) -> Outcome:
        out = self.outcome
        out.started = time.monotonic()
        step = "form"
        try:
            _, _, html = self._request("form", "/apply", referer="/")
            csrf_tag = CSRF_RE.search(html)
            slot_ids = [m.group(1) for tag in SLOT_RE.findall(html) if (m := VALUE_RE.search(tag))]
            if not csrf_tag or not VALUE_RE.search(csrf_tag.group(0)) or not slot_ids:
                raise StepFailed("form without csrf_token or places and times: " + _form_errors(html))
            csrf = VALUE_RE.search(csrf_tag.group(0)).group(1)  # type: ignore[union-attr]

            step = "answers"
            status, location, text = self._request(
                "answers", "/apply", referer="/apply", data=_answers(self.rng, out.email, csrf, slot_ids))
            self._expect_redirect(status, location, text, "/apply/check")

            step = "check"
            _, _, html = self._request("check", "/apply/check", referer="/apply")
            csrf_tag = CSRF_RE.search(html)
            if not csrf_tag or "Submit application" not in html:
                raise StepFailed("check page without the submit form")
            csrf = VALUE_RE.search(csrf_tag.group(0)).group(1)  # type: ignore[union-attr]

            step = "submit"
            second = None
            if out.double:
                # A double click: the same session posts the same form twice, 0-30 ms apart; the
                # later press is the one timed and checked, as its page is the one the browser shows.
                second = threading.Thread(target=self._second_press, args=(csrf,))
                second.start()
                time.sleep(self.rng.uniform(0, 0.03))
            try:
                status, location, text = self._request(
                    "submit", "/apply/check", referer="/apply/check", data=[("csrf_token", csrf)])
            finally:
                if second is not None:
                    second.join()
            self._expect_redirect(status, location, text, "/apply/confirmation")
            out.submitted = True

            step = "confirmation"
            _, _, html = self._request("confirmation", "/apply/confirmation", referer="/apply/check")
            reference = REFERENCE_RE.search(html)
            if "Application submitted" not in html or not reference:
                raise StepFailed("confirmation page without a reference")
            out.reference = reference.group(0)
        except StepFailed as failure:
            out.failed_step, out.error = step, str(failure)
        except Exception as exc:  # noqa: BLE001 - a bug here must not stop the run silently
            out.failed_step, out.error = step, f"client {type(exc).__name__}: {exc}"
        return out


def run_load(base: str, rate: float, seconds: float, label: str, timeout: float, seed: int,
             double_submit: float = 0.0) -> tuple[list[Outcome], float]:
    """Open loop: applicant i starts at i/rate seconds, however long the others take."""
    count = int(round(rate * seconds))
    outcomes = [Outcome(index=i, email=f"load-{label}-{i:05d}@example.org", scheduled=i / rate) for i in range(count)]
    # Enough threads that a backlog never delays a start; threads are only made when needed.
    pool = ThreadPoolExecutor(max_workers=max(64, int(rate * (timeout * 5 + 10))), thread_name_prefix="applicant")
    futures = []
    t0 = time.monotonic() + 0.2
    for outcome in outcomes:
        outcome.scheduled += t0
        delay = outcome.scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(Applicant(base, outcome, seed * 1_000_003 + outcome.index, timeout, double_submit).run))
        if outcome.index and outcome.index % max(1, int(rate * 15)) == 0:
            done = sum(f.done() for f in futures)
            log(f"  {outcome.index}/{count} started, {done} finished")
    pool.shutdown(wait=True)
    return outcomes, time.monotonic() - t0


# --------------------------------------------------------------------------------------------
# Checking the database
# --------------------------------------------------------------------------------------------

def check_database(database_url: str, outcomes: list[Outcome]) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select reference, email_key from application")).all()
            emails = conn.execute(text("select to_address, template from outbox_email")).all()
            drafts = conn.execute(text(
                "select count(*) from application_draft where application_id is null")).scalar_one()
    finally:
        engine.dispose()
    ours = {o.email for o in outcomes}
    submitted = {o.email for o in outcomes if o.submitted}
    confirmed_refs = {o.reference for o in outcomes if o.reference}
    app_emails = [email for _, email in rows]
    references = [reference for reference, _ in rows]
    per_email: dict[str, int] = {}
    for email in app_emails:
        per_email[email] = per_email.get(email, 0) + 1
    confirmations = [to.strip().lower() for to, template in emails if template == "application_received"]
    per_confirmation: dict[str, int] = {}
    for to in confirmations:
        per_confirmation[to] = per_confirmation.get(to, 0) + 1
    return {
        "applications": len(rows),
        "expected": len(submitted),
        "lost": sorted(submitted - set(per_email)),  # answered "submitted" but not in the database
        "unconfirmed": sorted(set(per_email) - submitted),  # in the database but the applicant never heard
        "strangers": sorted(set(per_email) - ours),
        "duplicate_emails": sorted(e for e, n in per_email.items() if n > 1),
        "duplicate_references": len(references) - len(set(references)),
        "confirmed_references_missing": sorted(confirmed_refs - set(references)),
        "emails": len(emails),
        "confirmation_emails": len(confirmations),
        "applications_without_email": sorted(set(per_email) - set(per_confirmation)),
        "duplicate_confirmations": sorted(e for e, n in per_confirmation.items() if n > 1),
        "other_emails": len(emails) - len(confirmations),
        "other_templates": sorted({template for _, template in emails if template != "application_received"}),
        "open_drafts": drafts,
    }


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 100)))  # ceil
    return ordered[min(rank, len(ordered)) - 1]


def summarise(database: str, rate: float, outcomes: list[Outcome], elapsed: float, db_check: dict,
              problems: list[str], load: tuple[float, float]) -> dict:
    steps = {}
    for step, _label in STEPS:
        ok = [o.timings[step] * 1000 for o in outcomes if step in o.timings and o.failed_step != step]
        steps[step] = {
            "n": len(ok),
            "p50": percentile(ok, 50), "p95": percentile(ok, 95), "max": max(ok) if ok else float("nan"),
            "mean": statistics.fmean(ok) if ok else float("nan"),
            "errors": sum(1 for o in outcomes if o.failed_step == step),
        }
    errors: dict[str, int] = {}
    for o in outcomes:
        if o.error:
            key = f"{o.failed_step}: {re.sub(r'ALS-[0-9A-Z]{5}|[0-9]+', '#', o.error)[:160]}"
            errors[key] = errors.get(key, 0) + 1
    seconds: dict[str, int] = {}
    for o in outcomes:
        if o.double:
            kind = re.sub(r"[0-9]+", "#", o.second or "not sent")[:160]
            seconds[kind] = seconds.get(kind, 0) + 1
    lags = [o.started - o.scheduled for o in outcomes if o.started]
    durations = [sum(o.timings.values()) for o in outcomes if o.reference]
    return {
        "database": database,
        "rate": rate,
        "applicants": len(outcomes),
        "completed": sum(1 for o in outcomes if o.reference),
        "requests": sum(len(o.timings) for o in outcomes),
        "elapsed": elapsed,
        "steps": steps,
        "errors": sum(1 for o in outcomes if o.error),
        "error_kinds": errors,
        "double_submits": sum(1 for o in outcomes if o.double),
        "second_press": seconds,
        "start_lag_max_ms": max(lags) * 1000 if lags else 0.0,
        "journey_p95_s": percentile(durations, 95) if durations else float("nan"),
        "db": db_check,
        "server_problems": problems,
        "loadavg": load,
    }


def _ms(value: float) -> str:
    return "–" if value != value else f"{value:,.0f}"  # noqa: PLR0124 - NaN check


def _integrity(db: dict) -> tuple[str, str, bool]:
    apps = f"{db['applications']:,} / {db['expected']:,}"
    emails = f"{db['confirmation_emails']:,} / {db['applications']:,}"
    notes = []
    if db["lost"]:
        notes.append(f"{len(db['lost'])} lost")
    if db["duplicate_emails"] or db["duplicate_references"]:
        notes.append(f"{len(db['duplicate_emails'])} duplicated")
    if db["unconfirmed"]:
        notes.append(f"{len(db['unconfirmed'])} saved but the applicant was not shown the confirmation")
    if notes:
        apps += " (" + ", ".join(notes) + ")"
    email_notes = []
    if db["applications_without_email"]:
        email_notes.append(f"{len(db['applications_without_email'])} missing")
    if db["duplicate_confirmations"]:
        email_notes.append(f"{len(db['duplicate_confirmations'])} duplicated")
    if db["other_emails"]:
        email_notes.append(f"{db['other_emails']} other: {', '.join(db['other_templates'])}")
    if email_notes:
        emails += " (" + ", ".join(email_notes) + ")"
    # Nothing lost or duplicated. An application saved although the applicant's page said otherwise
    # (a timeout, or "You have already applied" after a double click) is listed, but is not a loss.
    clean = not (db["lost"] or db["duplicate_emails"] or db["duplicate_references"] or db["strangers"]
                 or db["confirmed_references_missing"] or db["applications_without_email"]
                 or db["duplicate_confirmations"]
                 or db["applications"] != db["expected"] + len(db["unconfirmed"])
                 or db["confirmation_emails"] != db["applications"])
    return apps, emails, clean


def markdown(results: list[dict]) -> str:
    head = ["database", "rate /s", "applicants", "requests"] + [label for _, label in STEPS] + [
        "errors", "applications / expected", "emails / expected"]
    lines = ["| " + " | ".join(head) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(STEPS) + "---:|---:|---:|"]
    for r in results:
        if "failure" in r:
            lines.append(f"| {r['database']} | {r['rate']:g} | – | – |" + " – |" * len(STEPS)
                         + f" {r['failure']} | – | – |")
            continue
        apps, emails, _ = _integrity(r["db"])
        cells = [r["database"], f"{r['rate']:g}", f"{r['applicants']:,}", f"{r['requests']:,}"]
        cells += [f"{_ms(s['p50'])} / {_ms(s['p95'])} / {_ms(s['max'])}" for s in r["steps"].values()]
        cells += [str(r["errors"]), apps, emails]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(results: list[dict]) -> list[str]:
    out = []
    for r in results:
        if "failure" in r:
            out.append(f"- {r['database']} at {r['rate']:g}/s: not run: {r['failure']}")
            continue
        _, _, clean = _integrity(r["db"])
        worst = max(r["steps"].items(), key=lambda item: item[1]["p95"] if item[1]["p95"] == item[1]["p95"] else 1e12)
        parts = [f"worst p95 {worst[1]['p95']:.0f} ms ({dict(STEPS)[worst[0]]})",
                 f"{r['errors']} errors", "no application or email lost or duplicated" if clean else "DATABASE CHECK FAILED",
                 f"max start lag {r['start_lag_max_ms']:.0f} ms",
                 f"load average {r['loadavg'][0]:.1f} before, {r['loadavg'][1]:.1f} after"]
        if r["rate"] == TARGET_RATE:
            met = worst[1]["p95"] <= TARGET_P95_MS and r["errors"] == 0 and clean
            parts.insert(0, "TARGET MET" if met else "TARGET MISSED")
        out.append(f"- {r['database']} at {r['rate']:g}/s: " + "; ".join(parts))
        for kind, n in sorted(r["error_kinds"].items(), key=lambda item: -item[1])[:8]:
            out.append(f"  - {n} × {kind}")
        if r["double_submits"]:
            out.append(f"  - {r['double_submits']} applicants pressed submit twice; the second press got: "
                       + "; ".join(f"{n} × {kind}" for kind, n in r["second_press"].items()))
        db = r["db"]
        for key, what in (("lost", "answered as submitted but not in the database"),
                          ("unconfirmed", "in the database but the applicant was not shown the confirmation"),
                          ("duplicate_emails", "more than one application"),
                          ("strangers", "applications this run did not make"),
                          ("confirmed_references_missing", "references shown but not in the database"),
                          ("applications_without_email", "applications without a confirmation email"),
                          ("duplicate_confirmations", "more than one confirmation email")):
            if db[key]:
                out.append(f"  - {what}: {', '.join(db[key][:5])}{' …' if len(db[key]) > 5 else ''}")
        if db["duplicate_references"]:
            out.append(f"  - duplicate references: {db['duplicate_references']}")
        if r["server_problems"]:
            out.append(f"  - gunicorn log: {len(r['server_problems'])} problem(s); first: "
                       + r["server_problems"][0].splitlines()[-1][:200])
    return out


# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[2, 5, 10], help="applicants per second")
    parser.add_argument("--seconds", type=float, default=120, help="how long each rate runs")
    parser.add_argument("--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", help="an existing PostgreSQL server (default: a throwaway cluster)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the README runs 3)")
    parser.add_argument("--timeout", type=float, default=60, help="client timeout per request, seconds")
    parser.add_argument("--double-submit", type=float, default=0.0, metavar="FRACTION",
                        help="this fraction of applicants press submit twice (a double click; the submit column "
                             "then times the later press); default 0")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    parser.add_argument("--json", type=Path, help="write every number (and server tracebacks) as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and databases")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="als-intake-"))
    log(f"working in {workdir}")
    results: list[dict] = []
    described: list[str] = []
    try:
        for database in args.database:
            try:
                databases = (SQLiteDatabases(workdir) if database == "sqlite"
                             else PostgresDatabases(workdir, args.pg_url, args.keep))
            except Exception as exc:  # noqa: BLE001
                log(f"{database}: could not set up: {exc}")
                results += [{"database": database, "rate": rate, "failure": f"set-up failed: {exc}"[:200]}
                            for rate in args.rates]
                continue
            described.append(databases.describe())
            try:
                for rate in args.rates:
                    label = f"{database}-{rate:g}".replace(".", "_")
                    instance = workdir / label
                    instance.mkdir()
                    url = databases.fresh(label.replace("-", "_"))
                    server = Server(url, instance, args.workers)
                    failure = server.prepare()
                    if failure:
                        log(f"{label}: {failure}")
                        results.append({"database": database, "rate": rate,
                                        "failure": failure.splitlines()[0] + " " + failure.strip().splitlines()[-1][:150]})
                        continue
                    log(f"{label}: gunicorn --workers {args.workers} on {server.url}, {rate:g} applicants/s "
                        f"for {args.seconds:g} s")
                    server.start()
                    try:
                        before = os.getloadavg()[0]
                        outcomes, elapsed = run_load(server.url, rate, args.seconds, label, args.timeout, args.seed,
                                                     args.double_submit)
                        after = os.getloadavg()[0]
                    finally:
                        server.stop()
                    db_check = check_database(url, outcomes)
                    result = summarise(database, rate, outcomes, elapsed, db_check, server.problems(), (before, after))
                    results.append(result)
                    print("\n".join(verdicts([result])), flush=True)
                    for problem in result["server_problems"][:3]:
                        print("    " + problem.replace("\n", "\n    "), flush=True)
            finally:
                databases.close()
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    table = markdown(results)
    notes = (f"Open-loop arrivals of complete applications (form, answers, check, submit, confirmation), "
             f"{args.seconds:g} s per rate, gunicorn --workers {args.workers}, each rate on a fresh database; "
             f"latencies in ms as p50 / p95 / max per step; " + "; ".join(described) + ".")
    report = "\n".join([notes, "", table, "", *verdicts(results)])
    print("\n" + report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    ok = all("failure" not in r and r["errors"] == 0 and _integrity(r["db"])[2] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

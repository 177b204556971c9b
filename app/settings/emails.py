"""The organiser's own wording for the emails: checked when saved, rendered in a sandbox when sent.

The standard wording is templates/email/<name>.txt (first line "Subject: ..."). An organiser's
wording, kept in the EmailTemplate table, replaces it. Their wording is rendered by Jinja's
SandboxedEnvironment: no underscore attributes, no method calls other than a few harmless ones on
text and dates, no access to the app's configuration beyond the organiser's address. A wording
that cannot be rendered is refused when saved; if one still fails when an email goes out, the
standard wording is used and the failure logged, so nobody misses an email.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import current_app
from jinja2 import FunctionLoader, StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, EmailTemplate, FeeAccount, LearningSet, Payer, Sector

SUBJECT_LIMIT = EmailTemplate.__table__.c.subject.type.length
BODY_LIMIT = 20_000

# When each email goes out, in the organiser's words.
DESCRIPTIONS = {
    "application_received": "Sent when someone submits an application, with their private link.",
    "application_changed": "Sent when someone changes their application through their private link.",
    "application_withdrawn": "Sent when someone withdraws their application, or is recorded as withdrawn.",
    "email_changed": "Sent to the old address when someone changes the email address on their application.",
    "private_link": "Sent when someone asks for a new link to their application.",
    "offer": "Sent when a person is offered a place in a set (when sets are confirmed, or from the waiting list).",
    "waiting_list": "Sent when a person is put on the waiting list.",
    "regret": "Sent when a person cannot be offered a place.",
    "respond_reminder": "Sent when a person has not yet accepted or declined their offered place.",
    "place_accepted": "Sent when a person accepts their place.",
    "place_declined": "Sent when a person declines their place, or is recorded as having declined it.",
    "set_changed": "Sent when a member is moved to another set.",
    "schedule_published": "Sent to every member of a set when its dates are sent out, with a calendar file.",
    "schedule_changed": "Sent to every member of a set when a date changes, with a new calendar file.",
    "fee_reminder": "Sent to whoever pays the fee when it is overdue and finance sends reminders.",
}
GENERIC_DESCRIPTION = "Sent by the service to the people it concerns."

# What each placeholder shows, for the editing page.
PLACEHOLDERS = {
    "application": [
        ("{{ application.full_name }}", "the person's name"),
        ("{{ application.reference }}", "their application reference, such as ALS-0042"),
        ("{{ application.organisation }}", "their organisation"),
        ("{{ application.job_title }}", "their job title"),
        ("{{ application.email }}", "their email address"),
        ("{{ application.respond_by | uk_date }}", "the date to answer an offer by"),
    ],
    "programme": [
        ("{{ programme.name }}", "the programme's name"),
        ("{{ programme.deadline | london }}", "the deadline for applications"),
        ("{{ programme.total_fee_pence | money }}", "the whole fee"),
        ("{{ programme.payment_instructions }}", "how to pay"),
    ],
    "link": [("{{ link }}", "the person's private link to their page")],
    "learning_set": [("{{ learning_set.name }}", "the set's name"),
                     ("{{ learning_set.slot_label }}", "where and when the set meets")],
    "left_set": [("{{ left_set.name }}", "the set the person left")],
    "account": [("{{ account.invoice_name }}", "who the invoice is made out to"),
                ("{{ account.due_date | uk_date }}", "the date the fee is due")],
    "balance": [("{{ balance.outstanding_pence | money }}", "what is still to pay")],
    "meetings": [("{% for meeting in meetings %}{{ meeting.name }}: {{ meeting.when }}, at {{ meeting.venue }}"
                  "{% endfor %}", "the set's meetings: name, date and time, venue (and meeting.presenters)")],
    "changes": [("{% for change in changes %}{{ change }}{% endfor %}", "the dates that changed, one a line")],
    "old_email": [("{{ old_email }}", "the email address that was replaced")],
    "config": [("{{ config.ORGANISER_EMAIL }}", "the organiser's email address")],
}
# Names every email may use, whatever its standard wording uses.
ALWAYS = ("application", "programme", "config")
SAFE_METHODS = {"upper", "lower", "title", "capitalize", "strip", "replace", "split", "join", "startswith",
                "endswith", "isoformat", "strftime", "items", "keys", "values", "get"}
BLOCKED_ATTRIBUTES = {"query", "query_class", "metadata", "registry"}


class WordingRefused(ValueError):
    """An organiser's wording that cannot be used, with the line and a message for people."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Shared pieces of wording the standard emails include, such as a set's dates.
INCLUDES = {"applications/_email_dates.txt": "the set's dates once they are sent out, or that they will follow"}


class EmailSandbox(SandboxedEnvironment):
    """Jinja's sandbox, stricter still: only a few methods of text, dates and mappings, and the
    service's own helpers for the shared pieces of wording, may be called."""

    helpers: frozenset[Any] = frozenset()

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr not in BLOCKED_ATTRIBUTES and super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        if any(obj is helper for helper in self.helpers):
            return True
        owner = getattr(obj, "__self__", None)
        return (getattr(obj, "__name__", "") in SAFE_METHODS
                and isinstance(owner, (str, date, dict)) and super().is_safe_callable(obj))


def _load_include(name: str) -> str | None:
    if name not in INCLUDES:
        return None
    return (Path(current_app.root_path).parent / "templates" / name).read_text(encoding="utf-8")


def sandbox() -> EmailSandbox:
    """Text emails: no autoescaping; the filters the standard wording uses (money, london, uk_date ...);
    the shared pieces it includes, and the service's helpers those use (never url_for or config)."""
    env = EmailSandbox(autoescape=False, undefined=StrictUndefined, loader=FunctionLoader(_load_include))
    env.filters.update({name: f for name, f in current_app.jinja_env.filters.items() if name not in env.filters})
    helpers = {name: f for name, f in current_app.jinja_env.globals.items()
               if callable(f) and getattr(f, "__module__", "").startswith("app.")}
    env.globals.update(helpers)
    env.helpers = frozenset(helpers.values())
    return env


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


def email_dir() -> Path:
    return Path(current_app.root_path).parent / "templates" / "email"


def standard_names() -> list[str]:
    return sorted(path.stem for path in email_dir().glob("*.txt"))


def describe(name: str) -> str:
    return DESCRIPTIONS.get(name, GENERIC_DESCRIPTION)


def title(name: str) -> str:
    """'respond_reminder' -> 'Respond reminder'."""
    return name.replace("_", " ").capitalize()


def standard_wording(name: str) -> Wording:
    source = (email_dir() / f"{name}.txt").read_text(encoding="utf-8")
    first, _, body = source.lstrip().partition("\n")
    return Wording(subject=first.removeprefix("Subject:").strip(), body=body.strip("\n"))


def custom_wording(name: str) -> EmailTemplate | None:
    return db.session.get(EmailTemplate, name)


def allowed_names(name: str) -> set[str]:
    """Placeholders an email may use: those its standard wording uses, and the person and programme."""
    env = sandbox()
    standard = standard_wording(name)
    used = meta.find_undeclared_variables(env.parse(standard.subject + "\n" + standard.body))
    return set(used) | set(ALWAYS)


def placeholders(name: str) -> list[tuple[str, str]]:
    names = allowed_names(name)
    standard = standard_wording(name)
    included = [node.template.value for node in sandbox().parse(standard.body).find_all(nodes.Include)
                if isinstance(node.template, nodes.Const)]
    return ([item for key, items in PLACEHOLDERS.items() if key in names for item in items]
            + [(f"{{{{ {key} }}}}", "as in the standard wording") for key in sorted(names - set(PLACEHOLDERS))]
            + [(f'{{% include "{path}" %}}', INCLUDES[path]) for path in included if path in INCLUDES])


def _sample(model: type, **values: Any) -> SimpleNamespace:
    """A stand-in for a database row with every column (None unless given), never saved."""
    fields = {column.key: None for column in model.__table__.columns}  # type: ignore[attr-defined]
    return SimpleNamespace(**{**fields, **values})


def sample_context(name: str) -> dict[str, Any]:
    """A made-up person, with everything any email is given, for checking and previewing wording."""
    from app.finance.ledger import Balance
    from app.programmes import current_programme
    from app.schedule.service import MeetingLine

    now = utcnow()
    programme = current_programme()
    total = programme.total_fee_pence if programme else 30_000
    slot = programme.slots[0].label if programme and programme.slots else "Durham, Wednesday mornings"
    respond_by = (now + timedelta(days=programme.respond_days if programme else 14)).date()
    learning_set = _sample(LearningSet, name="Set 3", slot_label=slot)
    application = _sample(
        Application, reference="ALS-0042", full_name="Sam Taylor", email="sam.taylor@example.org",
        organisation="Tyne Logistics Ltd", job_title="Director of Operations", sector=Sector.PRIVATE,
        payer=Payer.SELF, status=ApplicationStatus.SELECTED, submitted_at=now, updated_at=now, offered_at=now,
        respond_by=respond_by, programme=programme, slots=[],
    )
    account = _sample(FeeAccount, invoice_name="Sam Taylor", finance_email="sam.taylor@example.org",
                      due_date=respond_by + timedelta(days=14), reference="ALS-0042", application=application)
    context: dict[str, Any] = {
        "application": application,
        "programme": programme,
        "link": f"{current_app.config.get('PUBLIC_URL', '')}/application/your-private-link",
        "learning_set": learning_set,
        "left_set": _sample(LearningSet, name="Set 5", slot_label=slot),
        "account": account,
        "balance": Balance(fee_pence=total, waived_pence=0, paid_pence=0, outstanding_pence=total),
        "meetings": [MeetingLine("Session 1", "10am to 1pm on Tuesday 12 January 2027", slot, "Sam Taylor"),
                     MeetingLine("Session 2", "10am to 1pm on Tuesday 9 February 2027", slot, "Alex Morgan")],
        "changes": ["Session 2 moves from Tuesday 9 February 2027 to Tuesday 16 February 2027"],
        "old_email": "sam.old@example.org",
        "changed": ["job_title", "organisation"],
    }
    return {key: value for key, value in context.items() if key in allowed_names(name) or key in ALWAYS}


def safe_config() -> dict[str, Any]:
    """All of the app's configuration an email may show: never secrets."""
    return {"ORGANISER_EMAIL": current_app.config.get("ORGANISER_EMAIL", ""),
            "PUBLIC_URL": current_app.config.get("PUBLIC_URL", "")}


def _line_of(error: Exception) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines else None


def _check_one(env: EmailSandbox, name: str, text: str, field: str, what: str,
               context: dict[str, Any]) -> str:
    try:
        parsed = env.parse(text)
    except TemplateSyntaxError as error:
        raise WordingRefused(f"{what}, line {error.lineno}: {error.message}", field) from None
    allowed = allowed_names(name)
    unknown = meta.find_undeclared_variables(parsed) - allowed
    if unknown:
        first = min((node for node in parsed.find_all(nodes.Name) if node.name in unknown), key=lambda n: n.lineno)
        raise WordingRefused(f"{what}, line {first.lineno}: {{{{ {first.name} }}}} is not a placeholder this email "
                             "can use", field)
    try:
        return env.from_string(text).render(**context)
    except SecurityError as error:
        line = _line_of(error)
        raise WordingRefused(f"{what}, line {line}: that is not allowed in an email ({error})", field) from None
    except UndefinedError as error:
        line = _line_of(error)
        raise WordingRefused(f"{what}, line {line}: a placeholder does not exist ({error})", field) from None
    except TemplateError as error:
        line = _line_of(error)
        raise WordingRefused(f"{what}, line {line}: {error}", field) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as error:
        line = _line_of(error)
        raise WordingRefused(f"{what}, line {line}: this cannot be shown ({error})", field) from None


def check_wording(name: str, subject: str, body: str) -> Wording:
    """Render the wording for the sample person, or raise WordingRefused saying what and where."""
    if not subject.strip():
        raise WordingRefused("Enter the subject", "subject")
    if "\n" in subject or len(subject) > SUBJECT_LIMIT:
        raise WordingRefused(f"The subject must be one line of {SUBJECT_LIMIT} characters or fewer", "subject")
    if not body.strip():
        raise WordingRefused("Enter the wording of the email", "body")
    if len(body) > BODY_LIMIT:
        raise WordingRefused(f"The wording must be {BODY_LIMIT:,} characters or fewer", "body")
    env = sandbox()
    context = {**sample_context(name), "config": safe_config()}
    rendered_subject = _check_one(env, name, subject, "subject", "Subject", context)
    rendered_body = _check_one(env, name, body, "body", "Wording", context)
    return Wording(subject=" ".join(rendered_subject.split()), body=rendered_body.strip() + "\n")


def render_custom(template: EmailTemplate, context: dict[str, Any]) -> Wording:
    """The organiser's wording for a real email. Raises whatever goes wrong (the caller falls back)."""
    env = sandbox()
    values = {**context, "config": safe_config()}
    subject = env.from_string(template.subject).render(**values)
    body = env.from_string(template.body).render(**values)
    return Wording(subject=" ".join(subject.split()), body=body.strip() + "\n")


def save_wording(name: str, subject: str, body: str, by: str) -> bool:
    """Check and keep the organiser's wording (audited). Returns whether it changed."""
    check_wording(name, subject, body)
    row = custom_wording(name)
    before = ({"subject": row.subject, "body": row.body} if row is not None
              else {"subject": standard_wording(name).subject, "body": standard_wording(name).body})
    old, new = audit.changed_fields(before, {"subject": subject, "body": body})
    if not new:
        return False
    if row is None:
        row = EmailTemplate(name=name, subject=subject, body=body, updated_at=utcnow(), updated_by=by)
        db.session.add(row)
    else:
        row.subject, row.body, row.updated_at, row.updated_by = subject, body, utcnow(), by
    audit.record(by, "settings.email_changed", f"email_template:{name}", before=old, after=new)
    return True


def reset_wording(name: str, by: str) -> bool:
    """Go back to the standard wording. Returns False if it was already in use."""
    row = custom_wording(name)
    if row is None:
        return False
    audit.record(by, "settings.email_reset", f"email_template:{name}",
                 before={"subject": row.subject, "body": row.body})
    db.session.delete(row)
    return True


def when_changed(row: EmailTemplate | None) -> datetime | None:
    return row.updated_at if row is not None else None

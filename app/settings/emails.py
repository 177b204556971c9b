"""The organiser's own wording for the emails: checked when saved, rendered in a sandbox when sent.

The standard wording is templates/email/<name>.txt (first line "Subject: ..."). An organiser's
wording, kept in the EmailTemplate table, replaces it. Their wording is rendered by Jinja's
SandboxedEnvironment: no underscore attributes, no method calls other than a few harmless ones on
text and dates, no access to the app's configuration beyond the organiser's address. A wording
that cannot be rendered is refused when saved; if one still fails when an email goes out, the
standard wording is used and the failure logged, so nobody misses an email.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import current_app
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
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
    "email_changed": "Sent to the old address when the email address on an application changes (by the person or the organiser).",
    "email_changed_new_address": "Sent to the new address, with the private link, when the organiser changes someone's email address.",
    "application_reinstated": "Sent when the organiser puts a withdrawn application back under consideration.",
    "private_link": "Sent when someone asks for a new link to their application.",
    "offer": "Sent when a person is offered a place in a set (when sets are confirmed, or from the waiting list).",
    "waiting_list": "Sent when a person is put on the waiting list.",
    "regret": "Sent when a person cannot be offered a place.",
    "respond_reminder": "Sent when a person has not yet accepted or declined their offered place.",
    "place_accepted": "Sent when a person accepts their place.",
    "place_declined": "Sent when a person declines their place, or is recorded as having declined it.",
    "set_changed": "Sent when a member is moved to another set.",
    "schedule_published": "Sent to every member of a set when its dates are sent out, with a calendar file.",
    "schedule_changed": "Sent to every member of a set when a date, or who presents, changes after the dates were sent out, with a new calendar file.",
    "fee_reminder": "Sent to whoever pays the fee when it is overdue and finance sends reminders.",
}
GENERIC_DESCRIPTION = "Sent by the service to the people it concerns."

# What each placeholder shows, for the editing page.
PLACEHOLDERS = {
    "application": [
        ("{{ application.full_name }}", "the person's name"),
        ("{{ application.reference }}", "their application reference, such as ALS-7KQ2M"),
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
# The attributes of each placeholder that wording may use: those documented above and a few more
# the standard wording uses (besides, each email may use whatever its own standard wording does).
# Anything else (application.access_token_hash, config.SECRET_KEY) is refused when saved and not
# shown when sent.
DOCUMENTED_ATTRIBUTES = {
    "application": {"full_name", "reference", "organisation", "job_title", "email", "respond_by", "offered_at",
                    "accepted_at", "submitted_at", "updated_at", "late", "status", "payer", "sector"},
    "programme": {"name", "deadline", "total_fee_pence", "payment_instructions", "sessions",
                  "fee_per_session_pence", "min_set_size", "max_set_size", "respond_days", "opens_at"},
    "learning_set": {"name", "slot_label"},
    "left_set": {"name", "slot_label"},
    "account": {"invoice_name", "due_date", "purchase_order", "finance_email"},
    "balance": {"outstanding_pence", "fee_pence", "paid_pence", "waived_pence"},
    "config": {"ORGANISER_EMAIL", "PUBLIC_URL"},
}
# Emails to the person that must carry their private link, and why, for the message when it is missing.
LINK_NEEDED_BECAUSE = {
    "offer": "it is how people accept or decline",
    "respond_reminder": "it is how people accept or decline",
    "application_received": "it is how people see and change their application",
    "private_link": "it is the link they asked for",
}
LINK_GENERIC_REASON = "it is how people reach their page"
SAFE_METHODS = {"upper", "lower", "title", "capitalize", "strip", "replace", "split", "join", "startswith",
                "endswith", "isoformat", "strftime", "items", "keys", "values", "get"}
BLOCKED_ATTRIBUTES = {"query", "query_class", "metadata", "registry"}
# The made-up person's reference in previews: like a real one (ALS- and five letters and digits).
SAMPLE_REFERENCE = "ALS-7KQ2M"


class WordingRefused(ValueError):
    """An organiser's wording that cannot be used, with the line and a message for people."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Sample(SimpleNamespace):
    """A made-up record for previews, standing for the placeholder named in `_placeholder`."""


def placeholder_of(obj: Any) -> str | None:
    """Which placeholder a value stands for: an application, programme, set, account or balance."""
    from app.finance.ledger import Balance
    from app.models import Programme

    if isinstance(obj, Sample):
        return str(obj.__dict__.get("_placeholder") or "") or None
    for kind, name in ((Application, "application"), (Programme, "programme"), (LearningSet, "learning_set"),
                       (FeeAccount, "account"), (Balance, "balance")):
        if isinstance(obj, kind):
            return name
    return None


class EmailSandbox(SandboxedEnvironment):
    """Jinja's sandbox, stricter still: only a few methods of text, dates and mappings, and the
    service's own helpers for the shared pieces of wording, may be called; of the records an email
    is given, only the attributes in `attributes` may be read."""

    helpers: frozenset[Any] = frozenset()
    attributes: dict[str, set[str]] | None = None  # placeholder -> attributes; None: not restricted

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in BLOCKED_ATTRIBUTES or not super().is_safe_attribute(obj, attr, value):
            return False
        placeholder = placeholder_of(obj) if self.attributes is not None else None
        if placeholder is None or self.attributes is None:
            return True
        if placeholder == "learning_set":  # a set is learning_set or left_set: both have the same attributes
            return attr in self.attributes.get("learning_set", set()) | self.attributes.get("left_set", set())
        return attr in self.attributes.get(placeholder, set())

    def is_safe_callable(self, obj: Any) -> bool:
        if any(obj is helper for helper in self.helpers):
            return True
        owner = getattr(obj, "__self__", None)
        return (getattr(obj, "__name__", "") in SAFE_METHODS
                and isinstance(owner, (str, date, dict)) and super().is_safe_callable(obj))


def sandbox(name: str | None = None) -> EmailSandbox:
    """Text emails: no autoescaping; the filters the standard wording uses (money, london, uk_date ...);
    and the service's helpers the standard wording uses (never url_for or config).
    Given the email's name, only the attributes that email may use can be read."""
    env = EmailSandbox(autoescape=False, undefined=StrictUndefined)
    if name is not None:
        env.attributes = {root: {path[1] for path in paths if len(path) > 1}
                          for root, paths in _grouped(allowed_paths(name)).items()}
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


Path_ = tuple[str, ...]


def _chain(node: nodes.Node) -> Path_ | None:
    """`application.payer.value` -> ("application", "payer", "value"); None unless it starts at a name.
    A subscript with a constant (config["SECRET_KEY"]) counts as an attribute; any other breaks the chain."""
    parts: list[str] = []
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            parts.append("[…]")
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    return (node.name, *reversed(parts))


def used_paths(parsed: nodes.Template) -> list[tuple[Path_, int]]:
    """Every placeholder path read in a template, with its line."""
    found = []
    for node in parsed.find_all((nodes.Getattr, nodes.Getitem)):
        path = _chain(node)
        if path is not None:
            found.append((path, node.lineno))
    return found


def _grouped(paths: set[Path_]) -> dict[str, set[Path_]]:
    grouped: dict[str, set[Path_]] = {}
    for path in paths:
        grouped.setdefault(path[0], set()).add(path)
    return grouped


def allowed_paths(name: str) -> set[Path_]:
    """Placeholder attributes this email may use: the documented ones, and those its standard wording uses."""
    roots = allowed_names(name)
    documented = {(root, attr) for root, attrs in DOCUMENTED_ATTRIBUTES.items() if root in roots for attr in attrs}
    standard = standard_wording(name)
    parsed = SandboxedEnvironment().parse(standard.subject + "\n" + standard.body)
    return documented | {path for path, _ in used_paths(parsed) if path[0] in roots}


def _path_refused(path: Path_, allowed: set[Path_]) -> bool:
    """A path is fine when, less any harmless method calls at its end, it leads to an allowed attribute
    (application.payer on the way to application.payer.value) or reads a plain value's own words beyond
    one (application.payer.label). The sandbox checks the records' attributes again when rendering."""
    trimmed = list(path)
    while len(trimmed) > 1 and trimmed[-1] in SAFE_METHODS:
        trimmed.pop()
    wanted = tuple(trimmed)
    if len(wanted) == 1:
        return False
    return not any(known[:len(wanted)] == wanted for known in allowed) and wanted[:2] not in allowed


def placeholders(name: str) -> list[tuple[str, str]]:
    names = allowed_names(name)
    return ([item for key, items in PLACEHOLDERS.items() if key in names for item in items]
            + [(f"{{{{ {key} }}}}", "as in the standard wording") for key in sorted(names - set(PLACEHOLDERS))])


def _sample(model: type, placeholder: str, **values: Any) -> Sample:
    """A stand-in for a database row with every column (None unless given), never saved."""
    fields = {column.key: None for column in model.__table__.columns}  # type: ignore[attr-defined]
    return Sample(**{**fields, **values, "_placeholder": placeholder})


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
    learning_set = _sample(LearningSet, "learning_set", name="Set 3", slot_label=slot)
    application = _sample(
        Application, "application", reference=SAMPLE_REFERENCE, full_name="Sam Taylor", email="sam.taylor@example.org",
        organisation="Tyne Logistics Ltd", job_title="Director of Operations", sector=Sector.PRIVATE,
        payer=Payer.SELF, status=ApplicationStatus.SELECTED, submitted_at=now, updated_at=now, offered_at=now,
        respond_by=respond_by, programme=programme, slots=[],
    )
    account = _sample(FeeAccount, "account", invoice_name="Sam Taylor", finance_email="sam.taylor@example.org",
                      due_date=respond_by + timedelta(days=14), reference=SAMPLE_REFERENCE, application=application)
    context: dict[str, Any] = {
        "application": application,
        "programme": programme,
        "link": f"{current_app.config.get('PUBLIC_URL', '')}/application/your-private-link",
        "learning_set": learning_set,
        "left_set": _sample(LearningSet, "learning_set", name="Set 5", slot_label=slot),
        "account": account,
        "balance": Balance(fee_pence=total, waived_pence=0, paid_pence=0, outstanding_pence=total),
        "meetings": [MeetingLine("Session 1", "10am to 1pm on Tuesday 12 January 2027", slot, "Sam Taylor"),
                     MeetingLine("Session 2", "10am to 1pm on Tuesday 9 February 2027", slot, "Alex Morgan")],
        "changes": ["Session 2 moves from Tuesday 9 February 2027 to Tuesday 16 February 2027"],
        "old_email": "sam.old@example.org",
        "changed": ["job_title", "organisation"],
        "by_organiser": False,
        "can_change": True,
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
    """Render one part of the wording for the sample person, or say in plain words what is wrong."""
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
    allowed_attributes = allowed_paths(name)
    for path, line in sorted(used_paths(parsed), key=lambda found: found[1]):
        if path[0] in allowed and _path_refused(path, allowed_attributes):
            raise WordingRefused(f"{what}, line {line}: {{{{ {'.'.join(path)} }}}} is not one of the placeholders "
                                 "you can use", field)
    try:
        return env.from_string(text).render(**context)
    except SecurityError as error:
        raise WordingRefused(f"{what}, line {_line_of(error)}: {_plain(error)} is not allowed in an email: use the "
                             "placeholders listed on this page", field) from None
    except UndefinedError as error:
        raise WordingRefused(f"{what}, line {_line_of(error)}: {_plain(error)} is not one of the placeholders you "
                             "can use", field) from None
    except TemplateError as error:
        raise WordingRefused(f"{what}, line {_line_of(error)}: this wording cannot be used: check it against the "
                             "standard wording", field) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as error:
        raise WordingRefused(f"{what}, line {_line_of(error)}: a placeholder here cannot be shown this way: check it "
                             "against the standard wording", field) from None


# Jinja's own messages name Python types ("'dict object' has no attribute 'SECRET_KEY'"): keep the name only.
_ATTRIBUTE = re.compile(r"attribute '([^']+)'")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined")


def _plain(error: Exception) -> str:
    """The thing an error is about, as the organiser typed it: “SECRET_KEY”, or “that”."""
    text = str(error)
    match = _ATTRIBUTE.search(text) or _UNDEFINED.search(text)
    return f"“{match.group(1)}”" if match else "that"


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
    env = sandbox(name)
    context = {**sample_context(name), "config": safe_config()}
    rendered_subject = _check_one(env, name, subject, "subject", "Subject", context)
    rendered_body = _check_one(env, name, body, "body", "Wording", context)
    return Wording(subject=" ".join(rendered_subject.split()), body=rendered_body.strip() + "\n")


def needs_link(name: str) -> bool:
    """Emails to the person whose standard wording gives their private link must keep it."""
    standard = standard_wording(name)
    parsed = SandboxedEnvironment().parse(standard.subject + "\n" + standard.body)
    return any(node.name == "link" for node in parsed.find_all(nodes.Name))


def render_custom(template: EmailTemplate, context: dict[str, Any]) -> Wording:
    """The organiser's wording for a real email. Raises whatever goes wrong (the caller falls back)."""
    env = sandbox(template.name)
    values = {**context, "config": safe_config()}
    subject = env.from_string(template.subject).render(**values)
    body = env.from_string(template.body).render(**values)
    return Wording(subject=" ".join(subject.split()), body=body.strip() + "\n")


def save_wording(name: str, subject: str, body: str, by: str) -> bool:
    """Check and keep the organiser's wording (audited). Returns whether it changed."""
    check_wording(name, subject, body)
    if needs_link(name) and "link" not in {node.name for node in sandbox().parse(subject + "\n" + body)
                                          .find_all(nodes.Name)}:
        reason = LINK_NEEDED_BECAUSE.get(name, LINK_GENERIC_REASON)
        raise WordingRefused(f"The {title(name).lower()} email must include {{{{ link }}}}: {reason}", "body")
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

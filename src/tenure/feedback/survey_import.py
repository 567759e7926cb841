"""Import answers collected elsewhere (paper, another survey tool) into a campaign.

The CSV has a header row with ``email``, ``answered_at`` and ``score`` (0–10), and
optionally ``comment`` and ``consent``. Every row is checked before anything is written;
a file with any bad row is refused whole, naming each bad line. Importing the same file
again adds nothing: a person already answered in the campaign with the same answers is
counted as unchanged, and with different answers is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone

from tenure.accounts.models import Account, Contact, Position
from tenure.core.errors import DomainError
from tenure.core.validation import validate_and_save
from tenure.feedback import selectors
from tenure.feedback.choices import InvitationSource, QuestionKind
from tenure.feedback.models import (
    TEXT_ANSWER_MAX_LENGTH,
    Campaign,
    Invitation,
    Question,
    Response,
)
from tenure.feedback.services import write_response

REQUIRED_COLUMNS = ("email", "answered_at", "score")
OPTIONAL_COLUMNS = ("comment", "consent")
CONSENT_WORDS = {
    "": False,
    "0": False,
    "n": False,
    "no": False,
    "false": False,
    "1": True,
    "y": True,
    "yes": True,
    "true": True,
}
#: How many bad lines an error message lists before "and N more".
ERRORS_SHOWN = 20


class ImportRejected(DomainError):
    """The file was refused; ``errors`` lists each problem with its line number."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:ERRORS_SHOWN]
        more = len(errors) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more" if more else "")
        super().__init__(f"nothing imported, {len(errors)} problem(s):\n{text}", field="file")
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    """What an import did: answers created, and rows that were already there."""

    created: int
    unchanged: int


@dataclass(frozen=True)
class _Row:
    line: int
    email: str
    answered_at: dt.datetime
    score: int
    comment: str
    consent: bool


def _parse_time(value: str, now: dt.datetime) -> dt.datetime:
    text = value.strip()
    if not text:
        raise ValueError("answered_at is empty")
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            # A bare date is taken as noon local time, so no time zone moves it a day.
            moment = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"answered_at {text!r} is not a date (YYYY-MM-DD[ HH:MM])") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now:
        raise ValueError(f"answered_at {text} lies in the future")
    return moment


def _parse_row(line: int, raw: dict[str | None, object], now: dt.datetime) -> _Row:
    if None in raw:
        raise ValueError("more cells than column headings")
    values = {k: str(v or "").strip() for k, v in raw.items() if k is not None}
    email = values["email"].lower()
    if "@" not in email:
        raise ValueError(f"email {values['email']!r} is not an email address")
    score_text = values["score"]
    if not score_text.isdigit() or not 0 <= int(score_text) <= 10:
        raise ValueError(f"score {score_text!r} must be a whole number from 0 to 10")
    comment = values.get("comment", "")
    if len(comment) > TEXT_ANSWER_MAX_LENGTH:
        raise ValueError(f"comment is longer than {TEXT_ANSWER_MAX_LENGTH} characters")
    consent_text = values.get("consent", "").lower()
    if consent_text not in CONSENT_WORDS:
        raise ValueError(f"consent {values.get('consent')!r} must be yes or no")
    return _Row(
        line=line,
        email=email,
        answered_at=_parse_time(values["answered_at"], now),
        score=int(score_text),
        comment=comment,
        consent=CONSENT_WORDS[consent_text],
    )


def _read(lines: Iterable[str], now: dt.datetime) -> tuple[list[_Row], list[str]]:
    reader = csv.DictReader(lines)
    headings = [h.strip().lower().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    if not headings:
        raise ImportRejected(["line 1: the file is empty (a header row is needed)"])
    missing = [c for c in REQUIRED_COLUMNS if c not in headings]
    unknown = [h for h in headings if h not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown:
        problems = [f"line 1: missing column(s) {', '.join(missing)}"] if missing else []
        problems += [f"line 1: unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise ImportRejected(problems)
    reader.fieldnames = headings
    rows, errors = [], []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if not any(str(v or "").strip() for v in raw.values()):
            continue
        try:
            row = _parse_row(line, raw, now)
        except ValueError as error:
            errors.append(f"line {line}: {error}")
            continue
        if row.email in seen:
            errors.append(f"line {line}: {row.email} already appears on line {seen[row.email]}")
            continue
        seen[row.email] = line
        rows.append(row)
    return rows, errors


def _pick_account(contact: Contact, positions: list[Position]) -> Account:
    current = [p for p in positions if p.left_on is None] or positions
    accounts = {p.account_id: p.account for p in current}
    if len(accounts) > 1:
        names = ", ".join(sorted(a.name for a in accounts.values()))
        raise ValueError(
            f"{contact.email} works at several accounts of this campaign ({names}); "
            "import into a campaign for one account"
        )
    return next(iter(accounts.values()))


@transaction.atomic
def responses_import(
    *, campaign: Campaign, lines: Iterable[str], now: dt.datetime | None = None
) -> ImportReport:
    """Import a CSV of answers into ``campaign``: all rows or none, idempotent."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_related("version").get(pk=campaign.pk)
    questions = list(campaign.version.questions.order_by("position", "id"))
    nps_question = next((q for q in questions if q.kind == QuestionKind.NPS), None)
    text_question = next((q for q in questions if q.kind == QuestionKind.TEXT), None)
    if nps_question is None:
        raise DomainError(
            f"{campaign.version} has no likelihood-to-recommend question to import scores into",
            field="campaign",
        )
    rows, errors = _read(lines, now)
    contacts = {
        c.email_lower: c
        for c in Contact.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=[r.email for r in rows]
        )
    }
    positions: dict[int, list[Position]] = {}
    for position in Position.objects.filter(
        contact__in=contacts.values(), account__in=selectors.campaign_accounts(campaign=campaign)
    ).select_related("account"):
        positions.setdefault(position.contact_id, []).append(position)
    invitations = {
        i.contact_id: i
        for i in Invitation.objects.filter(campaign=campaign).prefetch_related(
            Prefetch("response__answers")
        )
    }
    # None: the answer is already recorded, as is.
    plan: list[tuple[_Row, Contact, Account, Invitation | None, dict[Question, int | str]] | None]
    plan = []
    for row in rows:
        contact = contacts.get(row.email)
        if contact is None:
            errors.append(f"line {row.line}: no contact has the email address {row.email}")
            continue
        if row.comment and text_question is None:
            errors.append(f"line {row.line}: {campaign.version} has no open question for comments")
            continue
        invitation = invitations.get(contact.pk)
        if invitation is None and contact.pk not in positions:
            errors.append(
                f"line {row.line}: {row.email} holds no position at an account "
                "this campaign surveys"
            )
            continue
        answers: dict[Question, int | str] = {nps_question: row.score}
        if row.comment and text_question is not None:
            answers[text_question] = row.comment
        existing = getattr(invitation, "response", None) if invitation else None
        if existing is not None:
            if _same(existing, row, answers):
                plan.append(None)
            else:
                errors.append(
                    f"line {row.line}: {row.email} already answered in this campaign "
                    "with different answers"
                )
            continue
        try:
            account = (
                invitation.account if invitation else _pick_account(contact, positions[contact.pk])
            )
        except ValueError as error:
            errors.append(f"line {row.line}: {error}")
            continue
        plan.append((row, contact, account, invitation, answers))
    if errors:
        errors.sort(key=lambda e: int(e.split(":")[0].removeprefix("line ")))
        raise ImportRejected(errors)
    created = 0
    for step in plan:
        if step is None:
            continue
        row, respondent, account, invitation, answers = step
        if invitation is None:
            invitation = Invitation(
                campaign=campaign,
                contact=respondent,
                account=account,
                source=InvitationSource.IMPORT,
            )
            validate_and_save(invitation)
        invitation.campaign = campaign
        write_response(
            invitation=invitation, answers=answers, consent=row.consent, at=row.answered_at
        )
        created += 1
    return ImportReport(created=created, unchanged=len(plan) - created)


def _same(response: Response, row: _Row, answers: dict[Question, int | str]) -> bool:
    stored = {
        a.question_id: (a.score if a.score is not None else a.text) for a in response.answers.all()
    }
    wanted = {q.pk: value for q, value in answers.items()}
    return (
        stored == wanted
        and response.consent_to_share == row.consent
        and response.answered_at == row.answered_at
    )

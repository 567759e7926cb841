"""The demo's survey history: half-yearly NPS waves written through the survey import.

Answers collected outside the app take this path, so no email is sent and no link is made;
everyone a wave asks is checked against the survey budget and the one contact budget of
every channel first, as a real send would be.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from tenure.accounts.models import Account, Contact, Position
from tenure.demo.world import SurveyAnswer, SurveyWave, World, score_band
from tenure.engagement.cadence import contact_budgets
from tenure.feedback import selectors as feedback_selectors
from tenure.feedback.choices import CampaignTarget, QuestionKind
from tenure.feedback.contact_source import CHANNEL_SURVEY
from tenure.feedback.models import Campaign, SurveyTemplate
from tenure.feedback.services import (
    QuestionSpec,
    campaign_close,
    campaign_create,
    survey_template_create,
)
from tenure.feedback.survey_import import responses_import

Progress = Callable[[str], None]

#: The demo's half-yearly waves use this template (the migrations seed it): the score and
#: its reason are what the survey import carries.
SURVEY_TEMPLATE = "Net Promoter Score"
_SURVEY_QUESTIONS = (
    QuestionSpec(
        "nps",
        QuestionKind.NPS,
        "How likely is it that you would recommend us to a colleague or business partner?",
        required=True,
    ),
    QuestionSpec("nps_why", QuestionKind.TEXT, "What is the main reason for your score?"),
)


@dataclass(frozen=True)
class SurveyLoad:
    """The survey history written: campaigns, answers, and the people left out."""

    campaigns: int
    #: People asked, counted once per wave (the import records only those who answered).
    invited: int
    responses: int
    detractors: int
    #: Answers the world drew but the contact budget would not have let the wave ask for.
    over_budget: int
    #: Answers the import would file under another key account the person moved to.
    moved: int


def create_surveys(
    world: World,
    objs: list[Account],
    people: dict[int, list[tuple[Contact, str, int | None]]],
) -> SurveyLoad:
    """Each wave: one key-account campaign, one campaign per panel account, answers imported.

    A wave asks only the people the contact budgets let it ask on its sending day: the
    survey's own budget (gap and cap, checked against the earlier waves) and the one
    budget of every channel together, as a send would. Answers go through the survey
    import (validated, atomic, idempotent); campaigns close when their wave closed.
    """
    template = _survey_template()
    surveyed = [(s, a) for s, a in zip(world.accounts, objs, strict=True) if s.surveyed]
    asked_on: dict[int, list[dt.date]] = {}
    campaigns = invited = responses = detractors = over_budget = moved = 0
    for wave in world.survey_waves:
        asked = {
            (account.pk, contact): people[account.pk][contact][0]
            for spec, account in surveyed
            for number, contact in spec.survey_invitations
            if number == wave.number
        }
        allowed = _within_budget(asked, wave.sent_on, asked_on, as_of=world.config.as_of)
        invited += len(allowed)
        batches: dict[Account | None, list[tuple[Account, Contact, SurveyAnswer]]] = {}
        for spec, account in surveyed:
            for answer in spec.survey_answers:
                if answer.wave != wave.number:
                    continue
                if (account.pk, answer.contact) not in allowed:
                    over_budget += 1
                    continue
                person = people[account.pk][answer.contact][0]
                target = None if spec.is_key else account
                batches.setdefault(target, []).append((account, person, answer))
        if None in batches:
            elsewhere = _at_other_key_accounts(batches[None])
            moved += len(elsewhere)
            batches[None] = [row for row in batches[None] if row[1].pk not in elsewhere]
        for target, rows in batches.items():
            if not rows:
                continue
            campaign = _wave_campaign(wave, template, target)
            report = responses_import(
                campaign=campaign,
                lines=_answer_lines([(c, a) for _, c, a in rows]),
                now=campaign.closes_at,
            )
            campaign_close(campaign=campaign, now=campaign.closes_at)
            campaigns += 1
            responses += report.created
            detractors += sum(score_band(answer.score) == "detractor" for _, _, answer in rows)
    return SurveyLoad(
        campaigns=campaigns,
        invited=invited,
        responses=responses,
        detractors=detractors,
        over_budget=over_budget,
        moved=moved,
    )


def _survey_template() -> SurveyTemplate:
    """The seeded NPS template; made again through the service where it is missing (a test
    database flushed of what the migrations seeded)."""
    found = feedback_selectors.survey_templates_active().filter(name=SURVEY_TEMPLATE).first()
    if found is not None:
        return found
    return survey_template_create(
        name=SURVEY_TEMPLATE,
        title="How are we doing?",
        intro="Two questions, under a minute. Thank you for your time.",
        questions=_SURVEY_QUESTIONS,
    )


def _within_budget(
    asked: dict[tuple[int, int], Contact],
    day: dt.date,
    asked_on: dict[int, list[dt.date]],
    *,
    as_of: dt.date,
) -> set[tuple[int, int]]:
    """Who a wave sent on ``day`` may ask: the keys of ``asked`` both budgets allow.

    The survey budget (gap and cap, the campaign defaults) is checked against the
    earlier waves in ``asked_on``, which records the people asked; the budget of every
    channel together against the interactions on record.
    """
    budget = feedback_selectors.ContactBudget()
    overall = contact_budgets([c.pk for c in asked.values()], day, CHANNEL_SURVEY, today=as_of)
    allowed = set()
    for key, person in asked.items():
        history = asked_on.setdefault(person.pk, [])
        if overall[person.pk] and feedback_selectors.contact_budget_allows(
            contact=person, on_date=day, budget=budget, history=history
        ):
            allowed.add(key)
            history.append(day)
    return allowed


def _wave_campaign(wave: SurveyWave, template: SurveyTemplate, account: Account | None) -> Campaign:
    """The wave's campaign for the key-account list, or for one panel account."""
    zone = timezone.get_current_timezone()
    sent_at = dt.datetime.combine(wave.sent_on, dt.time(8), tzinfo=zone)
    closes_at = dt.datetime.combine(wave.closes_on, dt.time(18), tzinfo=zone)
    if account is None:
        name = f"Key-account relationship survey {wave.half_year}"
        target = CampaignTarget.KEY_ACCOUNTS
    else:
        name = f"Relationship survey {wave.half_year}: {account.name}"
        target = CampaignTarget.ACCOUNT
    return campaign_create(
        name=name,
        template=template,
        target=target,
        account=account,
        closes_at=closes_at,
        now=sent_at,
    )


def _at_other_key_accounts(rows: list[tuple[Account, Contact, SurveyAnswer]]) -> set[int]:
    """People who answered for one key account but now also or only work at another.

    The import files a key-account answer under the key account where the person works
    now, so a decision maker who left for another key account would be filed there.
    """
    current = Position.objects.filter(
        contact__in=[c for _, c, _ in rows], left_on__isnull=True, account__is_key_account=True
    ).values_list("contact_id", "account_id")
    works_at: dict[int, set[int]] = defaultdict(set)
    for contact_id, account_id in current:
        works_at[contact_id].add(account_id)
    return {c.pk for account, c, _ in rows if works_at[c.pk] - {account.pk}}


def _answer_lines(rows: list[tuple[Contact, SurveyAnswer]]) -> list[str]:
    """The rows as the survey import reads them: a CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "answered_at", "score", "comment", "consent"])
    for contact, answer in rows:
        writer.writerow(
            [
                contact.email,
                answer.answered_at.isoformat(sep=" ", timespec="minutes"),
                answer.score,
                answer.comment,
                "yes" if answer.consent else "no",
            ]
        )
    return out.getvalue().splitlines(keepends=True)

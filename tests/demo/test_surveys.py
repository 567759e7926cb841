"""The demo's survey history: seeded, half-yearly within the contact budget, and learnable.

The world knows why and when each account churns, so it can be checked that its survey
answers carry that truth the way real ones do: detractors where churn is coming.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.core import mail
from django.utils import timezone

from tenure.accounts.models import Contact
from tenure.alerts.choices import AlertRule
from tenure.alerts.services import alerts_run
from tenure.demo import names
from tenure.demo.load import load_world
from tenure.demo.surveys import (
    SURVEY_TEMPLATE,
    _answer_lines,
    _at_other_key_accounts,
    _within_budget,
)
from tenure.demo.world import (
    SURVEY_GAP_DAYS,
    SURVEY_ROLES,
    DemoConfig,
    build_world,
    score_band,
)
from tenure.feedback.choices import CampaignStatus, CampaignTarget, InvitationSource
from tenure.feedback.models import (
    Campaign,
    Invitation,
    InvitationToken,
    Response,
    SurveyTemplate,
)
from tenure.feedback.selectors import ContactBudget, contact_budget_allows
from tenure.feedback.survey_import import responses_import
from tests.accounts.factories import AccountFactory, PositionFactory
from tests.engagement.factories import InteractionFactory

# Its module-scoped fixtures are built once: on one worker (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("demo-surveys")

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def world():
    return build_world(DemoConfig(accounts=400, seed=11, as_of=AS_OF))


def _answers(world):
    return [(a, s) for a in world.accounts for s in a.survey_answers]


def test_same_seed_gives_the_same_survey_history(world):
    again = build_world(DemoConfig(accounts=400, seed=11, as_of=AS_OF))
    assert again.survey_waves == world.survey_waves
    assert [(a.surveyed, a.survey_invitations, a.survey_answers) for a in again.accounts] == [
        (a.surveyed, a.survey_invitations, a.survey_answers) for a in world.accounts
    ]
    other = build_world(DemoConfig(accounts=400, seed=12, as_of=AS_OF))
    assert [s.score for _, s in _answers(other)] != [s.score for _, s in _answers(world)]


def test_waves_come_every_27_weeks_and_the_last_answers_are_recent(world):
    waves = world.survey_waves
    assert [w.number for w in waves] == [0, 1, 2]
    assert {(b.sent_on - a.sent_on).days for a, b in pairwise(waves)} == {SURVEY_GAP_DAYS}
    assert len({w.half_year for w in waves}) == len(waves)
    # The oldest wave is a good year back; the latest closed before the as-of date.
    assert 365 < (AS_OF - waves[0].sent_on).days < 18 * 31
    assert waves[-1].closes_on < AS_OF
    for _, answer in _answers(world):
        wave = waves[answer.wave]
        assert wave.sent_on <= answer.answered_at.date() < wave.closes_on
    latest = [s for _, s in _answers(world) if s.wave == waves[-1].number]
    # Recent enough for the alert rule's 90-day look-back.
    assert latest
    assert all((AS_OF - s.answered_at.date()).days < 90 for s in latest)


def test_the_rhythm_stays_within_the_survey_budget_where_26_weeks_would_not(world):
    budget = ContactBudget()  # what a campaign uses unless told otherwise
    person = Contact(pk=1)

    def refusals(days: list[dt.date]) -> int:
        return sum(
            not contact_budget_allows(contact=person, on_date=day, budget=budget, history=days[:n])
            for n, day in enumerate(days)
        )

    assert refusals([w.sent_on for w in world.survey_waves]) == 0
    start = world.survey_waves[0].sent_on
    assert refusals([start + dt.timedelta(weeks=26 * n) for n in range(3)]) == 1


def test_only_buying_centre_people_still_at_surveyed_live_accounts_answer(world):
    key_accounts = [a for a in world.accounts if a.is_key]
    assert key_accounts
    assert all(a.surveyed for a in key_accounts)
    # Besides them, a panel from the top half by revenue.
    panel = [a for a in world.accounts if a.surveyed and not a.is_key]
    assert panel
    assert all(a.index < len(world.accounts) // 2 for a in panel)
    departed_answered = 0
    for account in world.accounts:
        if not account.surveyed:
            assert not account.survey_answers
            assert not account.survey_invitations
        left = account.decision_maker_left_month()
        invited = set(account.survey_invitations)
        for answer in account.survey_answers:
            wave = world.survey_waves[answer.wave]
            assert (answer.wave, answer.contact) in invited
            assert account.contacts[answer.contact]["role"] in SURVEY_ROLES
            assert account.churn_month is None or account.churn_month > wave.month
            if answer.contact == 0 and left is not None:
                departed_answered += 1
                assert left > wave.month
    # The rules above were met by real cases, not by an empty world.
    assert sum(not a.surveyed for a in world.accounts) > 0
    assert departed_answered > 0  # a decision maker who answered before leaving


def test_detractors_concentrate_in_accounts_that_churn_later():
    # The simulator's known truth. Few surveyed accounts churn within the survey history
    # (key accounts never do), so the world is large enough to hold a few dozen answers.
    world = build_world(DemoConfig(accounts=6000, seed=7, as_of=AS_OF))
    leaving, staying = Counter(), Counter()
    for account, answer in _answers(world):
        side = leaving if account.churn_month is not None else staying
        side[score_band(answer.score)] += 1
    assert leaving.total() >= 30
    assert staying.total() >= 1000
    leaving_share = leaving["detractor"] / leaving.total()
    staying_share = staying["detractor"] / staying.total()
    assert staying_share < 0.2
    assert leaving_share > 2.5 * staying_share
    # Customers who stay are mostly content: a B2B NPS well above zero.
    assert (staying["promoter"] - staying["detractor"]) / staying.total() > 0.15


def test_comments_come_from_their_score_band_and_some_agree_to_be_named(world):
    answers = [s for _, s in _answers(world)]
    for answer in answers:
        if answer.comment:
            assert answer.comment in names.SURVEY_COMMENTS[score_band(answer.score)]
    assert 0 < sum(bool(s.comment) for s in answers) < len(answers)
    assert 0 < sum(s.consent for s in answers) < len(answers)
    assert {score_band(s.score) for s in answers} == {"detractor", "passive", "promoter"}


def _world_answer(world, response: Response):
    """The world's account and answer behind a stored response.

    The demo writes a person's account and place in it into their email address.
    """
    local = response.invitation.contact.email.split("@")[0].split(".")
    spec, number = world.accounts[int(local[-2])], int(local[-1])
    closed = timezone.localdate(response.invitation.campaign.closes_at)
    [answer] = [
        a
        for a in spec.survey_answers
        if a.contact == number and world.survey_waves[a.wave].closes_on == closed
    ]
    return spec, answer


def _stored_responses():
    return Response.objects.select_related(
        "invitation__contact", "invitation__account", "invitation__campaign"
    ).prefetch_related("answers")


@pytest.mark.django_db
def test_loading_imports_the_answers_and_sends_no_email(tmp_path):
    world = build_world(DemoConfig(accounts=120, seed=4, as_of=AS_OF))
    result = load_world(world, home=tmp_path, progress=lambda _: None)
    surveys = result.surveys
    assert surveys.responses == Response.objects.count() > 0
    assert surveys.responses + surveys.over_budget + surveys.moved == len(_answers(world))
    assert surveys.campaigns == Campaign.objects.count()
    assert not mail.outbox
    assert not InvitationToken.objects.exists()
    assert set(Invitation.objects.values_list("source", flat=True)) == {InvitationSource.IMPORT}
    assert set(Campaign.objects.values_list("status", flat=True)) == {CampaignStatus.CLOSED}
    assert set(Campaign.objects.values_list("template__name", flat=True)) == {SURVEY_TEMPLATE}
    key_campaigns = Campaign.objects.filter(target=CampaignTarget.KEY_ACCOUNTS)
    assert key_campaigns.count() == len(world.survey_waves)

    # Every stored answer is the world's, at the world's account, in its wave's campaign.
    for response in _stored_responses():
        spec, answer = _world_answer(world, response)
        assert response.invitation.account.external_id == spec.external_id
        assert (response.invitation.campaign.target == CampaignTarget.KEY_ACCOUNTS) == spec.is_key
        scores = [a.score for a in response.answers.all() if a.score is not None]
        texts = [a.text for a in response.answers.all() if a.text]
        assert scores == [answer.score]
        assert texts == ([answer.comment] if answer.comment else [])
        assert response.consent_to_share == answer.consent
        assert response.answered_at == timezone.make_aware(answer.answered_at)

    # The latest wave is recent: its detractors not yet followed up become tasks.
    run = alerts_run(as_of=AS_OF, dry_run=True)
    assert run.raised[AlertRule.DETRACTOR] >= 1


@pytest.mark.django_db
def test_importing_the_demo_answers_again_changes_nothing(tmp_path):
    world = build_world(DemoConfig(accounts=60, seed=4, as_of=AS_OF))
    load_world(world, home=tmp_path, progress=lambda _: None)
    before = Response.objects.count()
    by_campaign = defaultdict(list)
    for response in _stored_responses():
        _, answer = _world_answer(world, response)
        by_campaign[response.invitation.campaign].append((response.invitation.contact, answer))
    assert len(by_campaign) == Campaign.objects.count() > 1
    for campaign, rows in by_campaign.items():
        report = responses_import(
            campaign=campaign, lines=_answer_lines(rows), now=campaign.closes_at
        )
        assert (report.created, report.unchanged) == (0, len(rows))
    assert Response.objects.count() == before > 0


@pytest.mark.django_db
def test_loading_makes_the_nps_template_again_where_it_is_missing(tmp_path):
    # A database flushed between tests has lost what the migrations seeded.
    SurveyTemplate.objects.all().delete()
    world = build_world(DemoConfig(accounts=40, seed=3, as_of=AS_OF))
    result = load_world(world, home=tmp_path, progress=lambda _: None)
    assert result.surveys.responses > 0
    template = SurveyTemplate.objects.get()
    assert template.name == SURVEY_TEMPLATE
    kinds = template.versions.get().questions.values_list("kind", flat=True)
    assert list(kinds) == ["nps", "text"]


@pytest.mark.django_db
def test_a_wave_leaves_out_people_the_contact_budgets_would_over_contact():
    day = dt.date(2026, 5, 12)
    # No cadence segment applies to an untiered account but "other": two contacts a month.
    busy, surveyed, free = (PositionFactory().contact for _ in range(3))
    for days in (3, 9):
        interaction = InteractionFactory(
            occurred_at=dt.datetime.combine(day - dt.timedelta(days=days), dt.time(10), dt.UTC)
        )
        interaction.contacts.add(busy)
    asked = {(1, 0): busy, (2, 0): surveyed, (3, 0): free}
    asked_on = {surveyed.pk: [day - dt.timedelta(days=60)]}
    allowed = _within_budget(asked, day, asked_on, as_of=day)
    assert allowed == {(3, 0)}
    assert asked_on[free.pk] == [day]
    assert asked_on[surveyed.pk] == [day - dt.timedelta(days=60)]


@pytest.mark.django_db
def test_an_answer_the_import_would_file_under_another_key_account_is_held_back():
    first, second = AccountFactory(is_key_account=True), AccountFactory(is_key_account=True)
    moved = PositionFactory(account=first, left_on=dt.date(2026, 4, 1)).contact
    PositionFactory(account=second, contact=moved)
    stayed = PositionFactory(account=first).contact
    rows = [(first, person, None) for person in (moved, stayed)]
    assert _at_other_key_accounts(rows) == {moved.pk}

"""Survey figures by account, tier, manager, portfolio and quarter; themes; fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.feedback import selectors, services
from tenure.feedback.selectors import Scope
from tenure.feedback.themes import OTHER, themes_of
from tests.accounts.factories import AccountFactory, PositionFactory, TeamMembershipFactory
from tests.feedback.factories import NOW, invite, make_campaign, open_campaign, respond

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def _answers(campaign, scores, *, at=None, consent=False, **answers):
    for score in scores:
        respond(campaign, score=score, at=at or _at(TODAY), consent=consent, **answers)


@pytest.fixture
def portfolio():
    """Two tier-A accounts of one manager and a tier-B account of another, all answered."""
    ann = TeamMembershipFactory(
        account__name="Alder", account__tier="A", user__first_name="Ann", user__last_name="Lee"
    )
    aspen = TeamMembershipFactory(account__name="Aspen", account__tier="A", user=ann.user)
    bob = TeamMembershipFactory(
        account__name="Beech", account__tier="B", user__first_name="Bob", user__last_name="Ray"
    )
    _answers(open_campaign(account=ann.account), [10, 9, 9, 7, 3])  # 3 P, 1 D → +40
    _answers(open_campaign(account=aspen.account), [10, 6, 5])  # 1 P, 2 D → −33
    _answers(open_campaign(account=bob.account), [8, 8, 9], manager=4)  # 1 P → +33
    return ann.user, bob.user


def test_nps_per_account_tier_manager_and_portfolio(portfolio):
    ann, bob = portfolio
    figures = selectors.survey_figures(today=TODAY)
    by = {f.label: (f.n, round(f.result.score, 1)) for f in figures.by_account}
    assert by == {"Alder": (5, 40.0), "Aspen": (3, -33.3), "Beech": (3, 33.3)}
    tiers = {f.key: (f.n, round(f.result.score, 1)) for f in figures.by_tier}
    assert tiers == {"A": (8, 12.5), "B": (3, 33.3)}  # A: 4 P − 3 D of 8
    managers = {f.key: (f.label, f.n) for f in figures.by_manager}
    assert managers == {ann.pk: ("Ann Lee", 8), bob.pk: ("Bob Ray", 3)}
    assert figures.portfolio.n == 11
    assert figures.portfolio.result.score == pytest.approx(100 * (5 - 3) / 11)
    assert [(i.key, i.n, i.summary.mean) for i in figures.items] == [("manager", 3, 4.0)]


def test_portfolio_nps_alone_is_the_survey_pages_all_answers_figure(portfolio):
    ann, _ = portfolio
    alone = selectors.portfolio_nps(today=TODAY)
    assert alone == selectors.survey_figures(today=TODAY).portfolio
    assert (alone.n, alone.result.score) == (11, pytest.approx(100 * (5 - 3) / 11))
    # Answers older than the window do not count, on the page or alone.
    assert selectors.portfolio_nps(today=TODAY + dt.timedelta(days=400)).n == 0
    # A scope with fewer anonymous respondents than the group minimum stays hidden alike.
    mine = Scope(account_id=TeamMembershipFactory(user=ann).account_id)
    lone = AccountFactory(name="Solo")
    _answers(open_campaign(account=lone), [2])
    solo = Scope(account_id=lone.pk)
    assert selectors.portfolio_nps(today=TODAY, scope=solo).hidden
    assert selectors.portfolio_nps(today=TODAY, scope=solo) == (
        selectors.survey_figures(scope=solo, today=TODAY).portfolio
    )
    assert selectors.portfolio_nps(today=TODAY, scope=mine).n == 0


def test_scope_narrows_every_figure(portfolio):
    ann, _ = portfolio
    by_manager = selectors.survey_figures(scope=Scope(manager_id=ann.pk), today=TODAY)
    assert by_manager.portfolio.n == 8
    assert by_manager.items == []
    by_tier = selectors.survey_figures(scope=Scope(tier="B"), today=TODAY)
    assert [f.label for f in by_tier.by_account] == ["Beech"]


def test_trend_by_quarter_with_hidden_small_quarters():
    campaign = open_campaign(now=_at(dt.date(2025, 9, 1)), closes_at=_at(dt.date(2027, 1, 1)))
    _answers(campaign, [10, 10, 0], at=_at(dt.date(2025, 11, 3)))  # 2025 Q4: +33
    _answers(campaign, [9, 9, 9, 9], at=_at(dt.date(2026, 2, 10)))  # 2026 Q1: +100
    _answers(campaign, [2], at=_at(dt.date(2026, 5, 5)))  # 2026 Q2: one anonymous answer
    trend = selectors.survey_figures(today=TODAY, trend_quarters=4).trend
    assert [f.label for f in trend] == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]
    assert [f.n for f in trend] == [0, 3, 4, 1]
    assert trend[1].result.score == pytest.approx(100 / 3)
    assert trend[2].result.score == 100.0
    assert trend[0].result is None
    assert not trend[0].hidden
    assert trend[3].hidden


def test_window_leaves_out_old_answers_from_the_tables():
    campaign = open_campaign(now=_at(dt.date(2024, 1, 1)), closes_at=_at(dt.date(2027, 1, 1)))
    _answers(campaign, [0, 0, 0], at=_at(dt.date(2024, 6, 1)))
    _answers(campaign, [10, 10, 10], at=_at(TODAY))
    figures = selectors.survey_figures(today=TODAY)
    assert figures.portfolio.n == 3
    assert figures.portfolio.result.score == 100.0


@pytest.mark.usefixtures("portfolio")
def test_open_answers_are_grouped_by_keyword_theme():
    campaign = open_campaign(account=AccountFactory(name="Cedar"))
    for text in ("Deliveries are often late", "Prices went up again", "Lovely people"):
        respond(campaign, score=8, nps_why=text, at=_at(TODAY))
    themes = {
        g.theme: [c.text for c in g.comments] for g in selectors.survey_figures(today=TODAY).themes
    }
    assert themes["Delivery and logistics"] == ["Deliveries are often late"]
    assert themes["Price and invoicing"] == ["Prices went up again"]
    assert themes[OTHER] == ["Lovely people"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The delivery was late.", ["Delivery and logistics"]),
        ("I will reply later", [OTHER]),
        ("Our account manager rarely visits", ["Account manager and relationship"]),
        (
            "Invoices are wrong and support never answers",
            ["Price and invoicing", "Service and support"],
        ),
    ],
)
def test_themes_of(text, expected):
    assert themes_of(text) == expected


def test_response_rate_counts_emailed_invitations_and_their_answers():
    position = PositionFactory()
    campaign = make_campaign(account=position.account)
    services.campaign_send(campaign=campaign, base_url="http://x", now=NOW)
    respond(campaign, score=9)
    rate = selectors.survey_figures(scope=Scope(account_id=position.account_id)).response_rate
    assert (rate.invited, rate.answered) == (2, 1)


def _populate(accounts: int, answers_each: int) -> None:
    for _ in range(accounts):
        membership = TeamMembershipFactory()
        campaign = open_campaign(account=membership.account)
        for score in range(answers_each):
            respond(
                campaign, score=score, consent=score % 2 == 0, nps_why="Faster delivery", manager=3
            )


def test_figures_page_and_export_take_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    _populate(2, 3)
    with django_assert_max_num_queries(8) as small:
        assert admin_client.get("/feedback/").status_code == 200
    baseline = len(small.captured_queries)
    _populate(8, 5)
    with django_assert_max_num_queries(baseline):
        page = admin_client.get("/feedback/")
    assert "By account" in page.content.decode()
    assert "No answers." not in page.content.decode()
    with django_assert_max_num_queries(4):
        export = admin_client.get("/feedback/answers.csv")
    assert export.status_code == 200
    assert "Faster delivery" in export.content.decode()


def test_campaign_list_and_page_take_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    campaign = open_campaign()
    invite(campaign)
    with django_assert_max_num_queries(6) as small:
        admin_client.get("/feedback/campaigns/")
    baseline = len(small.captured_queries)
    for _ in range(10):
        other = open_campaign()
        for _ in range(3):
            invite(other)
    with django_assert_max_num_queries(baseline):
        page = admin_client.get("/feedback/campaigns/")
    assert page.content.decode().count("Spring survey") == 11
    with django_assert_max_num_queries(8):
        admin_client.get(f"/feedback/campaigns/{campaign.pk}/")


def test_account_page_summary_adds_a_fixed_number_of_queries(
    logged_in_client, django_assert_max_num_queries
):
    membership = TeamMembershipFactory()
    account = membership.account
    campaign = open_campaign(account=account)
    _answers(campaign, [9, 9, 9], at=NOW)
    with django_assert_max_num_queries(40) as small:
        logged_in_client.get(account.get_absolute_url() + "?tab=feedback")
    baseline = len(small.captured_queries)
    _answers(campaign, [1, 2, 3, 4, 10, 10], at=NOW, consent=True, nps_why="Fine")
    with django_assert_max_num_queries(baseline):
        page = logged_in_client.get(account.get_absolute_url() + "?tab=feedback").content.decode()
    assert "Customer feedback" in page
    assert "n = 9" in page

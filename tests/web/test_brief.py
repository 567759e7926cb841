"""The meeting brief: what it gathers, the agenda's order, who sees names, the page and PDF."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pypdfium2
import pytest
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.core.pdf import PdfUnavailable
from tenure.engagement.seasonal import last_complete_month
from tenure.growth.models import Opportunity
from tenure.health.models import AccountHealth
from tenure.health.services import health_scorecard_current
from tenure.insights.seasonality import add_months
from tenure.planning.models import Action
from tenure.scoring.models import AccountSnapshot, RevenueSeries, ScoringRun
from tenure.web.brief import meeting_brief
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.engagement.factories import InteractionFactory, TouchpointFactory
from tests.feedback.factories import NOW, open_campaign, respond
from tests.planning.factories import AccountPlanFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def _scored(account, today: dt.date) -> None:
    """Two scoring runs 90 days apart: a snapshot and health rows with the default scorecard."""
    scorecard, _ = health_scorecard_current()
    points = {"revenue_trend": 2.5, "order_recency": 12.3, "decision_makers": 0.0}
    for as_of, score in ((today - dt.timedelta(days=90), 70.0), (today, 58.0)):
        run = ScoringRun.objects.create(as_of=as_of, status="done")
        AccountHealth.objects.create(
            run=run,
            account=account,
            as_of=as_of,
            health_score=score,
            health_version=scorecard.version,
            health_contributions=points,
            health_measures={"revenue_trend": -0.3, "order_recency": 0.8, "decision_makers": 0},
            risk=0.31,
            risk_horizon_days=180,
            risk_drivers=[{"text": "revenue down 30 % on the year before"}],
        )
    AccountSnapshot.objects.create(
        run=run,
        account=account,
        as_of=today,
        orders=48,
        revenue_t12m=Decimal("412000.00"),
        revenue_prev12m=Decimal("588000.00"),
        growth=-0.3,
        last_order_date=today - dt.timedelta(days=9),
        days_since_last_order=9,
    )


@pytest.fixture
def world(today):
    """A key account with a manager, people, wins, issues, actions and a survey answer."""
    account = AccountFactory(name="Birch Foods GmbH", is_key_account=True, tier="A")
    manager = TeamMembershipFactory(account=account, user__first_name="Alex").user
    # A decision maker nobody has spoken to, and a user we called last week.
    boss = PositionFactory(
        account=account,
        contact__first_name="Ines",
        contact__last_name="Vogel",
        # 1980 was a leap year: any day of the year exists in it.
        contact__birthday=(today + dt.timedelta(days=5)).replace(year=1980),
        buying_role="decision_maker",
        title="Managing Director",
    )
    buyer = PositionFactory(
        account=account, contact__first_name="Jonas", contact__last_name="Roth", buying_role="user"
    )
    call = InteractionFactory(account=account, occurred_at=_at(today - dt.timedelta(days=7)))
    call.contacts.add(buyer.contact)
    TouchpointFactory(
        account=account,
        kind="review",
        title="Quarterly business review",
        scheduled_on=today + dt.timedelta(days=10),
        owner=manager,
        contact=buyer.contact,
    )
    MilestoneFactory(
        account=account,
        kind="success",
        title="Christmas peak delivered in full",
        occurred_on=today - dt.timedelta(days=30),
    )
    MilestoneFactory(
        account=account,
        kind="success",
        title="An old win",
        occurred_on=today - dt.timedelta(days=400),
    )
    MilestoneFactory(
        account=account,
        kind="late_delivery",
        severity="high",
        title="Pallets arrived two days late",
        occurred_on=today - dt.timedelta(days=12),
    )
    MilestoneFactory(
        account=account,
        kind="defect",
        title="A resolved defect",
        occurred_on=today - dt.timedelta(days=60),
        resolved_on=today - dt.timedelta(days=50),
    )
    plan = AccountPlanFactory(
        account=account,
        title="Protect the core",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=30),
    )
    Action.objects.create(
        plan=plan,
        title="Send the revised price list",
        owner=manager,
        due_on=today + dt.timedelta(days=20),
    )
    Action.objects.create(
        plan=plan,
        title="Agree a delivery review",
        owner=manager,
        due_on=today - dt.timedelta(days=4),
    )
    campaign = open_campaign(account=account)
    respond(
        campaign,
        score=3,
        consent=True,
        contact=buyer.contact,
        account=account,
        nps_why="Deliveries keep slipping.",
    )
    _scored(account, today)
    return {"account": account, "manager": manager, "boss": boss, "buyer": buyer}


def test_brief_gathers_each_section_from_its_rows(world, user, today):
    brief = meeting_brief(world["account"], today=today, user=user)

    assert brief.meeting is not None
    assert brief.meeting.title == "Quarterly business review"
    assert brief.meeting.days_away == 10
    assert brief.meeting.attendee == "Jonas Roth"
    assert brief.team[0][0].startswith("Alex")

    people = {s.name: s for s in brief.stakeholders}
    assert people["Jonas Roth"].attending
    assert not people["Jonas Roth"].stale
    assert people["Jonas Roth"].last_contacted_on == today - dt.timedelta(days=7)
    boss = people["Ines Vogel"]
    assert boss.stale
    assert boss.never_contacted
    assert boss.is_decision_maker
    assert boss.birthday_on == today + dt.timedelta(days=5)
    # Key accounts are held to the key-account cadence's strategic rhythm (45 days).
    assert brief.stale_days == 45

    assert [m.title for m in brief.wins] == ["Christmas peak delivered in full"]
    assert [m.title for m in brief.issues] == ["Pallets arrived two days late"]
    assert [a.title for a in brief.actions] == [
        "Agree a delivery review",
        "Send the revised price list",
    ]
    assert [a.title for a in brief.overdue_actions] == ["Agree a delivery review"]
    assert brief.overdue_actions[0].days_overdue == 4

    detractor = brief.feedback.detractors[0]
    assert (detractor.respondent, detractor.score) == ("Jonas Roth", 3)
    assert detractor.comments == ("Deliveries keep slipping.",)
    assert brief.feedback.sentiment.last_detractor_on == timezone.localdate(NOW)
    # One named answer: the NPS of the group may be shown.
    assert brief.feedback.nps.result is not None
    assert brief.feedback.nps.result.score == -100

    assert brief.revenue is not None
    assert (brief.revenue.revenue_t12m, brief.revenue.orders) == (Decimal("412000.00"), 48)
    assert brief.health is not None
    assert (brief.health.score, brief.health.change_90d, brief.health.risk) == (58.0, -12.0, 0.31)
    assert [label for label, _ in brief.health.weakest] == [
        "Decision makers engaged",
        "Revenue trend (12 months on the 12 before)",
        "Time since the last order against the usual interval",
    ]
    assert brief.health.risk_drivers == ("revenue down 30 % on the year before",)


def test_agenda_runs_issues_actions_season_growth_feedback_people_wins(world, user, today):
    account = world["account"]
    # Three years of revenue peaking two months from now: the peak is near.
    last = last_complete_month(today)
    first = add_months(last, -35)
    peak = add_months(today.replace(day=1), 2).month
    values = [
        (5000.0 if add_months(first, k).month == peak else 1000.0) + 10 * k for k in range(36)
    ]
    RevenueSeries.objects.create(account=account, as_of=today, first_month=first, values=values)
    Opportunity.objects.create(
        account=account,
        category="Cold-chain packaging",
        as_of=today,
        rank=1,
        confidence=0.9,
        peers=20,
        peers_buying=14,
        peer_label="food wholesalers",
        shown=True,
    )

    brief = meeting_brief(account, today=today, user=user)

    topics = [item.topic for item in brief.agenda]
    assert topics == ["issue", "action", "season", "growth", "feedback", "people", "win"]
    texts = [item.text for item in brief.agenda]
    assert "Pallets arrived two days late" in texts[0]
    assert "Agree a delivery review" in texts[1]
    assert brief.outlook is not None
    assert brief.outlook.is_seasonal
    assert brief.outlook.next_peak_starts_on == add_months(today.replace(day=1), 2)
    assert "Cold-chain packaging" in texts[3]
    assert "14 of 20 food wholesalers" in texts[3]
    assert "Jonas Roth" in texts[4]
    assert texts[5] == "Ask to meet Ines Vogel (decision maker): never contacted."
    assert "Christmas peak delivered in full" in texts[6]
    # The outlook shows the forecast and last year's revenue in the same months.
    peak_month = next(m for m in brief.outlook.months if m.in_peak)
    assert peak_month.last_year is not None
    assert peak_month.last_year >= 5000
    assert peak_month.forecast is not None
    assert math.isfinite(peak_month.forecast)


def test_an_analyst_sees_roles_not_names_or_birthdays(world, client, today):
    analyst = UserFactory()
    role_assign(user=analyst, role="analyst")

    brief = meeting_brief(world["account"], today=today, user=analyst)

    assert {s.name for s in brief.stakeholders} == {""}
    assert all(s.birthday_on is None for s in brief.stakeholders)
    assert brief.meeting is not None
    assert brief.meeting.attendee == "the user (Head of Purchasing)"
    assert brief.feedback.detractors[0].respondent == ""
    client.force_login(analyst)
    page = client.get(f"/accounts/{world['account'].pk}/brief/").content.decode()
    assert "Managing Director" in page
    for name in ("Ines", "Vogel", "Jonas", "Roth"):
        assert name not in page
    assert "Names and birthdays are hidden" in page


def test_page_shows_the_brief_to_the_team_and_hides_it_from_others(world, client, settings):
    settings.TENURE_KAM_SEES_ALL = False
    account = world["account"]
    role_assign(user=world["manager"], role="kam")
    client.force_login(world["manager"])
    response = client.get(f"/accounts/{account.pk}/brief/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Meeting brief: Birch Foods GmbH",
        "Ines Vogel",
        "never contacted",
        "Pallets arrived two days late",
        "4 days overdue",
        "Deliveries keep slipping.",
        "Suggested agenda",
        "Download PDF",
        "@media print",
    ):
        assert text in page

    outsider = UserFactory()
    role_assign(user=outsider, role="kam")
    client.force_login(outsider)
    for url in (f"/accounts/{account.pk}/", f"/accounts/{account.pk}/brief/"):
        assert client.get(url).status_code == 404
    assert client.get(f"/accounts/{account.pk}/brief.pdf").status_code == 404
    assert client.get("/accounts/999999/brief/").status_code == 404


def test_brief_needs_a_login(client, account):
    for url in (f"/accounts/{account.pk}/brief/", f"/accounts/{account.pk}/brief.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_pdf_is_a_real_pdf_with_the_account_and_its_people(world, logged_in_client, today):
    response = logged_in_client.get(f"/accounts/{world['account'].pk}/brief.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="meeting-brief-birch-foods-gmbh-{today.isoformat()}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(response.content)
    try:
        pages = len(document)
        first = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "Birch Foods GmbH" in first
    assert "Ines Vogel" in first
    assert f"Page 1 of {pages}" in first
    assert pages <= 2


def test_pdf_engine_missing_answers_503_with_the_reason(world, logged_in_client, monkeypatch):
    def unavailable(_html: str) -> bytes:
        raise PdfUnavailable("PDF export needs the Pango library")

    monkeypatch.setattr("tenure.web.brief_views.html_to_pdf", unavailable)
    response = logged_in_client.get(f"/accounts/{world['account'].pk}/brief.pdf")
    assert response.status_code == 503
    assert response.content.decode() == "PDF export needs the Pango library"


def test_an_account_with_nothing_on_record_still_has_a_brief(logged_in_client, user, today):
    account = AccountFactory(name="Empty Co")
    # Revenue stored only for the month in progress: no complete month to build on yet.
    RevenueSeries.objects.create(
        account=account, as_of=today, first_month=today.replace(day=1), values=[100.0]
    )
    brief = meeting_brief(account, today=today, user=user)
    assert brief.meeting is None
    assert brief.stakeholders == ()
    assert brief.agenda == ()
    assert brief.revenue is None
    assert brief.outlook is None
    assert brief.health is None
    assert brief.feedback.nps.n == 0
    assert not brief.feedback.has_answers
    page = logged_in_client.get(f"/accounts/{account.pk}/brief/").content.decode()
    assert "No meeting or business review is planned." in page
    assert "Nothing pressing" in page


def test_account_page_links_to_its_brief(logged_in_client, account):
    page = logged_in_client.get(account.get_absolute_url()).content.decode()
    assert f'href="/accounts/{account.pk}/brief/"' in page


def test_page_reads_a_fixed_number_of_queries(
    world, logged_in_client, today, django_assert_max_num_queries
):
    account = world["account"]
    url = f"/accounts/{account.pk}/brief/"
    # session, user, account, role, touchpoints, cadence policy, people, milestones, revenue
    # series, survey figures (answers, response rate), sentiment, opportunities, actions,
    # health (latest, scorecard, the rows 30 and 90 days before, labels), team, snapshot
    with django_assert_max_num_queries(21) as captured:
        assert logged_in_client.get(url).status_code == 200
    baseline = len(captured.captured_queries)

    plan = account.plans.get()
    for n in range(10):
        person = PositionFactory(account=account)
        InteractionFactory(account=account).contacts.add(person.contact)
        MilestoneFactory(account=account, title=f"Issue {n}", occurred_on=today)
        Action.objects.create(plan=plan, title=f"Step {n}", owner=world["manager"], due_on=today)
    with django_assert_max_num_queries(baseline):
        response = logged_in_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    # The same queries, now over the ten new issues and actions.
    assert all(f"Issue {n}" in page for n in range(10))
    assert all(f"Step {n}" in page for n in range(10))

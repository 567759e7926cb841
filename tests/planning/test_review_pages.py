"""Quarterly review pages: who may read and write them, the CSRF guard, the PDF export."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pypdfium2
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenure.access.services import role_assign
from tenure.core.pdf import PdfUnavailable
from tenure.planning import review_views, reviews
from tenure.planning.models import Review
from tenure.planning.services import (
    goal_add,
    plan_create,
    review_finalise,
    review_start,
    review_update,
)
from tenure.web.review_figures import quarter_figures
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.planning.factories import MilestoneFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
TEXTS = {
    "achievements": "Kept OTIF at 97 % all quarter",
    "improvements": "Quotes",
    "next_focus": "",
}


@pytest.fixture
def review(account, manager):
    plan = plan_create(
        account=account,
        title="Q3 plan",
        horizon="short",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 29),
    )
    goal_add(
        objective=ObjectiveFactory(plan=plan),
        kpi="On-time in-full deliveries",
        baseline=Decimal("92"),
        target=Decimal("97"),
        due_on=dt.date(2026, 9, 29),
        unit="%",
    )
    MilestoneFactory(
        account=account, kind="success", title="Won the tender", occurred_on=dt.date(2026, 8, 3)
    )
    return review_start(
        account=account,
        figures=quarter_figures(account=account, year=2026, quarter=3, today=TODAY),
        author=manager,
        today=TODAY,
    )


def _urls(review: Review) -> dict[str, str]:
    base = f"/accounts/{review.account_id}/reviews/"
    return {
        "list": base,
        "detail": f"{base}{review.pk}/",
        "finalise": f"{base}{review.pk}/finalise/",
        "pdf": f"{base}{review.pk}.pdf",
    }


def _user(role: str, account=None):
    user = UserFactory()
    role_assign(user=user, role=role)
    if account is not None:
        TeamMembershipFactory(account=account, user=user, role="sales")
    return user


def test_the_manager_reads_the_comparison_and_the_review(client, manager, review):
    client.force_login(manager)
    urls = _urls(review)
    listed = client.get(urls["list"])
    assert listed.status_code == 200
    assert "2026 Q3" in listed.content.decode()
    assert "Start a review" in listed.content.decode()
    page = client.get(urls["detail"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "On-time in-full deliveries" in text
    assert "Won the tender" in text
    assert "Save and finalise" in text


def test_the_review_shows_revenue_in_whole_units_like_every_other_page(client, manager, review):
    snapshot = review.snapshot
    snapshot["revenue"] = {**snapshot["revenue"], "quarter": "123456.78", "prior_year": "99999.5"}
    Review.objects.filter(pk=review.pk).update(snapshot=snapshot)
    client.force_login(manager)
    urls = _urls(review)
    for page in (client.get(urls["detail"]), client.get(urls["list"])):
        text = page.content.decode()
        assert "123,457" in text
        assert "123,456.78" not in text
    assert "100,000" in client.get(urls["detail"]).content.decode()


def test_the_plan_page_links_to_the_reviews(client, manager, review):
    client.force_login(manager)
    plan = review.account.plans.get()
    assert (
        f'href="/accounts/{review.account_id}/reviews/"'
        in client.get(f"/plans/{plan.pk}/").content.decode()
    )


def test_starting_offers_the_last_complete_quarter_and_names_a_duplicate(client, manager, account):
    client.force_login(manager)
    # Frozen mid-quarter: the offered quarter must not change between the test and the page.
    with time_machine.travel(dt.datetime(2026, 5, 14, 12, tzinfo=dt.UTC), tick=False):
        year, quarter = reviews.last_complete_quarter(timezone.localdate())
        url = f"/accounts/{account.pk}/reviews/"
        assert f'<option value="{year}-{quarter}" selected>' in client.get(url).content.decode()
        response = client.post(url, {"period": f"{year}-{quarter}"})
        review = Review.objects.get()
        assert response["Location"] == f"/accounts/{account.pk}/reviews/{review.pk}/"
        assert (review.year, review.quarter, review.author) == (year, quarter, manager)
        again = client.post(url, {"period": f"{year}-{quarter}"})
    assert again.status_code == 200
    assert f"already has a review for {year} Q{quarter}" in again.content.decode()


def test_writing_then_finalising_through_the_confirmation(client, manager, review):
    client.force_login(manager)
    urls = _urls(review)
    saved = client.post(urls["detail"], {**TEXTS, "then": "finalise"})
    assert saved["Location"] == urls["finalise"]
    review.refresh_from_db()
    assert review.achievements == TEXTS["achievements"]
    assert review.status == "draft"
    confirm = client.get(urls["finalise"])
    assert confirm.status_code == 200
    assert "Yes, finalise" in confirm.content.decode()
    assert client.post(urls["finalise"])["Location"] == urls["detail"]
    review.refresh_from_db()
    assert review.status == "final"
    refused = client.post(urls["detail"], {**TEXTS, "achievements": "Rewritten"})
    assert refused.status_code == 200
    assert "can no longer change" in refused.content.decode()
    review.refresh_from_db()
    assert review.achievements == TEXTS["achievements"]
    assert "Save and finalise" not in client.get(urls["detail"]).content.decode()


def test_finalising_without_the_verdict_is_refused_on_the_confirmation(client, manager, review):
    client.force_login(manager)
    response = client.post(_urls(review)["finalise"])
    assert response.status_code == 200
    assert "write the achievements before finalising" in response.content.decode()
    review.refresh_from_db()
    assert review.status == "draft"


def test_people_without_access_are_refused(client, settings, account, review):
    urls = _urls(review)
    settings.TENURE_KAM_SEES_ALL = False
    client.force_login(_user("kam"))
    for name in ("list", "detail", "pdf", "finalise"):
        assert client.get(urls[name]).status_code == 404, name
    assert client.post(urls["detail"], TEXTS).status_code == 404
    settings.TENURE_KAM_SEES_ALL = True
    for reader in (_user("kam"), _user("analyst", account)):
        client.force_login(reader)
        assert client.get(urls["detail"]).status_code == 200
        assert "Save and finalise" not in client.get(urls["detail"]).content.decode()
        assert client.post(urls["list"], {"period": "2026-2"}).status_code == 403
        assert client.post(urls["detail"], TEXTS).status_code == 403
        assert client.post(urls["finalise"]).status_code == 403
    review.refresh_from_db()
    assert review.achievements == ""
    assert Review.objects.count() == 1
    # A review is only found under its own account.
    client.force_login(_user("director"))
    assert client.get(f"/accounts/{AccountFactory().pk}/reviews/{review.pk}/").status_code == 404


def test_every_review_page_needs_a_login(client, review):
    for name, url in _urls(review).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/"), name


def test_a_post_needs_the_csrf_token_and_works_with_it(manager, review):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = _urls(review)["detail"]
    assert client.post(url, TEXTS).status_code == 403
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {**TEXTS, "csrfmiddlewaretoken": token}).status_code == 302
    review.refresh_from_db()
    assert review.achievements == TEXTS["achievements"]


def test_the_pdf_holds_the_account_the_quarter_and_the_achievements(client, manager, review):
    review_update(review=review, by=manager, **TEXTS)
    client.force_login(manager)
    response = client.get(_urls(review)["pdf"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(response.content)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert review.account.name in text
    assert "2026 Q3" in text
    assert TEXTS["achievements"] in text
    assert "On-time in-full deliveries" in text


def test_the_pdf_answers_503_when_the_engine_cannot_run(client, manager, review, monkeypatch):
    def unavailable(_html: str) -> bytes:
        raise PdfUnavailable("PDF export needs the Pango library")

    monkeypatch.setattr(review_views, "html_to_pdf", unavailable)
    client.force_login(manager)
    response = client.get(_urls(review)["pdf"])
    assert response.status_code == 503
    assert response.content.decode() == "PDF export needs the Pango library"


def test_the_list_page_reads_a_fixed_number_of_queries(client, manager, account, review):
    client.force_login(manager)
    url = _urls(review)["list"]
    client.get(url)  # session and role caches warmed alike for both counts
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for quarter in (1, 2, 4):
        review_start(
            account=account,
            figures=quarter_figures(account=account, year=2026, quarter=quarter, today=TODAY),
            author=manager,
            today=TODAY,
        )
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.status_code == 200
    assert len(four) == len(one)
    page = response.content.decode()
    assert all(f"2026 Q{quarter}" in page for quarter in (1, 2, 3, 4))


def test_the_admin_lists_reviews_but_neither_adds_them_nor_changes_a_final_one(
    client, manager, review
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/planning/review/").status_code == 200
    assert client.get("/admin/planning/review/add/").status_code == 403
    review_update(review=review, by=manager, **TEXTS)
    review_finalise(review=review, by=manager)
    url = f"/admin/planning/review/{review.pk}/change/"
    assert client.get(url).status_code == 200  # shown read-only
    assert client.post(url, {"achievements": "Rewritten"}).status_code == 403
    review.refresh_from_db()
    assert review.achievements == TEXTS["achievements"]

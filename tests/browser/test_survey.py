"""A customer answers a survey on a phone; a director then sees the account's NPS change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from tenure.feedback import services
from tenure.feedback.models import Invitation
from tenure.feedback.services import QuestionSpec
from tests.accounts.factories import (
    AccountFactory,
    PositionFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # UserFactory's
LINK = re.compile(r"(http://[^\s]+/feedback/s/[A-Za-z0-9_-]+/)")
QUESTIONS = [
    QuestionSpec(
        "nps",
        "nps",
        "How likely is it that you would recommend us to a colleague or business partner?",
        required=True,
    ),
    QuestionSpec("nps_why", "text", "What is the main reason for your score?"),
    QuestionSpec(
        "manager", "rating", "How well does your account manager understand your business?"
    ),
    QuestionSpec("better", "text", "What could we do better?"),
]


@pytest.fixture
def survey(live_server, settings):
    """Birch Foods with four people invited; three have answered (NPS 33 on 3 answers)."""
    settings.TENURE_SUPPLIER_NAME = "Acme Supplies"
    account = AccountFactory(name="Birch Foods", tier="A")
    TeamMembershipFactory(account=account, user__first_name="Morgan", user__last_name="Keeper")
    for first in ("Ina", "Ola", "Per", "Sam"):
        PositionFactory(account=account, contact__first_name=first)
    template = services.survey_template_create(
        name="Relationship survey (browser)", title="How is our relationship?", questions=QUESTIONS
    )
    campaign = services.campaign_create(
        name="Spring relationship survey",
        template=template,
        target="account",
        account=account,
        closes_at=timezone.now() + dt.timedelta(days=21),
    )
    services.campaign_send(campaign=campaign, base_url=live_server.url)
    links = {message.to[0]: LINK.search(message.body).group(1) for message in mail.outbox}
    nps = campaign.version.questions.get(key="nps")
    invitations = list(Invitation.objects.filter(campaign=campaign).select_related("contact"))
    for invitation, score in zip(invitations[:3], (10, 9, 3), strict=True):
        services.response_submit(invitation=invitation, answers={nps.pk: score}, consent=False)
    return account, links[invitations[3].contact.email]


def test_answer_on_a_phone_then_a_director_sees_the_nps_change(browser, page, login, survey):
    account, link = survey
    UserFactory(username="director", is_staff=True, is_superuser=True)
    login("director", PASSWORD)
    page.goto(
        f"{page.url.split('/', 3)[0]}//{page.url.split('/', 3)[2]}{account.get_absolute_url()}"
    )
    page.get_by_role("tab", name="Feedback").click()
    page.get_by_role("heading", name="Customer feedback").wait_for()
    feedback = page.get_by_role("region", name="Customer feedback")
    assert "NPS 33" in feedback.inner_text()
    assert "n = 3" in feedback.inner_text()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    survey_page = phone.new_page()
    survey_page.set_default_timeout(10_000)
    survey_page.goto(link)
    assert survey_page.get_by_text("Acme Supplies").first.is_visible()
    assert "Morgan" not in survey_page.content()
    assert "Birch Foods" not in survey_page.content()
    assert survey_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The keyboard goes from the skip link straight to the first scale, in reading order.
    survey_page.keyboard.press("Tab")
    assert survey_page.evaluate("document.activeElement.textContent") == "Skip to content"
    survey_page.keyboard.press("Tab")
    assert survey_page.evaluate("document.activeElement.type") == "radio"

    recommend = survey_page.get_by_role("group", name=re.compile("How likely"))
    recommend.get_by_role("radio", name="10", exact=True).check()
    survey_page.get_by_label("What is the main reason for your score?").fill(
        "Deliveries are always on time."
    )
    manager = survey_page.get_by_role("group", name=re.compile("account manager understand"))
    manager.get_by_role("radio", name="5", exact=True).check()
    survey_page.get_by_label("You may share my name with my account manager").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    survey_page.screenshot(path=str(SCREENSHOTS / "survey-phone.png"), full_page=True)

    survey_page.get_by_role("button", name="Send my answers").click()
    survey_page.get_by_role("heading", name="Thank you!").wait_for()
    assert "You can change them with the same link" in survey_page.content()
    phone.close()

    page.reload()
    feedback = page.get_by_role("region", name="Customer feedback")
    text = feedback.inner_text()
    assert "NPS 50" in text
    assert "n = 4" in text  # 10, 10, 9, 3: 3 promoters, 1 detractor
    assert "Deliveries are always on time." in text  # shared with consent, so with the name
    assert "Sam" in text

    page.get_by_role("link", name="Feedback", exact=True).click()
    page.get_by_role("heading", name="Customer feedback").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "feedback.png"), full_page=True)


def test_a_forged_link_on_a_phone_gets_a_plain_explanation(browser, live_server):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    forged = phone.new_page()
    response = forged.goto(f"{live_server.url}/feedback/s/{'x' * 43}/")
    assert response.status == 404
    forged.get_by_role("heading", name="This survey link does not work").wait_for()
    phone.close()

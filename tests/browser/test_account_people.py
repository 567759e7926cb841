"""A director corrects an account in place in Chromium: people, team, qualification.

Each part is a partial (htmx) that the account page includes; here it is driven on its
own page, where the same links and forms swap in place without leaving the page.
"""

from __future__ import annotations

import pytest

from tenure.access.services import role_assign
from tenure.accounts.models import Position, TeamMembership
from tenure.scoring.models import QualificationRating
from tests.accounts.factories import AccountFactory, PositionFactory, UserFactory
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _patient(page):
    # The machine is shared: the session's first page load can take over 10 s under load.
    page.set_default_navigation_timeout(30_000)


@pytest.fixture
def director():
    user = UserFactory(username="dana", first_name="Dana", last_name="Director")
    role_assign(user=user, role="director")
    return user


def test_add_a_contact_with_a_role_then_record_that_they_left(page, login, live_server, director):
    account = AccountFactory(name="Birch Foods")
    PositionFactory(account=account, contact__first_name="Olga", contact__last_name="Stay")
    login(director.username, PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()
    url = f"{live_server.url}/accounts/{account.pk}/people/"
    page.goto(url)
    people = page.locator("#people")
    people.get_by_role("link", name="Add a stakeholder").click()
    first_name = people.get_by_label("First name")
    first_name.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.name === 'first_name'")
    first_name.fill("Ines")
    people.get_by_label("Last name").fill("Moreau")
    people.get_by_label("Email").fill("ines.moreau@customer.example")
    people.get_by_label("Buying-centre role").select_option("champion")
    people.get_by_role("button", name="Add stakeholder").click()
    page.get_by_text("Ines Moreau added to Birch Foods.").wait_for()
    assert page.url == url  # swapped in place
    # The keyboard stays where the change was made: on the confirmation.
    page.wait_for_function("document.activeElement.textContent.includes('added to Birch Foods')")
    row = people.get_by_role("row", name="Ines Moreau")
    assert "Champion" in row.inner_text()
    people.screenshot(path=str(SCREENSHOTS / "account-people.png"))

    people.get_by_role("link", name="Ines Moreau left…").click()
    people.get_by_label("Left on").fill("2026-11-02")
    people.get_by_role("button", name="Record departure").click()
    page.get_by_text("Ines Moreau is recorded as having left Birch Foods.").wait_for()
    assert people.get_by_text("1 former contact").is_visible()
    position = Position.objects.get(contact__last_name="Moreau")
    assert str(position.left_on) == "2026-11-02"
    assert position.buying_role == "champion"


def test_add_a_team_member_in_a_role(page, login, live_server, director):
    account = AccountFactory(name="Cedar Tools")
    helper = UserFactory(first_name="Sam", last_name="Support")
    login(director.username, PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{live_server.url}/accounts/{account.pk}/team/")
    team = page.locator("#team")
    team.get_by_role("link", name="Add a team member").click()
    team.get_by_label("Person").select_option(label="Sam Support")
    team.get_by_label("Role").select_option(label="Customer support")
    team.get_by_role("button", name="Add to the team").click()
    page.get_by_text("Sam Support is now customer support on Cedar Tools.").wait_for()
    assert team.get_by_text("Sam Support — Customer support").is_visible()
    assert TeamMembership.objects.get(account=account).user == helper


def test_enter_a_qualification_rating_and_see_who_rated(page, login, live_server, director):
    account = AccountFactory(name="Aspen Retail")
    login(director.username, PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{live_server.url}/portfolio/qualification/{account.pk}/")
    sheet = page.locator("#qualification")
    sheet.get_by_label("Rating of strategic value").select_option("4")
    sheet.get_by_label("Why, for strategic value").fill("Flagship stores in three countries")
    sheet.get_by_role("button", name="Save strategic value").click()
    page.get_by_text("Strategic value rated 4 of 5.").wait_for()
    row = sheet.get_by_role("row", name="Strategic value")
    assert "Dana Director" in row.inner_text()
    assert "Flagship stores in three countries" in row.inner_text()
    sheet.screenshot(path=str(SCREENSHOTS / "account-qualification.png"))
    rating = QualificationRating.objects.get(account=account)
    assert (rating.score, rating.rated_by_id) == (4, director.pk)

"""The public answer page: no login, one response per link, closed and forged links, abuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tenure.feedback import services
from tenure.feedback.models import Answer, Campaign, Response
from tenure.feedback.tokens import new_token
from tests.accounts.factories import AccountFactory, PositionFactory, TeamMembershipFactory
from tests.feedback.factories import NOW, invite, open_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    """An open campaign for "Birch Foods", managed by Morgan Keeper, and one invitation."""
    membership = TeamMembershipFactory(
        account=AccountFactory(name="Birch Foods"),
        user__first_name="Morgan",
        user__last_name="Keeper",
    )
    campaign = open_campaign(account=membership.account)
    position = PositionFactory(account=membership.account, contact__first_name="Ina")
    invitation, raw = invite(campaign, contact=position.contact)
    return invitation, f"/feedback/s/{raw}/"


def _answers(invitation, **overrides) -> dict[str, object]:
    questions = {q.key: q for q in invitation.campaign.version.questions.all()}
    data = {
        f"q{questions['nps'].pk}": "9",
        f"q{questions['nps_why'].pk}": "Reliable deliveries",
        f"q{questions['manager'].pk}": "5",
    }
    for key, value in overrides.items():
        data[f"q{questions[key].pk}"] = value
    return data


def test_the_page_needs_no_login_and_shows_the_supplier_never_the_manager(client, link):
    invitation, url = link
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Acme Supplies" in page
    assert "How likely are you to recommend us?" in page
    for private in ("Morgan", "Keeper", invitation.account.team.get().user.username):
        assert private not in page


def test_the_page_is_accessible_markup_a_phone_can_use(client, link):
    invitation, url = link
    page = client.get(url).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    nps = invitation.campaign.version.questions.get(key="nps")
    assert page.count("<fieldset") == 3  # NPS and two ratings
    assert "<legend>How likely are you to recommend us?" in page
    for score in range(11):
        assert f'<label class="option" for="id_q{nps.pk}_{score}">' in page
    assert f'aria-describedby="id_q{nps.pk}-anchors"' in page
    assert "0 = Not at all likely" in page
    assert "10 = Extremely likely" in page
    assert "You may share my name with my account manager" in page


def test_private_link_pages_are_not_cached_indexed_or_sent_to_other_sites(client, link):
    response = client.get(link[1])
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


def test_answering_records_one_response_and_thanks(client, link):
    invitation, url = link
    response = client.post(url, {**_answers(invitation), "consent": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}thanks/"
    assert "Thank you!" in client.get(response["Location"]).content.decode()
    stored = Response.objects.get(invitation=invitation)
    assert stored.consent_to_share is True
    assert stored.version_id == invitation.campaign.version_id
    assert sorted(stored.answers.values_list("question__key", "score", "text")) == [
        ("manager", 5, ""),
        ("nps", 9, ""),
        ("nps_why", None, "Reliable deliveries"),
    ]


def test_answers_can_be_changed_until_close_and_stay_one_response(client, link):
    invitation, url = link
    client.post(url, _answers(invitation))
    page = client.get(url).content.decode()
    assert "You answered on" in page
    assert "Reliable deliveries" in page  # pre-filled
    client.post(url, _answers(invitation, nps="3", nps_why="Late again"))
    response = Response.objects.get(invitation=invitation)
    assert response.changed_at is not None
    assert Response.objects.count() == 1
    assert Answer.objects.get(response=response, question__key="nps").score == 3

    services.campaign_close(campaign=invitation.campaign)
    closed = client.post(url, _answers(invitation, nps="10"))
    assert closed.status_code == 404
    assert Answer.objects.get(response=response, question__key="nps").score == 3


def _unavailable_pages(client, link) -> dict[str, bytes]:
    invitation, url = link
    pages = {}
    pages["forged"] = client.get(f"/feedback/s/{new_token()[0]}/")
    pages["malformed"] = client.get("/feedback/s/not a token!/")
    pages["short"] = client.get("/feedback/s/abc/")
    Campaign.objects.filter(pk=invitation.campaign_id).update(
        closes_at=NOW - dt.timedelta(minutes=1)
    )
    pages["expired"] = client.get(url)
    pages["expired-thanks"] = client.get(f"{url}thanks/")
    return pages


def test_forged_expired_and_closed_links_get_the_same_404_without_any_detail(client, link):
    pages = _unavailable_pages(client, link)
    bodies = {name: page.content for name, page in pages.items()}
    assert {page.status_code for page in pages.values()} == {404}
    assert len(set(bodies.values())) == 1  # nothing tells a forged link from an expired one
    body = bodies["forged"].decode()
    assert "This survey link does not work" in body
    for detail in ("Birch Foods", "Ina", "Morgan", "closed on", "expired"):
        assert detail not in body


def test_a_closed_campaign_link_is_404(client, link):
    invitation, url = link
    assert client.get(url).status_code == 200  # the same link worked while the campaign ran
    services.campaign_close(campaign=invitation.campaign)
    closed = client.get(url)
    assert closed.status_code == 404
    assert "This survey link does not work" in closed.content.decode()


def test_the_form_needs_its_csrf_token(link):
    invitation, url = link
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, _answers(invitation)).status_code == 403
    assert not Response.objects.exists()
    page = strict.get(url)
    token = page.cookies["csrftoken"].value
    data = {**_answers(invitation), "csrfmiddlewaretoken": token}
    assert strict.post(url, data).status_code == 302


def test_a_script_answer_is_stored_as_text_and_escaped_when_shown(client, link, admin_client):
    invitation, url = link
    script = '<script>alert("x")</script>'
    client.post(url, {**_answers(invitation, nps_why=script), "consent": "on"})
    again = client.get(url).content.decode()
    assert script not in again
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in again
    for page in ("/feedback/", f"{invitation.account.get_absolute_url()}?tab=feedback"):
        html = admin_client.get(page).content.decode()
        assert "&lt;script&gt;alert" in html
        assert script not in html


def test_overlong_text_and_out_of_range_scores_are_refused(client, link):
    invitation, url = link
    too_long = client.post(url, _answers(invitation, nps_why="x" * 2001))
    assert too_long.status_code == 200
    assert "Please keep this under 2000" in too_long.content.decode()
    out_of_range = client.post(url, _answers(invitation, nps="11"))
    assert out_of_range.status_code == 200
    assert "Please check your answers" in (out_of_range.content.decode())
    missing = client.post(url, _answers(invitation, nps=""))
    assert "Please choose a number." in missing.content.decode()
    assert not Response.objects.exists()


def test_the_service_refuses_what_the_form_would(link):
    invitation, _ = link
    nps = invitation.campaign.version.questions.get(key="nps")
    why = invitation.campaign.version.questions.get(key="nps_why")
    for answers, message in (
        ({nps.pk: 11}, "from 0 to 10"),
        ({nps.pk: 9, why.pk: "y" * 2001}, "under 2000"),
        ({why.pk: "no score"}, "choose a number"),
        ({nps.pk: 9, 999999: "x"}, "reload"),
    ):
        with pytest.raises(services.DomainError, match=message):
            services.response_submit(invitation=invitation, answers=answers, consent=False)


def test_too_many_requests_on_one_link_get_a_friendly_429(client, link, settings):
    settings.TENURE_SURVEY_RATE_LIMITS = {"token": (3, 600)}
    url = link[1]
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    blocked = client.get(url)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Please wait a moment" in blocked.content.decode()
    _, other_raw = invite(link[0].campaign)
    assert client.get(f"/feedback/s/{other_raw}/").status_code == 200


def test_too_many_requests_from_one_address_are_stopped_whatever_the_token(client, settings):
    settings.TENURE_SURVEY_RATE_LIMITS = {"ip": (5, 600)}
    codes = [client.get(f"/feedback/s/{new_token()[0]}/").status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.get(f"/feedback/s/{new_token()[0]}/").status_code == 404


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(settings):
    settings.TENURE_SURVEY_RATE_LIMITS = {"ip": (2, 600)}
    settings.TENURE_TRUSTED_PROXIES = 1
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert [first.get(f"/feedback/s/{new_token()[0]}/").status_code for _ in range(3)] == [
        404,
        404,
        429,
    ]
    assert second.get(f"/feedback/s/{new_token()[0]}/").status_code == 404


def test_the_thanks_page_sends_people_who_have_not_answered_to_the_survey(client, link):
    _, url = link
    response = client.get(f"{url}thanks/")
    assert response.status_code == 302
    assert response["Location"] == url

"""The key-list proposals as a queue: paginated, decided items leave it at once (htmx swap or a
redirect back to the same page and anchor), one reason for several decisions, the cap shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tenure.accounts.models import Account
from tenure.scoring.keylist_queue import keylist_queue
from tenure.scoring.models import KeyListDecision, ScoringSettings
from tests.accounts.factories import UserFactory
from tests.scoring.queue_world import proposals_world

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def director_client(client):
    client.force_login(UserFactory(is_staff=True))
    return client


def _names(queue) -> list[str]:
    return [s.account.name for s in queue.page.object_list]


def test_the_queue_shows_twenty_proposals_a_page_and_the_caps():
    proposals_world(promotions=23, removals=2)
    ScoringSettings.objects.create(max_key_accounts=2, max_additions_per_period=5)
    first = keylist_queue(page=1, today=TODAY)
    assert first is not None
    assert len(first.page.object_list) == 20
    assert first.page.paginator.count == 25
    assert _names(keylist_queue(page=2, today=TODAY))[-2:] == ["R01", "R02"]
    assert (first.key_accounts, first.max_key_accounts, first.over_cap) == (2, 2, True)
    assert (first.promoted_this_quarter, first.quarter_full) == (0, False)
    assert keylist_queue(page=99, today=TODAY).page.number == 2  # past the end: the last page


def test_before_any_run_there_is_no_queue():
    assert keylist_queue(page=1, today=TODAY) is None


def test_an_htmx_decision_answers_with_the_queue_without_the_decided_proposal(director_client):
    proposals_world(promotions=21)
    p01 = Account.objects.get(name="P01")
    response = director_client.post(
        reverse("scoring:decide", args=[p01.pk]),
        {"action": "promote", "outcome": "rejected", "reason": "Too early", "qpage": "1"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section class="card" id="queue"')
    assert "<html" not in html  # the queue alone, swapped in place
    assert ">P01<" not in html
    assert ">P21<" in html  # the next one moved up onto the page
    assert "P01 stays as it is; the decision is recorded." in html
    assert "(20 waiting)" in html


def test_without_javascript_a_decision_returns_to_the_same_page_and_anchor(director_client):
    proposals_world(promotions=25)
    p22 = Account.objects.get(name="P22")
    response = director_client.post(
        reverse("scoring:decide", args=[p22.pk]),
        {"action": "promote", "outcome": "rejected", "reason": "No", "qpage": "2"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:portfolio") + "?qpage=2#queue"
    page = director_client.get(response["Location"]).content.decode()
    queue = page[page.index('id="queue"') : page.index("</section>", page.index('id="queue"'))]
    assert ">P22<" not in queue
    assert ">P23<" in queue
    assert "Page 2 of 2" in queue


def test_one_reason_covers_several_decisions_each_recorded(director_client):
    accounts = proposals_world(promotions=3, removals=1)
    p01, p02, _p03, r01 = accounts
    response = director_client.post(
        reverse("scoring:decide_many"),
        {
            "proposal": [f"promote:{p01.pk}", f"promote:{p02.pk}", f"demote:{r01.pk}"],
            "outcome": "accepted",
            "reason": "Strategic for 2027",
            "qpage": "1",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert "3 proposals accepted: P01, P02, R01." in html
    assert ">P03<" in html
    assert ">P01<" not in html
    decisions = KeyListDecision.objects.order_by("account__name")
    assert [(d.account.name, d.action, d.reason) for d in decisions] == [
        ("P01", "promote", "Strategic for 2027"),
        ("P02", "promote", "Strategic for 2027"),
        ("R01", "demote", "Strategic for 2027"),
    ]
    assert set(Account.objects.filter(is_key_account=True).values_list("name", flat=True)) == {
        "P01",
        "P02",
    }


def test_several_decisions_need_a_reason_and_are_all_or_nothing(director_client):
    p01, p02 = proposals_world(promotions=2)
    no_reason = director_client.post(
        reverse("scoring:decide_many"),
        {"proposal": [f"promote:{p01.pk}"], "outcome": "accepted", "reason": " "},
        **HTMX,
    )
    assert "Nothing decided. Reason: say why." in no_reason.content.decode()
    p02.is_key_account = True
    p02.save()
    clash = director_client.post(
        reverse("scoring:decide_many"),
        {
            "proposal": [f"promote:{p01.pk}", f"promote:{p02.pk}"],
            "outcome": "accepted",
            "reason": "x",
        },
        **HTMX,
    )
    assert "P02 is already a key account" in clash.content.decode()
    assert not KeyListDecision.objects.exists()
    p01.refresh_from_db()
    assert not p01.is_key_account
    nothing = director_client.post(
        reverse("scoring:decide_many"), {"outcome": "accepted", "reason": "x"}, **HTMX
    )
    assert "Proposals: select at least one proposal." in nothing.content.decode()


def test_a_manager_cannot_decide_several(client):
    (p01,) = proposals_world(promotions=1)
    client.force_login(UserFactory())
    response = client.post(
        reverse("scoring:decide_many"),
        {"proposal": [f"promote:{p01.pk}"], "outcome": "accepted", "reason": "x"},
    )
    assert response.status_code == 403
    assert not KeyListDecision.objects.exists()


def test_the_portfolio_page_shows_the_queue_with_its_cap_and_pager(director_client):
    proposals_world(promotions=22)
    page = director_client.get(reverse("scoring:portfolio")).content.decode()
    assert "Key-list proposals (22 waiting)" in page
    assert "0 key accounts of a cap of 30" in page
    assert "Page 1 of 2" in page
    assert 'href="?qpage=2#queue"' in page
    assert page.count('name="proposal"') == 20


def test_a_refused_htmx_decision_keeps_the_proposal_and_says_why_naming_the_field(
    director_client,
):
    (p01,) = proposals_world(promotions=1)
    response = director_client.post(
        reverse("scoring:decide", args=[p01.pk]),
        {"action": "promote", "outcome": "accepted", "reason": "  ", "qpage": "1"},
        **HTMX,
    )
    html = response.content.decode()
    assert "P01: Reason: say why." in html
    assert 'class="message error"' in html
    assert ">P01<" in html  # still waiting
    assert not KeyListDecision.objects.exists()


def test_the_candidates_are_the_snapshots_with_an_open_proposal_in_the_queues_order():
    # The reference is ``with_open_proposal`` (the per-snapshot definition the API shows):
    # the candidates' sets must agree with it whatever was decided, when, and on what.
    from tenure.accounts.models import Account
    from tenure.scoring.models import AccountSnapshot
    from tenure.scoring.selectors import keylist_candidates, with_open_proposal
    from tests.scoring.queue_world import AS_OF

    accounts = proposals_world(promotions=9, removals=5)
    director = UserFactory(is_staff=True)
    later, earlier = AS_OF + dt.timedelta(days=1), AS_OF - dt.timedelta(days=1)
    p, r = accounts[:9], accounts[9:]

    def decide(account, action, as_of):
        KeyListDecision.objects.create(
            account=account,
            action=action,
            outcome="rejected",
            decided_by=director,
            reason="r",
            snapshot_as_of=as_of,
        )

    decide(p[0], "promote", AS_OF)  # decided on this run: settled
    decide(p[1], "promote", later)  # decided on a later run: settled
    decide(p[2], "promote", earlier)  # an older decision: still open
    decide(p[3], "promote", None)  # decided before it was scored: still open
    decide(p[4], "demote", AS_OF)  # a decision on the other action: still open
    Account.objects.filter(pk=p[5].pk).update(is_key_account=True)  # already on the list
    decide(r[0], "demote", AS_OF)
    decide(r[1], "promote", later)  # the other action: still open
    Account.objects.filter(pk=r[2].pk).update(is_key_account=False)  # already off the list
    AccountSnapshot.objects.filter(account=p[6]).update(keylist_over_cap=True)
    AccountSnapshot.objects.filter(account=p[7]).update(keylist_action="")  # no proposal

    reference = [
        s.pk
        for s in with_open_proposal(snapshots=AccountSnapshot.objects.filter(as_of=AS_OF))
        .filter(keylist_open=True, keylist_action__in=["promote", "demote"])
        .order_by("keylist_over_cap", "-keylist_action", "revenue_rank")
    ]
    candidates = keylist_candidates(as_of=AS_OF)
    assert [s.pk for s in candidates] == reference
    assert candidates.count() == len(reference) == 8
    names = [s.account.name for s in candidates]
    assert names == ["P03", "P04", "P05", "P09", "R02", "R04", "R05", "P07"]

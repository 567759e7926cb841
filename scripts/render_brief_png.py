#!/usr/bin/env python3
"""Render a demo key account's meeting brief as PDF, and its first page as docs/img/brief.png.

    .venv/bin/python scripts/render_brief_png.py [--accounts 60] [--seed 7] [--as-of 2026-11-25]

The demo portfolio is built in a throwaway TENURE_HOME (removed afterwards unless
``--keep``), exactly as ``tenure demo --no-serve`` builds it. The key account with the most
to talk about (wins, issues, people, a seasonal rhythm) is picked, and its brief is rendered
with the templates and PDF engine the ``/accounts/<id>/brief.pdf`` view uses, as a director
sees it on the as-of date.

The demo carries no survey answers. So that the brief's feedback section shows something,
the account's first three stakeholders in the buying centre (decision makers first) answer an
NPS survey, imported through the survey import (the path answers collected on paper or in
another tool take); each score follows the relationship strength the demo gave that person.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for annotations: at run time Django is set up after TENURE_HOME is chosen.
    from django.contrib.auth.models import AbstractBaseUser

    from tenure.accounts.models import Account

ROOT = Path(__file__).resolve().parent.parent

#: Score and comment by relationship strength (1 cold … 5 trusted).
ANSWERS = {
    1: (3, "We hear from you when you want to sell something, not when we have a problem."),
    2: (5, "Two late deliveries in our peak weeks. We need a plan before next season."),
    3: (7, "Good service overall; lead times before our busy season could be shorter."),
    4: (9, "Reliable deliveries, and our account manager knows our business."),
    5: (10, "A partner, not a supplier."),
}
#: Buying-centre roles in the order a survey of the account would reach them first.
ROLE_ORDER = ("decision_maker", "economic_buyer", "champion", "influencer", "user", "gatekeeper")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "brief.png")
    parser.add_argument("--pdf", type=Path, help="also keep the PDF here")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway TENURE_HOME")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    home = Path(tempfile.mkdtemp(prefix="tenure-brief-"))
    # Settings read the environment once, at import: set it before Django starts. Empty
    # store URLs mean "in TENURE_HOME", so a configured server is never touched.
    os.environ["TENURE_HOME"] = str(home)
    os.environ["TENURE_DATABASE_URL"] = ""
    os.environ["TENURE_LEDGER_URL"] = ""
    os.environ["TENURE_HTTPS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tenure.settings"
    try:
        render(args)
    finally:
        if args.keep:
            print(f"TENURE_HOME kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def render(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.template.loader import render_to_string

    from tenure.core.pdf import html_to_pdf, pdf_page_count, pdf_to_png
    from tenure.demo.load import DIRECTOR

    call_command("demo", no_serve=True, accounts=args.accounts, seed=args.seed, as_of=args.as_of)
    director = _user(DIRECTOR)
    account = _pick_account(director, args.as_of)
    answered = _import_answers(account, args.as_of)
    print(f"Brief of {account.name} (account {account.pk}); {answered} survey answers imported.")

    from tenure.engagement.brief import meeting_brief

    brief = meeting_brief(account, today=args.as_of, user=director)
    pdf = html_to_pdf(render_to_string("engagement/brief_pdf.html", {"brief": brief}))
    if args.pdf:
        args.pdf.write_bytes(pdf)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pdf_to_png(pdf, page=0, scale=1.6))
    print(f"{pdf_page_count(pdf)} page(s); page 1 → {args.out}")


def _user(username: str) -> AbstractBaseUser:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _pick_account(user: AbstractBaseUser, as_of: dt.date) -> Account:
    """The key account whose brief has the most in it: wins and issues first, then the
    agenda's length, the people on record and a seasonal rhythm; ties by name."""
    from tenure.accounts.models import Account
    from tenure.engagement.brief import meeting_brief

    def richness(account: Account) -> tuple[int, int, int, int]:
        brief = meeting_brief(account, today=as_of, user=user)
        seasonal = brief.outlook is not None and brief.outlook.is_seasonal
        return (
            len(brief.wins) + len(brief.issues),
            len(brief.agenda),
            min(len(brief.stakeholders), 6),
            int(seasonal),
        )

    candidates = list(Account.objects.filter(is_key_account=True).order_by("name"))
    if not candidates:
        sys.exit("the demo portfolio has no key account")
    return max(candidates, key=richness)


def _import_answers(account: Account, as_of: dt.date) -> int:
    """Three stakeholders answer an NPS survey a few weeks before ``as_of`` (survey import)."""
    from django.utils import timezone

    from tenure.feedback.choices import CampaignTarget
    from tenure.feedback.models import SurveyTemplate
    from tenure.feedback.services import campaign_create
    from tenure.feedback.survey_import import responses_import

    now = timezone.make_aware(dt.datetime.combine(as_of, dt.time(18)))
    positions = account.positions.filter(left_on__isnull=True, contact__email__isnull=False)
    people = sorted(
        positions.select_related("contact"),
        key=lambda p: (
            ROLE_ORDER.index(p.buying_role) if p.buying_role in ROLE_ORDER else len(ROLE_ORDER),
            p.contact.last_name,
            p.pk,
        ),
    )[:3]
    campaign = campaign_create(
        name=f"NPS {as_of:%B %Y}",
        template=SurveyTemplate.objects.get(name="Net Promoter Score"),
        target=CampaignTarget.ACCOUNT,
        account=account,
        closes_at=now + dt.timedelta(days=21),
        now=now - dt.timedelta(days=45),
    )
    lines = ["email,answered_at,score,comment,consent"]
    said: set[str] = set()
    for days_ago, position in zip((41, 37, 30), people, strict=False):
        score, comment = ANSWERS[position.strength]
        # People with the same strength do not say the same words: the second says nothing.
        comment = "" if comment in said else comment
        said.add(comment)
        answered = as_of - dt.timedelta(days=days_ago)
        lines.append(f'{position.contact.email},{answered},{score},"{comment}",yes')
    return responses_import(campaign=campaign, lines=lines, now=now).created


if __name__ == "__main__":
    main()

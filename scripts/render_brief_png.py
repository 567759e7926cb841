#!/usr/bin/env python3
"""Render a demo key account's meeting brief as PDF, and its first page as docs/img/brief.png.

    .venv/bin/python scripts/render_brief_png.py [--accounts 60] [--seed 7] [--as-of 2026-11-25]

The demo portfolio is built in a throwaway TENURE_HOME (removed afterwards unless
``--keep``), exactly as ``tenure demo --no-serve`` builds it. The key account with the most
to talk about (survey feedback, wins, issues, people, a seasonal rhythm) is picked, and its
brief is rendered with the templates and PDF engine the ``/accounts/<id>/brief.pdf`` view
uses, as a director sees it on the as-of date. The feedback comes from the demo's own survey
history: half-yearly relationship surveys of the key accounts.
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

    from tenure.web.brief import meeting_brief

    brief = meeting_brief(account, today=args.as_of, user=director)
    feedback = brief.feedback
    print(
        f"Brief of {account.name} (account {account.pk}); feedback: "
        f"last answer {feedback.sentiment.last_answered_on}, "
        f"{len(feedback.detractors)} named detractor(s), {len(feedback.comments)} comment(s)."
    )
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
    """The key account whose brief has the most in it: survey feedback first (answers in the
    last year, then named detractors and comments shown), then wins and issues, the agenda's
    length, the people on record and a seasonal rhythm; ties by name."""
    from tenure.accounts.models import Account
    from tenure.web.brief import meeting_brief

    def richness(account: Account) -> tuple[int, int, int, int, int, int]:
        brief = meeting_brief(account, today=as_of, user=user)
        seasonal = brief.outlook is not None and brief.outlook.is_seasonal
        return (
            int(brief.feedback.has_answers),
            min(len(brief.feedback.detractors) + len(brief.feedback.comments), 3),
            len(brief.wins) + len(brief.issues),
            len(brief.agenda),
            min(len(brief.stakeholders), 6),
            int(seasonal),
        )

    candidates = list(Account.objects.filter(is_key_account=True).order_by("name"))
    if not candidates:
        sys.exit("the demo portfolio has no key account")
    return max(candidates, key=richness)


if __name__ == "__main__":
    main()

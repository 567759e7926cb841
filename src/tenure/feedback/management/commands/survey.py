"""``tenure survey``: send a campaign, remind non-responders, import answers, close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenure.core.errors import DomainError
from tenure.core.table_files import TableFileError, check_utf8
from tenure.feedback import selectors, services
from tenure.feedback.emails import links_base_url
from tenure.feedback.models import Campaign
from tenure.feedback.survey_import import responses_import


class Command(BaseCommand):
    help = "Survey campaigns: send, remind, import answers collected elsewhere, close."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        send = actions.add_parser("send", help="invite the campaign's people and email their links")
        send.add_argument("campaign", type=int, metavar="CAMPAIGN_ID")
        send.add_argument("--base-url", help="address of Tenure in the links (TENURE_BASE_URL)")
        remind = actions.add_parser(
            "remind", help="remind non-responders (every open campaign unless ids are given)"
        )
        remind.add_argument("campaigns", type=int, nargs="*", metavar="CAMPAIGN_ID")
        remind.add_argument("--base-url", help="address of Tenure in the links (TENURE_BASE_URL)")
        imports = actions.add_parser("import", help="import answers from a CSV file")
        imports.add_argument("file", type=Path, metavar="FILE")
        imports.add_argument("--campaign", type=int, required=True, metavar="ID")
        close = actions.add_parser("close", help="close a campaign: its links stop working")
        close.add_argument("campaign", type=int, metavar="CAMPAIGN_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except DomainError as error:
            raise CommandError(str(error.message)) from error

    def _campaign(self, pk: int) -> Campaign:
        campaign = Campaign.objects.select_related("version").filter(pk=pk).first()
        if campaign is None:
            raise CommandError(f"no campaign has id {pk}")
        return campaign

    def _report(self, report: services.SendReport, noun: str) -> None:
        for skip in report.skipped:
            self.stdout.write(f"  skipped {skip.contact} ({skip.account}): {skip.reason}")
        for invitation, error in report.failed:
            self.stderr.write(f"  failed {invitation.contact}: {error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.sent)} {noun}(s) sent, {len(report.skipped)} skipped, "
                f"{len(report.failed)} failed"
            )
        )

    def _send(self, options: dict[str, Any]) -> None:
        campaign = self._campaign(options["campaign"])
        report = services.campaign_send(
            campaign=campaign, base_url=links_base_url(options.get("base_url"))
        )
        self._report(report, "invitation")

    def _remind(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        ids = options.get("campaigns") or []
        campaigns = (
            [self._campaign(pk) for pk in ids]
            if ids
            else list(selectors.campaigns_to_remind(now=now))
        )
        for campaign in campaigns:
            self.stdout.write(f"{campaign.name} (#{campaign.pk}):")
            report = services.campaign_remind(
                campaign=campaign, base_url=links_base_url(options.get("base_url")), now=now
            )
            self._report(report, "reminder")

    def _import(self, options: dict[str, Any]) -> None:
        campaign = self._campaign(options["campaign"])
        path: Path = options["file"]
        try:
            # Checked whole before the first answer is read: the line of a bad byte is named.
            check_utf8(path)
            with path.open(encoding="utf-8-sig", newline="") as handle:
                report = responses_import(campaign=campaign, lines=handle)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
        except TableFileError as error:
            raise CommandError(error.message) from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} answer(s) imported, {report.unchanged} already there"
            )
        )

    def _close(self, options: dict[str, Any]) -> None:
        campaign = services.campaign_close(campaign=self._campaign(options["campaign"]))
        self.stdout.write(self.style.SUCCESS(f"{campaign.name} closed"))

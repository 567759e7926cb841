"""Tasks as the alert rules would raise them, for tests of the pages and the API."""

from __future__ import annotations

import datetime as dt

from tenure.alerts.choices import AlertRule
from tenure.alerts.models import Task

TODAY = dt.date(2026, 11, 25)


def make_task(
    account,
    assignee,
    *,
    rule: str = AlertRule.HIGH_RISK,
    key: str = "",
    due: dt.date = TODAY,
    raised: dt.date = TODAY,
    title: str = "",
) -> Task:
    return Task.objects.create(
        account=account,
        rule=rule,
        cause_key=key,
        assignee=assignee,
        title=title or f"{AlertRule(rule).label} at {account.name} {key}".strip(),
        evidence="Churn risk 62% within 180 days.",
        evidence_url=account.get_absolute_url(),
        due_on=due,
        raised_on=raised,
        checked_on=TODAY,
    )
